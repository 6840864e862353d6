"""The raw-log fast path folds exactly what decoding each log into an event and applying it does."""

from __future__ import annotations

from typing import Any

import msgspec
from eth_abi import encode
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.captable.events import (
    TOPICS,
    LogDecoder,
    RawLog,
    Source,
    fixed_bytes_from_ascii,
    from_record,
    to_record,
)
from toolkit.captable.ledger import Ledger
from toolkit.captable.log_fold import fold_logs, fold_records
from toolkit.inputs import ZERO_ADDRESS

COMMON = "0x" + "1a" * 20
PREF = "0x" + "1b" * 20
REGISTRY = "0x" + "22" * 20
WALLETS = [ZERO_ADDRESS, *("0x" + f"{n:02x}" * 20 for n in (0xA1, 0xB2, 0xC3, 0xD4))]
CLASSES = ("COMMON", "PREF")


def decoder() -> LogDecoder:
    return LogDecoder({COMMON: Source("class", "COMMON"), PREF: Source("class", "PREF"), REGISTRY: Source("registry")})


def topic_address(address: str) -> str:
    return "0x" + "00" * 12 + address[2:]


def raw_log(address: str, name: str, topics: list[str], data: bytes, block: int = 16, index: int = 2, **extra: Any) -> dict[str, Any]:
    return {
        "address": address,
        "topics": [TOPICS[name], *topics],
        "data": "0x" + data.hex(),
        "blockNumber": hex(block),
        "logIndex": hex(index),
        "transactionHash": "0x" + f"{block:02x}{index:02x}" * 16,
        "blockHash": "0x" + f"{block:02x}" * 32,
        **extra,
    }


def transfer_log(token: str, sender: str, receiver: str, amount: int, block: int = 16, index: int = 2, **extra: Any) -> dict[str, Any]:
    return raw_log(token, "Transfer", [topic_address(sender), topic_address(receiver)], encode(["uint256"], [amount]), block, index, **extra)


def as_read(logs: list[dict[str, Any]]) -> list[RawLog]:
    """Logs as the node sends them (JSON), decoded as the reader decodes answers."""
    return [msgspec.convert(log, RawLog) for log in logs]


def through_events(logs: list[dict[str, Any]]) -> tuple[Ledger, list[list[Any]]]:
    """The general path: one event per log, applied, then recorded."""
    ledger, decode = Ledger.empty(CLASSES), decoder().decode
    events = [e for e in map(decode, as_read(logs)) if e is not None]
    return ledger.apply_all(events), [to_record(e) for e in events]


def through_fast_path(logs: list[dict[str, Any]]) -> tuple[Ledger, list[list[Any]]]:
    ledger = Ledger.empty(CLASSES)
    records = fold_logs(as_read(logs), ledger, decoder())
    return ledger, [list(record) for record in records]


def test_transfers_fold_and_record_exactly_as_their_events_do() -> None:
    a, b = WALLETS[1], WALLETS[2]
    logs = [
        transfer_log(COMMON, ZERO_ADDRESS, a, 100, block=3, index=0),
        transfer_log(COMMON, a, b, 30, block=4, index=1, blockTimestamp="0x64"),
        transfer_log(PREF, ZERO_ADDRESS, b, 7, block=4, index=2, blockTimestamp="0x64"),
        transfer_log(COMMON, b, ZERO_ADDRESS, 5, block=5, index=0),
    ]
    assert through_fast_path(logs) == through_events(logs)
    ledger, records = through_fast_path(logs)
    assert ledger.classes["COMMON"].holders() == {a: 70, b: 25} and ledger.block == 5
    assert [from_record(r) for r in records] == [decoder().decode(log) for log in as_read(logs)]


def mixed_logs() -> list[dict[str, Any]]:
    """A registry event, an issuance, and logs the fold must skip or read carefully."""
    a, b = WALLETS[1], WALLETS[2]
    investor = "0x" + fixed_bytes_from_ascii("INV-1", 32).hex()
    return [
        raw_log(REGISTRY, "HolderAdded", [topic_address(a), investor], encode(["bytes2", "uint40", "bool"], [b"DE", 0, True]), block=2),
        transfer_log(COMMON, ZERO_ADDRESS, a, 100, block=3, index=0),
        raw_log(COMMON, "SharesIssued", [topic_address(a)], encode(["uint256", "uint64"], [100, 1_900_000_000]), block=3, index=1),
        transfer_log(COMMON, a, b, 60, block=4, index=0, removed=True),  # a reorged-out log
        transfer_log("0x" + "99" * 20, a, b, 1, block=4, index=1),  # another contract's
        transfer_log(COMMON.upper().replace("0X", "0x"), a, b, 10, block=4, index=2),  # address in upper case
        {**transfer_log(COMMON, a, b, 1, block=4, index=3), "topics": [TOPICS["Transfer"], topic_address(a)]},  # not ERC-20's
        transfer_log(COMMON, a, b, 5, block=9, index=0, blockTimestamp=1_800_000_000),  # a number, not hex
    ]


def test_other_events_removed_logs_and_foreign_logs_take_the_general_path() -> None:
    a, b = WALLETS[1], WALLETS[2]
    logs = mixed_logs()
    assert through_fast_path(logs) == through_events(logs)
    ledger, records = through_fast_path(logs)
    assert ledger.classes["COMMON"].holders() == {a: 85, b: 15}
    assert len(records) == 5 and ledger.block == 9


def test_the_ledger_block_never_moves_back() -> None:
    ledger = Ledger.empty(CLASSES)
    ledger.block = 50
    fold_logs(as_read([transfer_log(COMMON, ZERO_ADDRESS, WALLETS[1], 1, block=40)]), ledger, decoder())
    assert ledger.block == 50


moves = st.lists(
    st.tuples(st.sampled_from([COMMON, PREF]), st.sampled_from(WALLETS), st.sampled_from(WALLETS), st.integers(0, 10**30)),
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(moves)
def test_any_transfer_history_folds_the_same_on_both_paths_and_from_its_records(history: list[tuple[str, str, str, int]]) -> None:
    logs = [
        transfer_log(token, sender, receiver, amount, block=1 + i // 3, index=i % 3)
        for i, (token, sender, receiver, amount) in enumerate(history)
    ]
    expected, records = through_events(logs)
    assert through_fast_path(logs) == (expected, records)
    assert fold_records(records, Ledger.empty(CLASSES)) == expected


def test_journal_records_replay_into_the_ledger_their_events_give() -> None:
    expected, records = through_events(mixed_logs())
    assert fold_records(records, Ledger.empty(CLASSES)) == expected
    assert expected.block == 9
