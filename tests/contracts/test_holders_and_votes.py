"""Holder count per investor, the investor cap, self-delegation on first receipt, and delegation."""

from __future__ import annotations

import pytest
from eth_account.messages import encode_typed_data

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import NEVER, ZERO, Chain, Offering, cc, events, investor_id
from toolkit.chain.accounts import dev_account


@pytest.fixture
def wallets(actors: Actors, accounts: list[str]) -> dict[str, str]:
    """alice has two wallets; bob, erin and dave one each."""
    named = {
        "alice": accounts[1],
        "alice2": accounts[2],
        "bob": accounts[3],
        "erin": accounts[4],
        "dave": accounts[5],
    }
    for name, wallet in named.items():
        actors.register(wallet, name.rstrip("2"))
    return named


def holder_count(offering: Offering, class_id: str) -> int:
    return int(offering.token(class_id).functions.holderCount().call())


def test_holders_are_self_delegated_from_their_first_receipt(
    actors: Actors, offering: Offering, wallets: dict[str, str]
) -> None:
    """No delegate step and no storage write: a wallet that never chose a delegate votes for itself."""
    alice = wallets["alice"]
    token = offering.token("COMMON")
    assert token.functions.delegates(alice).call() == alice
    receipt = actors.issue("COMMON", alice, 100)
    assert token.functions.delegates(alice).call() == alice
    assert actors.votes("COMMON", alice) == 100
    assert events(token, "DelegateVotesChanged", receipt) == [
        {"delegate": alice, "previousVotes": 0, "newVotes": 100}
    ]


def test_receiving_by_transfer_self_delegates_too(
    actors: Actors, offering: Offering, wallets: dict[str, str]
) -> None:
    actors.issue("COMMON", wallets["alice"], 100)
    actors.transfer("COMMON", wallets["alice"], wallets["bob"], 40)
    assert offering.token("COMMON").functions.delegates(wallets["bob"]).call() == wallets["bob"]
    assert actors.votes("COMMON", wallets["alice"]) == 60
    assert actors.votes("COMMON", wallets["bob"]) == 40


def test_a_chosen_delegate_is_kept_on_later_receipts(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, bob = wallets["alice"], wallets["bob"]
    token = offering.token("COMMON")
    actors.issue("COMMON", alice, 100)
    actors.issue("COMMON", bob, 10)
    chain.send(token.functions.delegate(bob), alice)
    assert actors.votes("COMMON", bob) == 110
    actors.issue("COMMON", alice, 5)
    assert token.functions.delegates(alice).call() == bob
    assert actors.votes("COMMON", bob) == 115
    chain.send(token.functions.delegate(alice), alice)
    assert actors.votes("COMMON", alice) == 105
    assert actors.votes("COMMON", bob) == 10


def test_delegating_before_any_receipt_is_respected(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, bob = wallets["alice"], wallets["bob"]
    chain.send(offering.token("COMMON").functions.delegate(bob), alice)
    actors.issue("COMMON", alice, 100)
    assert actors.votes("COMMON", bob) == 100
    assert actors.votes("COMMON", alice) == 0


def test_delegating_to_the_zero_address_is_refused(
    chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice = wallets["alice"]
    error = chain.revert_of(offering.token("COMMON").functions.delegate(ZERO), alice)
    assert error == ("InvalidDelegatee", (alice, ZERO))


def test_delegation_by_signature_is_relayed_by_anyone(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    signer = dev_account(1)
    assert signer.address == accounts[1]
    actors.register(accounts[1], "alice")
    actors.register(accounts[3], "bob")
    actors.issue("COMMON", accounts[1], 100)
    token = offering.token("COMMON")
    expiry = chain.now() + 3600
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Delegation": [
                {"name": "delegatee", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "expiry", "type": "uint256"},
            ],
        },
        "primaryType": "Delegation",
        "domain": {
            "name": token.functions.name().call(),
            "version": "1",
            "chainId": chain.w3.eth.chain_id,
            "verifyingContract": token.address,
        },
        "message": {"delegatee": accounts[3], "nonce": 0, "expiry": expiry},
    }
    signed = signer.sign_message(encode_typed_data(full_message=typed))
    r, s = signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
    chain.send(token.functions.delegateBySig(accounts[3], 0, expiry, signed.v, r, s), accounts[9])
    assert token.functions.delegates(accounts[1]).call() == accounts[3]
    assert actors.votes("COMMON", accounts[3]) == 100


def test_wallets_of_one_investor_count_once(
    actors: Actors, offering: Offering, wallets: dict[str, str]
) -> None:
    actors.issue("COMMON", wallets["alice"], 10)
    actors.issue("COMMON", wallets["alice2"], 10)
    assert holder_count(offering, "COMMON") == 1
    actors.issue("COMMON", wallets["bob"], 10)
    assert holder_count(offering, "COMMON") == 2
    # moving everything between alice's wallets keeps her counted
    actors.transfer("COMMON", wallets["alice"], wallets["alice2"], 10)
    assert holder_count(offering, "COMMON") == 2
    actors.transfer("COMMON", wallets["alice2"], wallets["bob"], 20)
    assert holder_count(offering, "COMMON") == 1


def test_holder_count_follows_redemption_to_zero(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    actors.issue("COMMON", wallets["alice"], 10)
    chain.send(offering.token("COMMON").functions.redeem(wallets["alice"], 10), actors.issuer)
    assert holder_count(offering, "COMMON") == 0


def test_cap_counts_investors_not_wallets(
    actors: Actors, offering: Offering, wallets: dict[str, str]
) -> None:
    """FOUNDERS allows three investors."""
    for name in ("alice", "bob", "erin"):
        actors.issue("FOUNDERS", wallets[name], 10)
    assert holder_count(offering, "FOUNDERS") == 3
    # alice's second wallet is not a new investor
    actors.transfer("FOUNDERS", wallets["alice"], wallets["alice2"], 5)
    actors.issue("FOUNDERS", wallets["alice2"], 1)
    assert holder_count(offering, "FOUNDERS") == 3
    # dave would be a fourth
    assert actors.transfer_error("FOUNDERS", wallets["bob"], wallets["dave"], 1)[1][0] == 9


def test_an_investor_leaving_frees_its_place_in_the_same_transfer(
    actors: Actors, offering: Offering, wallets: dict[str, str]
) -> None:
    for name in ("alice", "bob", "erin"):
        actors.issue("FOUNDERS", wallets[name], 10)
    assert actors.detect("FOUNDERS", wallets["bob"], wallets["dave"], 9) == 9
    actors.transfer("FOUNDERS", wallets["bob"], wallets["dave"], 10)
    assert holder_count(offering, "FOUNDERS") == 3
    assert actors.balance("FOUNDERS", wallets["dave"]) == 10


def test_votes_are_checkpointed_by_timestamp(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    token = offering.token("COMMON")
    actors.issue("COMMON", wallets["alice"], 100)
    t1 = chain.now()
    chain.advance(10)
    actors.transfer("COMMON", wallets["alice"], wallets["bob"], 30)
    t2 = chain.now()
    chain.advance(10)
    assert token.functions.getPastVotes(wallets["alice"], t1).call() == 100
    assert token.functions.getPastVotes(wallets["alice"], t2).call() == 70
    assert token.functions.getPastTotalSupply(t2).call() == 100


# ---------------------------------------------------------------- re-keyed wallets (issue 10, point 3)


def test_a_wallet_holding_shares_cannot_be_re_added_under_another_investor(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    """Re-keying a holding wallet would leave it counting for its old investor: four investors
    could then hold FOUNDERS under its cap of three. The registry refuses it instead."""
    for name in ("alice", "bob", "erin"):
        actors.issue("FOUNDERS", wallets[name], 10)
    registry = offering.registry.functions
    erin = wallets["erin"]
    chain.send(registry.removeHolder(erin), actors.issuer)
    call = registry.addHolder(erin, investor_id("dave"), cc("DE"), NEVER, True)
    assert chain.revert_of(call, actors.issuer) == (
        "WalletHoldsShares",
        (erin, offering.token("FOUNDERS").address),
    )
    # under its own investor it comes back, and the count is still exact
    actors.register(erin, "erin")
    actors.issue("FOUNDERS", wallets["alice2"], 1)
    assert holder_count(offering, "FOUNDERS") == 3
    assert actors.detect("FOUNDERS", ZERO, wallets["dave"], 1) == 9


def test_an_emptied_wallet_may_be_re_added_and_counts_for_its_new_investor(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    erin, alice = wallets["erin"], wallets["alice"]
    token = offering.token("FOUNDERS")
    actors.issue("FOUNDERS", erin, 10)
    actors.transfer("FOUNDERS", erin, alice, 10)
    registry = offering.registry.functions
    chain.send(registry.removeHolder(erin), actors.issuer)
    actors.register(erin, "frank")
    actors.issue("FOUNDERS", erin, 5)
    frank = registry.investorIndexOf(investor_id("frank")).call()
    erin_index = registry.investorIndexOf(investor_id("erin")).call()
    assert token.functions.holdingWalletsOf(frank).call() == 1
    assert token.functions.holdingWalletsOf(erin_index).call() == 0
    assert holder_count(offering, "FOUNDERS") == 2  # alice and frank


def test_a_recovery_never_adds_an_investor_past_the_cap(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str], accounts: list[str]
) -> None:
    """The issue's second path: a recovery onto a wallet re-keyed while holding. With re-keys
    refused, the lost wallet and the new one always belong to one counted investor."""
    for name in ("alice", "bob", "erin"):
        actors.issue("FOUNDERS", wallets[name], 10)
    registry = offering.registry.functions
    spare = accounts[6]
    actors.register(spare, "erin")
    actors.issue("FOUNDERS", spare, 1)
    chain.send(registry.removeHolder(spare), actors.issuer)
    refused = registry.addHolder(spare, investor_id("dave"), cc("DE"), NEVER, True)
    assert chain.revert_of(refused, actors.issuer)[0] == "WalletHoldsShares"
    chain.send(offering.token("FOUNDERS").functions.recover(spare, wallets["erin"]), actors.issuer)
    assert holder_count(offering, "FOUNDERS") == 3
    assert actors.balance("FOUNDERS", wallets["erin"]) == 11
