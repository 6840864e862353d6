"""SPEC §10: voting power counts whole shares, whatever a class's `decimals` (issue 10, point 1).

The offering of the issue: two voting classes with the same `votes_per_share`, one with
`decimals` 0 and one with `decimals` 6, and a proposal threshold of one share. The votes source
weighs `votesPerShare x votes / 10**decimals` per class (rounded down per class), so the
threshold and the quorum are in whole-share votes too.
"""

from __future__ import annotations

import pytest

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, ClassSpec, GovernanceSpec, Offering, events

MICRO = 10**6  # one share of the 6-decimal class, in base units
CLASSES = (
    ClassSpec("WHOLE", votes_per_share=1, authorized=10_000_000),
    ClassSpec("MICRO", votes_per_share=1, authorized=10_000_000 * MICRO, decimals=6),
    ClassSpec("TENFOLD", votes_per_share=10, authorized=10_000_000 * MICRO, decimals=6),
)


@pytest.fixture
def mixed(chain: Chain, accounts: list[str]) -> Actors:
    """The issue's offering (plus a 10-vote 6-decimal class), deployed inside the test's
    snapshot; alice, bob, carol and dave registered."""
    offering = chain.deploy_offering(
        accounts[0], CLASSES, GovernanceSpec(voting_delay=60, voting_period=3600)
    )
    actors = Actors(chain, offering, accounts[0])
    for wallet, name in zip(accounts[1:5], ("alice", "bob", "carol", "dave"), strict=True):
        actors.register(wallet, name)
    return actors


def power(offering: Offering, wallet: str) -> int:
    return int(offering.votes.functions.getVotes(wallet).call())


def test_two_shares_of_a_six_decimal_class_do_not_outvote_a_million_whole_shares(
    mixed: Actors, accounts: list[str]
) -> None:
    alice, bob = accounts[1], accounts[2]
    mixed.issue("WHOLE", alice, 1_000_000)
    mixed.issue("MICRO", bob, 2 * MICRO)
    assert power(mixed.offering, alice) == 1_000_000
    assert power(mixed.offering, bob) == 2


def test_votes_per_share_weighs_whole_shares_and_rounds_down_per_class(
    mixed: Actors, chain: Chain, accounts: list[str]
) -> None:
    carol = accounts[3]
    mixed.issue("MICRO", carol, 3 * MICRO + MICRO // 2)  # 3.5 shares at 1 vote: 3
    mixed.issue("TENFOLD", carol, 2 * MICRO + 123_456)  # 2.123456 shares at 10 votes: 21
    mixed.issue("WHOLE", carol, 7)
    assert power(mixed.offering, carol) == 3 + 21 + 7
    chain.advance(1)
    t = chain.now() - 1
    votes = mixed.offering.votes.functions
    assert votes.getPastVotes(carol, t).call() == 31
    assert votes.getPastTotalSupply(t).call() == 3 + 21 + 7


def test_a_holder_of_999999_whole_shares_reaches_a_one_share_threshold(
    mixed: Actors, chain: Chain, accounts: list[str]
) -> None:
    dave = accounts[4]
    governor = mixed.offering.governor
    assert governor.functions.proposalThreshold().call() == 1
    mixed.issue("WHOLE", dave, 999_999)
    chain.advance(1)
    receipt = chain.send(
        governor.functions.propose([mixed.offering.votes.address], [0], [b""], "whole shares"),
        dave,
    )
    assert events(governor, "ProposalCreated", receipt)[0]["proposer"] == dave


def test_fractions_of_a_share_below_the_threshold_cannot_propose(
    mixed: Actors, chain: Chain, accounts: list[str]
) -> None:
    bob = accounts[2]
    mixed.issue("MICRO", bob, MICRO - 1)  # 0.999999 of a share: no whole-share vote
    chain.advance(1)
    governor = mixed.offering.governor
    call = governor.functions.propose([mixed.offering.votes.address], [0], [b""], "too small")
    assert chain.revert_of(call, bob) == ("GovernorInsufficientProposerVotes", (bob, 0, 1))


def test_the_quorum_counts_whole_share_votes(
    mixed: Actors, chain: Chain, accounts: list[str]
) -> None:
    alice, bob = accounts[1], accounts[2]
    mixed.issue("WHOLE", alice, 600)
    mixed.issue("MICRO", bob, 400 * MICRO)
    chain.advance(1)
    t = chain.now() - 1
    # 1,000 whole-share votes in all: a 50 % quorum is 500 votes, not 200,000,300
    assert mixed.offering.governor.functions.quorum(t).call() == 500
