"""Options shared by many commands, written once (ApeWorX ape's ``cli/options.py`` model).

``@global_options`` adds SPEC §4's ``--network``, ``--rpc-url``, ``--account``,
``--deployment``, ``--json`` and ``--yes`` (and ``-q``/``-v``), and SPEC §16's
``--gas-price``, ``--priority-fee``, ``--gas-limit`` and ``--nonce``, to a command (or
group), so they work before the command name (``equity --json check ...``) and after it
alike; their values land on the ``AppContext``. They are listed once, in ``equity --help``
(the group takes them with ``@listed_global_options``); a command's own help names them in
one line (``helptext.py``). The other decorators are the options several commands take: the
batch size of a resumable CSV run, ``--advance-time``, and the cap table's ``--as-of`` and
``--confirmations``. A new command takes its options from here rather than declaring them
again, and its values' types from ``paramtypes.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from toolkit.cli.context import AppContext

F = TypeVar("F", bound=Callable[..., Any])

# what the help of every option that takes a DATE says (tests/cli/test_help.py checks it)
DATE_FORMAT = "ISO 8601, UTC: 2027-06-30 or 2027-06-30T12:00:00Z"


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Record an option on the shared context; a value given later (after the command
    name) overrides one given earlier, and an absent flag never unsets a given one. A value
    from the environment never overrides a flag given on the command line (the subcommand
    reads the environment again after the group saw the flag)."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        app = ctx.ensure_object(AppContext)
        if value is None or value is False:
            return value
        from_env = (
            ctx.get_parameter_source(param.name or "") == click.core.ParameterSource.ENVIRONMENT
        )
        if from_env and name in app.flags_given:
            return value
        if not from_env:
            app.flags_given.add(name)
        setattr(app.options, name, value)
        return value

    return callback


def _quiet_or_verbose(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """``-q`` and ``-v``: the one given last wins."""
    store = _store(name)
    other = "verbose" if name == "quiet" else "quiet"

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value:
            setattr(ctx.ensure_object(AppContext).options, other, False)
        return store(ctx, param, value)

    return callback


class GlobalOption(click.Option):
    """An option of ``global_options``: a command's own option of the same name wins (``gov
    sign-vote --nonce`` is the ballot's nonce, not a transaction's; see ``without_shadowed``)."""


def without_shadowed(command: click.Command) -> click.Command:
    """Drop the global options that ``command`` (or any command under it) declares itself."""
    own = {opt for p in command.params if not isinstance(p, GlobalOption) for opt in p.opts}
    command.params = [
        p for p in command.params if not (isinstance(p, GlobalOption) and set(p.opts) & own)
    ]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            without_shadowed(sub)
    return command


def _global_options(func: F, *, hidden: bool) -> F:
    from toolkit.cli.paramtypes import GAS_LIMIT, NONCE, WEI

    flag: dict[str, Any] = {"is_flag": True, "default": False}
    # (declarations, where the value lands on AppContext.options, what else click needs)
    table: list[tuple[tuple[str, ...], str, dict[str, Any]]] = [
        (("--network",), "network", {"envvar": "EQUITY_NETWORK", "metavar": "NAME",
         "help": "anvil (default), ganache, or a network from equity.toml."}),
        (("--rpc-url",), "rpc_url", {"envvar": "EQUITY_RPC_URL", "metavar": "URL",
         "help": "Any Ethereum JSON-RPC endpoint (overrides --network; ETH_RPC_URL is read "
         "when neither this nor --network is given)."}),
        (("--account",), "account", {"envvar": "EQUITY_ACCOUNT", "metavar": "ALIAS",
         "help": "Signer: a keystore alias, or dev0..dev9 on local chains; safe:ADDRESS "
         "builds a Safe transaction file instead of sending."}),
        (("--deployment",), "deployment", {"envvar": "EQUITY_DEPLOYMENT", "metavar": "NAME",
         "help": "Which recorded offering to act on."}),
        (("--json", "json_"), "json", {**flag,
         "help": "Machine output on stdout (one JSON document)."}),
        (("--yes",), "yes", {**flag, "help": "No confirmation prompts."}),
        (("-q", "--quiet"), "quiet", {**flag,
         "help": "Only the result: no progress, notes or next steps."}),
        (("-v", "--verbose"), "verbose", {**flag,
         "help": "Also say which chain, account and offering record a command uses."}),
        (("--gas-price",), "gas_price", {"type": WEI, "metavar": "AMOUNT",
         "help": "Most to pay per gas (EIP-1559 max fee), e.g. 30gwei; default: twice the "
         "base fee plus the tip."}),
        (("--priority-fee",), "priority_fee", {"type": WEI, "metavar": "AMOUNT",
         "help": "Tip per gas to the block producer, e.g. 1.5gwei; default: the node's "
         "suggestion."}),
        (("--gas-limit",), "gas_limit", {"type": GAS_LIMIT,
         "help": "Gas limit of each transaction; default: the estimate with headroom."}),
        (("--nonce",), "nonce", {"type": NONCE,
         "help": "Nonce of the (first) transaction, e.g. to replace a stuck one."}),
    ]  # fmt: skip
    for decls, name, extra in reversed(table):
        store = _quiet_or_verbose(name) if name in ("quiet", "verbose") else _store(name)
        option = click.option(
            *decls, cls=GlobalOption, expose_value=False, hidden=hidden, callback=store, **extra
        )
        func = option(func)
    return func


# how a command's help names them (kept beside the table above)
GLOBAL_OPTIONS_LINE = (
    "--network, --rpc-url, --account, --deployment, --json, --yes, -q, -v, "
    "--gas-price, --priority-fee, --gas-limit, --nonce"
)


def global_options(func: F) -> F:
    """Add the global options of SPEC §4 and §16 to a command (or group), unlisted in its
    help (``equity --help`` lists them once; ``helptext.examples`` points there)."""
    return _global_options(func, hidden=True)


def listed_global_options(func: F) -> F:
    """The global options, listed: for the ``equity`` group, whose help shows them once."""
    return _global_options(func, hidden=False)


def batch_size_option(unit: str = "rows", default: int = 50) -> Callable[[F], F]:
    """``--batch-size N``: rows per transaction of a resumable run (1 to 500; None when not
    given, so a command can tell that it was not; ``default`` is what the command then uses)."""
    from toolkit.cli.paramtypes import BATCH_SIZE

    return click.option(
        "--batch-size",
        type=BATCH_SIZE,
        default=None,
        help=f"How many {unit} per transaction (default {default}, at most 500).",
    )


def advance_time_option(func: F) -> F:
    """``--advance-time``: local chains only, move the clock to when the step may run."""
    return click.option(
        "--advance-time",
        is_flag=True,
        default=False,
        help="Local chains only: move the clock past the voting delay (vote), the voting "
        "period (queue) or the timelock delay (execute).",
    )(func)


def as_of_option(func: F) -> F:
    """``--as-of BLOCK|DATE``: the cap table at a past block or date."""
    return click.option(
        "--as-of",
        metavar="BLOCK|DATE",
        default=None,
        help=f"A past block number, or a DATE ({DATE_FORMAT}; a bare date means the end of "
        "that day); default: the newest final block.",
    )(func)


def confirmations_option(func: F) -> F:
    """``--confirmations N``: blocks below the head that count as final."""
    return click.option(
        "--confirmations",
        type=click.IntRange(min=0),
        default=None,
        help="Blocks below the head that count as final (default: 0 on local chains, 12 elsewhere).",
    )(func)
