"""The issuer's overrides (forced transfer, recovery, pause) and governance's settings: lock-ups,
votes and holder counts stay consistent through each."""

from __future__ import annotations

import pytest

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import ZERO, Chain, Offering, events, investor_id


@pytest.fixture
def wallets(actors: Actors, accounts: list[str]) -> dict[str, str]:
    """alice (two wallets: alice, alice_new), bob, carol (unregistered)."""
    named = {
        "alice": accounts[1],
        "alice_new": accounts[2],
        "bob": accounts[3],
        "carol": accounts[4],
        "erin": accounts[5],
    }
    actors.register(named["alice"], "alice")
    actors.register(named["alice_new"], "alice")
    actors.register(named["bob"], "bob")
    actors.register(named["erin"], "erin")
    return named


def lots(offering: Offering, wallet: str, class_id: str = "COMMON") -> list[tuple[int, ...]]:
    return [tuple(lot) for lot in offering.token(class_id).functions.lockupLotsOf(wallet).call()]


def locked_at(offering: Offering, wallet: str, t: int) -> int:
    """Locked shares at a future time, computed from the wallet's live lots."""
    total = 0
    for amount, start, cliff, end in lots(offering, wallet):
        if t >= end:
            continue
        total += amount if t < cliff else amount - amount * (t - start) // (end - start)
    return total


# ---------------------------------------------------------------- forced transfer


def test_forced_transfer_moves_shares_from_a_frozen_wallet(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, bob = wallets["alice"], wallets["bob"]
    token = offering.token("COMMON")
    actors.issue("COMMON", alice, 100)
    actors.freeze(alice)
    chain.send(token.functions.pause(), actors.issuer)
    receipt = chain.send(
        token.functions.forceTransfer(alice, bob, 60, "court order 12/3"), actors.issuer
    )
    assert events(token, "ForcedTransfer", receipt) == [
        {"from": alice, "to": bob, "amount": 60, "reason": "court order 12/3"}
    ]
    assert events(token, "Transfer", receipt) == [{"from": alice, "to": bob, "value": 60}]
    assert (actors.balance("COMMON", alice), actors.balance("COMMON", bob)) == (40, 60)
    assert (actors.votes("COMMON", alice), actors.votes("COMMON", bob)) == (40, 60)
    assert token.functions.holderCount().call() == 2


def test_forced_transfer_carries_locked_shares_with_their_schedule(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, bob = wallets["alice"], wallets["bob"]
    until = chain.now() + 1000
    actors.issue("COMMON", alice, 100)
    actors.issue("COMMON", alice, 50, locked_until=until)
    actors.issue("COMMON", alice, 30, locked_until=until + 500)
    token = offering.token("COMMON")
    # 100 unlocked go first, then 40 from the latest lot (30) and the next (10 of 50)
    chain.send(token.functions.forceTransfer(alice, bob, 140, "order"), actors.issuer)
    assert sorted(lots(offering, bob)) == [
        (10, until, until, until),
        (30, until + 500, until + 500, until + 500),
    ]
    assert lots(offering, alice) == [(40, until, until, until)]
    assert actors.locked("COMMON", alice) + actors.locked("COMMON", bob) == 80
    assert actors.balance("COMMON", bob) == 140


def test_forced_transfer_splits_a_vesting_lot_in_proportion(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, bob = wallets["alice"], wallets["bob"]
    start = chain.now() + 10
    end = start + 1000
    actors.issue_vested("COMMON", alice, 1000, start, start + 100, end)
    before = {t: locked_at(offering, alice, t) for t in (start + 400, start + 700, end - 1)}
    chain.mine_at(start + 300)
    token = offering.token("COMMON")
    chain.send(token.functions.forceTransfer(alice, bob, 500, "order"), actors.issuer)
    now = chain.now()
    released = now - start  # 1 share a second
    # released shares go first, then locked ones
    assert actors.locked("COMMON", bob) == 500 - released
    assert (
        actors.locked("COMMON", alice) + actors.locked("COMMON", bob)
        == 1000 - 1000 * (now - start) // 1000
    )
    for t, locked in before.items():
        split = locked_at(offering, alice, t) + locked_at(offering, bob, t)
        assert locked <= split <= locked + 1, t  # each half rounds on its own


def test_forced_transfer_of_a_whole_vesting_lot_keeps_its_schedule(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, bob = wallets["alice"], wallets["bob"]
    start = chain.now() + 10
    actors.issue_vested("COMMON", alice, 1000, start, start, start + 1000)
    chain.mine_at(start + 250)
    chain.send(
        offering.token("COMMON").functions.forceTransfer(alice, bob, 1000, "order"), actors.issuer
    )
    assert lots(offering, bob) == [(1000, start, start, start + 1000)]
    assert lots(offering, alice) == []


@pytest.mark.parametrize(
    ("case", "code"),
    [("frozen_receiver", 3), ("unregistered_receiver", 4), ("above_balance", 7), ("cap", 9)],
)
def test_forced_transfer_obeys_the_receiver_rules(
    actors: Actors,
    chain: Chain,
    offering: Offering,
    wallets: dict[str, str],
    accounts: list[str],
    case: str,
    code: int,
) -> None:
    alice, bob, carol = wallets["alice"], wallets["bob"], wallets["carol"]
    class_id, receiver, amount = "COMMON", bob, 10
    actors.issue("COMMON", alice, 10)
    if case == "frozen_receiver":
        actors.freeze(bob)
    elif case == "unregistered_receiver":
        receiver = carol
    elif case == "above_balance":
        amount = 11
    elif case == "cap":
        class_id = "FOUNDERS"
        actors.register(accounts[6], "frank")
        for wallet in (alice, bob, wallets["erin"]):
            actors.issue("FOUNDERS", wallet, 10)
        receiver = accounts[6]
        amount = 5
    call = offering.token(class_id).functions.forceTransfer(alice, receiver, amount, "x")
    assert chain.revert_of(call, actors.issuer) == (
        "TransferRestricted",
        (code, alice, receiver, amount),
    )


def test_forced_transfer_to_the_zero_address_is_refused(
    chain: Chain, offering: Offering, actors: Actors, wallets: dict[str, str]
) -> None:
    actors.issue("COMMON", wallets["alice"], 10)
    call = offering.token("COMMON").functions.forceTransfer(wallets["alice"], ZERO, 1, "x")
    assert chain.revert_of(call, actors.issuer)[0] == "TransferRestricted"


# ---------------------------------------------------------------- recovery


def test_recovery_moves_balance_lockups_and_votes(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, new = wallets["alice"], wallets["alice_new"]
    token = offering.token("COMMON")
    until = chain.now() + 1000
    start = chain.now() + 5
    actors.issue("COMMON", alice, 100)
    actors.issue("COMMON", alice, 50, locked_until=until)
    actors.issue_vested("COMMON", alice, 60, start, start, start + 600)
    old_lots = sorted(lots(offering, alice))
    actors.freeze(alice)
    receipt = chain.send(token.functions.recover(alice, new), actors.issuer)
    assert events(token, "WalletRecovered", receipt) == [
        {"lostWallet": alice, "newWallet": new, "amount": 210}
    ]
    assert (actors.balance("COMMON", alice), actors.balance("COMMON", new)) == (0, 210)
    assert sorted(lots(offering, new)) == old_lots
    assert lots(offering, alice) == []
    assert token.functions.delegates(new).call() == new
    assert (actors.votes("COMMON", alice), actors.votes("COMMON", new)) == (0, 210)
    assert token.functions.holderCount().call() == 1


def test_recovery_keeps_the_lost_wallets_delegate(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, new, bob = wallets["alice"], wallets["alice_new"], wallets["bob"]
    token = offering.token("COMMON")
    actors.issue("COMMON", alice, 100)
    chain.send(token.functions.delegate(bob), alice)
    chain.send(token.functions.recover(alice, new), actors.issuer)
    assert token.functions.delegates(new).call() == bob
    assert actors.votes("COMMON", bob) == 100


def test_recovery_keeps_a_delegate_the_new_wallet_chose(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, new, bob = wallets["alice"], wallets["alice_new"], wallets["bob"]
    token = offering.token("COMMON")
    actors.issue("COMMON", alice, 100)
    chain.send(token.functions.delegate(bob), new)
    chain.send(token.functions.recover(alice, new), actors.issuer)
    assert token.functions.delegates(new).call() == bob
    assert actors.votes("COMMON", bob) == 100
    assert actors.votes("COMMON", alice) == 0


def test_recovery_works_after_the_lost_wallet_was_unregistered(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, new = wallets["alice"], wallets["alice_new"]
    actors.issue("COMMON", alice, 100)
    chain.send(offering.registry.functions.removeHolder(alice), actors.issuer)
    chain.send(offering.token("COMMON").functions.recover(alice, new), actors.issuer)
    assert actors.balance("COMMON", new) == 100
    assert offering.token("COMMON").functions.holderCount().call() == 1


def test_recovery_of_an_empty_wallet_only_emits(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    token = offering.token("PREFERRED")
    receipt = chain.send(
        token.functions.recover(wallets["alice"], wallets["alice_new"]), actors.issuer
    )
    assert events(token, "WalletRecovered", receipt)[0]["amount"] == 0


@pytest.mark.parametrize("replacement", ["bob", "carol", "alice"])
def test_recovery_to_another_investors_wallet_is_refused(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str], replacement: str
) -> None:
    alice = wallets["alice"]
    actors.issue("COMMON", alice, 100)
    call = offering.token("COMMON").functions.recover(alice, wallets[replacement])
    assert chain.revert_of(call, actors.issuer) == (
        "InvestorMismatch",
        (alice, wallets[replacement]),
    )


@pytest.mark.parametrize(
    ("case", "code"),
    [("frozen", 3), ("expired", 5), ("blocked_jurisdiction", 6)],
)
def test_recovery_refuses_a_new_wallet_that_may_not_receive(
    actors: Actors,
    chain: Chain,
    offering: Offering,
    wallets: dict[str, str],
    accounts: list[str],
    case: str,
    code: int,
) -> None:
    """The new wallet meets the receiver's rules (codes 3-6; an unregistered wallet is an
    InvestorMismatch). A frozen new wallet is refused: the shares would be stranded there."""
    alice, new = wallets["alice"], accounts[6]
    actors.register(new, "alice", jurisdiction="US" if case == "blocked_jurisdiction" else "DE")
    actors.issue("COMMON", alice, 100)
    if case == "frozen":
        actors.freeze(new)
    elif case == "expired":
        chain.send(
            offering.registry.functions.updateHolder(new, b"DE", chain.now() - 1, True),
            actors.issuer,
        )
    call = offering.token("COMMON").functions.recover(alice, new)
    assert chain.revert_of(call, actors.issuer) == ("TransferRestricted", (code, alice, new, 100))


def test_recovery_into_an_unfrozen_wallet_goes_through_once_the_issuer_unfreezes_it(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, new = wallets["alice"], wallets["alice_new"]
    actors.issue("COMMON", alice, 100)
    actors.freeze(new)
    actors.freeze(new, False)
    chain.send(offering.token("COMMON").functions.recover(alice, new), actors.issuer)
    assert actors.balance("COMMON", new) == 100


def test_recovery_keeps_the_new_wallets_own_votes(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    """A new wallet that holds shares and never chose a delegate keeps voting for itself; the
    recovered shares vote with it (the lost wallet's delegate loses them)."""
    alice, new, bob = wallets["alice"], wallets["alice_new"], wallets["bob"]
    token = offering.token("COMMON")
    actors.issue("COMMON", alice, 100)
    actors.issue("COMMON", new, 30)
    chain.send(token.functions.delegate(bob), alice)
    receipt = chain.send(token.functions.recover(alice, new), actors.issuer)
    assert token.functions.delegates(new).call() == new
    assert events(token, "DelegateChanged", receipt) == []
    assert (actors.votes("COMMON", new), actors.votes("COMMON", bob)) == (130, 0)


def test_recovery_into_an_empty_wallet_keeps_the_lost_wallets_delegate_and_announces_it(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, new, bob = wallets["alice"], wallets["alice_new"], wallets["bob"]
    token = offering.token("COMMON")
    actors.issue("COMMON", alice, 100)
    chain.send(token.functions.delegate(bob), alice)
    receipt = chain.send(token.functions.recover(alice, new), actors.issuer)
    assert events(token, "DelegateChanged", receipt) == [
        {"delegator": new, "fromDelegate": new, "toDelegate": bob}
    ]
    assert (actors.votes("COMMON", new), actors.votes("COMMON", bob)) == (0, 100)


def test_recovery_merges_into_the_new_wallets_own_lots(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str]
) -> None:
    alice, new = wallets["alice"], wallets["alice_new"]
    until = chain.now() + 1000
    actors.issue("COMMON", alice, 10, locked_until=until)
    actors.issue("COMMON", new, 5, locked_until=until)
    chain.send(offering.token("COMMON").functions.recover(alice, new), actors.issuer)
    assert lots(offering, new) == [(15, until, until, until)]


# ---------------------------------------------------------------- pause


def test_pause_and_unpause_emit_and_toggle(chain: Chain, offering: Offering, issuer: str) -> None:
    token = offering.token("COMMON")
    receipt = chain.send(token.functions.pause(), issuer)
    assert events(token, "Paused", receipt) == [{"account": issuer}]
    assert token.functions.paused().call()
    assert chain.revert_of(token.functions.pause(), issuer)[0] == "EnforcedPause"
    receipt = chain.send(token.functions.unpause(), issuer)
    assert events(token, "Unpaused", receipt) == [{"account": issuer}]


# ---------------------------------------------------------------- governance's settings


def test_set_authorized_cannot_go_below_supply(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str], timelock: str
) -> None:
    token = offering.token("COMMON")
    actors.issue("COMMON", wallets["alice"], 100)
    assert chain.revert_of(token.functions.setAuthorized(99), timelock) == (
        "AuthorizedBelowSupply",
        (99, 100),
    )
    receipt = chain.send(token.functions.setAuthorized(100), timelock)
    assert events(token, "AuthorizedChanged", receipt) == [{"previous": 1_000_000, "current": 100}]
    assert token.functions.authorized().call() == 100


def test_set_max_holders_cannot_go_below_the_holder_count(
    actors: Actors, chain: Chain, offering: Offering, wallets: dict[str, str], timelock: str
) -> None:
    token = offering.token("FOUNDERS")
    actors.issue("FOUNDERS", wallets["alice"], 1)
    actors.issue("FOUNDERS", wallets["bob"], 1)
    assert chain.revert_of(token.functions.setMaxHolders(1), timelock) == (
        "MaxHoldersBelowHolderCount",
        (1, 2),
    )
    receipt = chain.send(token.functions.setMaxHolders(0), timelock)
    assert events(token, "MaxHoldersChanged", receipt) == [{"previous": 3, "current": 0}]
    chain.send(token.functions.setMaxHolders(2), timelock)
    assert token.functions.maxHolders().call() == 2


def _same_filter_bit(code: str) -> str:
    """Another jurisdiction whose code falls on the same bit of the token's 181-bit filter."""
    target = int.from_bytes(code.encode(), "big") % 181
    for a in range(65, 91):
        for b in range(65, 91):
            other = bytes([a, b])
            if other != code.encode() and int.from_bytes(other, "big") % 181 == target:
                return other.decode()
    raise AssertionError("no collision")


def test_jurisdictions_block_and_unblock_exactly(
    actors: Actors,
    chain: Chain,
    offering: Offering,
    wallets: dict[str, str],
    accounts: list[str],
    timelock: str,
) -> None:
    token = offering.token("COMMON")
    twin = _same_filter_bit("FR")
    actors.register(accounts[6], "frank", jurisdiction="FR")
    actors.register(accounts[7], "tom", jurisdiction=twin)
    actors.issue("COMMON", wallets["alice"], 10)
    receipt = chain.send(token.functions.setJurisdictionBlocked(b"FR", True), timelock)
    assert events(token, "JurisdictionBlockChanged", receipt) == [
        {"jurisdiction": b"FR", "blocked": True}
    ]
    chain.send(token.functions.setJurisdictionBlocked(twin.encode(), True), timelock)
    assert actors.detect("COMMON", wallets["alice"], accounts[6], 1) == 6
    chain.send(token.functions.setJurisdictionBlocked(b"FR", False), timelock)
    assert actors.detect("COMMON", wallets["alice"], accounts[6], 1) == 0
    assert actors.detect("COMMON", wallets["alice"], accounts[7], 1) == 6  # the twin stays blocked
    blocked = token.functions.isJurisdictionBlocked
    assert (blocked(b"US").call(), blocked(twin.encode()).call(), blocked(b"FR").call()) == (
        True,
        True,
        False,
    )
    # setting the same state again changes nothing and emits nothing
    receipt = chain.send(token.functions.setJurisdictionBlocked(b"US", True), timelock)
    assert events(token, "JurisdictionBlockChanged", receipt) == []
    assert chain.revert_of(token.functions.setJurisdictionBlocked(b"u1", True), timelock) == (
        "InvalidJurisdiction",
        (b"u1",),
    )


def test_investor_ids_are_ascii_padded(offering: Offering) -> None:
    assert investor_id("alice") == b"alice" + b"\x00" * 11
