"""``equity holders add|import|remove|freeze|unfreeze|show|list``: the qualified-holder registry."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.context import AppContext, global_options, pass_app

if TYPE_CHECKING:
    from toolkit.chain.tx import TxResult
    from toolkit.offering.contracts import OfferingContracts


@click.group()
def holders() -> None:
    """Qualify, remove, freeze and inspect holders in the offering's registry."""


def _contracts(app: AppContext) -> OfferingContracts:
    from toolkit.offering.contracts import OfferingContracts

    return OfferingContracts(app.chain().w3, app.deployment())


def _wallet(text: str, what: str = "WALLET") -> str:
    from toolkit.inputs import parse_arg, parse_wallet

    return parse_arg(parse_wallet, text, what)


def _sent(app: AppContext, result: TxResult, text: str, **extra: Any) -> None:
    app.result(
        {"transactions": [result.to_json()], **extra},
        lambda: app.say(
            f"{text}\n  tx {result.hash} (block {result.block}, {result.gas_used} gas)"
        ),
    )


@holders.command()
@click.argument("wallet")
@click.option(
    "--investor-id", required=True, help="The investor's id (ASCII, at most 16 characters)."
)
@click.option("--jurisdiction", required=True, help="ISO 3166-1 alpha-2 code, e.g. DE.")
@click.option("--expires", required=True, metavar="DATE", help="When the qualification expires.")
@click.option("--accredited", is_flag=True, default=False, help="The investor is accredited.")
@global_options
@pass_app
def add(
    app: AppContext,
    wallet: str,
    investor_id: str,
    jurisdiction: str,
    expires: str,
    accredited: bool,
) -> None:
    """Register WALLET as a qualified holder for an investor."""
    from toolkit.chain.clock import latest_timestamp
    from toolkit.holders.holder import Holder, parse_expiry
    from toolkit.holders.registry import add_holder
    from toolkit.inputs import (
        format_time,
        parse_arg,
        parse_investor_id,
        parse_jurisdiction,
    )

    address = _wallet(wallet)
    investor = parse_arg(parse_investor_id, investor_id, "--investor-id")
    country = parse_arg(parse_jurisdiction, jurisdiction, "--jurisdiction")
    contracts = _contracts(app)
    now = latest_timestamp(contracts.w3)
    expires_at = parse_arg(lambda t: parse_expiry(t, now=now), expires, "--expires")
    holder = Holder(address, investor, country, expires_at, accredited)
    result = add_holder(app.transactor(), contracts, holder)
    _sent(
        app,
        result,
        f"registered {address} for investor {investor} ({jurisdiction.strip()}, "
        f"{'accredited, ' if accredited else ''}qualified until {format_time(expires_at)})",
        wallet=address,
        investor_id=investor,
    )


@holders.command("import")
@click.argument("csv_file", metavar="HOLDERS_CSV", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--batch-size", type=int, default=None, help="Wallets per transaction (default 50).")
@global_options
@pass_app
def import_(app: AppContext, csv_file: Path, batch_size: int | None) -> None:
    """Register every row of a holders CSV (wallet,investor_id,jurisdiction,expires,accredited).

    Resumable: a rerun of the same file registers only what is not registered yet."""
    from toolkit.batches.run import DEFAULT_BATCH_SIZE
    from toolkit.chain.clock import latest_timestamp
    from toolkit.cli.batch_runs import CsvProgress, report_batch_run, say_resumption
    from toolkit.holders.csv_import import import_holders

    contracts = _contracts(app)
    with contextlib.ExitStack() as stack:
        progress = CsvProgress(app, stack, "registering")
        report = import_holders(
            app.transactor(),
            contracts,
            csv_file,
            batch_size=DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
            cwd=app.cwd,
            now=latest_timestamp(contracts.w3),
            on_start=progress.start,
            on_progress=progress.advance,
            on_resume=lambda r: say_resumption(app, r),
        )
    report_batch_run(app, report, csv_file, "registered")


@holders.command()
@click.argument("wallet")
@global_options
@pass_app
def remove(app: AppContext, wallet: str) -> None:
    """Unregister WALLET: it can no longer receive shares."""
    from toolkit.holders.registry import remove_holder

    address = _wallet(wallet)
    result = remove_holder(app.transactor(), _contracts(app), address)
    _sent(app, result, f"removed {address} from the registry", wallet=address)


@holders.command()
@click.argument("wallet")
@global_options
@pass_app
def freeze(app: AppContext, wallet: str) -> None:
    """Freeze WALLET: it can neither send nor receive shares."""
    from toolkit.holders.registry import set_frozen

    address = _wallet(wallet)
    result = set_frozen(app.transactor(), _contracts(app), address, True)
    _sent(app, result, f"froze {address}", wallet=address, frozen=True)


@holders.command()
@click.argument("wallet")
@global_options
@pass_app
def unfreeze(app: AppContext, wallet: str) -> None:
    """Unfreeze WALLET."""
    from toolkit.holders.registry import set_frozen

    address = _wallet(wallet)
    result = set_frozen(app.transactor(), _contracts(app), address, False)
    _sent(app, result, f"unfroze {address}", wallet=address, frozen=False)


@holders.command()
@click.argument("wallet")
@global_options
@pass_app
def show(app: AppContext, wallet: str) -> None:
    """Show WALLET's registry record and its shares in every class."""
    from toolkit.chain.clock import latest_timestamp
    from toolkit.holders.registry import holder_state
    from toolkit.inputs import format_shares, format_time

    address = _wallet(wallet)
    contracts = _contracts(app)
    now = latest_timestamp(contracts.w3)
    state = holder_state(contracts, address)
    balances = []
    for share_class, token in contracts.all_tokens():
        balance = int(token.functions.balanceOf(address).call())
        locked = int(token.functions.lockedBalanceOf(address).call()) if balance else 0
        balances.append((share_class, balance, locked))
    data = {
        **state.to_json(now),
        "balances": [
            {"class": c.id, "shares": balance, "locked_shares": locked}
            for c, balance, locked in balances
        ],
    }

    def render() -> None:
        if state.registered:
            app.say(
                f"{address}: investor {state.investor_id}, {state.jurisdiction}, "
                f"{'accredited, ' if state.accredited else ''}{state.status(now)} "
                f"(expires {format_time(state.expires_at)})"
            )
        else:
            app.say(f"{address}: {state.status(now)}")
        app.table(
            None,
            ["class", "shares", "locked"],
            [
                [c.id, format_shares(balance, c.decimals), format_shares(locked, c.decimals)]
                for c, balance, locked in balances
            ],
        )

    app.result(data, render)


@holders.command("list")
@global_options
@pass_app
def list_(app: AppContext) -> None:
    """List every wallet the registry has had, with its current standing."""
    from toolkit.chain.clock import latest_timestamp
    from toolkit.holders.registry import list_holders
    from toolkit.inputs import format_time

    contracts = _contracts(app)
    now = latest_timestamp(contracts.w3)
    states = list_holders(contracts)
    data = {"holders": [state.to_json(now) for state in states]}

    def render() -> None:
        if not states:
            app.say("no holders registered yet (`equity holders add` or `holders import`)")
            return
        app.table(
            f"{len(states)} wallet(s) in the registry of {contracts.deployment.name}",
            ["wallet", "investor", "jur.", "expires", "accr.", "status"],
            [
                [
                    s.wallet,
                    s.investor_id or "-",
                    s.jurisdiction or "-",
                    format_time(s.expires_at) or "-",
                    "yes" if s.accredited else "no",
                    s.status(now),
                ]
                for s in states
            ],
        )

    app.result(data, render)
