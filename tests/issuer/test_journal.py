"""The journal: durable records, a torn last line ignored, one run at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.batches.journal import Journal, journal_path, read_journal
from toolkit.errors import UsageError


def intent(tx: str, nonce: int, rows: list[int]) -> dict[str, object]:
    return {
        "type": "intent",
        "tx": tx,
        "nonce": nonce,
        "rows": rows,
        "raw": "0x02" + tx[2:],
        "label": "x",
    }


def test_records_replay_into_intents_with_their_fate(tmp_path: Path) -> None:
    path = journal_path(tmp_path, 31337, "acme", "issue", "ab" * 32)
    assert path == tmp_path / ".equity/journals/31337/acme/issue-abababababababab.jsonl"
    with Journal(path) as journal:
        journal.write({"type": "start", "sender": "0xabc"})
        journal.write(intent("0x01", 7, [2, 3]))
        journal.write({"type": "mined", "tx": "0x01", "block": 9, "gas_used": 100, "status": 1})
        journal.write(intent("0x02", 8, [4]))
        journal.write({"type": "dropped", "tx": "0x02"})
    state = read_journal(path)
    first, second = state.intents
    assert (first.rows, first.status, first.block) == ((2, 3), 1, 9)
    assert second.dropped and second.status is None
    assert state.start == {"type": "start", "sender": "0xabc"}


def test_signed_bytes_are_read_back_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.write(intent("0x0a", 1, [2]))
        journal.write(intent("0x0b", 2, [3]))
        assert journal.raw_transaction(journal.state.intents[1]) == "0x020b"
    reread = Journal(path)
    assert reread.raw_transaction(reread.state.intents[0]) == "0x020a"
    reread.close()


def test_a_torn_last_line_is_ignored_and_the_next_record_starts_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path) as journal:
        journal.write(intent("0x01", 1, [2]))
    with path.open("ab") as handle:
        handle.write(b'{"type":"intent","tx":"0x02","no')  # the process died mid-write
    with Journal(path) as journal:
        assert [i.tx for i in journal.state.intents] == ["0x01"]
        journal.write(intent("0x03", 2, [3]))
    assert [i.tx for i in read_journal(path).intents] == ["0x01", "0x03"]


def test_a_second_run_of_the_same_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with Journal(path), pytest.raises(UsageError, match="another run of the same file"):
        Journal(path)
