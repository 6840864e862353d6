"""``equity issue``: one grant, or a CSV of grants in resumable batches (SPEC §5)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from toolkit.cli.context import AppContext, global_options, pass_app


@click.command()
@click.argument("class_id", metavar="CLASS", required=False)
@click.argument("wallet", required=False)
@click.argument("shares", required=False)
@click.option("--lockup-until", "lockup_until", metavar="DATE", help="Lock the shares until DATE.")
@click.option(
    "--vesting",
    metavar="START:CLIFF_DAYS:DURATION_DAYS",
    help="Vest linearly from START over DURATION_DAYS, nothing before CLIFF_DAYS.",
)
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Issue every row of an issuances CSV (class,wallet,shares,lockup_until,vesting).",
)
@click.option(
    "--batch-size",
    type=int,
    default=None,
    help="Rows per transaction with --csv (default 50).",
)
@global_options
@pass_app
def issue(
    app: AppContext,
    class_id: str | None,
    wallet: str | None,
    shares: str | None,
    lockup_until: str | None,
    vesting: str | None,
    csv_file: Path | None,
    batch_size: int | None,
) -> None:
    """Issue SHARES of CLASS to WALLET, or every row of --csv (a rerun never issues twice)."""
    from toolkit.errors import UsageError

    if csv_file is not None:
        if class_id or wallet or shares or lockup_until or vesting:
            raise UsageError(
                "--csv takes no CLASS WALLET SHARES, --lockup-until or --vesting",
                hint="put the lock-ups and vesting in the CSV's columns",
            )
        _issue_csv(app, csv_file, batch_size)
        return
    if batch_size is not None:
        raise UsageError("--batch-size goes with --csv", hint="drop it, or pass --csv FILE")
    if not (class_id and wallet and shares):
        raise UsageError(
            "give CLASS WALLET SHARES, or --csv FILE",
            hint="e.g. `equity issue COMMON 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 1000`",
        )
    if lockup_until and vesting:
        raise UsageError("give --lockup-until or --vesting, not both")
    _issue_one(app, class_id, wallet, shares, lockup_until, vesting)


def _issue_one(
    app: AppContext,
    class_id: str,
    wallet_text: str,
    shares_text: str,
    lockup_text: str | None,
    vesting_text: str | None,
) -> None:
    from toolkit.chain.clock import latest_timestamp
    from toolkit.inputs import (
        Vesting,
        format_shares,
        format_time,
        parse_arg,
        parse_future_date,
        parse_shares,
        parse_vesting,
        parse_wallet,
    )
    from toolkit.issuance.issue import issue_shares
    from toolkit.offering.contracts import OfferingContracts

    wallet = parse_arg(parse_wallet, wallet_text, "WALLET")
    deployment = app.deployment()
    share_class = deployment.class_by_id(class_id)
    amount = parse_arg(lambda t: parse_shares(t, share_class.decimals), shares_text, "SHARES")
    contracts = OfferingContracts(app.chain().w3, deployment)
    now = latest_timestamp(contracts.w3)
    locked_until = 0
    vesting: Vesting | None = None
    if lockup_text:
        locked_until = parse_arg(
            lambda t: parse_future_date(t, now=now, what="lock-up"), lockup_text, "--lockup-until"
        )
    if vesting_text:
        vesting = parse_arg(lambda t: parse_vesting(t, now=now), vesting_text, "--vesting")
    result = issue_shares(
        app.transactor(),
        contracts,
        share_class.id,
        wallet,
        amount,
        locked_until=locked_until,
        vesting=vesting,
    )
    data: dict[str, Any] = {
        "transactions": [result.to_json()],
        "class": share_class.id,
        "wallet": wallet,
        "shares": amount,
        "lockup_until": format_time(locked_until) or None,
        "vesting": (
            {
                "start": format_time(vesting.start),
                "cliff": format_time(vesting.cliff),
                "end": format_time(vesting.end),
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
    app.result(
        data,
        lambda: app.say(
            f"issued {format_shares(amount, share_class.decimals)} {share_class.id} to {wallet}"
            f"{terms}\n  tx {result.hash} (block {result.block}, {result.gas_used} gas)"
        ),
    )


def _issue_csv(app: AppContext, csv_file: Path, batch_size: int | None) -> None:
    from toolkit.batches.run import DEFAULT_BATCH_SIZE
    from toolkit.chain.clock import latest_timestamp
    from toolkit.cli.batch_runs import CsvProgress, report_batch_run, say_resumption
    from toolkit.issuance.csv_issue import issue_from_csv
    from toolkit.offering.contracts import OfferingContracts

    deployment = app.deployment()
    contracts = OfferingContracts(app.chain().w3, deployment)
    with contextlib.ExitStack() as stack:
        progress = CsvProgress(app, stack, "issuing")
        run = issue_from_csv(
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
    report_batch_run(app, run.report, csv_file, "issued")
