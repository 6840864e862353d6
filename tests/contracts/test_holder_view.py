"""HolderView (SPEC §12, issue 13 point 3): what a holder may transfer now and the next unlock,
for plain lock-ups, vesting lots, several lots and none, as time advances; and the toolkit's
Python rule (used for records without a view) answering exactly as the contract does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.contract import Contract

from tests.conftest import load_artifact
from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering
from toolkit.offering.lockups import Lot, NextUnlock, Sellable, sellable_at

DAY = 86_400


@pytest.fixture(scope="module")
def view_artifact() -> dict[str, Any]:
    return load_artifact("HolderView")


@pytest.fixture
def view(chain: Chain, issuer: str, view_artifact: dict[str, Any]) -> Contract:
    """Deployed inside the test's snapshot (one transaction: the contract holds no state)."""
    return chain.deploy(
        "HolderView", sender=issuer, abi=view_artifact["abi"], bytecode=view_artifact["bytecode"]
    )


@pytest.fixture
def alice(actors: Actors, accounts: list[str]) -> str:
    actors.register(accounts[1], "alice")
    return accounts[1]


def position(view: Contract, offering: Offering, wallet: str) -> Sellable:
    balance, locked, transferable, at, shares = view.functions.sellableOf(
        offering.token("COMMON").address, wallet
    ).call()
    return Sellable(balance, locked, transferable, NextUnlock(at, shares) if at else None)


def midnight_after(t: int) -> int:
    return -(-t // DAY) * DAY


def test_nothing_locked_has_everything_transferable_and_no_next_unlock(
    view: Contract, offering: Offering, actors: Actors, alice: str
) -> None:
    actors.issue("COMMON", alice, 5_000)
    assert position(view, offering, alice) == Sellable(5_000, 0, 5_000, None)


def test_a_wallet_without_shares_has_nothing_to_sell(
    view: Contract, offering: Offering, alice: str
) -> None:
    assert position(view, offering, alice) == Sellable(0, 0, 0, None)


def test_a_plain_lockup_unlocks_everything_at_its_end(
    view: Contract, offering: Offering, actors: Actors, chain: Chain, alice: str
) -> None:
    until = chain.now() + 30 * DAY + 123
    actors.issue("COMMON", alice, 1_000)
    actors.issue("COMMON", alice, 4_000, locked_until=until)
    assert position(view, offering, alice) == Sellable(
        5_000, 4_000, 1_000, NextUnlock(until, 4_000)
    )
    chain.mine_at(until)
    assert position(view, offering, alice) == Sellable(5_000, 0, 5_000, None)


def test_a_vesting_lot_before_its_cliff_unlocks_what_has_vested_by_the_cliff(
    view: Contract, offering: Offering, actors: Actors, chain: Chain, alice: str
) -> None:
    start = chain.now() + 10
    cliff, end = start + 100 * DAY, start + 400 * DAY
    actors.issue_vested("COMMON", alice, 4_000, start, cliff, end)
    assert position(view, offering, alice) == Sellable(4_000, 4_000, 0, NextUnlock(cliff, 1_000))


def test_a_vesting_lot_past_its_cliff_unlocks_day_by_day_at_utc_midnight(
    view: Contract, offering: Offering, actors: Actors, chain: Chain, alice: str
) -> None:
    start = chain.now() + 10
    end = start + 400 * DAY
    actors.issue_vested("COMMON", alice, 4_000, start, start, end)  # 10 shares a day
    now = start + 200 * DAY + 3_600
    chain.mine_at(now)
    midnight = midnight_after(now)
    locked = 4_000 - 4_000 * (now - start) // (400 * DAY)
    later = 4_000 - 4_000 * (midnight - start) // (400 * DAY)
    assert position(view, offering, alice) == Sellable(
        4_000, locked, 4_000 - locked, NextUnlock(midnight, locked - later)
    )
    assert actors.locked("COMMON", alice) == locked  # the token's own figure


def test_a_slow_vesting_lot_names_the_first_midnight_with_a_whole_share_more(
    view: Contract, offering: Offering, actors: Actors, chain: Chain, alice: str
) -> None:
    start = chain.now() + 10
    end = start + 1_000 * DAY
    actors.issue_vested("COMMON", alice, 100, start, start, end)  # one share every ten days
    chain.mine_at(start + 1)
    first_share = start + 10 * DAY  # 100 * (t - start) / (1,000 days) reaches 1
    assert position(view, offering, alice).next_unlock == NextUnlock(midnight_after(first_share), 1)


def test_with_several_lots_the_earliest_release_counts_with_everything_vested_by_then(
    view: Contract, offering: Offering, actors: Actors, chain: Chain, alice: str
) -> None:
    start = chain.now() + 10
    end = start + 400 * DAY
    plain = midnight_after(start + 50 * DAY) + 7_200  # two hours after a midnight
    actors.issue_vested("COMMON", alice, 4_000, start, start, end)
    actors.issue("COMMON", alice, 600, locked_until=plain)
    actors.issue("COMMON", alice, 900, locked_until=plain + 90 * DAY)
    now = plain - 3_600
    chain.mine_at(now)
    vesting_now = 4_000 - 4_000 * (now - start) // (400 * DAY)
    vesting_then = 4_000 - 4_000 * (plain - start) // (400 * DAY)
    assert position(view, offering, alice) == Sellable(
        5_500,
        vesting_now + 1_500,
        4_000 - vesting_now,
        NextUnlock(plain, 600 + vesting_now - vesting_then),
    )
    chain.mine_at(plain + 1)  # the plain lot released: the vesting lot's next midnight is next
    assert position(view, offering, alice).next_unlock.at == midnight_after(plain + 1)  # type: ignore[union-attr]
    assert position(view, offering, alice).transferable == 5_500 - int(
        offering.token("COMMON").functions.lockedBalanceOf(alice).call()
    )


lot_times = st.integers(min_value=0, max_value=3_000 * DAY)


@st.composite
def lots(draw: st.DrawFn) -> Lot:
    amount = draw(st.integers(min_value=1, max_value=2**112 - 1) | st.integers(1, 10_000))
    if draw(st.booleans()):
        end = draw(lot_times)
        return Lot("C", "w", amount, end, end, end)
    start, end = sorted(draw(st.lists(lot_times, min_size=2, max_size=2, unique=True)))
    cliff = draw(st.integers(min_value=start, max_value=end))
    return Lot("C", "w", amount, start, cliff, end)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    drawn=st.lists(lots(), max_size=6),
    balance_extra=st.integers(min_value=0, max_value=10**6),
    t=lot_times,
)
def test_the_toolkits_rule_answers_as_the_contract_does(
    view: Contract, drawn: list[Lot], balance_extra: int, t: int
) -> None:
    """`sellable_at` (what the toolkit computes for a record without a view) against the
    contract's `sellableAt` over random lots, balances and times (no transaction)."""
    balance = sum(lot.amount for lot in drawn) + balance_extra
    encoded = [(lot.amount, lot.start, lot.cliff, lot.end) for lot in drawn]
    got = view.functions.sellableAt(encoded, balance, t).call()
    model = sellable_at(drawn, balance, t)
    unlock = model.next_unlock
    assert tuple(got) == (
        model.balance,
        model.locked,
        model.transferable,
        unlock.at if unlock else 0,
        unlock.shares if unlock else 0,
    )
    if unlock is not None:
        assert unlock.at > t and unlock.shares > 0
