"""Conversions of one class into another (SPEC §14): a holder's own, and governance's of a class.

Each class whose offering-file entry has ``converts_to`` gets a ``Converter`` contract at
deployment (``toolkit.offering.deploy``), recorded on the class (``ClassDeployment.converter``).
The ratio is the file's, in base units (``base_unit_ratio``), immutable in the contract.

- ``check_conversion`` asks the converter what a conversion would meet: the target class's
  issuance codes (3-6, 9-11), 7 for a balance too small, 30 for a fraction of a target share;
- ``convert`` is the holder's own (the signer's shares), refused before sending with the code;
- ``convert_holders`` carries out a conversion governance mandated (the ``convert-all FROM TO``
  action), in batches: a rerun converts only who still holds the class, so it is resumable, and
  a holder the target class refuses is skipped (``ConversionSkipped``) without stopping the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from toolkit.errors import StateConflictError, TransactionRevertedError, UsageError
from toolkit.offering.transfers import Restriction
from toolkit.restrictions import restriction_message, restriction_name

if TYPE_CHECKING:
    from web3.contract import Contract

    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.contracts import OfferingContracts
    from toolkit.offering.deployments import ClassDeployment

FRACTIONAL_CONVERSION = 30
DEFAULT_BATCH_SIZE = 50


@dataclass(frozen=True)
class Route:
    """A conversion route of the offering: source class, target class and their converter."""

    source: ClassDeployment
    target: ClassDeployment
    converter: Contract
    source_token: Contract
    target_token: Contract

    @property
    def ratio(self) -> Fraction:
        """Target base units per source base unit (what the contract holds)."""
        functions = self.converter.functions
        return Fraction(
            int(functions.ratioNumerator().call()), int(functions.ratioDenominator().call())
        )

    def converted(self, shares: int) -> Fraction:
        return shares * self.ratio


@dataclass(frozen=True)
class Conversion:
    """A conversion sent: what left the source class and what the target class issued."""

    source: str
    target: str
    wallet: str
    shares: int  # source base units
    converted: int  # target base units
    result: TxResult


@dataclass(frozen=True)
class BatchConversion:
    """A run of ``convert_holders``: who converted, who was skipped (and why), what was sent."""

    converted: tuple[str, ...]
    skipped: tuple[tuple[str, Restriction], ...]
    results: tuple[TxResult, ...]


def conversion_route(contracts: OfferingContracts, source_id: str, target_id: str) -> Route:
    """The route from ``source_id`` into ``target_id``; a UsageError when the offering has none."""
    deployment = contracts.deployment
    source = deployment.class_by_id(source_id)
    target = deployment.class_by_id(target_id)
    if source.converts_to != target.id:
        says = (
            f"the offering file converts {source.id} into {source.converts_to}"
            if source.converts_to
            else f"the offering file gives {source.id} no converts_to"
        )
        raise UsageError(
            f"{source.id} does not convert into {target.id}: {says}",
            hint="conversions follow the offering file's converts_to and conversion_ratio",
        )
    if source.converter is None:
        raise UsageError(
            f"the offering has no converter for {source.id} -> {target.id} "
            "(deployed before conversions existed)",
            hint="deploy the offering again with this version of equity",
        )
    return Route(
        source,
        target,
        contracts.converter(source),
        contracts.token_of(source),
        contracts.token_of(target),
    )


def check_conversion(route: Route, wallet: str, shares: int) -> Restriction:
    """The restriction a conversion of ``shares`` (source base units) of ``wallet`` meets now."""
    code = int(route.converter.functions.restrictionOf(wallet, shares).call())
    return Restriction(code, restriction_name(code), _message(route, code))


def _message(route: Route, code: int) -> str:
    """The target class's own message for its codes (the code table's for the others)."""
    if code in (0, 7, FRACTIONAL_CONVERSION):
        return restriction_message(code)
    token = route.target_token
    try:
        return str(token.functions.messageForTransferRestriction(code).call())
    except Exception:  # noqa: BLE001 - the code table is enough when the token cannot say
        return restriction_message(code)


def refused(route: Route, wallet: str, restriction: Restriction) -> TransactionRevertedError:
    """The error of a conversion the chain would refuse, found before sending (exit 3)."""
    fixes = {
        7: f"the wallet holds fewer {route.source.id} shares (`equity captable show`)",
        FRACTIONAL_CONVERSION: f"convert a number of shares that makes whole {route.target.id} "
        f"shares (ratio {route.ratio} base units)",
    }
    fix = fixes.get(restriction.code, f"{route.target.id}'s rules apply to the converted shares")
    return TransactionRevertedError(
        f"conversion of {route.source.id} into {route.target.id} by {wallet} refused: "
        f"{restriction.text}",
        error_name="ConversionRestricted",
        error_args={"code": restriction.code, "holder": wallet},
        hint=f"nothing was sent; {fix}",
    )


def convert(transactor: Transactor, route: Route, shares: int) -> Conversion:
    """The signer converts ``shares`` (source base units) of their own into the target class."""
    if shares <= 0:
        raise UsageError(
            "SHARES must be more than 0", hint="e.g. equity convert PREFERRED COMMON 100"
        )
    wallet = transactor.address
    restriction = check_conversion(route, wallet, shares)
    if not restriction.allowed:
        raise refused(route, wallet, restriction)
    converted = route.converted(shares)
    result = transactor.transact(
        route.converter.functions.convert(shares),
        label=f"convert {route.source.id} into {route.target.id}",
    )
    return Conversion(route.source.id, route.target.id, wallet, shares, int(converted), result)


def require_mandated(route: Route) -> None:
    """Refuse (nothing sent) a conversion of every holder that governance has not mandated."""
    if not route.converter.functions.mandated().call():
        raise StateConflictError(
            f"governance has not mandated the conversion of {route.source.id} into "
            f"{route.target.id}; nothing was sent",
            hint="propose it: equity gov propose --title TEXT "
            f"--action 'convert-all {route.source.id} {route.target.id}'",
        )


def convert_holders(
    transactor: Transactor,
    route: Route,
    holders: list[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> BatchConversion:
    """Convert every one of ``holders`` that still holds the source class, ``batch_size`` a
    transaction, after governance mandated it. Holders the target class refuses are skipped
    (and named); holders already converted are not sent again."""
    if batch_size < 1:
        raise UsageError("--batch-size must be 1 or more", hint="e.g. --batch-size 50")
    require_mandated(route)
    functions = route.converter.functions
    token = route.source_token
    pending: list[str] = []
    skipped: list[tuple[str, Restriction]] = []
    for wallet in holders:
        balance = int(token.functions.balanceOf(wallet).call())
        if balance == 0:
            continue
        restriction = check_conversion(route, wallet, balance)
        if restriction.allowed:
            pending.append(wallet)
        else:
            skipped.append((wallet, restriction))
    from toolkit.chain.tx import Call

    results: list[TxResult] = []
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        label = f"convert {len(batch)} holder(s) of {route.source.id} into {route.target.id}"
        results.extend(transactor.send([Call.of(functions.convertHolders(batch), label)]))
    return BatchConversion(tuple(pending), tuple(skipped), tuple(results))
