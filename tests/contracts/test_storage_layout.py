"""The storage packing the gas goals rely on, read back from the chain.

Slot numbers follow from solc's layout of OpenZeppelin 5.3.0 (pinned): the token's slot 12 holds
Pausable's flag and the three fields declared first in ShareClassToken; `_accounts` is slot 17;
the registry's `_records` is slot 1. A change of inheritance order or OpenZeppelin version that
breaks the packing fails here instead of silently costing gas.
"""

from __future__ import annotations

from eth_utils import keccak

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering, investor_id

TOKEN_HOT_SLOT = 12
TOKEN_ACCOUNTS_SLOT = 17
REGISTRY_RECORDS_SLOT = 1


def read_slot(chain: Chain, address: str, slot: int) -> int:
    return int.from_bytes(chain.w3.eth.get_storage_at(address, slot), "big")


def mapping_slot(key: str, slot: int) -> int:
    return int.from_bytes(
        keccak(bytes(12) + bytes.fromhex(key[2:]) + slot.to_bytes(32, "big")), "big"
    )


def test_pause_flag_cap_count_and_jurisdiction_filter_share_one_slot(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    token = offering.token("COMMON")  # no cap, "US" blocked
    actors.register(accounts[1], "alice")
    actors.register(accounts[2], "bob")
    actors.issue("COMMON", accounts[1], 1)
    actors.issue("COMMON", accounts[2], 1)
    chain.send(token.functions.pause(), actors.issuer)
    word = read_slot(chain, token.address, TOKEN_HOT_SLOT)
    filter_bit = int.from_bytes(b"US", "big") % 181
    assert word == 1 | (0 << 8) | (2 << 40) | ((1 << filter_bit) << 72)
    founders = offering.token("FOUNDERS")  # cap 3
    assert read_slot(chain, founders.address, TOKEN_HOT_SLOT) == 3 << 8


def test_a_wallets_lockup_summary_delegation_and_investor_share_one_slot(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    alice = accounts[1]
    actors.register(alice, "alice")
    until = chain.now() + 1000
    actors.issue("COMMON", alice, 70, locked_until=until)
    word = read_slot(
        chain, offering.token("COMMON").address, mapping_slot(alice, TOKEN_ACCOUNTS_SLOT)
    )
    # lotSum 70, lotsEnd, lotCount 0 (inline), delegation 0 (never chose: itself), investor index 1
    assert word == 70 | (until << 112) | (0 << 160) | (0 << 168) | (1 << 176)
    chain.send(offering.token("COMMON").functions.delegate(accounts[2]), alice)
    word = read_slot(
        chain, offering.token("COMMON").address, mapping_slot(alice, TOKEN_ACCOUNTS_SLOT)
    )
    assert word == 70 | (until << 112) | (0 << 160) | (2 << 168) | (1 << 176)


def test_a_holder_record_is_one_slot(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice", jurisdiction="GB", expires_at=1234, accredited=False)
    word = read_slot(
        chain, offering.registry.address, mapping_slot(accounts[1], REGISTRY_RECORDS_SLOT)
    )
    assert word == offering.registry.functions.recordOf(accounts[1]).call()
    assert word & (2**128 - 1) == int.from_bytes(investor_id("alice"), "big")
