"""The journal of a batch run: what was about to be sent, and what the chain said of it.

One append-only JSON-lines file per (chain, offering, kind, CSV content), under
``.equity/journals/<chain_id>/<offering>/<kind>-<sha256 prefix>.jsonl`` in the working
directory. Every record is flushed and fsync'd before the run goes on, and an *intent* (the
signed transaction, its hash, nonce and the CSV lines it carries) is written **before** the
transaction is sent. So whatever kills the process, a rerun knows every transaction that may
exist, and can ask the chain about each one (see ``batches.py``).

Records (one JSON object per line, ``type`` first):

- ``start``: kind, CSV path and sha256, row count, sender, chain id, offering;
- ``intent``: ``tx`` hash, ``nonce``, ``rows`` (CSV line numbers), ``raw`` signed transaction,
  ``label`` (in memory only its offset is kept: the bytes are read back when needed);
- ``mined``: ``tx``, ``block``, ``gas_used``, ``status`` (1 applied, 0 reverted);
- ``dropped``: ``tx`` whose nonce another transaction took: it can never be mined;
- ``complete``: every row is applied.

A torn last line (a crash in the middle of a write) is ignored on reading. A run holds an
exclusive lock (``filelock``, beside it as ``<journal>.lock``), so two runs of the same file
cannot interleave.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from toolkit.errors import UsageError

JOURNALS_DIR = Path(".equity") / "journals"


@dataclass
class Intent:
    """A signed transaction the run meant to send, and what is known of its fate."""

    tx: str
    nonce: int
    rows: tuple[int, ...]
    offset: int  # where its record starts in the journal: the signed bytes are read from there
    label: str
    # from the journal's later records (re-checked against the chain on every resume)
    status: int | None = None
    block: int | None = None
    gas_used: int | None = None
    dropped: bool = False


@dataclass
class JournalState:
    """Everything a journal file says, in order."""

    start: dict[str, Any] | None = None
    intents: list[Intent] = field(default_factory=list)
    complete: bool = False
    _by_tx: dict[str, Intent] = field(default_factory=dict)

    def add(self, intent: Intent) -> None:
        self.intents.append(intent)
        self._by_tx[intent.tx] = intent

    def intent(self, tx: str) -> Intent | None:
        return self._by_tx.get(tx)


def journal_path(
    cwd: Path, chain_id: int, offering: str, kind: str, sha256: str, run: int = 1
) -> Path:
    """The journal of a file's content; ``run`` > 1: a repeat of the same rows (``--again``)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in offering)
    repeat = "" if run == 1 else f".run{run}"
    return cwd / JOURNALS_DIR / str(chain_id) / safe / f"{kind}-{sha256[:16]}{repeat}.jsonl"


def choose_journal(first: Path, csv_path: Path, *, again: bool) -> Path:
    """The journal this run of a file goes on (``first``: run 1 of the file's content).

    A rerun of the same file resumes (or, complete, sends nothing: SPEC §5). The same rows
    under another file name are refused, saying which file sent them: a copy or a move must
    not send them twice, but a second identical tranche is legitimate, and ``again`` starts a
    new run of them (or resumes the one that stopped): ``<kind>-<sha>.run2.jsonl``, ...
    """
    runs: list[tuple[Path, JournalState]] = []
    while (candidate := first.with_name(_run_name(first, len(runs) + 1))).exists():
        runs.append((candidate, read_journal(candidate)))
    unfinished = [(path, state) for path, state in runs if not state.complete]
    if again:
        return unfinished[0][0] if unfinished else first.with_name(_run_name(first, len(runs) + 1))
    repeats = [(path, state) for path, state in unfinished if path != first]
    if repeats:
        path, state = repeats[0]
        done = sum(len(i.rows) for i in state.intents if i.status == 1)
        raise UsageError(
            f"a repeated run (--again) of these rows stopped after {done} row(s) "
            f"(journal {path}); nothing was sent",
            hint="finish it with the same command and --again",
        )
    if runs and runs[0][1].complete:
        start = runs[0][1].start or {}
        other = str(start.get("csv", ""))
        if other and other != str(csv_path.resolve()):
            raise UsageError(
                f"{csv_path} has exactly the rows of {other}, which were all sent already "
                f"(journal {first}); nothing was sent",
                hint="if these rows are a second tranche, run the same command with --again "
                "to send them once more; if the file was only copied or moved, there is "
                "nothing left to do",
            )
    return first


def _run_name(first: Path, run: int) -> str:
    return first.name if run == 1 else first.name.removesuffix(".jsonl") + f".run{run}.jsonl"


def read_journal(path: Path) -> JournalState:
    """Replay a journal file. Signed transactions stay on disk (``raw_transaction`` reads one
    back), so memory grows with the rows' line numbers, not with the calldata."""
    state = JournalState()
    if not path.is_file():
        return state
    with path.open("rb") as handle:
        offset = 0
        for line in handle:
            start, offset = offset, offset + len(line)
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a torn write: the crash came before its fsync, so it never counted
            _apply(state, record, start)
    return state


def raw_transaction(path: Path, intent: Intent) -> str:
    """The signed bytes of an intent, read back from its record."""
    with path.open("rb") as handle:
        handle.seek(intent.offset)
        return str(json.loads(handle.readline())["raw"])


def _apply(state: JournalState, record: dict[str, Any], offset: int) -> None:
    kind = record.get("type")
    if kind == "start":
        state.start = state.start or record
    elif kind == "intent":
        state.add(
            Intent(
                tx=str(record["tx"]),
                nonce=int(record["nonce"]),
                rows=tuple(int(r) for r in record["rows"]),
                offset=offset,
                label=str(record.get("label", "")),
            )
        )
    elif kind == "mined":
        intent = state.intent(str(record["tx"]))
        if intent is not None:
            intent.status = int(record["status"])
            intent.block = int(record["block"])
            intent.gas_used = int(record["gas_used"])
    elif kind == "dropped":
        intent = state.intent(str(record["tx"]))
        if intent is not None:
            intent.dropped = True
    elif kind == "complete":
        state.complete = True


class Journal:
    """An open, locked journal file: append records durably."""

    def __init__(self, path: Path) -> None:
        from filelock import FileLock, Timeout

        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(path.with_name(path.name + ".lock"))
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise UsageError(
                f"another run of the same file is in progress (journal {path} is locked)",
                hint="wait for it to finish; nothing was sent",
            ) from None
        self._handle: IO[bytes] = path.open("ab")
        self._ends_cleanly()
        self.state = read_journal(path)

    def _ends_cleanly(self) -> None:
        """Terminate a torn last line so the next record starts on its own line."""
        if self.path.stat().st_size == 0:
            return
        with self.path.open("rb") as reader:
            reader.seek(-1, os.SEEK_END)
            if reader.read(1) != b"\n":
                self._handle.write(b"\n")
                self._sync()

    def write(self, record: dict[str, Any]) -> None:
        offset = self.path.stat().st_size
        self._handle.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")
        self._sync()
        _apply(self.state, record, offset)

    def raw_transaction(self, intent: Intent) -> str:
        return raw_transaction(self.path, intent)

    def _sync(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()
            self._lock.release()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def unfinished_sibling(path: Path, csv_path: Path) -> tuple[Path, int] | None:
    """An unfinished journal of the same kind, offering and CSV path but of other content.

    Its rows were (partly) sent; a run of the edited file under a new journal would send them
    again. Returns that journal and how many rows it saw applied.
    """
    kind, content = path.name.rsplit("-", 1)
    target = str(csv_path.resolve())
    for sibling in sorted(path.parent.glob(f"{kind}-*.jsonl")):
        if sibling == path or sibling.name.startswith(f"{kind}-{content.split('.')[0]}"):
            continue  # this journal, or another run of the same content
        state = read_journal(sibling)
        if state.complete or state.start is None or state.start.get("csv") != target:
            continue
        applied = sum(len(i.rows) for i in state.intents if i.status == 1)
        if applied:
            return sibling, applied
    return None


def check_no_unfinished_sibling(path: Path, csv_path: Path) -> None:
    """Refuse to start a new journal while an edited version of the file is half done."""
    if path.exists():
        return
    found = unfinished_sibling(path, csv_path)
    if found is None:
        return
    sibling, applied = found
    raise UsageError(
        f"{csv_path} changed since a run that stopped after {applied} row(s) were sent "
        f"(journal {sibling}); running the new version would send those rows again",
        hint="restore the file and rerun it, or remove the rows already sent and delete that "
        "journal to start afresh; nothing was sent",
    )
