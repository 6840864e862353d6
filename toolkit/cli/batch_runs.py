"""What the resumable CSV commands (``holders import``, ``issue --csv``) show: a progress bar
once the row count is known, what a resumption found, and the run's summary."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.cli.context import AppContext

if TYPE_CHECKING:
    from toolkit.batches.run import BatchRunReport
    from toolkit.batches.sender import Resumption


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
        app.say(
            f"the chain no longer knows {resumption.forgotten} transaction(s) the journal saw "
            "mined (a node restarted from older state?): sending them again"
        )
    if resumption.applied_rows:
        app.say(f"resuming: {len(resumption.applied_rows)} row(s) were already applied")


def report_batch_run(app: AppContext, report: BatchRunReport, csv_file: Path, verb: str) -> None:
    """The summary of a CSV run (shared by `issue --csv` and `holders import`)."""
    gas = sum(tx.gas_used for tx in report.transactions)

    def render() -> None:
        if report.applied_now == 0:
            app.say(f"nothing to do: all {report.rows} row(s) of {csv_file} were already {verb}")
        else:
            app.say(
                f"{verb} {report.applied_now} row(s) of {csv_file} in "
                f"{len(report.transactions)} transaction(s), {gas} gas"
                + (
                    f"; {report.applied_before} were already {verb}"
                    if report.applied_before
                    else ""
                )
            )
        app.say(f"journal: {report.journal}")

    app.result(report.to_json(), render)
