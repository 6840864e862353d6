"""``equity captable show|export|reconcile``: the cap table from the chain, and the legal
register checked against it (SPEC §5, §9). The work is done in ``toolkit.captable.api``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.cap_table_session import cap_table_session
from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import as_of_option, confirmations_option, global_options
from toolkit.cli.paramtypes import AMOUNT, CLASS

if TYPE_CHECKING:
    from toolkit.captable.cap_table import CapTable
    from toolkit.captable.reconcile import Reconciliation
    from toolkit.captable.waterfall import Waterfall
    from toolkit.offering.deployments import ClassDeployment


@examples(
    "equity captable show",
    "equity captable reconcile examples/register.csv",
)
@click.group()
def captable() -> None:
    """The cap table from the chain: show it, export it, reconcile the register with it, and
    compute an exit waterfall over it."""


concurrency_option = click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=32),
    default=None,
    help="Log range requests in flight at most (default 4); fewer after a 429 from the provider.",
)


def _shares(units: int, decimals: int) -> str:
    from toolkit.inputs import format_shares

    return format_shares(units, decimals, grouped=True)


def _render_cap_table(app: AppContext, table: CapTable) -> None:
    from toolkit.inputs import iso_time

    app.say(
        f"cap table on chain {table.chain_id} at block {table.block} ({iso_time(table.timestamp)})"
    )
    for cls in table.classes:
        authorized = "unknown" if cls.authorized is None else _shares(cls.authorized, cls.decimals)
        reserved = f", {_shares(cls.reserved, cls.decimals)} reserved" if cls.reserved else ""
        title = (
            f"{cls.id}: {_shares(cls.total_supply, cls.decimals)} outstanding of {authorized} "
            f"authorized{reserved}, {cls.votes_per_share} vote(s) per share"
        )
        rows = [
            [
                h.investor_id or "(unregistered)",
                h.wallet,
                h.category or "-",
                _shares(h.shares, cls.decimals),
                _shares(h.locked_shares, cls.decimals),
                f"{h.votes:,}",
                f"{h.percent:.2f}",
                f"{h.percent_outstanding:.2f}",
                f"{h.percent_fully_diluted:.2f}",
            ]
            for h in cls.holders
        ]
        app.table(
            title,
            [
                "investor",
                "wallet",
                "category",
                "shares",
                "locked",
                "votes",
                "% class",
                "% outstanding",
                "% diluted",
            ],
            rows,
        )
    if table.investors:
        combined: list[list[Any]] = [
            [
                i.investor_id or "(unregistered)",
                list(i.wallets),
                [f"{cid} {n:,}" for cid, n in i.shares.items()],
                f"{sum(i.locked_shares.values()):,}",
                f"{i.votes:,}",
                f"{i.percent_outstanding:.2f}",
                f"{i.percent_fully_diluted:.2f}",
            ]
            for i in table.investors
        ]
        app.table(
            "combined, per investor",
            ["investor", "wallets", "shares", "locked", "votes", "% outstanding", "% diluted"],
            combined,
        )
    app.note(
        f"% diluted: of {table.fully_diluted:,} fully diluted shares ({table.outstanding:,} "
        f"outstanding + {table.reserved:,} reserved for future issuance; authorized shares "
        "that nothing reserves are not counted)"
    )


def _render_reconciliation(app: AppContext, register: Path, result: Reconciliation) -> None:
    from toolkit.inputs import iso_time

    where = f"chain {result.chain_id} at block {result.block} ({iso_time(result.timestamp)})"
    if result.clean:
        app.say(f"clean: {register} agrees with {where}")
        return
    count = len(result.discrepancies)
    app.say(f"{count} discrepanc{'ies' if count != 1 else 'y'} between {register} and {where}")
    for kind, found in result.by_kind().items():
        rows = [
            [
                d.class_id,
                d.investor_id or "",
                d.wallet or "",
                d.register,
                d.onchain,
                d.detail or "",
            ]
            for d in found
        ]
        app.table(
            f"{kind} ({len(found)})",
            ["class", "investor", "wallet", "register", "chain", "detail"],
            rows,
        )


@examples(
    ("every class, and every investor across classes", "equity captable show"),
    (
        "one class; piped, every wallet is printed in full",
        "equity captable show --class FOUNDERS | cat",
    ),
    ("as it stood at the end of a day", "equity captable show --as-of 2027-06-30"),
)
@captable.command()
@click.option("--class", "share_class", type=CLASS, default=None, help="Only this class.")
@as_of_option
@confirmations_option
@concurrency_option
@global_options
@pass_app
def show(
    app: AppContext,
    share_class: ClassDeployment | None,
    as_of: str | None,
    confirmations: int | None,
    concurrency: int | None,
) -> None:
    """Holders per class and combined: shares, locked shares, votes and percentages, and the
    capital paid in through subscription rounds per class."""
    with cap_table_session(app, confirmations, concurrency) as session:
        table = session.cap_table(as_of, class_id=share_class.id if share_class else None)
        data = session.show_document(table)

    def render() -> None:
        _render_cap_table(app, table)
        for cls in data["classes"]:
            class_id = cls["id"]
            for paid in cls["paid_in_capital"]:
                money = _shares(paid["amount"], paid["decimals"])
                app.say(f"{class_id}: paid-in capital {money} {paid['symbol']} through rounds")
            for traded in cls.get("traded", []):
                money = _shares(traded["amount"], traded["decimals"])
                shares = _shares(traded["shares"], cls.get("decimals", 0))
                app.say(
                    f"{class_id}: {shares} shares traded on the market for {money} "
                    f"{traded['symbol']} ({traded['trades']} trade(s))"
                )
            for split in cls["splits"]:
                app.say(f"{class_id}: split {split['ratio']} (started in block {split['block']})")

    app.result(data, render)


@examples(
    ("an OCF 1.2.0 package", "equity captable export --format ocf --out acme.ocf.zip"),
    (
        "the register as a CSV, as of a block",
        "equity captable export --format csv --out register.csv --as-of 16",
    ),
)
@captable.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "ocf"]),
    required=True,
    help="csv (a register), json, or ocf (.ocf.zip).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write."
)
@as_of_option
@confirmations_option
@concurrency_option
@global_options
@pass_app
def export(
    app: AppContext,
    fmt: str,
    out: Path,
    as_of: str | None,
    confirmations: int | None,
    concurrency: int | None,
) -> None:
    """Write the cap table as a register CSV, as JSON, or as an OCF 1.2.0 package."""
    with cap_table_session(app, confirmations, concurrency) as session:
        written = session.export(fmt, out, as_of)  # type: ignore[arg-type]
    app.result(
        written,
        lambda: app.say(
            f"wrote {written['path']} ({fmt}, block {written['block']}, {written['rows']} rows/events)"
        ),
    )


@examples(
    (
        "exit 0 when the register agrees with the chain, 1 listing each difference",
        "equity captable reconcile examples/register.csv",
    ),
    (
        "an OCF package, against the chain as of a date",
        "equity captable reconcile acme.ocf.zip --as-of 2027-06-30",
    ),
)
@captable.command()
@click.argument("register", type=click.Path(dir_okay=False, path_type=Path))
@as_of_option
@confirmations_option
@concurrency_option
@global_options
@pass_app
def reconcile(
    app: AppContext,
    register: Path,
    as_of: str | None,
    confirmations: int | None,
    concurrency: int | None,
) -> int:
    """Compare the legal register (.csv or .ocf.zip) with the chain; exit 1 on any discrepancy."""
    with cap_table_session(app, confirmations, concurrency) as session:
        result = session.reconcile(register, as_of)
        splits = session.class_splits(result.block)

    def render() -> None:
        _render_reconciliation(app, register, result)
        for split in splits:  # a register kept from before a split differs by its ratio
            app.note(
                f"{split.class_id} was split {split.ratio} (started in block {split.block}): "
                "the register must count the shares after it"
            )

    app.result(result.to_json(), render)
    return 0 if result.clean else 1


@examples(
    "equity captable waterfall --exit-value 50000000 --as-of 2026-12-31",
)
@captable.command()
@click.option(
    "--exit-value",
    type=AMOUNT,
    required=True,
    help="What the company is sold for, in the payment token (e.g. 50000000 or 1250000.50).",
)
@click.option(
    "--offering",
    "offering_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Offering file with the liquidation terms (default: the one the offering was deployed from).",
)
@as_of_option
@confirmations_option
@concurrency_option
@global_options
@pass_app
def waterfall(
    app: AppContext,
    exit_value: Decimal,
    offering_file: Path | None,
    as_of: str | None,
    confirmations: int | None,
    concurrency: int | None,
) -> None:
    """Who receives what of an exit: preferences by seniority, then the rest as converted."""
    path = offering_file or app.cwd / app.deployment().offering_file
    with cap_table_session(app, confirmations, concurrency) as session:
        result, changed = session.waterfall(exit_value, path, as_of)
    if changed:
        app.say(f"note: {path} has changed since the offering was deployed; its terms are used")
    app.result(result.to_json(), lambda: _render_waterfall(app, result))


def _render_waterfall(app: AppContext, result: Waterfall) -> None:
    from toolkit.inputs import iso_time

    app.say(
        f"exit value {result.exit_value:,} at block {result.block} ({iso_time(result.timestamp)})"
    )
    app.table(
        "per class",
        ["class", "shares", "preference", "converts", "payout"],
        [
            [
                c.id,
                _shares(c.shares, c.decimals),
                f"{c.preference:,}",
                "yes" if c.converts else "no",
                f"{c.payout:,}",
            ]
            for c in result.classes
        ],
    )
    app.table(
        "per holder",
        ["class", "investor", "wallet", "shares", "payout"],
        [
            [
                h.class_id,
                h.investor_id or "(unregistered)",
                h.wallet,
                _shares(h.shares, h.decimals),
                f"{h.payout:,}",
            ]
            for h in result.holders
        ],
    )
    if result.undistributed:
        app.say(
            f"{result.undistributed:,} is left undistributed: no class shares in what remains "
            "after the preferences (no common stock, and no class can convert)"
        )


@examples(
    ("the board's report, opened with no network", "equity captable report --out acme-report.html"),
    (
        "as the cap table stood at the end of a day",
        "equity captable report --out q2.html --as-of 2027-06-30",
    ),
)
@captable.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write (one self-contained file).",
)
@as_of_option
@confirmations_option
@global_options
@pass_app
def report(app: AppContext, out: Path, as_of: str | None, confirmations: int | None) -> None:
    """Write the cap table as one HTML page of charts and tables, for people.

    Ownership per class and fully diluted, holders against each class's caps, the unlock
    schedule of lock-ups and vesting month by month, and the governance history (proposals,
    turnout, outcome). The file carries its charting library: it opens with no network.
    """
    from toolkit.cli.version import versions
    from toolkit.reports.api import write_report

    deployment = app.deployment()
    with cap_table_session(app, confirmations) as session:
        written = write_report(
            session,
            app.chain(),
            deployment,
            out,
            as_of=as_of,
            cwd=app.cwd,
            version=str(versions()["equity"]),
        )
    app.result(
        written,
        lambda: app.say(
            f"wrote {written['path']}: {', '.join(written['sections'])} "
            f"(chain {written['chain_id']}, block {written['block']}, {written['bytes']:,} bytes)"
        ),
    )
