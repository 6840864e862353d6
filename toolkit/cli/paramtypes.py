"""Click parameter types for the values commands take (ApeWorX ape's ``cli/paramtype.py``
model): a command declares ``type=WALLET`` and receives a checksummed address, never text.

Each type parses with the one parser of ``toolkit.inputs`` and reports a bad value as an
``InputError`` naming the parameter (``SHARES: shares must be a positive number, not -5``; exit 2,
nothing sent), so no command repeats a try/except around a parser. Some values need the
offering or its chain, which the ``AppContext`` provides on first use:

- ``CLASS``: a class id of the offering, as its ``ClassDeployment``;
- ``shares(of="class_id")``: a share count in the base units of the class that parameter
  named (positional CLASS is converted before SHARES, as it comes first on the line);
- ``LOCKUP``, ``EXPIRY``, ``CATEGORY_EXPIRY`` and ``VESTING``: dates checked against the chain's
  clock;
- ``DIVIDEND``: a recorded dividend of the offering, by its number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.context import AppContext
from toolkit.holders.holder import parse_category_expiry, parse_expiry
from toolkit.inputs import (
    InvalidValue,
    as_input_error,
    parse_amount,
    parse_category,
    parse_investor_id,
    parse_jurisdiction,
    parse_lockup,
    parse_shares,
    parse_vesting,
    parse_wallet,
    parse_wei,
)

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from toolkit.dividends.records import DividendRecord
    from toolkit.offering.deployments import ClassDeployment

SELF = "self"


def _label(param: click.Parameter | None) -> str:
    """How a message names the parameter: ``--investor-id``, or ``WALLET`` for an argument."""
    if param is None:
        return "value"
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def _app(ctx: click.Context | None) -> AppContext:
    app = ctx.find_object(AppContext) if ctx is not None else None
    return app if app is not None else AppContext()


class InputType(click.ParamType):  # type: ignore[type-arg]  # generic only in click 8.5+
    """A value read by one parser of ``toolkit.inputs``; a bad one is an InputError."""

    def parse(self, text: str, ctx: click.Context | None) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value  # a default, or a value already converted
        try:
            return self.parse(value, ctx)
        except InvalidValue as exc:
            raise as_input_error(exc, _label(param)) from None


class ParsedType(InputType):
    """A value with a pure parser of ``toolkit.inputs`` (an investor id, a jurisdiction)."""

    def __init__(self, parse: Callable[[str], Any], name: str) -> None:
        self._parse = parse
        self.name = name

    def parse(self, text: str, ctx: click.Context | None) -> Any:
        return self._parse(text)


class WalletType(InputType):
    """A hex address (a bad EIP-55 checksum is refused), checksummed; with ``or_self`` the
    word ``self`` too, returned as ``SELF`` for the command to resolve to its signer."""

    name = "wallet"

    def __init__(self, *, or_self: bool = False) -> None:
        self.or_self = or_self

    def parse(self, text: str, ctx: click.Context | None) -> str:
        if self.or_self and text.strip().lower() == SELF:
            return SELF
        return parse_wallet(text)


class ClassType(InputType):
    """A class id of the offering (exact, as in the offering file), as its deployment."""

    name = "class"

    def parse(self, text: str, ctx: click.Context | None) -> ClassDeployment:
        return _app(ctx).deployment().class_by_id(text.strip())

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        """The class ids recorded in ``deployments/`` here (no chain is asked)."""
        from click.shell_completion import CompletionItem

        from toolkit.offering.deployments import recorded_class_ids

        ids = recorded_class_ids(_app(ctx).cwd)
        return [CompletionItem(i) for i in ids if i.startswith(incomplete)]


class SharesType(InputType):
    """A positive share count, in base units of the class the parameter ``of`` names (whole
    shares when there is none). Where "shares must be a positive number" is said."""

    name = "shares"

    def __init__(self, *, of: str | None = None) -> None:
        self.of = of

    def parse(self, text: str, ctx: click.Context | None) -> int:
        share_class = ctx.params.get(self.of) if ctx is not None and self.of else None
        decimals = share_class.decimals if share_class is not None else 0
        return parse_shares(text, decimals)


class ChainTimeType(InputType):
    """A value whose parser needs the chain's clock ("now" is the latest block's time):
    a lock-up or an expiry that must lie in the future, a vesting that must not be over."""

    def __init__(self, parse: Callable[..., Any], name: str) -> None:
        self._parse = parse
        self.name = name

    def parse(self, text: str, ctx: click.Context | None) -> Any:
        from toolkit.chain.clock import latest_timestamp

        return self._parse(text, now=latest_timestamp(_app(ctx).chain().w3))


class SupportType(InputType):
    """A vote: ``for``, ``against`` or ``abstain`` (any case), as OpenZeppelin's number."""

    name = "support"

    def parse(self, text: str, ctx: click.Context | None) -> int:
        from toolkit.governance.ballot import parse_support

        return parse_support(text)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "for|against|abstain"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [
            CompletionItem(c) for c in ("for", "against", "abstain") if c.startswith(incomplete)
        ]


class WholeNumberType(InputType):
    """A whole number of at least ``minimum`` (a gas limit, a nonce)."""

    name = "integer"

    def __init__(self, minimum: int, what: str) -> None:
        self.minimum, self.what = minimum, what

    def parse(self, text: str, ctx: click.Context | None) -> int:
        value = text.strip().replace("_", "")
        if not value.isdigit():
            raise InvalidValue(f"{self.what} {text.strip()!r} is not a whole number")
        number = int(value)
        if number < self.minimum:
            raise InvalidValue(f"{self.what} must be at least {self.minimum:,}, not {number:,}")
        return number


class DividendType(InputType):
    """A dividend of the offering by its number (``latest``: the newest), as its record; the
    address of one declared through governance is filled in once the proposal executed."""

    name = "id"

    def parse(self, text: str, ctx: click.Context | None) -> DividendRecord:
        from toolkit.dividends.distribution import settled
        from toolkit.dividends.records import DividendBook

        app = _app(ctx)
        deployment = app.deployment()
        book = DividendBook(app.cwd, deployment.chain_id, deployment.name)
        return settled(app.chain().w3, book, book.get(text))

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "ID"


class CategoryType(ParsedType):
    """An investor category (SPEC §15), as the registry's number."""

    def __init__(self) -> None:
        super().__init__(parse_category, "category")

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "accredited|qualified_purchaser|professional|retail"


class BatchSizeType(InputType):
    """Rows per transaction of a resumable CSV run (the batch layer's bounds)."""

    name = "integer"

    def parse(self, text: str, ctx: click.Context | None) -> int:
        from toolkit.batches.run import check_batch_size

        if not text.strip().isdigit():
            raise InvalidValue(f"{text!r} is not a whole number")
        size = int(text)
        check_batch_size(size)
        return size


WALLET = WalletType()
INVESTOR_ID = ParsedType(parse_investor_id, "text")
JURISDICTION = ParsedType(parse_jurisdiction, "code")
WALLET_OR_SELF = WalletType(or_self=True)
CLASS = ClassType()
SHARES = SharesType()
LOCKUP = ChainTimeType(parse_lockup, "date")
EXPIRY = ChainTimeType(parse_expiry, "date")
CATEGORY = CategoryType()
CATEGORY_EXPIRY = ChainTimeType(parse_category_expiry, "date")
VESTING = ChainTimeType(parse_vesting, "vesting")
SUPPORT = SupportType()
DIVIDEND = DividendType()
BATCH_SIZE = BatchSizeType()
AMOUNT = ParsedType(parse_amount, "amount")
WEI = ParsedType(parse_wei, "amount")
GAS_LIMIT = WholeNumberType(21_000, "the gas limit")
NONCE = WholeNumberType(0, "the nonce")


def shares(*, of: str) -> SharesType:
    """Shares in the base units of the class that the parameter ``of`` names."""
    return SharesType(of=of)
