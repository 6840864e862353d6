"""Class-weighted votes, the governor and the timelock: the whole path from proposal to execution."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import DAY, REGISTRAR_ROLE, ZERO, Chain, Offering, events
from toolkit.chain.accounts import dev_account

AGAINST, FOR, ABSTAIN = 0, 1, 2
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)


@pytest.fixture
def holders(actors: Actors, accounts: list[str]) -> dict[str, str]:
    """alice COMMON 1000 (x1), bob FOUNDERS 100 (x10), carol PREFERRED 5000 (x0), dave COMMON 200."""
    named = {"alice": accounts[1], "bob": accounts[2], "carol": accounts[3], "dave": accounts[4]}
    for name, wallet in named.items():
        actors.register(wallet, name)
    actors.issue("COMMON", named["alice"], 1000)
    actors.issue("FOUNDERS", named["bob"], 100)
    actors.issue("PREFERRED", named["carol"], 5000)
    actors.issue("COMMON", named["dave"], 200)
    actors.chain.advance(1)
    return named


def test_votes_are_the_weighted_sum_over_classes(
    actors: Actors, chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    votes = offering.votes
    t = chain.now() - 1
    assert votes.functions.getVotes(holders["alice"]).call() == 1000
    assert votes.functions.getVotes(holders["bob"]).call() == 1000
    assert votes.functions.getVotes(holders["carol"]).call() == 0
    assert votes.functions.getPastVotes(holders["bob"], t).call() == 1000
    assert votes.functions.getPastTotalSupply(t).call() == 1200 + 1000
    # bob also holds common shares: both classes add up
    actors.transfer("COMMON", holders["alice"], holders["bob"], 7)
    assert votes.functions.getVotes(holders["bob"]).call() == 1007


def test_non_voting_classes_are_skipped_without_a_call(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    call = {
        "to": offering.votes.address,
        "data": offering.votes.encode_abi("getVotes", [holders["carol"]]),
    }
    trace = chain.w3.provider.make_request(
        "debug_traceCall", [call, "latest", {"tracer": "callTracer"}]
    )  # type: ignore[arg-type]
    called = {c["to"].lower() for c in trace["result"].get("calls", [])}
    assert called == {
        offering.token("COMMON").address.lower(),
        offering.token("FOUNDERS").address.lower(),
    }


def test_delegation_is_refused_on_the_votes_source(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    votes = offering.votes
    for call in (
        votes.functions.delegate(holders["bob"]),
        votes.functions.delegates(holders["bob"]),
        votes.functions.delegateBySig(holders["bob"], 0, 0, 27, b"\x00" * 32, b"\x00" * 32),
    ):
        assert chain.revert_of(call, holders["alice"]) == ("DelegationIsPerClass", ())


@pytest.mark.parametrize(
    ("tokens", "weights", "error", "culprit"),
    [
        ([], [], "ClassConfigMismatch", (0, 0)),
        (["COMMON"], [1, 2], "ClassConfigMismatch", (1, 2)),
        (["COMMON", "COMMON"], [1, 1], "InvalidClassToken", "COMMON"),
        ([ZERO], [1], "InvalidClassToken", ZERO),
        (["COMMON"] * 9, [1] * 9, "TooManyClasses", (9, 8)),
    ],
)
def test_votes_source_refuses_a_bad_configuration(
    chain: Chain,
    offering: Offering,
    issuer: str,
    tokens: list[str],
    weights: list[int],
    error: str,
    culprit: Any,
) -> None:
    addresses = [offering.token(t).address if t in offering.classes else t for t in tokens]
    if not isinstance(culprit, tuple):
        culprit = (offering.token(culprit).address if culprit in offering.classes else culprit,)
    assert chain.deploy_revert_of("ClassWeightedVotes", addresses, weights, sender=issuer) == (
        error,
        culprit,
    )


def test_quorum_is_a_percentage_of_the_weighted_supply(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    assert offering.governor.functions.quorum(chain.now() - 1).call() == 2200 * 50 // 100


def propose(
    chain: Chain,
    offering: Offering,
    proposer: str,
    actions: list[tuple[Any, str, list[Any]]],
    text: str,
) -> tuple[int, list[Any]]:
    targets = [contract.address for contract, _, _ in actions]
    calldatas = [contract.encode_abi(fn, args) for contract, fn, args in actions]
    values = [0] * len(actions)
    receipt = chain.send(
        offering.governor.functions.propose(targets, values, calldatas, text), proposer
    )
    proposal_id = events(offering.governor, "ProposalCreated", receipt)[0]["proposalId"]
    return proposal_id, [targets, values, calldatas, keccak(text=text)]


def sign_ballot(
    chain: Chain, offering: Offering, signer_index: int, proposal_id: int, support: int
) -> bytes:
    signer = dev_account(signer_index)
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Ballot": [
                {"name": "proposalId", "type": "uint256"},
                {"name": "support", "type": "uint8"},
                {"name": "voter", "type": "address"},
                {"name": "nonce", "type": "uint256"},
            ],
        },
        "primaryType": "Ballot",
        "domain": {
            "name": offering.governor.functions.name().call(),
            "version": offering.governor.functions.version().call(),
            "chainId": chain.w3.eth.chain_id,
            "verifyingContract": offering.governor.address,
        },
        "message": {
            "proposalId": proposal_id,
            "support": support,
            "voter": signer.address,
            "nonce": offering.governor.functions.nonces(signer.address).call(),
        },
    }
    return bytes(signer.sign_message(encode_typed_data(full_message=typed)).signature)


def test_a_passed_proposal_changes_caps_jurisdictions_and_roles_through_the_timelock(
    chain: Chain, offering: Offering, holders: dict[str, str], accounts: list[str]
) -> None:
    common, registry, governor = offering.token("COMMON"), offering.registry, offering.governor
    actions = [
        (common, "setAuthorized", [2_000_000]),
        (common, "setJurisdictionBlocked", [b"FR", True]),
        (offering.token("FOUNDERS"), "setMaxHolders", [50]),
        (registry, "grantRole", [REGISTRAR_ROLE, accounts[8]]),
    ]
    proposal_id, args = propose(
        chain, offering, holders["alice"], actions, "Raise the cap, block FR, new registrar"
    )
    assert governor.functions.state(proposal_id).call() == PENDING
    chain.advance(DAY + 1)
    assert governor.functions.state(proposal_id).call() == ACTIVE
    chain.send(governor.functions.castVote(proposal_id, FOR), holders["alice"])
    # bob signs off-line; carol relays
    signature = sign_ballot(chain, offering, 2, proposal_id, FOR)
    receipt = chain.send(
        governor.functions.castVoteBySig(proposal_id, FOR, holders["bob"], signature),
        holders["carol"],
    )
    assert events(governor, "VoteCast", receipt)[0]["weight"] == 1000
    assert governor.functions.proposalVotes(proposal_id).call() == [0, 2000, 0]
    chain.advance(7 * DAY)
    assert governor.functions.state(proposal_id).call() == SUCCEEDED
    chain.send(governor.functions.queue(*args), holders["dave"])
    assert governor.functions.state(proposal_id).call() == QUEUED
    assert (
        chain.revert_of(governor.functions.execute(*args), holders["dave"])[0]
        == "TimelockUnexpectedOperationState"
    )
    chain.advance(2 * DAY)
    chain.send(governor.functions.execute(*args), holders["dave"])
    assert governor.functions.state(proposal_id).call() == EXECUTED
    assert common.functions.authorized().call() == 2_000_000
    assert common.functions.isJurisdictionBlocked(b"FR").call()
    assert offering.token("FOUNDERS").functions.maxHolders().call() == 50
    assert registry.functions.hasRole(REGISTRAR_ROLE, accounts[8]).call()


def test_a_vote_below_quorum_is_defeated(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    governor = offering.governor
    proposal_id, _ = propose(
        chain, offering, holders["dave"], [(offering.token("COMMON"), "setAuthorized", [5])], "x"
    )
    chain.advance(DAY + 1)
    chain.send(governor.functions.castVote(proposal_id, FOR), holders["dave"])
    chain.advance(7 * DAY)
    assert governor.functions.state(proposal_id).call() == DEFEATED


def test_a_non_voting_holder_cannot_propose(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    call = offering.governor.functions.propose([offering.token("COMMON").address], [0], [b""], "x")
    assert chain.revert_of(call, holders["carol"]) == (
        "GovernorInsufficientProposerVotes",
        (holders["carol"], 0, 1),
    )


def test_shares_acquired_after_the_snapshot_do_not_vote(
    actors: Actors, chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    governor = offering.governor
    proposal_id, _ = propose(
        chain, offering, holders["alice"], [(offering.token("COMMON"), "setAuthorized", [5])], "y"
    )
    chain.advance(DAY + 1)
    actors.transfer("COMMON", holders["alice"], holders["dave"], 500)
    receipt = chain.send(governor.functions.castVote(proposal_id, AGAINST), holders["dave"])
    assert events(governor, "VoteCast", receipt)[0]["weight"] == 200


def test_a_signed_vote_cannot_be_replayed(
    chain: Chain, offering: Offering, holders: dict[str, str]
) -> None:
    governor = offering.governor
    proposal_id, _ = propose(
        chain, offering, holders["alice"], [(offering.token("COMMON"), "setAuthorized", [5])], "z"
    )
    chain.advance(DAY + 1)
    signature = sign_ballot(chain, offering, 2, proposal_id, AGAINST)
    chain.send(
        governor.functions.castVoteBySig(proposal_id, AGAINST, holders["bob"], signature),
        holders["carol"],
    )
    error = chain.revert_of(
        governor.functions.castVoteBySig(proposal_id, AGAINST, holders["bob"], signature),
        holders["carol"],
    )
    assert error == ("GovernorInvalidSignature", (holders["bob"],))
