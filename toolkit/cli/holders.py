"""``equity holders add|import|remove|freeze|unfreeze|show|list``: the qualified-holder registry."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import DATE_FORMAT, batch_size_option, global_options
from toolkit.cli.paramtypes import (
    CATEGORY,
    CATEGORY_EXPIRY,
    EXPIRY,
    INVESTOR_ID,
    JURISDICTION,
    WALLET,
)


@examples(
    "equity holders import examples/holders.csv",
    "equity holders list",
)
@click.group()
def holders() -> None:
    """Qualify, remove, freeze and inspect holders in the offering's registry."""


@examples(
    (
        "qualify Alice's wallet until the end of 2036",
        "equity holders add 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --investor-id ALICE-001 --jurisdiction DE --expires 2036-12-31 --accredited",
    ),
    (
        "a retail investor whose category lapses before the registration",
        "equity holders add 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --investor-id BOB-002 --jurisdiction FR --expires 2036-12-31 --category retail --category-expires 2030-01-01",
    ),
)
@holders.command()
@click.argument("wallet", type=WALLET)
@click.option(
    "--investor-id",
    "investor",
    required=True,
    type=INVESTOR_ID,
    help="The investor's id (ASCII, at most 16 characters).",
)
@click.option(
    "--jurisdiction",
    required=True,
    type=JURISDICTION,
    help="ISO 3166-1 alpha-2 code, e.g. DE.",
)
@click.option(
    "--expires",
    required=True,
    metavar="DATE",
    type=EXPIRY,
    help=f"When the qualification expires ({DATE_FORMAT}).",
)
@click.option(
    "--accredited",
    is_flag=True,
    default=False,
    help="The investor is accredited (the same as --category accredited).",
)
@click.option(
    "--category",
    type=CATEGORY,
    default=None,
    help="Investor category: accredited, qualified_purchaser, professional or retail (SPEC §15).",
)
@click.option(
    "--category-expires",
    "category_until",
    metavar="DATE",
    type=CATEGORY_EXPIRY,
    default=None,
    help=f"When the category lapses ({DATE_FORMAT}; default: with the registration).",
)
@global_options
@pass_app
def add(
    app: AppContext,
    wallet: str,
    investor: str,
    jurisdiction: bytes,
    expires: int,
    accredited: bool,
    category: int | None,
    category_until: int | None,
) -> None:
    """Register WALLET as a qualified holder for an investor."""
    from toolkit.errors import InputError
    from toolkit.holders.holder import Holder, reconcile_category
    from toolkit.holders.registry import add_holder
    from toolkit.inputs import NO_CATEGORY, InvalidValue, format_time, jurisdiction_text

    try:
        accredited, code = reconcile_category(accredited, category or NO_CATEGORY)
    except InvalidValue as exc:
        raise InputError(
            f"--accredited and --category: {str(exc).replace('accredited=true', '--accredited')}",
            hint="nothing was sent; drop --accredited or --category",
        ) from None
    if category_until is not None and code == NO_CATEGORY:
        raise InputError(
            "--category-expires needs a category", hint="nothing was sent; add --category"
        )
    holder = Holder(wallet, investor, jurisdiction, expires, accredited, code, category_until or 0)
    result = add_holder(app.transactor(), app.contracts(), holder)
    state = holder_text(holder.category, holder.category_until)
    app.sent(
        f"registered {wallet} for investor {investor} ({jurisdiction_text(jurisdiction)}, "
        f"{state}qualified until {format_time(expires)})",
        [result],
        {"wallet": wallet, "investor_id": investor},
    )


def holder_text(category: int, until: int) -> str:
    """The category part of a one-line description ("retail until 2027-01-01, " or "")."""
    from toolkit.inputs import category_name, format_time

    name = category_name(category)
    if name is None:
        return ""
    return f"{name}{f' until {format_time(until)}' if until else ''}, "


@examples(
    (
        "every row of the sample file, 100 wallets per transaction",
        "equity holders import examples/holders.csv --batch-size 100",
    ),
)
@holders.command("import")
@click.argument("csv_file", metavar="HOLDERS_CSV", type=click.Path(path_type=Path, dir_okay=False))
@batch_size_option("wallets")
@global_options
@pass_app
def import_(app: AppContext, csv_file: Path, batch_size: int | None) -> None:
    """Register every row of a holders CSV (wallet,investor_id,jurisdiction,expires and the
    optional accredited, category, category_expires).

    Resumable: a rerun of the same file registers only what is not registered yet."""
    from toolkit.cli.batch_runs import run_csv_command
    from toolkit.holders.csv_import import import_holders

    run_csv_command(
        app, import_holders, csv_file, batch_size, label="registering", verb="registered"
    )


@examples(
    "equity holders remove 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
)
@holders.command()
@click.argument("wallet", type=WALLET)
@global_options
@pass_app
def remove(app: AppContext, wallet: str) -> None:
    """Unregister WALLET: it can no longer receive shares."""
    from toolkit.holders.registry import remove_holder

    result = remove_holder(app.transactor(), app.contracts(), wallet)
    app.sent(f"removed {wallet} from the registry", [result], {"wallet": wallet})


@examples(
    "equity holders freeze 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
)
@holders.command()
@click.argument("wallet", type=WALLET)
@global_options
@pass_app
def freeze(app: AppContext, wallet: str) -> None:
    """Freeze WALLET: it can neither send nor receive shares."""
    _set_frozen(app, wallet, True)


@examples(
    "equity holders unfreeze 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
)
@holders.command()
@click.argument("wallet", type=WALLET)
@global_options
@pass_app
def unfreeze(app: AppContext, wallet: str) -> None:
    """Unfreeze WALLET."""
    _set_frozen(app, wallet, False)


def _set_frozen(app: AppContext, wallet: str, frozen: bool) -> None:
    from toolkit.holders.registry import set_frozen

    result = set_frozen(app.transactor(), app.contracts(), wallet, frozen)
    verb = "froze" if frozen else "unfroze"
    app.sent(f"{verb} {wallet}", [result], {"wallet": wallet, "frozen": frozen})


@examples(
    "equity holders show 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
)
@holders.command()
@click.argument("address", metavar="WALLET", type=WALLET)
@global_options
@pass_app
def show(app: AppContext, address: str) -> None:
    """Show WALLET's registry record, its shares in every class (unlocked now, next unlock)
    and the schedule of each lock-up lot."""
    from toolkit.chain.clock import latest_timestamp
    from toolkit.holders.registry import holder_state
    from toolkit.inputs import format_shares, format_time
    from toolkit.offering.lockups import lot_schedule, lot_text, lots_of, sellable_of

    contracts = app.contracts()
    now = latest_timestamp(contracts.w3)
    state = holder_state(contracts, address)
    holdings = [
        (c, sellable_of(contracts, c, address), lots_of(contracts, c, address))
        for c in contracts.deployment.classes
    ]
    data = {
        **state.to_json(now),
        "balances": [
            {
                "class": c.id,
                "shares": position.balance,
                "locked_shares": position.locked,
                **position.to_json(),
                "lots": [lot_schedule(lot, now) for lot in lots],
            }
            for c, position, lots in holdings
        ],
    }

    def render() -> None:
        if state.registered:
            category = state.category_text(now)
            app.say(
                f"{address}: investor {state.investor_id}, {state.jurisdiction}, "
                f"{'' if category == '-' else f'category {category}, '}{state.status(now)} "
                f"(expires {format_time(state.expires_at)})"
            )
        else:
            app.say(f"{address}: {state.status(now)}")

        def shown(units: int, decimals: int) -> str:
            return format_shares(units, decimals, grouped=True)

        app.table(
            None,
            ["class", "shares", "locked", "transferable", "next unlock"],
            [
                [
                    c.id,
                    shown(position.balance, c.decimals),
                    shown(position.locked, c.decimals),
                    shown(position.transferable, c.decimals),
                    f"{shown(unlock.shares, c.decimals)} on {format_time(unlock.at)}"
                    if (unlock := position.next_unlock)
                    else "-",
                ]
                for c, position, _ in holdings
            ],
        )
        lots = [(c, lot) for c, _, class_lots in holdings for lot in class_lots]
        if lots:
            app.table(
                "lock-up lots",
                ["class", "amount", "schedule", "still locked"],
                [
                    [
                        c.id,
                        shown(lot.amount, c.decimals),
                        lot_text(lot),
                        shown(lot_schedule(lot, now)["locked"], c.decimals),
                    ]
                    for c, lot in lots
                ],
            )

    app.result(data, render)


@examples(
    ("every wallet, with its standing", "equity holders list"),
    ("piped, addresses are printed in full", "equity holders list | grep ALICE-001"),
)
@holders.command("list")
@global_options
@pass_app
def list_(app: AppContext) -> None:
    """List every wallet the registry has had, with its current standing."""
    from toolkit.chain.clock import latest_timestamp
    from toolkit.holders.registry import list_holders
    from toolkit.inputs import format_time

    contracts = app.contracts()
    now = latest_timestamp(contracts.w3)
    states = list_holders(contracts)
    data = {"holders": [state.to_json(now) for state in states]}

    def render() -> None:
        if not states:
            app.say("no holders registered yet (`equity holders add` or `holders import`)")
            return
        app.table(
            f"{len(states)} wallet(s) in the registry of {contracts.deployment.name}",
            ["wallet", "investor", "jur.", "expires", "category", "status"],
            [
                [
                    s.wallet,
                    s.investor_id or "-",
                    s.jurisdiction or "-",
                    format_time(s.expires_at) or "-",
                    s.category_text(now),
                    s.status(now),
                ]
                for s in states
            ],
        )

    app.result(data, render)
