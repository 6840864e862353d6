"""The whole life of a proposal, for every action of SPEC §5, on a real anvil."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from tests.governance.conftest import DAY, Offering
from toolkit.governance.ballot import SUPPORT


def pass_proposal(offering: Offering, actions: list[str], title: str) -> int:
    """Propose as alice, vote for with alice and bob (2000 of 2200), queue and execute."""
    gov = offering.governance
    plan = gov.plan(actions, title)
    gov.propose(offering.transactor("alice"), plan)
    assert gov.state(plan.id) == "Pending"
    offering.advance(DAY + 1)
    assert gov.state(plan.id) == "Active"
    gov.vote(offering.transactor("alice"), plan.id, SUPPORT["for"])
    gov.vote(offering.transactor("bob"), plan.id, SUPPORT["for"])
    queued = gov.queue(offering.transactor("dave"), plan.id, advance_time=True)
    assert queued.details["state"] == "Queued"
    executed = gov.execute(offering.transactor("carol"), plan.id, advance_time=True)
    assert executed.details["state"] == "Executed"
    return plan.id


def test_set_authorized_passes_and_raises_the_cap(offering: Offering) -> None:
    pass_proposal(offering, ["set-authorized COMMON 20000000"], "Raise COMMON to 20M")
    assert offering.token("COMMON").functions.authorized().call() == 20_000_000


def test_set_max_holders_passes_and_changes_the_cap(offering: Offering) -> None:
    pass_proposal(offering, ["set-max-holders FOUNDERS 5"], "Five founders")
    assert offering.token("FOUNDERS").functions.maxHolders().call() == 5


def test_block_and_unblock_jurisdiction_pass(offering: Offering) -> None:
    pass_proposal(offering, ["block-jurisdiction PREFERRED CN"], "Block CN")
    assert offering.token("PREFERRED").functions.isJurisdictionBlocked(b"CN").call()
    pass_proposal(offering, ["unblock-jurisdiction COMMON US"], "Open COMMON to US")
    assert not offering.token("COMMON").functions.isJurisdictionBlocked(b"US").call()


def test_grant_and_revoke_role_pass_on_every_class(offering: Offering) -> None:
    erin = offering.address("erin")
    issuer_role = keccak(text="ISSUER_ROLE")
    pass_proposal(offering, [f"grant-role ISSUER_ROLE {erin}"], "Erin issues")
    for share_class in offering.deployment.classes:
        assert offering.governance.token(share_class).functions.hasRole(issuer_role, erin).call()
    pass_proposal(offering, [f"revoke-role ISSUER_ROLE {erin} COMMON"], "Erin stops on COMMON")
    assert not offering.token("COMMON").functions.hasRole(issuer_role, erin).call()
    assert offering.token("FOUNDERS").functions.hasRole(issuer_role, erin).call()


def test_registrar_role_is_granted_on_the_registry(offering: Offering) -> None:
    from toolkit.offering.contracts import OfferingContracts

    erin = offering.address("erin")
    pass_proposal(offering, [f"grant-role REGISTRAR_ROLE {erin}"], "Erin registers")
    registry = OfferingContracts(offering.chain.w3, offering.deployment).registry
    assert registry.functions.hasRole(keccak(text="REGISTRAR_ROLE"), erin).call()


def test_a_raw_call_passes(offering: Offering) -> None:
    pass_proposal(
        offering, ['call FOUNDERS "setMaxHolders(uint32)" 7'], "Seven founders, the raw way"
    )
    assert offering.token("FOUNDERS").functions.maxHolders().call() == 7


def test_several_actions_execute_together(offering: Offering) -> None:
    pass_proposal(
        offering,
        ["set-authorized FOUNDERS 3000000", "set-max-holders COMMON 2500"],
        "Two changes at once",
    )
    assert offering.token("FOUNDERS").functions.authorized().call() == 3_000_000
    assert offering.token("COMMON").functions.maxHolders().call() == 2500


def test_the_proposal_id_is_openzeppelins(offering: Offering) -> None:
    gov = offering.governance
    plan = gov.plan(["set-authorized COMMON 11000000"], "Check the id")
    on_chain = gov.governor.functions.hashProposal(
        plan.targets, plan.values, plan.calldatas, keccak(text=plan.description)
    ).call()
    assert plan.id == on_chain
    outcome = gov.propose(offering.transactor("alice"), plan)
    assert outcome.to_json()["proposal_id"] == str(plan.id)
    assert gov.record(plan.id).description == "Check the id"


def test_status_and_list_report_every_proposal(offering: Offering) -> None:
    gov = offering.governance
    first = pass_proposal(offering, ["set-max-holders COMMON 3000"], "First")
    second = gov.plan(["set-max-holders COMMON 4000"], "Second")
    gov.propose(offering.transactor("bob"), second)
    states = {str(s.record.id): s.state for s in gov.list()}
    assert states == {str(first): "Executed", str(second.id): "Pending"}
    status = gov.status(first).to_json()
    assert {"id", "state", "for", "against", "abstain", "quorum", "snapshot", "deadline"} <= set(status)
    assert status["for"] == 2000
    assert status["quorum"] == 1100
    assert [(v["voter"], v["support"], v["weight"]) for v in status["votes"]] == [
        (offering.address("alice"), "for", 1000),
        (offering.address("bob"), "for", 1000),
    ]


@pytest.mark.parametrize("step", ["queue", "execute"])
def test_time_travel_is_only_done_when_asked(offering: Offering, step: str) -> None:
    from toolkit.errors import ChainError

    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 3000"], "Patience")
    gov.propose(offering.transactor("alice"), plan)
    offering.advance(DAY + 1)
    gov.vote(offering.transactor("alice"), plan.id, 1)
    gov.vote(offering.transactor("bob"), plan.id, 1)
    if step == "queue":
        with pytest.raises(ChainError, match="voting closes at"):
            gov.queue(offering.transactor("alice"), plan.id)
        return
    gov.queue(offering.transactor("alice"), plan.id, advance_time=True)
    with pytest.raises(ChainError, match="in the timelock until"):
        gov.execute(offering.transactor("alice"), plan.id)


@pytest.mark.parametrize("step", ["queue", "execute"])
def test_advance_time_is_refused_on_a_chain_that_is_not_local(offering: Offering, step: str) -> None:
    from toolkit.chain.connection import Chain
    from toolkit.errors import UsageError
    from toolkit.governance.governor import Governance

    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 3000"], "Mainnet")
    gov.propose(offering.transactor("alice"), plan)
    before = gov.now()
    remote = Chain(w3=offering.chain.w3, rpc_url=offering.chain.rpc_url, chain_id=1)
    with pytest.raises(UsageError, match="only on a local anvil or ganache") as caught:
        getattr(Governance(remote, offering.deployment), step)(
            offering.transactor("alice"), plan.id, advance_time=True
        )
    assert caught.value.exit_code == 2
    assert gov.now() - before < 3600  # the clock did not move
