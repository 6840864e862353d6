"""Signed ballots relayed on a real anvil: counted once, and refused when wrong."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.governance.conftest import DAY, Offering
from toolkit.chain.accounts import dev_account
from toolkit.errors import ChainError, InputError, WrongChainError
from toolkit.governance.ballot import (
    Ballot,
    BallotDomain,
    SignedBallot,
    ballot_from_json,
    domain_name_for,
    sign_ballot,
)

FOR, AGAINST = 1, 0


def open_proposal(offering: Offering, title: str = "Signed") -> int:
    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 2100"], title)
    gov.propose(offering.transactor("alice"), plan)
    offering.advance(DAY + 1)
    return plan.id


def offline_ballot(offering: Offering, pid: int, who: str = "bob", **domain: object) -> SignedBallot:
    """Signed as ``sign-vote --governor --chain-id`` does: no node involved."""
    deployment = offering.deployment
    fields: dict[str, object] = {
        "name": domain_name_for(deployment.company, deployment.governance),
        "chain_id": deployment.chain_id,
        "governor": deployment.governor,
    }
    fields.update(domain)
    voter = dev_account({"alice": 1, "bob": 2, "dave": 4}[who])
    ballot = Ballot(BallotDomain(**fields), pid, FOR, voter.address, 0)  # type: ignore[arg-type]
    return sign_ballot(ballot, voter)


def test_the_offline_domain_matches_the_governors(offering: Offering) -> None:
    deployment = offering.deployment
    assert offering.governance.domain() == BallotDomain(
        domain_name_for(deployment.company, deployment.governance),
        deployment.chain_id,
        deployment.governor,
    )


def test_the_ballot_digest_is_the_governors(offering: Offering) -> None:
    from eth_abi import encode
    from eth_utils import keccak

    pid = open_proposal(offering)
    signed = offline_ballot(offering, pid)
    governor = offering.governance.governor
    typehash = governor.functions.BALLOT_TYPEHASH().call()
    struct = keccak(encode(["bytes32", "uint256", "uint8", "address", "uint256"], [typehash, pid, FOR, signed.ballot.voter, 0]))
    _, name, version, chain_id, contract, _, _ = governor.functions.eip712Domain().call()
    domain_typehash = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    separator = keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"], [domain_typehash, keccak(text=name), keccak(text=version), chain_id, contract]))
    assert signed.ballot.digest() == keccak(b"\x19\x01" + separator + struct)


def test_an_offline_ballot_relayed_by_anyone_counts_for_the_voter(offering: Offering) -> None:
    gov = offering.governance
    pid = open_proposal(offering)
    outcome = gov.relay(offering.transactor("carol"), offline_ballot(offering, pid))
    assert outcome.details["voter"] == offering.address("bob")
    assert outcome.details["weight"] == 1000
    assert outcome.details["relayer"] == offering.address("carol")
    assert gov.status(pid).tally.for_votes == 1000
    assert gov.governor.functions.hasVoted(pid, offering.address("bob")).call()


def test_a_replayed_ballot_is_refused(offering: Offering) -> None:
    gov = offering.governance
    pid = open_proposal(offering)
    signed = offline_ballot(offering, pid)
    gov.relay(offering.transactor("carol"), signed)
    with pytest.raises(ChainError, match="replay") as caught:
        gov.relay(offering.transactor("dave"), signed)
    assert caught.value.exit_code == 3


def test_a_ballot_reused_on_another_proposal_is_refused(offering: Offering) -> None:
    gov = offering.governance
    first = open_proposal(offering, "First")
    signed = offline_ballot(offering, first)
    gov.relay(offering.transactor("carol"), signed)
    second = open_proposal(offering, "Second")
    moved = replace(signed, ballot=replace(signed.ballot, proposal_id=second))
    with pytest.raises(InputError, match="altered after signing"):
        gov.relay(offering.transactor("carol"), moved)


def test_a_tampered_ballot_is_refused_before_sending(offering: Offering) -> None:
    pid = open_proposal(offering)
    data = offline_ballot(offering, pid).to_json()
    data["message"]["support"] = AGAINST
    del data["support"]
    with pytest.raises(InputError, match="altered after signing") as caught:
        offering.governance.relay(offering.transactor("carol"), ballot_from_json(data))
    assert caught.value.exit_code == 2
    assert not offering.governance.governor.functions.hasVoted(pid, offering.address("bob")).call()


def test_a_ballot_for_another_chain_is_refused(offering: Offering) -> None:
    pid = open_proposal(offering)
    with pytest.raises(WrongChainError, match="signed for chain 1,"):
        offering.governance.relay(offering.transactor("carol"), offline_ballot(offering, pid, chain_id=1))


def test_a_ballot_for_another_governor_is_refused(offering: Offering) -> None:
    pid = open_proposal(offering)
    other = offline_ballot(offering, pid, governor=offering.deployment.timelock)
    with pytest.raises(InputError, match="not this offering's governor"):
        offering.governance.relay(offering.transactor("carol"), other)


def test_a_ballot_with_a_future_nonce_is_refused(offering: Offering) -> None:
    pid = open_proposal(offering)
    voter = dev_account(2)
    ballot = replace(offline_ballot(offering, pid).ballot, nonce=3)
    with pytest.raises(ChainError, match="next nonce is 0"):
        offering.governance.relay(offering.transactor("carol"), sign_ballot(ballot, voter))


def test_a_ballot_before_the_voting_delay_is_refused(offering: Offering) -> None:
    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 2100"], "Early ballot")
    gov.propose(offering.transactor("alice"), plan)
    with pytest.raises(ChainError, match="has not started"):
        gov.relay(offering.transactor("carol"), offline_ballot(offering, plan.id))


def test_an_online_ballot_reads_the_voters_nonce(offering: Offering) -> None:
    gov = offering.governance
    first = open_proposal(offering, "One")
    gov.relay(offering.transactor("carol"), offline_ballot(offering, first))
    second = open_proposal(offering, "Two")
    ballot = gov.prepare_ballot(second, FOR, offering.address("bob"))
    assert ballot.nonce == 1
    gov.relay(offering.transactor("dave"), sign_ballot(ballot, dev_account(2)))
    assert gov.status(second).tally.for_votes == 1000
