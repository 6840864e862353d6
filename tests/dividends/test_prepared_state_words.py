"""Leaf-state words are prepared (non-zero) from the declaration on, so that no claim pays a
zero-to-non-zero storage write: every claim among 10,000 holders meets the 75,000-gas goal,
the first of its word included. A tree too large for the declaring transaction gets the rest
of its words from ``prepareStates``."""

from __future__ import annotations

from web3 import Web3

from tests.dividends.world import TAX, DividendWorld, synthetic_wallet
from toolkit.dividends.distribution import (
    LEAVES_PER_WORD,
    WORDS_PREPARED_AT_DECLARATION,
    decode_states,
    word_count,
)

PREPARED = 1 << 255
CLAIM_GOAL = 75_000


def words(contract: object, count: int) -> list[int]:
    return [int(w) for w in contract.functions.stateWords(0, count).call()]  # type: ignore[attr-defined]


def test_a_claim_first_in_its_word_among_10000_holders_stays_within_the_goal(
    world: DividendWorld,
) -> None:
    declared = world.declare(entitlements=world.synthetic_entitlements(10_000))
    assert all(word & PREPARED for word in words(declared.contract, word_count(10_000)))
    first = 40 * LEAVES_PER_WORD  # the first leaf of word 40: a US holder, 30 % withheld
    assert declared.leaf(first).withheld > 0
    for index in (first, first + 1):
        world.register(synthetic_wallet(index), f"H{index}", "US" if index == first else "DE")
        world.mint(synthetic_wallet(index), 1)  # the wallet holds the payment token already
    world.mint(TAX, 1)
    relay = world.accounts[7]  # anyone may send a claim; the money goes to the leaf's wallet
    gas_first = world.claim(declared, first, relay)["gasUsed"]
    gas_next = world.claim(declared, first + 1, relay)["gasUsed"]
    assert gas_first <= CLAIM_GOAL, gas_first
    # without a prepared word the first claim would pay 17,100 more than one after it
    assert gas_first - gas_next < 10_000, (gas_first, gas_next)


def test_a_tree_beyond_the_declaration_share_is_prepared_in_further_calls(
    world: DividendWorld,
) -> None:
    """(It also pins the toolkit's LEAVES_PER_WORD and WORDS_PREPARED_AT_DECLARATION to the
    contract's: the last word of the tree is the first one left unprepared.)"""
    leaves = WORDS_PREPARED_AT_DECLARATION * LEAVES_PER_WORD + 5  # one word more
    declared = world.declare(entitlements=world.synthetic_entitlements(leaves))
    contract = declared.contract
    total = word_count(leaves)
    assert total == WORDS_PREPARED_AT_DECLARATION + 1
    before = words(contract, total)
    assert all(w & PREPARED for w in before[:-1]) and before[-1] == 0
    # an unprepared word works all the same: it only costs its first claim more
    last = leaves - 1
    world.register(synthetic_wallet(last), "LAST")
    world.claim(declared, last, world.accounts[7])
    assert decode_states(words(contract, total), leaves)[last] == 1
    stranger = world.accounts[7]  # anyone may prepare: it moves no money and no state
    receipt = world.send(contract.functions.prepareStates(total - 1, 1), stranger)
    (event,) = contract.events.StatesPrepared().process_receipt(receipt)
    assert (event["args"]["fromWord"], event["args"]["count"]) == (total - 1, 1)
    after = words(contract, total)
    assert after[-1] & PREPARED and decode_states(after, leaves)[last] == 1
    assert after[:-1] == before[:-1]


def test_preparing_words_outside_the_tree_is_refused(world: DividendWorld) -> None:
    world.register(world.accounts[1], "ALICE")
    world.issue("COMMON", world.accounts[1], 10)
    contract = world.declare().contract
    for start, count in ((1, 1), (0, 2), (0, 0), (2**255, 2**255)):
        assert world.chain.revert_of(
            contract.functions.prepareStates(start, count), world.issuer
        ) == ("InvalidWordRange", (start, count, 1)), (start, count)


def test_synthetic_wallets_are_their_own_checksum() -> None:
    wallet = synthetic_wallet(123)
    assert Web3.to_checksum_address(wallet) == wallet
