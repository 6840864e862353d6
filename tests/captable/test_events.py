"""Hand decoding of logs agrees with the ABI encoding of each event."""

from __future__ import annotations

import msgspec
from eth_abi import encode

from toolkit.captable.events import (
    TOPICS,
    Event,
    ForcedTransfer,
    HolderFrozen,
    HolderQualified,
    HolderRemoved,
    LogDecoder,
    RawLog,
    SharesIssuedVested,
    Source,
    Transfer,
    fixed_bytes_from_ascii,
    from_record,
    to_record,
)

TOKEN = "0x" + "11" * 20
REGISTRY = "0x" + "22" * 20
ALICE = "0x" + "a1" * 20
BOB = "0x" + "b0" * 20
DECODER = LogDecoder({TOKEN: Source("class", "COMMON"), REGISTRY: Source("registry")})


def topic_address(address: str) -> str:
    return "0x" + "00" * 12 + address[2:]


def raw_log(address: str, name: str, topics: list[str], data: bytes, **extra: str) -> dict[str, object]:
    return {
        "address": address,
        "topics": [TOPICS[name], *topics],
        "data": "0x" + data.hex(),
        "blockNumber": "0x10",
        "logIndex": "0x2",
        "transactionHash": "0x" + "ee" * 32,
        **extra,
    }


def decode(log: dict[str, object]) -> Event | None:
    """A log as the node sends it (JSON), decoded as the reader decodes answers."""
    return DECODER.decode(msgspec.convert(log, RawLog))


def test_transfer_decodes_wallets_amount_and_position() -> None:
    log = raw_log(TOKEN, "Transfer", [topic_address(ALICE), topic_address(BOB)], encode(["uint256"], [10**24]))
    event = decode(log)
    assert event == Transfer(
        class_id="COMMON", sender=ALICE, receiver=BOB, amount=10**24, block=16, log_index=2,
        tx_hash="0x" + "ee" * 32, timestamp=None,
    )


def test_block_timestamp_is_taken_when_the_node_sends_it() -> None:
    log = raw_log(TOKEN, "Transfer", [topic_address(ALICE), topic_address(BOB)], encode(["uint256"], [1]), blockTimestamp="0x64")
    event = decode(log)
    assert event is not None and event.timestamp == 100


def test_vested_issuance_decodes_its_schedule() -> None:
    data = encode(["uint256", "uint64", "uint64", "uint64"], [500, 1000, 2000, 5000])
    event = decode(raw_log(TOKEN, "SharesIssuedVested", [topic_address(ALICE)], data))
    assert isinstance(event, SharesIssuedVested)
    assert (event.receiver, event.amount, event.start, event.cliff, event.end) == (ALICE, 500, 1000, 2000, 5000)


def test_forced_transfer_decodes_its_reason_string() -> None:
    data = encode(["uint256", "string"], [42, "court order №7"])
    event = decode(raw_log(TOKEN, "ForcedTransfer", [topic_address(ALICE), topic_address(BOB)], data))
    assert isinstance(event, ForcedTransfer)
    assert (event.amount, event.reason) == (42, "court order №7")


def test_holder_added_decodes_investor_id_jurisdiction_expiry_and_accreditation() -> None:
    investor_topic = "0x" + fixed_bytes_from_ascii("INV-0001", 32).hex()
    data = encode(["bytes2", "uint40", "bool"], [b"DE", 1_900_000_000, True])
    event = decode(raw_log(REGISTRY, "HolderAdded", [topic_address(ALICE), investor_topic], data))
    assert event == HolderQualified(
        wallet=ALICE, investor_id="INV-0001", jurisdiction="DE", expires_at=1_900_000_000, accredited=True,
        updated=False, block=16, log_index=2, tx_hash="0x" + "ee" * 32, timestamp=None,
    )
    updated = decode(raw_log(REGISTRY, "HolderUpdated", [topic_address(ALICE), investor_topic], data))
    assert isinstance(updated, HolderQualified) and updated.updated


def test_holder_removed_and_frozen_decode() -> None:
    investor_topic = "0x" + fixed_bytes_from_ascii("INV-9", 32).hex()
    removed = decode(raw_log(REGISTRY, "HolderRemoved", [topic_address(BOB), investor_topic], b""))
    assert isinstance(removed, HolderRemoved) and removed.investor_id == "INV-9"
    frozen = decode(raw_log(REGISTRY, "HolderFrozen", [topic_address(BOB)], encode(["bool"], [True])))
    assert isinstance(frozen, HolderFrozen) and frozen.frozen


def test_logs_of_other_contracts_unknown_events_and_removed_logs_are_skipped() -> None:
    transfer = raw_log(TOKEN, "Transfer", [topic_address(ALICE), topic_address(BOB)], encode(["uint256"], [1]))
    assert decode({**transfer, "address": "0x" + "99" * 20}) is None
    assert decode({**transfer, "topics": ["0x" + "00" * 32]}) is None
    assert decode({**transfer, "removed": True}) is None
    # a registry event emitted by a token is not the registry's
    assert decode({**transfer, "topics": [TOPICS["HolderFrozen"], topic_address(BOB)]}) is None


def test_events_round_trip_through_journal_records() -> None:
    log = raw_log(TOKEN, "ForcedTransfer", [topic_address(ALICE), topic_address(BOB)], encode(["uint256", "string"], [1, "x"]))
    event = decode(log)
    assert event is not None
    assert from_record(to_record(event)) == event
