"""Issue 11, point 2: class consent (protective provisions) on the governor, on anvil.

One offering for the module: COMMON (1 vote per share, no provisions), FOUNDERS (10 votes, no
provisions) and PREFERRED (non-voting; consent needed, over 50 % of its outstanding shares, for
setAuthorized, setMaxHolders and setApprovedIssuance concerning it). alice COMMON 1000, bob
FOUNDERS 100 (1000 votes), carol PREFERRED 600, erin PREFERRED 400. Each test runs in the
session's snapshot, reverted afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak

from tests.conftest import RunningNode
from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import (
    DAY,
    DEFAULT_ADMIN_ROLE,
    ISSUER_ROLE,
    PROPOSER_ROLE,
    Chain,
    ClassSpec,
    Offering,
    events,
    selector,
)

AGAINST, FOR, ABSTAIN = 0, 1, 2
DEFEATED, SUCCEEDED, EXECUTED = 3, 4, 7
PROTECTED = ("setAuthorized(uint256)", "setMaxHolders(uint32)", "setApprovedIssuance(address,uint256)")
CLASSES = (
    ClassSpec("COMMON", votes_per_share=1),
    ClassSpec("FOUNDERS", votes_per_share=10, authorized=100_000),
    ClassSpec("PREFERRED", votes_per_share=0, authorized=500_000, consent=PROTECTED),
)
PREFERRED_BIT = 1  # the only consenting class: index 0 on the governor


@dataclass
class Company:
    offering: Offering
    holders: dict[str, str]


@pytest.fixture(scope="module")
def company(chain: Chain, anvil: RunningNode) -> Company:
    issuer = anvil.accounts[0]
    offering = chain.deploy_offering(issuer, CLASSES)
    actors = Actors(chain, offering, issuer)
    holders = {
        "alice": anvil.accounts[1],
        "bob": anvil.accounts[2],
        "carol": anvil.accounts[3],
        "erin": anvil.accounts[5],
    }
    for name, wallet in holders.items():
        actors.register(wallet, name)
    actors.issue("COMMON", holders["alice"], 1000)
    actors.issue("FOUNDERS", holders["bob"], 100)
    actors.issue("PREFERRED", holders["carol"], 600)
    actors.issue("PREFERRED", holders["erin"], 400)
    chain.advance(1)
    return Company(offering, holders)


def propose(chain: Chain, company: Company, calls: list[tuple[str, bytes]], text: str) -> tuple[int, list[Any]]:
    governor = company.offering.governor
    targets = [target for target, _ in calls]
    calldatas = [data for _, data in calls]
    values = [0] * len(calls)
    receipt = chain.send(governor.functions.propose(targets, values, calldatas, text), company.holders["alice"])
    proposal_id = events(governor, "ProposalCreated", receipt)[0]["proposalId"]
    chain.advance(DAY + 1)
    return proposal_id, [targets, values, calldatas, keccak(text=text)]


def vote(chain: Chain, company: Company, proposal_id: int, **ballots: int) -> None:
    for name, support in ballots.items():
        chain.send(company.offering.governor.functions.castVote(proposal_id, support), company.holders[name])


def raise_preferred(company: Company) -> tuple[str, bytes]:
    preferred = company.offering.token("PREFERRED")
    return preferred.address, preferred.encode_abi("setAuthorized", [900_000])


def test_a_proposal_that_wins_the_general_vote_and_loses_the_class_vote_is_defeated(
    chain: Chain, company: Company
) -> None:
    governor = company.offering.governor
    proposal_id, _ = propose(chain, company, [raise_preferred(company)], "Raise PREFERRED")
    vote(chain, company, proposal_id, alice=FOR, bob=FOR, carol=AGAINST, erin=FOR)
    chain.advance(7 * DAY)
    assert governor.functions.proposalVotes(proposal_id).call() == [0, 2000, 0]  # won in general
    # erin's 400 of 1000 preferred shares are not over half of them
    assert governor.functions.proposalClassVote(proposal_id, 0).call() == [True, 400, 1000, False]
    assert governor.functions.state(proposal_id).call() == DEFEATED


def test_a_proposal_that_wins_the_general_and_the_non_voting_class_vote_executes(
    chain: Chain, company: Company, actors: Actors
) -> None:
    governor, preferred = company.offering.governor, company.offering.token("PREFERRED")
    proposal_id, args = propose(chain, company, [raise_preferred(company)], "Raise PREFERRED")
    # shares issued after the proposal was created do not vote in the class (record date)
    Actors(chain, company.offering, actors.issuer).issue("PREFERRED", company.holders["erin"], 5000)
    receipt = chain.send(governor.functions.castVote(proposal_id, FOR), company.holders["carol"])
    # carol's class holds no general votes: her VoteCast weighs 0, her 600 shares vote as a class
    assert events(governor, "VoteCast", receipt)[0]["weight"] == 0
    vote(chain, company, proposal_id, alice=FOR, bob=AGAINST, erin=AGAINST)
    chain.advance(7 * DAY)
    assert governor.functions.proposalVotes(proposal_id).call() == [1000, 1000, 0]  # a tie fails
    assert governor.functions.state(proposal_id).call() == DEFEATED
    proposal_id, args = propose(chain, company, [raise_preferred(company)], "Raise PREFERRED, again")
    vote(chain, company, proposal_id, alice=FOR, bob=FOR, carol=FOR)
    chain.advance(7 * DAY)
    assert governor.functions.proposalClassVote(proposal_id, 0).call() == [True, 600, 6000, False]
    assert governor.functions.state(proposal_id).call() == DEFEATED  # the new 5000 count now
    proposal_id, args = propose(chain, company, [raise_preferred(company)], "Raise PREFERRED, third")
    vote(chain, company, proposal_id, alice=FOR, bob=FOR, carol=FOR, erin=FOR)
    chain.advance(7 * DAY)
    assert governor.functions.proposalClassVote(proposal_id, 0).call() == [True, 6000, 6000, True]
    assert governor.functions.state(proposal_id).call() == SUCCEEDED
    chain.send(governor.functions.queue(*args), company.holders["alice"])
    chain.advance(2 * DAY + 1)
    chain.send(governor.functions.execute(*args), company.holders["alice"])
    assert governor.functions.state(proposal_id).call() == EXECUTED
    assert preferred.functions.authorized().call() == 900_000


def test_an_ordinary_proposal_needs_no_class_vote(chain: Chain, company: Company) -> None:
    governor, common = company.offering.governor, company.offering.token("COMMON")
    call = (common.address, common.encode_abi("setAuthorized", [2_000_000]))
    proposal_id, _ = propose(chain, company, [call], "Raise COMMON")
    vote(chain, company, proposal_id, alice=FOR, bob=FOR)
    chain.advance(7 * DAY)
    assert governor.functions.proposalClassVote(proposal_id, 0).call() == [False, 0, 0, True]
    assert governor.functions.state(proposal_id).call() == SUCCEEDED


def test_calls_that_bypass_the_action_words_need_the_class_vote_too(company: Company) -> None:
    offering = company.offering
    governor, timelock = offering.governor, offering.timelock
    preferred, common, bound = offering.token("PREFERRED"), offering.token("COMMON"), offering.issuer_bound
    assert bound is not None
    stranger = company.holders["alice"]
    approve = bound.encode_abi("setApprovedIssuance", [preferred.address, 10**6])
    schedule = timelock.encode_abi(
        "schedule", [preferred.address, 0, preferred.encode_abi("setAuthorized", [1]), b"\x00" * 32, b"\x00" * 32, 2 * DAY]
    )
    affected = {
        "raw setAuthorized on PREFERRED": (preferred.address, preferred.encode_abi("setAuthorized", [1])),
        "the bound approving PREFERRED issuance": (bound.address, approve),
        "the token's multicall": (
            preferred.address,
            preferred.encode_abi("multicall", [[preferred.encode_abi("setMaxHolders", [1])]]),
        ),
        "the bound's multicall": (bound.address, bound.encode_abi("multicall", [[approve]])),
        "admin of PREFERRED to a stranger": (preferred.address, preferred.encode_abi("grantRole", [DEFAULT_ADMIN_ROLE, stranger])),
        "issuer role on PREFERRED": (preferred.address, preferred.encode_abi("grantRole", [ISSUER_ROLE, stranger])),
        "revoking the timelock on PREFERRED": (
            preferred.address,
            preferred.encode_abi("revokeRole", [DEFAULT_ADMIN_ROLE, timelock.address]),
        ),
        "the timelock's proposer role": (timelock.address, timelock.encode_abi("grantRole", [PROPOSER_ROLE, stranger])),
        "the bound's admin role": (bound.address, bound.encode_abi("grantRole", [DEFAULT_ADMIN_ROLE, stranger])),
        "a relay through the governor": (
            governor.address,
            governor.encode_abi("relay", [timelock.address, 0, schedule]),
        ),
        "an unknown contract's grantRole": (
            "0x" + "12" * 20,
            selector("grantRole(bytes32,address)") + encode(["bytes32", "address"], [ISSUER_ROLE, stranger]),
        ),
    }
    for label, (target, data) in affected.items():
        assert governor.functions.affectedClasses([target], [data]).call() == PREFERRED_BIT, label
    unaffected = {
        "raw setAuthorized on COMMON": (common.address, common.encode_abi("setAuthorized", [1])),
        "issuer role on COMMON": (common.address, common.encode_abi("grantRole", [ISSUER_ROLE, stranger])),
        "the bound approving COMMON issuance": (
            bound.address,
            bound.encode_abi("setApprovedIssuance", [common.address, 10**6]),
        ),
        "blocking a jurisdiction of PREFERRED (not protected)": (
            preferred.address,
            preferred.encode_abi("setJurisdictionBlocked", [b"FR", True]),
        ),
    }
    for label, (target, data) in unaffected.items():
        assert governor.functions.affectedClasses([target], [data]).call() == 0, label
    # among other calls, one protected call is enough
    targets, datas = zip(*unaffected.values(), affected["the token's multicall"], strict=False)
    assert governor.functions.affectedClasses(list(targets), list(datas)).call() == PREFERRED_BIT


def test_a_bypass_proposal_is_defeated_without_the_class(chain: Chain, company: Company) -> None:
    """Granting the timelock's proposer role (which could schedule anything) needs every class."""
    governor, timelock = company.offering.governor, company.offering.timelock
    call = (timelock.address, timelock.encode_abi("grantRole", [PROPOSER_ROLE, company.holders["alice"]]))
    proposal_id, _ = propose(chain, company, [call], "A second proposer")
    vote(chain, company, proposal_id, alice=FOR, bob=FOR)
    chain.advance(7 * DAY)
    assert governor.functions.state(proposal_id).call() == DEFEATED


@pytest.mark.parametrize(
    ("threshold", "twice", "zero"),
    [(100, False, False), (50, True, False), (50, False, True)],
)
def test_the_governor_refuses_a_bad_consent_configuration(
    chain: Chain, company: Company, issuer: str, threshold: int, twice: bool, zero: bool
) -> None:
    offering = company.offering
    token = "0x" + "00" * 20 if zero else offering.token("PREFERRED").address
    consents = [(token, threshold, [selector("setAuthorized(uint256)")])] * (2 if twice else 1)
    args = ("G", offering.votes.address, offering.timelock.address, DAY, DAY, 1, 50, consents)
    error = chain.deploy_revert_of("EquityGovernor", *args, sender=issuer)
    assert error == ("InvalidClassConsent", (token, threshold))
