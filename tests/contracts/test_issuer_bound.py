"""The issuer's rolling bound and the record date (issue 11, point 1).

Every move by the issuer's hand (issue, issueVested, issueBatch, redeem, forceTransfer, recover)
counts against `issuer_limit_percent` % of the class's outstanding supply within any
`issuer_limit_window`; beyond it only out of an amount governance approved. A MINTER_ROLE holder
issues out of its own allowance, outside the bound. Votes are counted one second before a
proposal's creation, so moves after it change nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import DAY, ISSUER_ROLE, Chain, Offering, events
from tests.contracts.test_governance_contracts import propose

MINTER_ROLE = bytes.fromhex("9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a6")
WINDOW = 365 * DAY
BUCKET = -(-WINDOW // 12)
AGAINST, FOR = 0, 1
ACTIVE, DEFEATED, SUCCEEDED = 1, 3, 4


@pytest.fixture
def launched(actors: Actors, chain: Chain, offering: Offering, accounts: list[str], timelock: str):
    """alice holds 1,000 COMMON, issued out of the launch allowance, which governance then
    withdrew: from here the issuer has only its rolling bound (20 % per 365 days)."""
    for index, name in ((1, "alice"), (2, "bob"), (3, "issuer-own")):
        actors.register(accounts[index], name)
    actors.issue("COMMON", accounts[1], 1000)
    bound, common = offering.issuer_bound, offering.token("COMMON")
    assert bound is not None
    chain.send(bound.functions.setApprovedIssuance(common.address, 0), timelock)
    return {"alice": accounts[1], "bob": accounts[2], "own": accounts[3]}


def bound_of(offering: Offering, class_id: str = "COMMON") -> list[Any]:
    token = offering.token(class_id)
    assert offering.issuer_bound is not None
    supply = token.functions.totalSupply().call()
    return list(offering.issuer_bound.functions.issuerBoundOf(token.address, supply).call())


def test_the_issuer_issues_at_most_its_percent_of_the_supply_per_window(
    actors: Actors, chain: Chain, offering: Offering, launched: dict[str, str]
) -> None:
    assert bound_of(offering) == [20, WINDOW, 0, 200, 0]
    actors.issue("COMMON", launched["own"], 150)
    # 20 % of 1,150 is 230, of which 150 are used
    assert bound_of(offering) == [20, WINDOW, 150, 80, 0]
    common = offering.token("COMMON")
    call = common.functions.issue(launched["own"], 81, 0)
    assert chain.revert_of(call, actors.issuer) == (
        "IssuerBoundExceeded",
        (common.address, 81, 80),
    )
    actors.issue("COMMON", launched["own"], 80)
    assert bound_of(offering)[2:4] == [230, 16]  # 20 % of 1,230 is 246


@pytest.mark.parametrize(
    "move", ["redeem", "forceTransfer", "recover", "issueVested", "issueBatch"]
)
def test_every_move_by_the_issuers_hand_counts(
    actors: Actors, chain: Chain, offering: Offering, launched: dict[str, str], move: str
) -> None:
    common, alice, own = offering.token("COMMON"), launched["alice"], launched["own"]
    now = chain.now()
    calls = {
        "redeem": common.functions.redeem(alice, 201),
        "forceTransfer": common.functions.forceTransfer(alice, own, 201, "x"),
        "issueVested": common.functions.issueVested(own, 201, now, now, now + DAY),
        "issueBatch": common.functions.issueBatch([own, own], [101, 100], [0, 0]),
    }
    if move == "recover":
        # the registrar registers a wallet of its own under alice's investor id: a recovery is
        # then a forced transfer by another name, and counts like one
        taker = chain.w3.eth.accounts[5]
        actors.register(taker, "alice")
        call = common.functions.recover(alice, taker)
        assert chain.revert_of(call, actors.issuer) == (
            "IssuerBoundExceeded",
            (common.address, 1000, 200),
        )
        return
    assert chain.revert_of(calls[move], actors.issuer) == (
        "IssuerBoundExceeded",
        (common.address, 201, 200),
    )
    smaller = {
        "redeem": common.functions.redeem(alice, 200),
        "forceTransfer": common.functions.forceTransfer(alice, own, 200, "x"),
        "issueVested": common.functions.issueVested(own, 200, now, now, now + DAY),
        "issueBatch": common.functions.issueBatch([own, own], [100, 100], [0, 0]),
    }
    chain.send(smaller[move], actors.issuer)
    assert bound_of(offering)[2] == 200


def test_the_window_rolls_and_a_bucket_is_never_forgotten_early(
    actors: Actors, chain: Chain, offering: Offering, launched: dict[str, str]
) -> None:
    actors.issue("COMMON", launched["own"], 200)
    assert bound_of(offering)[3] == 40  # 20 % of 1,200 less 200
    chain.advance(WINDOW - 2)
    assert bound_of(offering)[2] == 200  # still inside the window
    chain.advance(WINDOW // 12 + BUCKET + 2)  # a window and at most one bucket later: gone
    assert bound_of(offering)[2:4] == [0, 240]
    actors.issue("COMMON", launched["own"], 240)


def test_an_approved_amount_covers_what_passes_the_bound(
    actors: Actors, chain: Chain, offering: Offering, launched: dict[str, str], timelock: str
) -> None:
    bound, common = offering.issuer_bound, offering.token("COMMON")
    assert bound is not None
    receipt = chain.send(bound.functions.setApprovedIssuance(common.address, 500), timelock)
    assert events(bound, "ApprovedIssuanceChanged", receipt) == [
        {"token": common.address, "previous": 0, "current": 500}
    ]
    actors.issue("COMMON", launched["own"], 650)  # 500 approved first, 150 under the bound
    assert bound_of(offering)[2:] == [150, 180, 0]  # 20 % of 1,650 = 330 less 150
    call = common.functions.issue(launched["own"], 181, 0)
    assert chain.revert_of(call, actors.issuer) == (
        "IssuerBoundExceeded",
        (common.address, 181, 180),
    )


def test_only_governance_changes_the_limit_and_a_new_window_keeps_what_was_counted(
    actors: Actors, chain: Chain, offering: Offering, launched: dict[str, str], timelock: str
) -> None:
    bound, common = offering.issuer_bound, offering.token("COMMON")
    assert bound is not None
    actors.issue("COMMON", launched["own"], 200)
    assert chain.revert_of(bound.functions.setIssuerLimit(common.address, 100, 12), actors.issuer)[
        0
    ] == ("AccessControlUnauthorizedAccount")
    assert chain.revert_of(
        bound.functions.setIssuerLimit(common.address, 101, WINDOW), timelock
    ) == ("InvalidIssuerLimit", (101, WINDOW))
    assert chain.revert_of(bound.functions.setIssuerLimit(common.address, 10, 11), timelock) == (
        "InvalidIssuerLimit",
        (10, 11),
    )
    receipt = chain.send(bound.functions.setIssuerLimit(common.address, 50, 30 * DAY), timelock)
    assert events(bound, "IssuerLimitChanged", receipt) == [
        {"token": common.address, "percent": 50, "window": 30 * DAY}
    ]
    # the 200 already moved still count, now for 30 days: 50 % of 1,200 less 200
    assert bound_of(offering) == [50, 30 * DAY, 200, 400, 0]
    chain.advance(30 * DAY + 3 * DAY)
    assert bound_of(offering)[2:4] == [0, 600]


def test_an_unbound_token_and_a_token_of_another_offering_cannot_spend_the_allowance(
    chain: Chain, offering: Offering, launched: dict[str, str], accounts: list[str]
) -> None:
    bound, common = offering.issuer_bound, offering.token("COMMON")
    assert bound is not None
    # consume counts against the caller's own record only: an outsider calling it spends its own
    chain.send(bound.functions.consume(0, 10**6), accounts[7])
    assert chain.revert_of(bound.functions.consume(1, 10**6), accounts[7]) == (
        "IssuerBoundExceeded",
        (accounts[7], 1, 0),
    )
    assert bound_of(offering) == [20, WINDOW, 0, 200, 0]
    assert common.functions.issuerBound().call() == bound.address


def test_a_minter_issues_out_of_its_allowance_outside_the_bound(
    actors: Actors,
    chain: Chain,
    offering: Offering,
    launched: dict[str, str],
    timelock: str,
    accounts: list[str],
) -> None:
    common, minter = offering.token("COMMON"), accounts[6]
    assert common.functions.MINTER_ROLE().call() == MINTER_ROLE
    assert chain.revert_of(common.functions.issue(launched["bob"], 1, 0), minter)[0] == (
        "AccessControlUnauthorizedAccount"
    )
    chain.send(common.functions.grantRole(MINTER_ROLE, minter), timelock)
    receipt = chain.send(common.functions.setMintAllowance(minter, 5000), timelock)
    assert events(common, "MintAllowanceChanged", receipt) == [
        {"minter": minter, "previous": 0, "current": 5000}
    ]
    chain.send(common.functions.issue(launched["bob"], 3000, 0), minter)
    now = chain.now()
    chain.send(common.functions.issueVested(launched["bob"], 1500, now, now, now + DAY), minter)
    assert common.functions.mintAllowance(minter).call() == 500
    assert chain.revert_of(common.functions.issue(launched["bob"], 501, 0), minter) == (
        "MintAllowanceExceeded",
        (minter, 501, 500),
    )
    # shareholder-approved issuance leaves the issuer's bound alone: 20 % of 5,500, none used
    assert bound_of(offering)[2:4] == [0, 1100]
    # and gives no other issuer power
    for call in (
        common.functions.redeem(launched["bob"], 1),
        common.functions.forceTransfer(launched["bob"], launched["alice"], 1, "x"),
        common.functions.issueBatch([launched["bob"]], [1], [0]),
    ):
        assert chain.revert_of(call, minter) == (
            "AccessControlUnauthorizedAccount",
            (minter, ISSUER_ROLE),
        )


def test_moves_after_a_proposal_is_created_do_not_change_its_outcome(
    actors: Actors, chain: Chain, offering: Offering, launched: dict[str, str], timelock: str
) -> None:
    """The issuer proposes, then before voting opens takes alice's shares (under a generous
    approval) and issues itself a majority: the vote is still counted one second before the
    proposal was created, so alice's 1,000 against defeat the issuer's 0."""
    bound, common, governor = offering.issuer_bound, offering.token("COMMON"), offering.governor
    assert bound is not None
    alice, own = launched["alice"], launched["own"]
    actors.issue("COMMON", own, 1)  # enough to propose
    chain.advance(1)
    proposal_id, _ = propose(
        chain, offering, own, [(common, "setAuthorized", [10**12])], "raise authorized"
    )
    created = chain.now()
    assert governor.functions.proposalRecordDate(proposal_id).call() == created - 1
    chain.send(bound.functions.setApprovedIssuance(common.address, 10**6), timelock)
    chain.send(common.functions.forceTransfer(alice, own, 1000, "taken"), actors.issuer)
    actors.issue("COMMON", own, 100_000)
    actors.freeze(alice)  # freezing never takes votes away
    chain.advance(DAY + 1)
    assert governor.functions.state(proposal_id).call() == ACTIVE
    chain.send(governor.functions.castVote(proposal_id, FOR), own)
    receipt = chain.send(governor.functions.castVote(proposal_id, AGAINST), alice)
    assert events(governor, "VoteCast", receipt)[0]["weight"] == 1000
    assert governor.functions.proposalVotes(proposal_id).call() == [1000, 1, 0]
    chain.advance(7 * DAY)
    assert governor.functions.state(proposal_id).call() == DEFEATED
    # the quorum is taken at the record date too: 50 % of 1,001, not of 101,001
    assert governor.functions.quorum(created - 1).call() == 500
