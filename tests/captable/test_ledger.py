"""The ledger: events folded into balances, registry records and lock horizons."""

from __future__ import annotations

from tests.captable.factories import FAR_FUTURE, NOW, History, wallet
from toolkit.captable.ledger import Ledger

A, B, C = wallet(0xA), wallet(0xB), wallet(0xC)


def test_issuance_mints_into_the_wallet_and_the_total_supply() -> None:
    ledger = History().issue("COMMON", A, 100).ledger()
    assert ledger.classes["COMMON"].shares_of(A) == 100
    assert ledger.classes["COMMON"].total_supply == 100
    assert ledger.classes["PREF"].total_supply == 0


def test_transfer_moves_shares_between_wallets_of_one_class_only() -> None:
    ledger = History().issue("COMMON", A, 100).issue("PREF", A, 7).transfer("COMMON", A, B, 30).ledger()
    assert ledger.classes["COMMON"].holders() == {A: 70, B: 30}
    assert ledger.classes["PREF"].holders() == {A: 7}


def test_burn_reduces_the_holder_and_the_total_supply() -> None:
    ledger = History().issue("COMMON", A, 100).burn("COMMON", A, 40).ledger()
    assert ledger.classes["COMMON"].shares_of(A) == 60
    assert ledger.classes["COMMON"].total_supply == 60


def test_a_wallet_emptied_without_locks_is_forgotten_so_memory_follows_holders() -> None:
    ledger = History().issue("COMMON", A, 100).transfer("COMMON", A, B, 100).ledger()
    assert A not in ledger.classes["COMMON"].positions


def test_lock_horizon_is_the_latest_lockup_or_vesting_end_received() -> None:
    ledger = (
        History()
        .issue("COMMON", A, 100, locked_until=NOW + 10)
        .issue_vested("COMMON", A, 50, start=NOW, cliff=NOW + 5, end=NOW + 99)
        .issue("COMMON", A, 1, locked_until=NOW + 20)
        .ledger()
    )
    assert ledger.classes["COMMON"].positions[A].lock_horizon == NOW + 99


def test_forced_transfer_and_recovery_carry_the_lock_horizon_to_the_receiver() -> None:
    ledger = (
        History()
        .issue("COMMON", A, 100, locked_until=NOW + 50)
        .force("COMMON", A, B, 10)
        .recover("COMMON", A, C, 90)
        .ledger()
    )
    positions = ledger.classes["COMMON"].positions
    assert positions[B].lock_horizon == NOW + 50
    assert positions[C].lock_horizon == NOW + 50


def test_only_positions_within_their_lock_horizon_need_a_locked_balance_read() -> None:
    ledger = (
        History()
        .issue("COMMON", A, 100, locked_until=NOW + 50)
        .issue("COMMON", B, 100, locked_until=NOW - 1)
        .issue("COMMON", C, 100)
        .ledger()
    )
    assert ledger.positions_possibly_locked_at(NOW) == [("COMMON", A)]
    assert ledger.positions_possibly_locked_at(NOW + 50) == []


def test_registry_records_map_wallets_to_investors_and_survive_removal_flagged() -> None:
    ledger = History().qualify(A, "INV-1").qualify(B, "INV-2", expires_at=NOW).remove(A, "INV-1").ledger()
    assert ledger.investor_of(A) == "INV-1"
    assert ledger.holders[A].removed
    assert not ledger.holders[A].is_qualified_at(NOW)
    assert ledger.holders[B].is_expired_at(NOW)
    assert not ledger.holders[B].is_expired_at(NOW - 1)


def test_requalifying_a_removed_wallet_restores_it() -> None:
    ledger = History().qualify(A, "INV-1").remove(A, "INV-1").qualify(A, "INV-1").ledger()
    assert ledger.holders[A].is_qualified_at(NOW)
    assert ledger.holders[A].expires_at == FAR_FUTURE


def test_snapshot_round_trips_through_json() -> None:
    history = History().qualify(A, "INV-1").issue("COMMON", A, 10**30, locked_until=NOW + 5)
    ledger = history.ledger()
    ledger.classes["PREF"].authorized = 1000
    restored = Ledger.from_json(ledger.to_json())
    assert restored == ledger
