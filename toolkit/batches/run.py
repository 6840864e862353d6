"""A whole batch run: resume what the journal knows, check the rest, send it (see
``sender.py`` for the rule that makes a rerun safe), and report what was done.

``run_csv_batches`` is what a resumable CSV command calls (``holders import``,
``issue --csv``): one journal per (chain, offering, kind, file content), refusing to start
while an edited version of the same file is half done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from toolkit.batches.journal import (
    Journal,
    check_no_unfinished_sibling,
    choose_journal,
    journal_path,
)
from toolkit.batches.sender import Batch, BatchSender, Resumption, explain_refusal
from toolkit.errors import (
    ChainError,
    EquityError,
    NodeUnreachableError,
    TransactionRevertedError,
    UsageError,
)

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult

DEFAULT_BATCH_SIZE = 50
MAX_BATCH_SIZE = 500


@dataclass(frozen=True)
class RunHooks:
    """What the caller hears of a run (the command line draws its progress bar from it)."""

    on_start: Callable[[int], None] | None = None  # the validated file's row count
    on_progress: Callable[[int], None] | None = None  # rows just applied
    on_resume: Callable[[Resumption], None] | None = None  # what the journal's resumption found


NO_HOOKS = RunHooks()


class Offering(Protocol):
    """Where a journal belongs: the chain and the offering's recorded name."""

    @property
    def chain_id(self) -> int: ...
    @property
    def name(self) -> str: ...


class CheckedCsv(Protocol):
    """A CSV validated whole: its path, content hash and data rows."""

    @property
    def path(self) -> Path: ...
    @property
    def sha256(self) -> str: ...
    @property
    def rows(self) -> int: ...


def check_batch_size(batch_size: int) -> None:
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise UsageError(
            f"--batch-size must be between 1 and {MAX_BATCH_SIZE}, not {batch_size}",
            hint=f"the default is {DEFAULT_BATCH_SIZE}",
        )


@dataclass
class BatchRunReport:
    """What a run of a CSV did, for the human summary and the ``--json`` document."""

    journal: str
    rows: int
    applied_before: int = 0  # rows an earlier run had applied (and the chain confirms)
    applied_now: int = 0
    transactions: list[TxResult] = field(default_factory=list)
    resent: int = 0
    forgotten: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "transactions": [tx.to_json() for tx in self.transactions],
            "rows": self.rows,
            "applied_before": self.applied_before,
            "applied_now": self.applied_now,
            "resent": self.resent,
            "forgotten_by_chain": self.forgotten,
            "journal": self.journal,
        }


def run_batches(
    transactor: Transactor,
    journal: Journal,
    *,
    start: dict[str, Any],
    rows: int,
    plan: Callable[[set[int]], Any],
    preflight: Callable[[set[int]], None] | None = None,
    explain_refusal: Callable[[Batch, TransactionRevertedError], str] | None = None,
    hooks: RunHooks = NO_HOOKS,
) -> BatchRunReport:
    """Resume what the journal knows, then send ``plan(applied_rows)``'s batches.

    ``plan`` yields the batches of the rows not yet applied; ``preflight`` may refuse the rest
    of the run (raising) before anything new is sent.
    """
    recorded = journal.state.start
    sender = transactor.account.address
    if recorded is None:
        journal.write({"type": "start", **start, "sender": sender})
    elif str(recorded.get("sender", "")).lower() != sender.lower():
        raise ChainError(
            f"this file was being sent from {recorded.get('sender')}, not from {sender}",
            hint="run it again with --account of that account; nothing was sent",
        )
    sender_engine = BatchSender(transactor, journal, explain_refusal=explain_refusal)
    try:
        return _send_rows(transactor, journal, sender_engine, rows, plan, preflight, hooks)
    except KeyboardInterrupt:
        raise stopped_part_way(journal, rows, "interrupted") from None
    except Exception as exc:
        from toolkit.chain.tx import is_connection_error

        if not (is_connection_error(exc) or isinstance(exc, NodeUnreachableError)):
            raise
        raise stopped_part_way(journal, rows, "lost", transactor.chain.rpc_url, exc) from exc


def rows_done(journal: Journal) -> int:
    """The rows the journal saw applied (a mined transaction with status 1 carried them)."""
    return sum(len(intent.rows) for intent in journal.state.intents if intent.status == 1)


def stopped_part_way(
    journal: Journal,
    rows: int,
    why: str,
    rpc_url: str = "",
    exc: BaseException | None = None,
) -> EquityError:
    """A run that stopped before its end (Ctrl-C, the node gone), as the user needs it: how
    far it got, and that the same command resumes it."""
    from toolkit.chain.connection import short_reason

    done = f"{rows_done(journal)} of {rows} rows done; run the same command again to resume"
    hint = f"the journal {journal.path} knows every transaction sent; a rerun asks the chain"
    if why == "interrupted":
        error: EquityError = UsageError(f"interrupted: {done}", hint=hint, kind="interrupted")
        error.exit_code = 130
        return error
    reason = short_reason(exc) if exc is not None and not isinstance(exc, EquityError) else ""
    if isinstance(exc, EquityError):
        reason = exc.message.removeprefix(f"lost the node at {rpc_url} ").strip("()")
    return NodeUnreachableError(
        f"lost the node at {rpc_url} ({reason or 'no answer'}): {done}",
        hint=f"start the node again; {hint}",
    )


def _send_rows(
    transactor: Transactor,
    journal: Journal,
    sender_engine: BatchSender,
    rows: int,
    plan: Callable[[set[int]], Any],
    preflight: Callable[[set[int]], None] | None,
    hooks: RunHooks,
) -> BatchRunReport:
    report = BatchRunReport(journal=str(journal.path), rows=rows)
    resumption = sender_engine.resume()
    applied = resumption.applied_rows
    report.transactions.extend(resumption.transactions)
    report.resent, report.forgotten = resumption.resent, resumption.forgotten
    resent_rows = sum(len(tx_rows) for tx_rows in _rows_of(journal, resumption))
    report.applied_before = len(applied) - resent_rows
    report.applied_now = resent_rows
    if hooks.on_resume is not None:
        hooks.on_resume(resumption)
    if hooks.on_progress is not None and applied:
        hooks.on_progress(len(applied))
    if len(applied) < rows and preflight is not None:
        preflight(applied)
    if len(applied) < rows and transactor.approve is not None:
        # on a non-local chain: every batch still to send, in words, and its fee, asked once
        from toolkit.chain.tx import Call

        transactor.approve_calls([Call.of(batch.call, batch.label) for batch in plan(applied)])
    for batch in plan(applied):
        result = sender_engine.send(batch)
        report.transactions.append(result)
        report.applied_now += len(batch.rows)
        applied.update(batch.rows)
        if hooks.on_progress is not None:
            hooks.on_progress(len(batch.rows))
    if len(applied) != rows:
        raise ChainError(
            f"{rows - len(applied)} row(s) are still not applied after the run",
            hint=f"run the same command again; the journal is {journal.path}",
        )
    if not journal.state.complete:
        journal.write({"type": "complete"})
    return report


def _rows_of(journal: Journal, resumption: Resumption) -> list[tuple[int, ...]]:
    """The rows of the transactions mined during this resumption."""
    out = []
    for tx in resumption.transactions:
        intent = journal.state.intent(tx.hash)
        if intent is not None and tx.status == 1:
            out.append(intent.rows)
    return out


def run_csv_batches(
    transactor: Transactor,
    offering: Offering,
    checked: CheckedCsv,
    kind: str,
    cwd: Path,
    plan: Callable[[set[int]], Iterator[Batch]],
    preflight: Callable[[set[int]], None] | None = None,
    hooks: RunHooks = NO_HOOKS,
    *,
    again: bool = False,
) -> BatchRunReport:
    """The batches of a validated CSV under its journal; a refused batch is pinned to the
    CSV lines of the wallet it names. ``again``: send rows already sent once more, as a new
    run (``journal.choose_journal``)."""
    if hooks.on_start is not None:
        hooks.on_start(checked.rows)
    first = journal_path(cwd, offering.chain_id, offering.name, kind, checked.sha256)
    path = choose_journal(first, checked.path, again=again)
    check_no_unfinished_sibling(path, checked.path)
    with Journal(path) as journal:
        return run_batches(
            transactor,
            journal,
            start={
                "kind": kind,
                "csv": str(checked.path.resolve()),
                "sha256": checked.sha256,
                "rows": checked.rows,
                "chain_id": offering.chain_id,
                "offering": offering.name,
            },
            rows=checked.rows,
            plan=plan,
            preflight=preflight,
            explain_refusal=explain_refusal,
            hooks=hooks,
        )
