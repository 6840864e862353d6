"""The offering's events as typed values, decoded from raw JSON-RPC logs.

Decoding is done by hand from the event layouts below rather than through web3's ABI
machinery: an indexer decodes every log of an offering's history, and slicing hex words is
an order of magnitude cheaper than building a web3 event object per log. The layouts are
those of the contract templates (``contracts/README.md``); ``EVENT_SIGNATURES`` is the single
place they are written down here.

Wallets are kept as lowercase ``0x`` hex strings (what topics give for free); checksums are
applied only when something is shown to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import msgspec
from eth_hash.auto import keccak

# Event name -> canonical signature (what topic0 hashes).
EVENT_SIGNATURES: dict[str, str] = {
    "Transfer": "Transfer(address,address,uint256)",
    "SharesIssued": "SharesIssued(address,uint256,uint64)",
    "SharesIssuedVested": "SharesIssuedVested(address,uint256,uint64,uint64,uint64)",
    "SharesRedeemed": "SharesRedeemed(address,uint256)",
    "ForcedTransfer": "ForcedTransfer(address,address,uint256,string)",
    "WalletRecovered": "WalletRecovered(address,address,uint256)",
    "AuthorizedChanged": "AuthorizedChanged(uint256,uint256)",
    "JurisdictionBlockChanged": "JurisdictionBlockChanged(bytes2,bool)",
    "HolderAdded": "HolderAdded(address,bytes16,bytes2,uint40,bool)",
    "HolderUpdated": "HolderUpdated(address,bytes16,bytes2,uint40,bool)",
    "HolderRemoved": "HolderRemoved(address,bytes16)",
    "HolderFrozen": "HolderFrozen(address,bool)",
}


def topic_of(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()


TOPICS: dict[str, str] = {name: topic_of(sig) for name, sig in EVENT_SIGNATURES.items()}
CLASS_EVENTS = (
    "Transfer",
    "SharesIssued",
    "SharesIssuedVested",
    "SharesRedeemed",
    "ForcedTransfer",
    "WalletRecovered",
    "AuthorizedChanged",
    "JurisdictionBlockChanged",
)
REGISTRY_EVENTS = ("HolderAdded", "HolderUpdated", "HolderRemoved", "HolderFrozen")
# topic0 filter of every event the cap table needs (others, e.g. votes bookkeeping, are skipped
# by the node and never cross the wire)
INDEXED_TOPICS: tuple[str, ...] = tuple(TOPICS[name] for name in (*CLASS_EVENTS, *REGISTRY_EVENTS))


# --- the events ---------------------------------------------------------------------------


# Events are NamedTuples: immutable like frozen dataclasses, but built at C speed, which
# matters when a cold run decodes a hundred thousand of them. Every event starts with where
# it happened: block, position in the block, transaction, and the block time when the node
# reports it with the log (None otherwise).


class Transfer(NamedTuple):
    """ERC-20 Transfer of a class token; a mint comes from, a burn goes to, the zero address."""

    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    class_id: str
    sender: str
    receiver: str
    amount: int


class SharesIssued(NamedTuple):
    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    class_id: str
    receiver: str
    amount: int
    locked_until: int  # unix seconds; 0 = no lock-up


class SharesIssuedVested(NamedTuple):
    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    class_id: str
    receiver: str
    amount: int
    start: int
    cliff: int
    end: int


class SharesRedeemed(NamedTuple):
    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    class_id: str
    holder: str
    amount: int


class ForcedTransfer(NamedTuple):
    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    class_id: str
    sender: str
    receiver: str
    amount: int
    reason: str


class WalletRecovered(NamedTuple):
    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    class_id: str
    lost_wallet: str
    new_wallet: str
    amount: int


class AuthorizedChanged(NamedTuple):
    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    class_id: str
    previous: int
    current: int


class JurisdictionBlockChanged(NamedTuple):
    """A class refuses (``blocked``) or accepts again receivers registered in ``jurisdiction``."""

    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    class_id: str
    jurisdiction: str
    blocked: bool


class HolderQualified(NamedTuple):
    """HolderAdded or HolderUpdated (``updated`` tells which): the registry's record of a wallet."""

    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    wallet: str
    investor_id: str
    jurisdiction: str
    expires_at: int
    accredited: bool
    updated: bool = False


class HolderRemoved(NamedTuple):
    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    wallet: str
    investor_id: str


class HolderFrozen(NamedTuple):
    block: int
    log_index: int
    tx_hash: str
    timestamp: int | None
    wallet: str
    frozen: bool


Event = (
    Transfer
    | SharesIssued
    | SharesIssuedVested
    | SharesRedeemed
    | ForcedTransfer
    | WalletRecovered
    | AuthorizedChanged
    | JurisdictionBlockChanged
    | HolderQualified
    | HolderRemoved
    | HolderFrozen
)


# --- decoding raw logs --------------------------------------------------------------------


class RawLog(msgspec.Struct, frozen=True, gc=False, rename="camel"):
    """A log as ``eth_getLogs`` answers it, with only the fields the cap table reads.

    Decoded by msgspec straight from the node's JSON (``JsonRpcClient.call(result=...)``):
    the fields not named here are skipped, and no dict is built per log. Hex stays hex
    until something needs the number.
    """

    address: str
    topics: list[str]
    data: str
    block_number: str
    log_index: str
    transaction_hash: str
    block_hash: str | None = None
    block_timestamp: str | int | None = None  # sent by some nodes (anvil, reth), not all
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """What a contract address is to the offering: its registry, or the token of a class."""

    kind: Literal["registry", "class"]
    class_id: str | None = None


def _address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def _word(data: str, index: int) -> str:
    start = 2 + 64 * index
    return data[start : start + 64]


def _uint(data: str, index: int) -> int:
    return int(_word(data, index), 16)


def ascii_from_fixed_bytes(hex_bytes: str) -> str:
    """bytes16/bytes2 as text: ASCII, right-padded with zero bytes."""
    raw = bytes.fromhex(hex_bytes).rstrip(b"\x00")
    return raw.decode("ascii", errors="replace")


def fixed_bytes_from_ascii(text: str, size: int) -> bytes:
    raw = text.encode("ascii")
    if len(raw) > size:
        raise ValueError(f"{text!r} is longer than {size} bytes")
    return raw.ljust(size, b"\x00")


def _string(data: str, index: int) -> str:
    offset = _uint(data, index)  # bytes from the start of data
    start = 2 + offset * 2
    length = int(data[start : start + 64], 16)
    body = data[start + 64 : start + 64 + length * 2]
    return bytes.fromhex(body).decode("utf-8", errors="replace")


TRANSFER_TOPIC = TOPICS["Transfer"]


class LogDecoder:
    """Decodes raw logs (JSON-RPC dicts) of one offering's contracts into events."""

    def __init__(self, sources: dict[str, Source]) -> None:
        self.sources = {address.lower(): source for address, source in sources.items()}
        # lowercase token address -> its class: the Transfer fast path's one lookup per log
        self.class_of_token: dict[str, str] = {
            address: str(source.class_id)
            for address, source in self.sources.items()
            if source.kind == "class"
        }
        self._topic_names = {topic: name for name, topic in TOPICS.items()}

    def decode(self, log: RawLog) -> Event | None:
        """The event of a log, or None for a log this offering does not index (or a removed one)."""
        if log.removed:
            return None
        topics = log.topics
        if not topics:
            return None
        address = log.address
        source = self.sources.get(address) or self.sources.get(address.lower())
        if source is None:
            return None
        raw_ts = log.block_timestamp
        timestamp = int(raw_ts, 16) if isinstance(raw_ts, str) else raw_ts
        topic0 = topics[0]
        if topic0 == TRANSFER_TOPIC and source.kind == "class" and len(topics) == 3:
            # the hot path: nine logs in ten are transfers
            return Transfer(
                int(log.block_number, 16),
                int(log.log_index, 16),
                log.transaction_hash,
                timestamp,
                source.class_id,  # type: ignore[arg-type]
                "0x" + topics[1][26:].lower(),
                "0x" + topics[2][26:].lower(),
                int(log.data, 16),
            )
        name = self._topic_names.get(topic0.lower())
        if name is None:
            return None
        where: dict[str, Any] = {
            "block": int(log.block_number, 16),
            "log_index": int(log.log_index, 16),
            "tx_hash": log.transaction_hash,
            "timestamp": timestamp,
        }
        data = log.data or "0x"
        if source.kind == "class":
            return _decode_class_event(name, str(source.class_id), topics, data, where)
        return _decode_registry_event(name, topics, data, where)


def _decode_class_event(
    name: str, class_id: str, topics: list[str], data: str, where: dict[str, Any]
) -> Event | None:
    if name == "Transfer" and len(topics) == 3:
        return Transfer(
            class_id=class_id,
            sender=_address(topics[1]),
            receiver=_address(topics[2]),
            amount=int(data[2:66], 16),
            **where,
        )
    if name == "SharesIssued":
        return SharesIssued(
            class_id=class_id,
            receiver=_address(topics[1]),
            amount=_uint(data, 0),
            locked_until=_uint(data, 1),
            **where,
        )
    if name == "SharesIssuedVested":
        return SharesIssuedVested(
            class_id=class_id,
            receiver=_address(topics[1]),
            amount=_uint(data, 0),
            start=_uint(data, 1),
            cliff=_uint(data, 2),
            end=_uint(data, 3),
            **where,
        )
    if name == "SharesRedeemed":
        return SharesRedeemed(
            class_id=class_id, holder=_address(topics[1]), amount=_uint(data, 0), **where
        )
    if name == "ForcedTransfer":
        return ForcedTransfer(
            class_id=class_id,
            sender=_address(topics[1]),
            receiver=_address(topics[2]),
            amount=_uint(data, 0),
            reason=_string(data, 1),
            **where,
        )
    if name == "WalletRecovered":
        return WalletRecovered(
            class_id=class_id,
            lost_wallet=_address(topics[1]),
            new_wallet=_address(topics[2]),
            amount=_uint(data, 0),
            **where,
        )
    if name == "AuthorizedChanged":
        return AuthorizedChanged(
            class_id=class_id, previous=_uint(data, 0), current=_uint(data, 1), **where
        )
    if name == "JurisdictionBlockChanged" and len(topics) == 2:
        return JurisdictionBlockChanged(
            class_id=class_id,
            jurisdiction=ascii_from_fixed_bytes(topics[1][2:6]),
            blocked=_uint(data, 0) != 0,
            **where,
        )
    return None  # a registry event name emitted by a token: not ours to read


def _decode_registry_event(
    name: str, topics: list[str], data: str, where: dict[str, Any]
) -> Event | None:
    if name in ("HolderAdded", "HolderUpdated"):
        return HolderQualified(
            wallet=_address(topics[1]),
            investor_id=ascii_from_fixed_bytes(topics[2][2:34]),
            jurisdiction=ascii_from_fixed_bytes(_word(data, 0)[:4]),
            expires_at=_uint(data, 1),
            accredited=_uint(data, 2) != 0,
            updated=name == "HolderUpdated",
            **where,
        )
    if name == "HolderRemoved":
        return HolderRemoved(
            wallet=_address(topics[1]),
            investor_id=ascii_from_fixed_bytes(topics[2][2:34]),
            **where,
        )
    if name == "HolderFrozen":
        return HolderFrozen(wallet=_address(topics[1]), frozen=_uint(data, 0) != 0, **where)
    return None


# --- compact records (the on-disk journal) -------------------------------------------------

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        Transfer,
        SharesIssued,
        SharesIssuedVested,
        SharesRedeemed,
        ForcedTransfer,
        WalletRecovered,
        AuthorizedChanged,
        JurisdictionBlockChanged,
        HolderQualified,
        HolderRemoved,
        HolderFrozen,
    )
}


def to_record(event: Event) -> list[Any]:
    """A JSON-ready list: the type name, then the fields in declaration order (block first)."""
    return [type(event).__name__, *event]


def from_record(record: Sequence[Any]) -> Event:
    return EVENT_TYPES[record[0]](*record[1:])
