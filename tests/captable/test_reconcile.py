"""Reconciliation, one discrepancy kind at a time (SPEC §9)."""

from __future__ import annotations

from tests.captable.factories import NOW, History, wallet
from toolkit.captable.reconcile import find_discrepancies, register_rows_from_ledger
from toolkit.captable.register import RegisterRow

A, B, C = wallet(0xA), wallet(0xB), wallet(0xC)


def row(investor: str, who: str, class_id: str, shares: int, locked: int | None = None) -> RegisterRow:
    return RegisterRow(investor, who, class_id, shares, locked, "line 2")


def kinds(found: list) -> list[tuple[str, str, str | None]]:  # type: ignore[type-arg]
    return [(d.kind, d.class_id, d.wallet) for d in found]


def two_holders() -> History:
    return (
        History()
        .qualify(A, "INV-A")
        .qualify(B, "INV-B")
        .issue("COMMON", A, 600)
        .issue("COMMON", B, 400, locked_until=NOW + 100)
    )


def test_a_register_that_matches_the_chain_is_clean() -> None:
    ledger = two_holders().ledger()
    rows = [row("INV-A", A, "COMMON", 600, 0), row("INV-B", B, "COMMON", 400, 400)]
    assert find_discrepancies(rows, ledger, timestamp=NOW, locked={("COMMON", B): 400}) == []


def test_register_shares_for_a_wallet_with_none_on_chain_is_missing_onchain_plus_total() -> None:
    ledger = two_holders().ledger()
    rows = [row("INV-A", A, "COMMON", 600), row("INV-B", B, "COMMON", 400), row("INV-C", C, "COMMON", 5)]
    found = find_discrepancies(rows, ledger, timestamp=NOW)
    assert kinds(found) == [("missing_onchain", "COMMON", C), ("total_mismatch", "COMMON", None)]
    assert (found[0].register, found[0].onchain) == (5, 0)
    assert (found[1].register, found[1].onchain) == (1005, 1000)


def test_chain_shares_without_a_row_are_missing_in_register_with_the_registry_investor() -> None:
    ledger = two_holders().ledger()
    found = find_discrepancies([row("INV-A", A, "COMMON", 600)], ledger, timestamp=NOW)
    assert kinds(found) == [("missing_in_register", "COMMON", B), ("total_mismatch", "COMMON", None)]
    assert found[0].investor_id == "INV-B"
    assert (found[0].register, found[0].onchain) == (None, 400)


def test_differing_counts_are_a_balance_mismatch() -> None:
    ledger = two_holders().ledger()
    rows = [row("INV-A", A, "COMMON", 601), row("INV-B", B, "COMMON", 400)]
    found = find_discrepancies(rows, ledger, timestamp=NOW)
    assert kinds(found) == [("balance_mismatch", "COMMON", A), ("total_mismatch", "COMMON", None)]


def test_a_zero_row_against_chain_shares_is_a_balance_mismatch_not_missing_in_register() -> None:
    ledger = two_holders().ledger()
    rows = [row("INV-A", A, "COMMON", 600), row("INV-B", B, "COMMON", 0)]
    assert kinds(find_discrepancies(rows, ledger, timestamp=NOW))[0] == ("balance_mismatch", "COMMON", B)


def test_locked_shares_are_compared_only_where_the_register_gives_them() -> None:
    ledger = two_holders().ledger()
    locked = {("COMMON", B): 400}
    silent = [row("INV-A", A, "COMMON", 600), row("INV-B", B, "COMMON", 400)]
    assert find_discrepancies(silent, ledger, timestamp=NOW, locked=locked) == []
    wrong = [row("INV-A", A, "COMMON", 600), row("INV-B", B, "COMMON", 400, 100)]
    found = find_discrepancies(wrong, ledger, timestamp=NOW, locked=locked)
    assert kinds(found) == [("locked_mismatch", "COMMON", B)]
    assert (found[0].register, found[0].onchain) == (100, 400)


def test_a_row_naming_another_investor_than_the_registry_is_a_wallet_mismatch() -> None:
    ledger = two_holders().ledger()
    rows = [row("INV-A", A, "COMMON", 600), row("INV-X", B, "COMMON", 400)]
    found = find_discrepancies(rows, ledger, timestamp=NOW)
    assert kinds(found) == [("wallet_mismatch", "COMMON", B)]
    assert (found[0].register, found[0].onchain) == ("INV-X", "INV-B")


def test_a_removed_or_expired_holder_with_shares_is_reported_even_when_the_register_agrees() -> None:
    ledger = two_holders().remove(A, "INV-A").qualify(B, "INV-B", expires_at=NOW - 1).ledger()
    rows = [row("INV-A", A, "COMMON", 600), row("INV-B", B, "COMMON", 400)]
    found = find_discrepancies(rows, ledger, timestamp=NOW)
    assert kinds(found) == [("unqualified_holder", "COMMON", A), ("unqualified_holder", "COMMON", B)]
    assert found[0].detail == "removed from the holder registry"
    assert found[1].detail is not None and found[1].detail.startswith("qualification expired")


def test_a_holder_in_a_jurisdiction_the_class_blocks_is_unqualified_in_that_class_only() -> None:
    """Issue 10.2: a holder whose wallet's jurisdiction the class blocks (blocked after the
    shares arrived, or the holder moved there) is reported, even when the register agrees."""
    ledger = (
        History()
        .qualify(A, "INV-A", jurisdiction="US")
        .qualify(B, "INV-B", jurisdiction="FR")
        .issue("COMMON", A, 600)
        .issue("PREF", A, 10)
        .issue("COMMON", B, 400)
        .block_jurisdiction("COMMON", "US")
        .block_jurisdiction("COMMON", "FR")
        .block_jurisdiction("COMMON", "FR", blocked=False)
        .ledger()
    )
    rows = [row("INV-A", A, "COMMON", 600), row("INV-A", A, "PREF", 10), row("INV-B", B, "COMMON", 400)]
    found = find_discrepancies(rows, ledger, timestamp=NOW)
    assert kinds(found) == [("unqualified_holder", "COMMON", A)]
    assert found[0].detail == "jurisdiction US is blocked for this class"


def test_a_holder_expiring_after_the_block_is_still_qualified() -> None:
    ledger = two_holders().qualify(B, "INV-B", expires_at=NOW + 1).ledger()
    rows = [row("INV-A", A, "COMMON", 600), row("INV-B", B, "COMMON", 400)]
    assert find_discrepancies(rows, ledger, timestamp=NOW) == []


def test_each_row_of_an_unknown_class_is_reported_once_and_takes_part_in_nothing_else() -> None:
    ledger = two_holders().ledger()
    rows = [
        row("INV-A", A, "COMMON", 600),
        row("INV-B", B, "COMMON", 400),
        row("INV-A", A, "SERIES-Z", 1),
        row("INV-B", B, "SERIES-Z", 2),
    ]
    found = find_discrepancies(rows, ledger, timestamp=NOW)
    assert kinds(found) == [("unknown_class", "SERIES-Z", A), ("unknown_class", "SERIES-Z", B)]


def test_total_mismatch_is_per_class_with_no_wallet() -> None:
    ledger = two_holders().issue("PREF", C, 9).ledger()
    rows = [row("INV-A", A, "COMMON", 600), row("INV-B", B, "COMMON", 400)]
    found = find_discrepancies(rows, ledger, timestamp=NOW)
    assert kinds(found) == [("missing_in_register", "PREF", C), ("total_mismatch", "PREF", None)]
    assert found[1].investor_id is None


def test_discrepancies_are_ordered_by_kind_then_class_then_wallet() -> None:
    ledger = two_holders().ledger()
    rows = [row("INV-X", A, "COMMON", 1), row("INV-C", C, "COMMON", 3), row("Q", A, "NOPE", 1)]
    found = find_discrepancies(rows, ledger, timestamp=NOW)
    assert [d.kind for d in found] == [
        "unknown_class",
        "missing_onchain",
        "missing_in_register",
        "balance_mismatch",
        "wallet_mismatch",
        "total_mismatch",
    ]


def test_the_register_implied_by_the_ledger_reconciles_clean() -> None:
    ledger = two_holders().ledger()
    locked = {("COMMON", B): 400}
    rows = register_rows_from_ledger(ledger, locked=locked)
    assert find_discrepancies(rows, ledger, timestamp=NOW, locked=locked) == []


def test_wallets_are_shown_through_the_display_function() -> None:
    ledger = two_holders().ledger()
    found = find_discrepancies([], ledger, timestamp=NOW, display_wallet=str.upper)
    assert {d.wallet for d in found} == {A.upper(), B.upper(), None}
