"""The resumable CSV commands (``holders import``, ``issue --csv``) on the command line: a
progress bar once the row count is known, what a resumption found, and the run's summary."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.cli.context import AppContext

if TYPE_CHECKING:
    from toolkit.batches.run import BatchRunReport
    from toolkit.batches.sender import Resumption


def run_csv_command(
    app: AppContext,
    run: Callable[..., BatchRunReport],
    csv_file: Path,
    batch_size: int | None,
    *,
    label: str,
    verb: str,
    repeat_flag: str | None = None,
) -> None:
    """Run a CSV with ``run`` (``import_holders`` or ``issue_from_csv``: they take the same
    arguments) with a progress bar on a terminal, and report it: ``label`` names the bar
    ("issuing"), ``verb`` what was done to the rows ("issued"); ``repeat_flag`` the option that
    sends rows already sent once more, named when there was nothing to do."""
    from toolkit.batches.run import DEFAULT_BATCH_SIZE, RunHooks
    from toolkit.chain.clock import latest_timestamp
    from toolkit.errors import UsageError
    from toolkit.safe.proposer import safe_address_of

    if safe_address_of(app.options.account) is not None:
        raise UsageError(
            f"a CSV run cannot go through a Safe: it journals and sends its batches one by "
            f"one from a key (--account {app.options.account}); nothing was sent",
            hint="run the CSV from a key holding the role, or give the Safe one row at a time",
        )
    contracts = app.contracts()
    with contextlib.ExitStack() as stack:
        progress = CsvProgress(app, stack, label)
        report = run(
            app.transactor(),
            contracts,
            csv_file,
            batch_size=DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
            cwd=app.cwd,
            now=latest_timestamp(contracts.w3),
            hooks=RunHooks(
                on_start=progress.start,
                on_progress=progress.advance,
                on_resume=lambda r: say_resumption(app, r),
            ),
        )
    report_batch_run(app, report, csv_file, verb, repeat_flag)


class CsvProgress:
    """A progress bar opened once the row count is known."""

    def __init__(self, app: AppContext, stack: contextlib.ExitStack, label: str) -> None:
        self.app, self.stack, self.label = app, stack, label
        self._advance: Callable[[int], None] = lambda n: None

    def start(self, total: int) -> None:
        self._advance = self.stack.enter_context(self.app.progress(self.label, total))

    def advance(self, count: int) -> None:
        self._advance(count)


def say_resumption(app: AppContext, resumption: Resumption) -> None:
    if resumption.forgotten:
        app.note(
            f"the chain no longer knows {resumption.forgotten} transaction(s) the journal saw "
            "mined (a node restarted from older state?): sending them again"
        )
    if resumption.applied_rows:
        app.note(f"resuming: {len(resumption.applied_rows)} row(s) were already applied")


def report_batch_run(
    app: AppContext,
    report: BatchRunReport,
    csv_file: Path,
    verb: str,
    repeat_flag: str | None = None,
) -> None:
    """The summary of a CSV run (shared by `issue --csv` and `holders import`)."""
    gas = sum(tx.gas_used for tx in report.transactions)

    def render() -> None:
        if report.applied_now == 0:
            app.say(f"nothing to do: all {report.rows} row(s) of {csv_file} were already {verb}")
            if repeat_flag is not None:
                app.say(
                    f"(to send them once more, as a new tranche: the same command with {repeat_flag})"
                )
        else:
            app.say(
                f"{verb} {report.applied_now} row(s) of {csv_file} in "
                f"{len(report.transactions)} transaction(s), {gas:,} gas"
                + (
                    f"; {report.applied_before} were already {verb}"
                    if report.applied_before
                    else ""
                )
            )
        app.note(f"journal: {report.journal}")

    app.result(report.to_json(), render)
