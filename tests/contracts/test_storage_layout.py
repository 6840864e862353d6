"""The storage packing the gas goals rely on, read back from the chain.

Slots come from solc's `storageLayout` output (in each artifact), not from hard-coded numbers:
the token's hot word `_state` ({ClassState}: pause flag, cap, holder count, jurisdiction filter),
its per-wallet `_accounts` ({HolderAccount}) and the registry's `_records` ({HolderRecord}) are
each one word. A change of layout, inheritance or OpenZeppelin version that breaks the packing
fails here instead of silently costing gas.
"""

from __future__ import annotations

from typing import Any

from eth_utils import keccak

from tests.conftest import load_artifact
from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering, investor_id


def storage_entry(contract: str, label: str) -> dict[str, Any]:
    """solc's layout entry of state variable `label` of `contract` (slot, offset, type)."""
    layout = load_artifact(contract)["storageLayout"]
    for entry in layout["storage"]:
        if entry["label"] == label:
            return dict(entry)
    raise AssertionError(f"{contract} has no state variable {label}")


def slot_of(contract: str, label: str) -> int:
    return int(storage_entry(contract, label)["slot"])


def described(contract: str, label: str, member: str | None = None) -> dict[str, Any]:
    """solc's description of a variable's type (a mapping's value type for a mapping; with
    `member`, that struct member's type, plus its "slot" within the struct)."""
    types = load_artifact(contract)["storageLayout"]["types"]
    found = types[storage_entry(contract, label)["type"]]
    if found["encoding"] == "mapping":
        found = types[found["value"]]
    if member is None:
        return dict(found)
    entry = next(m for m in found["members"] if m["label"] == member)
    return {**types[entry["type"]], "slot": int(entry["slot"]), "offset": int(entry["offset"])}


def read_slot(chain: Chain, address: str, slot: int) -> int:
    return int.from_bytes(chain.w3.eth.get_storage_at(address, slot), "big")


def mapping_slot(key: str, slot: int) -> int:
    return int.from_bytes(
        keccak(bytes(12) + bytes.fromhex(key[2:]) + slot.to_bytes(32, "big")), "big"
    )


def test_the_packed_words_are_typed_one_slot_values() -> None:
    for contract, label, member, type_label in (
        ("ShareClassToken", "_state", None, "ClassState"),
        ("ShareClassToken", "_wallets", "account", "HolderAccount"),
        ("HolderRegistry", "_records", None, "HolderRecord"),
    ):
        found = described(contract, label, member)
        assert (found["label"], found["numberOfBytes"]) == (type_label, "32"), label
    # the account word is the first slot of a wallet's entry: one hash finds it
    assert described("ShareClassToken", "_wallets", "account")["slot"] == 0
    # the token keeps no storage of OpenZeppelin's Pausable: its pause flag lives in `_state`
    layout = load_artifact("ShareClassToken")["storageLayout"]
    assert "_paused" not in {e["label"] for e in layout["storage"]}


def test_pause_flag_cap_count_and_jurisdiction_filter_share_one_slot(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    token = offering.token("COMMON")  # no cap, "US" blocked
    actors.register(accounts[1], "alice")
    actors.register(accounts[2], "bob")
    actors.issue("COMMON", accounts[1], 1)
    actors.issue("COMMON", accounts[2], 1)
    chain.send(token.functions.pause(), actors.issuer)
    slot = slot_of("ShareClassToken", "_state")
    word = read_slot(chain, token.address, slot)
    filter_bit = int.from_bytes(b"US", "big") % 181
    assert word == 1 | (0 << 8) | (2 << 40) | ((1 << filter_bit) << 72)
    founders = offering.token("FOUNDERS")  # cap 3
    assert read_slot(chain, founders.address, slot) == 3 << 8


def test_a_wallets_lockup_summary_delegation_and_investor_share_one_slot(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    alice = accounts[1]
    actors.register(alice, "alice")
    until = chain.now() + 1000
    actors.issue("COMMON", alice, 70, locked_until=until)
    token = offering.token("COMMON")
    slot = mapping_slot(alice, slot_of("ShareClassToken", "_wallets"))  # the account word
    # lotSum 70, lotsEnd, lotCount 0 (inline), delegation 0 (never chose: itself), investor index 1
    assert read_slot(chain, token.address, slot) == 70 | (until << 112) | (0 << 160) | (
        0 << 168
    ) | (1 << 176)
    chain.send(token.functions.delegate(accounts[2]), alice)
    assert read_slot(chain, token.address, slot) == 70 | (until << 112) | (0 << 160) | (
        2 << 168
    ) | (1 << 176)


def test_sixteen_investor_counters_share_one_slot(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    for i, wallet in enumerate(accounts[1:4]):
        actors.register(wallet, f"investor{i}")  # indices 1, 2, 3
        actors.issue("COMMON", wallet, 1)
    actors.register(accounts[4], "investor0")  # a second wallet of index 1
    actors.issue("COMMON", accounts[4], 1)
    key = (0).to_bytes(32, "big")
    slot = int.from_bytes(
        keccak(key + slot_of("ShareClassToken", "_walletCounts").to_bytes(32, "big")), "big"
    )
    word = read_slot(chain, offering.token("COMMON").address, slot)
    assert word == (2 << 16) | (1 << 32) | (1 << 48)


def test_a_holder_record_is_one_slot(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice", jurisdiction="GB", expires_at=1234, accredited=False)
    slot = mapping_slot(accounts[1], slot_of("HolderRegistry", "_records"))
    word = read_slot(chain, offering.registry.address, slot)
    assert word == offering.registry.functions.recordOf(accounts[1]).call()
    assert word & (2**128 - 1) == int.from_bytes(investor_id("alice"), "big")
