"""Who may propose, when votes count, what they weigh: SPEC §10 on a real anvil."""

from __future__ import annotations

import pytest

from tests.governance.conftest import DAY, Offering
from toolkit.errors import ChainError, UsageError
from toolkit.governance.ballot import SUPPORT
from toolkit.inputs.dates import json_time

FOR, AGAINST, ABSTAIN = SUPPORT["for"], SUPPORT["against"], SUPPORT["abstain"]


def open_proposal(offering: Offering, title: str = "A question", *, by: str = "alice") -> int:
    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 2100"], title)
    gov.propose(offering.transactor(by), plan)
    offering.advance(DAY + 1)
    return plan.id


def test_a_founders_share_weighs_ten_common_shares(offering: Offering) -> None:
    pid = open_proposal(offering)
    outcome = offering.governance.vote(offering.transactor("bob"), pid, FOR)
    assert outcome.details["weight"] == 100 * 10
    assert offering.governance.status(pid).tally.for_votes == 1000


def test_a_non_voting_class_weighs_nothing(offering: Offering) -> None:
    gov = offering.governance
    assert gov.voting_power(offering.address("carol")).total == 0
    pid = open_proposal(offering)
    with pytest.raises(ChainError, match="had no voting power") as refused:
        gov.vote(offering.transactor("carol"), pid, FOR)  # a vote of 0 is refused, not sent
    assert refused.value.kind == "no_votes"
    assert gov.status(pid).tally.for_votes == 0


def test_the_quorum_is_half_the_weighted_supply(offering: Offering) -> None:
    pid = open_proposal(offering)
    assert offering.governance.status(pid).tally.quorum == (1000 + 100 * 10 + 200) // 2


def test_a_proposal_that_misses_the_quorum_is_defeated(offering: Offering) -> None:
    gov = offering.governance
    pid = open_proposal(offering)
    gov.vote(offering.transactor("dave"), pid, FOR)  # 200 of the 1100 needed
    offering.advance(7 * DAY + 1)
    status = gov.status(pid)
    assert status.state == "Defeated"
    assert not status.tally.quorum_reached
    assert "quorum was not reached" in status.next_step()
    with pytest.raises(ChainError, match="only a Succeeded proposal can be queued"):
        gov.queue(offering.transactor("alice"), pid)


def test_abstentions_count_toward_the_quorum_but_not_the_outcome(offering: Offering) -> None:
    gov = offering.governance
    pid = open_proposal(offering)
    gov.vote(offering.transactor("bob"), pid, ABSTAIN)
    gov.vote(offering.transactor("dave"), pid, FOR)
    offering.advance(7 * DAY + 1)
    status = gov.status(pid)
    assert status.tally.quorum_reached
    assert status.state == "Succeeded"


def test_founders_alone_outweigh_a_tenfold_common_vote(offering: Offering) -> None:
    gov = offering.governance
    pid = open_proposal(offering)
    gov.vote(offering.transactor("bob"), pid, AGAINST)  # 100 shares x 10
    gov.vote(offering.transactor("alice"), pid, FOR)  # 1000 shares x 1: a tie is not a pass
    offering.advance(7 * DAY + 1)
    assert gov.state(pid) == "Defeated"


def test_delegation_moves_the_weight(offering: Offering) -> None:
    gov = offering.governance
    alice, dave = offering.address("alice"), offering.address("dave")
    outcome = gov.delegate(offering.transactor("dave"), alice)
    assert outcome.details["classes"] == ["COMMON"]
    assert gov.voting_power(alice).total == 1200
    assert gov.voting_power(dave).total == 0
    # votes count at the record date, 1 s before the proposal: a delegation mined in the same
    # second as the proposal would (rightly) not count, so the proposal comes a second later
    offering.advance(1)
    pid = open_proposal(offering)
    assert gov.vote(offering.transactor("alice"), pid, FOR).details["weight"] == 1200
    with pytest.raises(ChainError, match="had no voting power"):  # dave's votes are alice's
        gov.vote(offering.transactor("dave"), pid, FOR)


def test_delegating_twice_to_the_same_wallet_sends_nothing(offering: Offering) -> None:
    gov = offering.governance
    outcome = gov.delegate(offering.transactor("alice"), offering.address("alice"))
    assert outcome.transactions == ()
    assert outcome.details["already_delegated"] == ["COMMON"]


def test_delegating_without_voting_shares_is_refused(offering: Offering) -> None:
    with pytest.raises(UsageError, match="nothing to delegate"):
        offering.governance.delegate(offering.transactor("carol"), offering.address("alice"))


def test_a_proposer_below_the_threshold_is_refused(offering: Offering) -> None:
    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 2100"], "From the issuer")
    for who in ("issuer", "carol"):  # no shares; only non-voting shares
        with pytest.raises(ChainError, match="below the proposal threshold") as caught:
            gov.propose(offering.transactor(who), plan)
        assert caught.value.exit_code == 3


def test_an_identical_proposal_is_refused(offering: Offering) -> None:
    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 2100"], "Twice")
    gov.propose(offering.transactor("alice"), plan)
    with pytest.raises(ChainError, match="identical proposal exists"):
        gov.propose(offering.transactor("bob"), plan)


def test_voting_before_the_delay_is_refused_with_the_opening_time(offering: Offering) -> None:
    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 2100"], "Too early")
    gov.propose(offering.transactor("alice"), plan)
    with pytest.raises(ChainError, match="has not started: it opens at") as caught:
        gov.vote(offering.transactor("bob"), plan.id, FOR)
    assert caught.value.exit_code == 3


def test_voting_after_the_deadline_is_refused(offering: Offering) -> None:
    gov = offering.governance
    pid = open_proposal(offering)
    offering.advance(7 * DAY + 1)
    with pytest.raises(ChainError, match="is over: it closed at"):
        gov.vote(offering.transactor("bob"), pid, FOR)


def test_voting_twice_is_refused(offering: Offering) -> None:
    gov = offering.governance
    pid = open_proposal(offering)
    gov.vote(offering.transactor("bob"), pid, FOR)
    with pytest.raises(ChainError, match="already voted"):
        gov.vote(offering.transactor("bob"), pid, AGAINST)


def test_an_unknown_proposal_is_bad_input(offering: Offering) -> None:
    with pytest.raises(UsageError, match="no proposal 12345"):
        offering.governance.status(12345)


def test_votes_are_counted_at_the_snapshot(offering: Offering) -> None:
    gov = offering.governance
    pid = open_proposal(offering)
    # dave's delegation after the snapshot does not move his weight in this vote
    gov.delegate(offering.transactor("dave"), offering.address("alice"))
    assert gov.vote(offering.transactor("alice"), pid, FOR).details["weight"] == 1000
    assert gov.vote(offering.transactor("dave"), pid, FOR).details["weight"] == 200


def test_votes_are_counted_just_before_the_proposal_was_created(offering: Offering) -> None:
    """Issue 11: a delegation made while the proposal waits for its voting delay changes
    nothing either; the vote, its reported weight and the quorum use the record date."""
    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 2100"], "record date")
    gov.propose(offering.transactor("alice"), plan)
    gov.delegate(offering.transactor("dave"), offering.address("alice"))  # still Pending
    offering.advance(DAY + 1)
    status = gov.status(plan.id)
    assert status.record.record_date < status.record.snapshot
    assert status.to_json()["record_date"] == json_time(status.record.record_date)
    assert gov.vote(offering.transactor("alice"), plan.id, FOR).details["weight"] == 1000
    assert gov.vote(offering.transactor("dave"), plan.id, FOR).details["weight"] == 200
    quorum = offering.governance.governor.functions.quorum(status.record.record_date).call()
    assert gov.status(plan.id).tally.quorum == quorum
