"""``equity issue``: one grant, or a CSV of grants in resumable batches (SPEC §5)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import DATE_FORMAT, batch_size_option, global_options
from toolkit.cli.paramtypes import CLASS, LOCKUP, VESTING, WALLET, shares

if TYPE_CHECKING:
    from toolkit.inputs import Vesting
    from toolkit.offering.deployments import ClassDeployment


@examples(
    "equity issue COMMON 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 50000",
    (
        "locked until the end of 2028",
        "equity issue FOUNDERS 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC 600000 --lockup-until 2028-12-31",
    ),
    (
        "vesting from 2026 over 1461 days, nothing before a 365-day cliff",
        "equity issue FOUNDERS 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 800000 --vesting 2026-01-01:365:1461",
    ),
    ("every row of a CSV, resumably", "equity issue --csv examples/issuances.csv"),
)
@click.command()
@click.argument("share_class", metavar="CLASS", required=False, type=CLASS)
@click.argument("wallet", required=False, type=WALLET)
@click.argument("amount", metavar="SHARES", required=False, type=shares(of="share_class"))
@click.option(
    "--lockup-until",
    "locked_until",
    metavar="DATE",
    type=LOCKUP,
    help=f"Lock the shares until DATE ({DATE_FORMAT}).",
)
@click.option(
    "--vesting",
    metavar="START:CLIFF_DAYS:DURATION_DAYS",
    type=VESTING,
    help="Vest linearly from START (a DATE: "
    + DATE_FORMAT
    + ") over DURATION_DAYS, nothing unlocked before CLIFF_DAYS.",
)
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Issue every row of an issuances CSV (class,wallet,shares,lockup_until,vesting).",
)
@batch_size_option("rows of --csv")
@click.option(
    "--again",
    is_flag=True,
    default=False,
    help="With --csv: issue rows that a finished run already issued once more, as a new "
    "tranche (a plain rerun never issues twice).",
)
@global_options
@pass_app
def issue(
    app: AppContext,
    share_class: ClassDeployment | None,
    wallet: str | None,
    amount: int | None,
    locked_until: int | None,
    vesting: Vesting | None,
    csv_file: Path | None,
    batch_size: int | None,
    again: bool,
) -> None:
    """Issue SHARES of CLASS to WALLET, or every row of --csv (a rerun never issues twice)."""
    from toolkit.errors import UsageError

    if csv_file is not None:
        if share_class or wallet or amount or locked_until or vesting:
            raise UsageError(
                "--csv takes no CLASS WALLET SHARES, --lockup-until or --vesting",
                hint="put the lock-ups and vesting in the CSV's columns",
            )
        _issue_csv(app, csv_file, batch_size, again)
        return
    if batch_size is not None or again:
        raise UsageError(
            f"{'--batch-size' if batch_size is not None else '--again'} goes with --csv",
            hint="drop it, or pass --csv FILE",
        )
    if share_class is None or wallet is None or amount is None:
        raise UsageError(
            "give CLASS WALLET SHARES, or --csv FILE",
            hint="e.g. `equity issue COMMON 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 1000`",
        )
    if locked_until and vesting:
        raise UsageError("give --lockup-until or --vesting, not both")
    _issue_one(app, share_class, wallet, amount, locked_until or 0, vesting)


def _issue_one(
    app: AppContext,
    share_class: ClassDeployment,
    wallet: str,
    amount: int,
    locked_until: int,
    vesting: Vesting | None,
) -> None:
    from toolkit.inputs import format_shares, format_time, json_time
    from toolkit.issuance.issue import issue_shares

    result = issue_shares(
        app.transactor(),
        app.contracts(),
        share_class.id,
        wallet,
        amount,
        locked_until=locked_until,
        vesting=vesting,
    )
    data: dict[str, Any] = {
        "class": share_class.id,
        "wallet": wallet,
        "shares": amount,
        "lockup_until": json_time(locked_until),
        "vesting": (
            {
                "start": json_time(vesting.start),
                "cliff": json_time(vesting.cliff),
                "end": json_time(vesting.end),
            }
            if vesting
            else None
        ),
    }
    terms = ""
    if locked_until:
        terms = f", locked until {format_time(locked_until)}"
    elif vesting:
        terms = (
            f", vesting {format_time(vesting.start)} to {format_time(vesting.end)}"
            f" (cliff {format_time(vesting.cliff)})"
        )
    app.sent(
        f"issued {format_shares(amount, share_class.decimals, grouped=True)} {share_class.id} to {wallet}{terms}",
        [result],
        data,
    )


def _issue_csv(app: AppContext, csv_file: Path, batch_size: int | None, again: bool) -> None:
    from functools import partial

    from toolkit.cli.batch_runs import run_csv_command
    from toolkit.issuance.csv_issue import issue_from_csv

    run_csv_command(
        app,
        partial(issue_from_csv, again=again),
        csv_file,
        batch_size,
        label="issuing",
        verb="issued",
        repeat_flag="--again",
    )
