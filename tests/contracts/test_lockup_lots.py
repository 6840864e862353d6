"""Lock-up lots: plain lock-ups and linear vesting with a cliff, bounded storage, redemption order."""

from __future__ import annotations

import pytest

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering, events

MAX_LOTS = 16


def vested_locked(amount: int, start: int, cliff: int, end: int, t: int) -> int:
    """The reference formula: everything locked before the cliff, linear release to the end."""
    if t >= end:
        return 0
    if t < cliff:
        return amount
    return amount - amount * (t - start) // (end - start)


@pytest.fixture
def alice(actors: Actors, accounts: list[str]) -> str:
    actors.register(accounts[1], "alice")
    actors.register(accounts[2], "bob")
    return accounts[1]


@pytest.fixture
def bob(accounts: list[str]) -> str:
    return accounts[2]


def lots(
    offering: Offering, wallet: str, class_id: str = "COMMON"
) -> list[tuple[int, int, int, int]]:
    return [tuple(lot) for lot in offering.token(class_id).functions.lockupLotsOf(wallet).call()]


def test_plain_lockup_releases_everything_at_its_end(
    actors: Actors, chain: Chain, alice: str
) -> None:
    until = chain.now() + 1000
    actors.issue("COMMON", alice, 100, locked_until=until)
    assert actors.locked("COMMON", alice) == 100
    chain.mine_at(until - 1)
    assert actors.locked("COMMON", alice) == 100
    chain.mine_at(until)
    assert actors.locked("COMMON", alice) == 0
    token = actors.offering.token("COMMON")
    assert token.functions.unlockedBalanceOf(alice).call() == 100


@pytest.mark.parametrize("locked_until", [0, 1])
def test_zero_or_past_lockup_issues_unlocked_shares(
    actors: Actors, offering: Offering, alice: str, locked_until: int
) -> None:
    receipt = actors.issue("COMMON", alice, 100, locked_until=locked_until)
    assert actors.locked("COMMON", alice) == 0
    assert lots(offering, alice) == []
    issued = events(offering.token("COMMON"), "SharesIssued", receipt)
    assert issued == [{"to": alice, "amount": 100, "lockedUntil": locked_until}]


def test_vesting_locks_all_before_the_cliff_then_releases_linearly(
    actors: Actors, chain: Chain, offering: Offering, alice: str
) -> None:
    start = chain.now() + 10
    cliff, end = start + 250, start + 1000
    receipt = actors.issue_vested("COMMON", alice, 999, start, cliff, end)
    vested = events(offering.token("COMMON"), "SharesIssuedVested", receipt)
    assert vested[0] == {"to": alice, "amount": 999, "start": start, "cliff": cliff, "end": end}
    assert lots(offering, alice) == [(999, start, cliff, end)]
    for t in (start + 100, cliff - 1, cliff, cliff + 1, start + 777, end - 1, end):
        chain.mine_at(t)
        assert actors.locked("COMMON", alice) == vested_locked(999, start, cliff, end, t), t
    assert lots(offering, alice) == []


def test_vesting_with_a_past_start_is_partly_released_at_once(
    actors: Actors, chain: Chain, alice: str
) -> None:
    now = chain.now()
    start, end = now - 500, now + 500
    chain.next_block_at(now + 1)
    actors.issue_vested("COMMON", alice, 1000, start, start, end)
    assert actors.locked("COMMON", alice) == vested_locked(1000, start, start, end, now + 1)


def test_fully_vested_schedule_issues_unlocked_shares(
    actors: Actors, offering: Offering, alice: str
) -> None:
    actors.issue_vested("COMMON", alice, 1000, 1, 2, 3)
    assert lots(offering, alice) == []
    assert actors.locked("COMMON", alice) == 0


@pytest.mark.parametrize(
    ("start", "cliff", "end"), [(10, 5, 20), (10, 30, 20), (10, 10, 10), (20, 20, 10)]
)
def test_inconsistent_vesting_schedules_are_refused(
    chain: Chain, offering: Offering, issuer: str, alice: str, start: int, cliff: int, end: int
) -> None:
    base = chain.now()
    args = (base + start, base + cliff, base + end)
    call = offering.token("COMMON").functions.issueVested(alice, 10, *args)
    assert chain.revert_of(call, issuer) == ("InvalidVestingSchedule", args)


def test_transfers_move_only_unlocked_shares(
    actors: Actors, chain: Chain, alice: str, bob: str
) -> None:
    actors.issue("COMMON", alice, 100)
    actors.issue("COMMON", alice, 50, locked_until=chain.now() + 1000)
    actors.transfer("COMMON", alice, bob, 100)
    assert actors.transfer_error("COMMON", alice, bob, 1)[1][0] == 8
    assert actors.locked("COMMON", alice) == 50
    assert actors.balance("COMMON", alice) == 50


def test_released_vesting_shares_become_transferable(
    actors: Actors, chain: Chain, alice: str, bob: str
) -> None:
    start = chain.now() + 10
    actors.issue_vested("COMMON", alice, 1000, start, start, start + 1000)
    chain.mine_at(start + 400)
    # at the next block (start + 401) 401 shares are released
    chain.next_block_at(start + 401)
    actors.transfer("COMMON", alice, bob, 401, gas=300_000)
    assert actors.transfer_error("COMMON", alice, bob, 1)[1][0] == 8


def test_plain_lots_with_the_same_release_time_merge(
    actors: Actors, chain: Chain, offering: Offering, alice: str
) -> None:
    until = chain.now() + 1000
    actors.issue("COMMON", alice, 10, locked_until=until)
    actors.issue("COMMON", alice, 20, locked_until=until)
    assert lots(offering, alice) == [(30, until, until, until)]
    actors.issue("COMMON", alice, 5, locked_until=until + 1)
    actors.issue("COMMON", alice, 5, locked_until=until)
    assert sorted(lots(offering, alice)) == [
        (5, until + 1, until + 1, until + 1),
        (35, until, until, until),
    ]


def test_live_lots_are_capped_with_a_clear_error(
    actors: Actors, chain: Chain, offering: Offering, alice: str
) -> None:
    base = chain.now() + 1000
    for i in range(MAX_LOTS):
        actors.issue("COMMON", alice, 1, locked_until=base + i)
    assert len(lots(offering, alice)) == MAX_LOTS
    call = offering.token("COMMON").functions.issue(alice, 1, base + 100)
    assert chain.revert_of(call, actors.issuer) == ("TooManyLockupLots", (alice, MAX_LOTS))
    vesting = offering.token("COMMON").functions.issueVested(alice, 1, base, base, base + 100)
    assert chain.revert_of(vesting, actors.issuer) == ("TooManyLockupLots", (alice, MAX_LOTS))
    # a lot with an existing release time still merges
    actors.issue("COMMON", alice, 1, locked_until=base)


def test_ended_lots_are_pruned_so_new_ones_fit(
    actors: Actors, chain: Chain, offering: Offering, alice: str
) -> None:
    # the lots end 1,000 s apart: the node's clock runs on between transactions (by seconds
    # on a loaded machine), and a lot one second from its end would be pruned too
    gap = 1000
    base = chain.now() + gap
    for i in range(MAX_LOTS):
        actors.issue("COMMON", alice, 1, locked_until=base + gap * i)
    chain.mine_at(base + 2 * gap)  # the first three have ended
    later = base + gap * MAX_LOTS
    for i in range(3):
        actors.issue("COMMON", alice, 1, locked_until=later + i)
    ends = sorted(lot[3] for lot in lots(offering, alice))
    assert ends == [base + gap * i for i in range(3, MAX_LOTS)] + [later, later + 1, later + 2]
    assert actors.locked("COMMON", alice) == MAX_LOTS


def test_lockup_check_gas_stays_bounded_with_the_most_lots(
    actors: Actors, chain: Chain, offering: Offering, alice: str, bob: str
) -> None:
    now = chain.now()
    actors.issue("COMMON", alice, 1000)
    actors.issue("COMMON", bob, 1)  # an existing holder receives
    for i in range(MAX_LOTS):  # half released: the exact locked amount needs every lot
        actors.issue_vested("COMMON", alice, 100, now - 1000, now - 1000, now + 1000 + i)
    token = offering.token("COMMON")
    chain.advance(12)  # a new timestamp: new vote checkpoints, as in a steady-state transfer
    locked = actors.locked("COMMON", alice)
    assert 700 < locked < 900
    unlocked = 2600 - locked
    assert actors.transfer_error("COMMON", alice, bob, unlocked + 50)[1][0] == 8
    receipt = chain.send(token.functions.transfer(bob, unlocked - 50), alice)
    # every lot slot read (16 cold reads) on top of a ~118k transfer: bounded, whatever the history
    assert 150_000 < receipt["gasUsed"] < 180_000


def test_single_plain_lot_needs_no_lot_slot(
    actors: Actors, chain: Chain, offering: Offering, alice: str
) -> None:
    """Kept inline in the wallet's account slot: the 2nd lot moves it out, pruning moves it back."""
    until = chain.now() + 1000
    actors.issue("COMMON", alice, 10, locked_until=until)
    actors.issue("COMMON", alice, 20, locked_until=until + 500)
    assert sorted(lots(offering, alice)) == [
        (10, until, until, until),
        (20, until + 500, until + 500, until + 500),
    ]
    chain.mine_at(until)
    actors.issue("COMMON", alice, 1, locked_until=until + 500)
    assert lots(offering, alice) == [(21, until + 500, until + 500, until + 500)]
    assert actors.locked("COMMON", alice) == 21


def test_redemption_burns_unlocked_shares_first_then_the_latest_lots(
    actors: Actors, chain: Chain, offering: Offering, alice: str
) -> None:
    base = chain.now() + 1000
    actors.issue("COMMON", alice, 100)
    actors.issue("COMMON", alice, 10, locked_until=base)
    actors.issue("COMMON", alice, 20, locked_until=base + 10)
    token = offering.token("COMMON")
    receipt = chain.send(token.functions.redeem(alice, 115), actors.issuer)
    assert events(token, "SharesRedeemed", receipt) == [{"from": alice, "amount": 115}]
    assert actors.balance("COMMON", alice) == 15
    assert sorted(lots(offering, alice)) == [
        (5, base + 10, base + 10, base + 10),
        (10, base, base, base),
    ]
    chain.send(token.functions.redeem(alice, 15), actors.issuer)
    assert lots(offering, alice) == []
    assert token.functions.totalSupply().call() == 0


def test_redemption_above_the_balance_is_refused(
    chain: Chain, offering: Offering, actors: Actors, alice: str
) -> None:
    actors.issue("COMMON", alice, 10)
    call = offering.token("COMMON").functions.redeem(alice, 11)
    assert chain.revert_of(call, actors.issuer) == (
        "TransferRestricted",
        (7, alice, "0x" + "0" * 40, 11),
    )


def test_batch_issuance_gives_each_holder_its_lot(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    wallets = accounts[3:7]
    for i, wallet in enumerate(wallets):
        actors.register(wallet, f"holder{i}")
    until = chain.now() + 1000
    token = offering.token("COMMON")
    receipt = chain.send(
        token.functions.issueBatch(wallets, [1, 2, 3, 4], [until, 0, until, until + 1]),
        actors.issuer,
    )
    assert len(events(token, "SharesIssued", receipt)) == 4
    assert [actors.locked("COMMON", w) for w in wallets] == [1, 0, 3, 4]
    assert token.functions.holderCount().call() == 4


def test_batch_issuance_is_all_or_nothing(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[3], "x")
    token = offering.token("COMMON")
    call = token.functions.issueBatch(
        [accounts[3], accounts[4]], [1, 1], [0, 0]
    )  # accounts[4] unregistered
    assert chain.revert_of(call, actors.issuer)[0] == "TransferRestricted"
    assert chain.revert_of(
        token.functions.issueBatch([accounts[3]], [1, 1], [0]), actors.issuer
    ) == (
        "BatchLengthMismatch",
        (1, 2),
    )


def test_lock_times_beyond_48_bits_are_refused(
    chain: Chain, offering: Offering, actors: Actors, alice: str
) -> None:
    call = offering.token("COMMON").functions.issue(alice, 1, 2**48)
    assert chain.revert_of(call, actors.issuer)[0] == "SafeCastOverflowedUintDowncast"


@pytest.mark.parametrize("kind", ["plain", "vesting"])
def test_a_zero_value_transfer_succeeds_when_every_share_is_locked(
    actors: Actors, chain: Chain, accounts: list[str], alice: str, bob: str, kind: str
) -> None:
    """ERC-20 zero-value transfers succeed whatever the lots (codes 1-6 still apply), and
    detectTransferRestriction says the same as the transfer."""
    now = chain.now()
    if kind == "plain":
        actors.issue("COMMON", alice, 1000, locked_until=now + 10**6)
        actors.issue("COMMON", alice, 500)
    else:  # a third released, the rest locked for the next 1,000 seconds
        actors.issue_vested("COMMON", alice, 1500, now - 500_000, now - 500_000, now + 10**6)
    token = actors.offering.token("COMMON")
    actors.transfer("COMMON", alice, bob, token.functions.unlockedBalanceOf(alice).call())
    assert actors.balance("COMMON", alice) == actors.locked("COMMON", alice) == 1000
    assert actors.detect("COMMON", alice, bob, 0) == 0
    actors.transfer("COMMON", alice, bob, 0)
    assert actors.detect("COMMON", alice, bob, 1) == 8
    assert actors.transfer_error("COMMON", alice, bob, 1)[1][0] == 8
    assert actors.detect("COMMON", alice, accounts[5], 0) == 4  # unregistered receiver
