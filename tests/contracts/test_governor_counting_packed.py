"""GovernorCountingPacked: GovernorCountingSimple's rules, with a proposal's tallies in one word.

Slot numbers follow from solc's layout of OpenZeppelin 5.3.0 (pinned): EIP712's two fallback
strings (0, 1), Nonces (2), Governor's name, proposals and governance-call queue (3, 4, 5-6),
GovernorSettings (7, 8), then GovernorCountingPacked's `_packedTallies` (9) and `_wideTallies` (10).
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import (
    Chain,
    ClassSpec,
    GovernanceSpec,
    Offering,
    events,
)

AGAINST, FOR, ABSTAIN = 0, 1, 2
ACTIVE, DEFEATED, SUCCEEDED = 1, 3, 4

PACKED_TALLIES_SLOT = 9
WIDE_TALLIES_SLOT = 10
TALLY_BITS = 64
CREATED_SHIFT = 192
TALLY_MAX = 2**TALLY_BITS - 1
WIDE = 1 << 254
INITIALISED = 1 << 255


def tally_slot(proposal_id: int, slot: int = PACKED_TALLIES_SLOT) -> int:
    return int.from_bytes(keccak(proposal_id.to_bytes(32, "big") + slot.to_bytes(32, "big")), "big")


def tally_word(chain: Chain, offering: Offering, proposal_id: int) -> int:
    raw = chain.w3.eth.get_storage_at(offering.governor.address, tally_slot(proposal_id))
    return int.from_bytes(raw, "big")


def packed(against: int, for_: int, abstain: int, created: int) -> int:
    """The tally word: the three tallies, the creation time (the record date + 1) and the flag."""
    tallies = against | (for_ << TALLY_BITS) | (abstain << (2 * TALLY_BITS))
    return INITIALISED | tallies | (created << CREATED_SHIFT)


def created(offering: Offering, proposal_id: int) -> int:
    return int(offering.governor.functions.proposalRecordDate(proposal_id).call()) + 1


@pytest.fixture
def holders(actors: Actors, accounts: list[str]) -> dict[str, str]:
    """alice COMMON 1000 (x1), bob FOUNDERS 100 (x10), carol PREFERRED 5000 (x0), dave COMMON 200:
    weighted supply 2200, quorum (50 %) 1100."""
    named = {"alice": accounts[1], "bob": accounts[2], "carol": accounts[3], "dave": accounts[4]}
    for name, wallet in named.items():
        actors.register(wallet, name)
    actors.issue("COMMON", named["alice"], 1000)
    actors.issue("FOUNDERS", named["bob"], 100)
    actors.issue("PREFERRED", named["carol"], 5000)
    actors.issue("COMMON", named["dave"], 200)
    actors.chain.advance(1)
    return named


def open_proposal(chain: Chain, offering: Offering, proposer: str, text: str = "p") -> int:
    """A proposal (one call on the offering's first class) that is active: past its delay."""
    target = next(iter(offering.classes.values()))
    receipt = chain.send(
        offering.governor.functions.propose(
            [target.address], [0], [target.encode_abi("setAuthorized", [5_000_000])], text
        ),
        proposer,
    )
    proposal_id = int(events(offering.governor, "ProposalCreated", receipt)[0]["proposalId"])
    chain.advance(int(offering.governor.functions.votingDelay().call()) + 1)
    assert offering.governor.functions.state(proposal_id).call() == ACTIVE
    return proposal_id


def vote(chain: Chain, offering: Offering, voter: str, proposal_id: int, support: int) -> Any:
    return chain.send(offering.governor.functions.castVote(proposal_id, support), voter)


def outcome(chain: Chain, offering: Offering, proposal_id: int) -> int:
    chain.advance(int(offering.governor.functions.votingPeriod().call()) + 1)
    return int(offering.governor.functions.state(proposal_id).call())


def test_counting_mode_is_bravo_support_with_quorum_over_for_and_abstain(
    offering: Offering,
) -> None:
    assert offering.governor.functions.COUNTING_MODE().call() == "support=bravo&quorum=for,abstain"


def test_tallies_add_each_voters_weight_to_its_support(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    governor = offering.governor
    proposal_id = open_proposal(chain, offering, holders["alice"])
    assert governor.functions.proposalVotes(proposal_id).call() == [0, 0, 0]
    cast = {"alice": FOR, "bob": AGAINST, "dave": ABSTAIN}
    for name, support in cast.items():
        receipt = vote(chain, offering, holders[name], proposal_id, support)
        logged = events(governor, "VoteCast", receipt)[0]
        assert (logged["voter"], logged["support"]) == (holders[name], support)
    assert governor.functions.proposalVotes(proposal_id).call() == [1000, 1000, 200]
    for name in ("alice", "bob", "dave"):
        assert governor.functions.hasVoted(proposal_id, holders[name]).call()
    assert not governor.functions.hasVoted(proposal_id, holders["carol"]).call()


def test_votes_of_the_same_support_accumulate(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    proposal_id = open_proposal(chain, offering, holders["alice"])
    vote(chain, offering, holders["alice"], proposal_id, AGAINST)
    vote(chain, offering, holders["dave"], proposal_id, AGAINST)
    assert offering.governor.functions.proposalVotes(proposal_id).call() == [1200, 0, 0]


def test_an_unknown_proposal_has_no_votes(offering: Offering, holders: dict[str, str]) -> None:
    assert offering.governor.functions.proposalVotes(12345).call() == [0, 0, 0]
    assert not offering.governor.functions.hasVoted(12345, holders["alice"]).call()


def test_a_voter_without_votes_is_recorded_and_adds_nothing(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    proposal_id = open_proposal(chain, offering, holders["alice"])
    receipt = vote(chain, offering, holders["carol"], proposal_id, FOR)
    assert events(offering.governor, "VoteCast", receipt)[0]["weight"] == 0
    assert offering.governor.functions.hasVoted(proposal_id, holders["carol"]).call()
    assert offering.governor.functions.proposalVotes(proposal_id).call() == [0, 0, 0]


def test_abstentions_count_toward_quorum(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    proposal_id = open_proposal(chain, offering, holders["alice"])
    vote(chain, offering, holders["alice"], proposal_id, FOR)  # 1000 < quorum 1100
    vote(chain, offering, holders["dave"], proposal_id, ABSTAIN)  # 1000 + 200 >= 1100
    assert outcome(chain, offering, proposal_id) == SUCCEEDED


def test_for_votes_alone_below_quorum_are_defeated(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    proposal_id = open_proposal(chain, offering, holders["alice"])
    vote(chain, offering, holders["alice"], proposal_id, FOR)  # 1000 < quorum 1100
    assert outcome(chain, offering, proposal_id) == DEFEATED


def test_against_votes_do_not_count_toward_quorum(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    proposal_id = open_proposal(chain, offering, holders["alice"])
    vote(chain, offering, holders["bob"], proposal_id, AGAINST)  # 1000, not toward quorum
    vote(chain, offering, holders["dave"], proposal_id, FOR)  # 200 < 1100
    assert outcome(chain, offering, proposal_id) == DEFEATED


def test_a_tie_between_for_and_against_is_defeated(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    proposal_id = open_proposal(chain, offering, holders["alice"])
    vote(chain, offering, holders["alice"], proposal_id, FOR)
    vote(chain, offering, holders["bob"], proposal_id, AGAINST)
    vote(chain, offering, holders["dave"], proposal_id, ABSTAIN)  # quorum: 1200 >= 1100
    assert outcome(chain, offering, proposal_id) == DEFEATED


@pytest.mark.parametrize("second", [AGAINST, FOR, ABSTAIN])
def test_a_second_vote_by_the_same_account_is_refused(
    chain: Chain, offering: Offering, holders: dict[str, str], second: int
) -> None:
    proposal_id = open_proposal(chain, offering, holders["alice"])
    vote(chain, offering, holders["alice"], proposal_id, FOR)
    error = chain.revert_of(
        offering.governor.functions.castVote(proposal_id, second), holders["alice"]
    )
    assert error == ("GovernorAlreadyCastVote", (holders["alice"],))
    assert offering.governor.functions.proposalVotes(proposal_id).call() == [0, 1000, 0]


def test_a_support_beyond_abstain_is_refused_and_leaves_the_voter_free_to_vote(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    governor = offering.governor
    proposal_id = open_proposal(chain, offering, holders["alice"])
    for support in (3, 255):
        error = chain.revert_of(governor.functions.castVote(proposal_id, support), holders["bob"])
        assert error == ("GovernorInvalidVoteType", ())
    assert not governor.functions.hasVoted(proposal_id, holders["bob"]).call()
    vote(chain, offering, holders["bob"], proposal_id, AGAINST)
    assert governor.functions.proposalVotes(proposal_id).call() == [1000, 0, 0]


def test_a_second_vote_is_refused_before_its_support_is_checked(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    proposal_id = open_proposal(chain, offering, holders["alice"])
    vote(chain, offering, holders["alice"], proposal_id, FOR)
    error = chain.revert_of(offering.governor.functions.castVote(proposal_id, 7), holders["alice"])
    assert error == ("GovernorAlreadyCastVote", (holders["alice"],))


def test_proposing_initialises_the_tally_word_so_no_vote_writes_it_from_zero(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    before = chain.now()
    proposal_id = open_proposal(chain, offering, holders["alice"])
    at = created(offering, proposal_id)
    assert before <= at < chain.now()  # the proposal's block, before the voting delay passed
    assert tally_word(chain, offering, proposal_id) == packed(0, 0, 0, at)
    vote(chain, offering, holders["alice"], proposal_id, FOR)
    vote(chain, offering, holders["bob"], proposal_id, AGAINST)
    vote(chain, offering, holders["dave"], proposal_id, ABSTAIN)
    assert tally_word(chain, offering, proposal_id) == packed(1000, 1000, 200, at)


# ------------------------------------------------------------------ tallies beyond 64 bits

WHALE = ClassSpec("WHALE", votes_per_share=2**20, authorized=2**100)
UNIT = ClassSpec("UNIT", votes_per_share=1, authorized=2**100)


@pytest.fixture
def whales(chain: Chain, accounts: list[str]) -> tuple[Offering, Actors, list[str]]:
    """An offering of two classes, one weighing 2^20 votes per share, both authorizing 2^100
    shares (the toolkit accepts far more), with five registered wallets and no shares yet."""
    deployer = accounts[0]
    offering = chain.deploy_offering(deployer, [WHALE, UNIT], GovernanceSpec(quorum_percent=10))
    actors = Actors(chain, offering, deployer)
    wallets = accounts[1:6]
    for i, wallet in enumerate(wallets):
        actors.register(wallet, f"whale{i}")
    return offering, actors, wallets


def test_a_tally_that_would_pass_64_bits_moves_to_full_slots_and_stays_exact(
    chain: Chain, whales: tuple[Offering, Actors, list[str]]
) -> None:
    offering, actors, (a, b, c, d, e) = whales
    weight = WHALE.votes_per_share
    actors.issue("WHALE", a, TALLY_MAX // weight)  # 2^64 - 2^20 votes
    actors.issue("UNIT", b, weight - 1)  # with a: exactly 2^64 - 1
    actors.issue("UNIT", c, 1)
    actors.issue("WHALE", d, 3)
    actors.issue("UNIT", e, 5)
    chain.advance(1)
    proposal_id = open_proposal(chain, offering, a)
    vote(chain, offering, a, proposal_id, FOR)
    vote(chain, offering, b, proposal_id, FOR)  # the largest tally the word holds: still packed
    at = created(offering, proposal_id)
    assert tally_word(chain, offering, proposal_id) == packed(0, TALLY_MAX, 0, at)
    assert offering.governor.functions.proposalVotes(proposal_id).call() == [0, TALLY_MAX, 0]
    vote(chain, offering, c, proposal_id, FOR)  # one more: the tallies move to full slots
    # the creation time stays in the word
    assert tally_word(chain, offering, proposal_id) == packed(0, 0, 0, at) | WIDE
    assert offering.governor.functions.proposalVotes(proposal_id).call() == [0, 2**64, 0]
    vote(chain, offering, d, proposal_id, AGAINST)
    vote(chain, offering, e, proposal_id, ABSTAIN)
    assert offering.governor.functions.proposalVotes(proposal_id).call() == [3 * weight, 2**64, 5]
    assert outcome(chain, offering, proposal_id) == SUCCEEDED


def test_a_first_vote_beyond_64_bits_is_counted_exactly(
    chain: Chain, whales: tuple[Offering, Actors, list[str]]
) -> None:
    offering, actors, (a, b, *_rest) = whales
    weight = WHALE.votes_per_share
    actors.issue("WHALE", a, 2**80)  # 2^100 weighted votes
    actors.issue("WHALE", b, 7)
    chain.advance(1)
    proposal_id = open_proposal(chain, offering, a)
    receipt = vote(chain, offering, a, proposal_id, AGAINST)
    assert events(offering.governor, "VoteCast", receipt)[0]["weight"] == 2**100
    vote(chain, offering, b, proposal_id, FOR)
    assert offering.governor.functions.proposalVotes(proposal_id).call() == [
        2**100,
        7 * weight,
        0,
    ]
    assert outcome(chain, offering, proposal_id) == DEFEATED
    assert chain.w3.eth.get_storage_at(
        offering.governor.address, tally_slot(proposal_id, WIDE_TALLIES_SLOT)
    ) == (2**100).to_bytes(32, "big")
