"""Properties: a register written from the ledger reconciles clean, and any single mutation of
it yields exactly the discrepancies that mutation explains, each exactly once."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.captable.factories import NOW, History, wallet
from toolkit.captable.ledger import Ledger
from toolkit.captable.reconcile import Discrepancy, find_discrepancies, register_rows_from_ledger
from toolkit.captable.register import RegisterRow

CLASSES = ("COMMON", "PREF")
FRESH_WALLET = wallet(0xFFFF_FFFF)


@dataclass
class Scenario:
    ledger: Ledger
    locked: dict[tuple[str, str], int]
    investors: dict[str, str]  # wallet -> investor id

    def register(self) -> list[RegisterRow]:
        return register_rows_from_ledger(self.ledger, locked=self.locked)

    def reconcile(self, rows: list[RegisterRow]) -> list[Discrepancy]:
        return find_discrepancies(rows, self.ledger, timestamp=NOW, locked=self.locked)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    investors: dict[str, str] = {}
    serial = 1
    for i in range(draw(st.integers(1, 6))):
        for _ in range(draw(st.integers(1, 3))):
            investors[wallet(serial)] = f"INV-{i}"
            serial += 1
    history = History(CLASSES)
    for who, investor in investors.items():
        history.qualify(who, investor)
    wallets = sorted(investors)
    balances: dict[tuple[str, str], int] = {}
    first = (draw(st.sampled_from(CLASSES)), draw(st.sampled_from(wallets)))
    steps = [("issue", *first, first[1], draw(st.integers(1, 10**6)), draw(st.booleans()))]
    steps += draw(
        st.lists(
            st.tuples(
                st.sampled_from(["issue", "issue", "transfer", "transfer", "burn"]),
                st.sampled_from(CLASSES),
                st.sampled_from(wallets),
                st.sampled_from(wallets),
                st.integers(1, 10**6),
                st.booleans(),
            ),
            max_size=40,
        )
    )
    for op, class_id, one, other, amount, lock in steps:
        held = balances.get((class_id, one), 0)
        if op == "issue":
            history.issue(class_id, one, amount, locked_until=NOW + 1000 if lock else 0)
            balances[(class_id, one)] = held + amount
        elif held:
            moved = min(amount, held)
            if op == "transfer":
                history.transfer(class_id, one, other, moved)
                balances[(class_id, other)] = balances.get((class_id, other), 0) + moved
                balances[(class_id, one)] = balances[(class_id, one)] - moved
            else:
                history.burn(class_id, one, moved)
                balances[(class_id, one)] = held - moved
    if not any(balances.values()):  # every scenario has at least one holder to mutate
        history.issue(*first, 1)
    ledger = history.ledger()
    locked = {
        key: draw(st.integers(0, ledger.classes[key[0]].shares_of(key[1])))
        for key in ledger.positions_possibly_locked_at(NOW)
    }
    return Scenario(ledger, locked, investors)


def keys(found: list[Discrepancy]) -> list[tuple[str, str, str | None]]:
    return sorted((d.kind, d.class_id, d.wallet) for d in found)


def assert_each_once(found: list[Discrepancy]) -> None:
    assert len(keys(found)) == len(set(keys(found)))


@given(scenarios())
def test_a_register_written_from_the_ledger_reconciles_clean(s: Scenario) -> None:
    assert s.reconcile(s.register()) == []


@given(scenarios(), st.data())
def test_a_changed_count_is_a_balance_mismatch_and_a_total_mismatch(s: Scenario, data: st.DataObject) -> None:
    rows = s.register()
    i = data.draw(st.integers(0, len(rows) - 1))
    old = rows[i]
    new = data.draw(st.integers(0, 2 * old.shares + 5).filter(lambda n: n != old.shares))
    rows[i] = replace(old, shares=new)
    found = s.reconcile(rows)
    assert keys(found) == [("balance_mismatch", old.class_id, old.wallet), ("total_mismatch", old.class_id, None)]


@given(scenarios(), st.data())
def test_a_dropped_row_is_missing_in_register_and_a_total_mismatch(s: Scenario, data: st.DataObject) -> None:
    rows = s.register()
    dropped = rows.pop(data.draw(st.integers(0, len(rows) - 1)))
    found = s.reconcile(rows)
    assert keys(found) == [
        ("missing_in_register", dropped.class_id, dropped.wallet),
        ("total_mismatch", dropped.class_id, None),
    ]
    assert found[0].investor_id == s.investors[dropped.wallet]


@given(scenarios(), st.data())
def test_an_added_row_is_missing_onchain_and_a_total_mismatch(s: Scenario, data: st.DataObject) -> None:
    rows = s.register()
    class_id = data.draw(st.sampled_from(CLASSES))
    empty = [w for w in sorted(s.investors) if s.ledger.classes[class_id].shares_of(w) == 0]
    who = data.draw(st.sampled_from([*empty, FRESH_WALLET]))
    investor = s.investors.get(who, "INV-NEW")
    locked = data.draw(st.one_of(st.none(), st.integers(0, 10)))
    rows.append(RegisterRow(investor, who, class_id, data.draw(st.integers(1, 10**6)), locked, "line 99"))
    found = s.reconcile(rows)
    assert keys(found) == [("missing_onchain", class_id, who), ("total_mismatch", class_id, None)]


@given(scenarios(), st.data())
def test_a_moved_wallet_is_missing_in_register_at_the_old_and_missing_onchain_at_the_new(
    s: Scenario, data: st.DataObject
) -> None:
    rows = s.register()
    i = data.draw(st.integers(0, len(rows) - 1))
    old = rows[i]
    same_investor_empty = [
        w
        for w, inv in sorted(s.investors.items())
        if inv == old.investor_id and s.ledger.classes[old.class_id].shares_of(w) == 0
    ]
    new_wallet = data.draw(st.sampled_from([*same_investor_empty, FRESH_WALLET]))
    rows[i] = replace(old, wallet=new_wallet)
    found = s.reconcile(rows)
    assert keys(found) == sorted(
        [("missing_in_register", old.class_id, old.wallet), ("missing_onchain", old.class_id, new_wallet)]
    )


@given(scenarios(), st.data())
def test_a_changed_lock_is_a_locked_mismatch_only(s: Scenario, data: st.DataObject) -> None:
    rows = s.register()
    i = data.draw(st.integers(0, len(rows) - 1))
    old = rows[i]
    assert old.locked_shares is not None
    new = data.draw(st.integers(0, old.shares).filter(lambda n: n != old.locked_shares) if old.shares else st.just(1))
    rows[i] = replace(old, locked_shares=new)
    found = s.reconcile(rows)
    assert keys(found) == [("locked_mismatch", old.class_id, old.wallet)]
    assert (found[0].register, found[0].onchain) == (new, old.locked_shares)


@given(scenarios(), st.data())
def test_a_changed_investor_id_is_a_wallet_mismatch_only(s: Scenario, data: st.DataObject) -> None:
    rows = s.register()
    i = data.draw(st.integers(0, len(rows) - 1))
    old = rows[i]
    rows[i] = replace(old, investor_id="SOMEONE-ELSE")
    assert keys(s.reconcile(rows)) == [("wallet_mismatch", old.class_id, old.wallet)]


@given(scenarios(), st.data())
def test_a_row_moved_to_an_unknown_class_is_unknown_class_plus_what_its_absence_explains(
    s: Scenario, data: st.DataObject
) -> None:
    rows = s.register()
    i = data.draw(st.integers(0, len(rows) - 1))
    old = rows[i]
    rows[i] = replace(old, class_id="SERIES-Z")
    assert keys(s.reconcile(rows)) == sorted(
        [
            ("unknown_class", "SERIES-Z", old.wallet),
            ("missing_in_register", old.class_id, old.wallet),
            ("total_mismatch", old.class_id, None),
        ]
    )


@settings(max_examples=50)
@given(scenarios(), st.data())
def test_removing_holders_flags_exactly_their_positions_as_unqualified(s: Scenario, data: st.DataObject) -> None:
    rows = s.register()
    removed = data.draw(st.sets(st.sampled_from(sorted(s.investors)), min_size=1))
    for who in removed:
        s.ledger.holders[who].removed = True
    found = s.reconcile(rows)
    expected = sorted(
        ("unqualified_holder", row.class_id, row.wallet) for row in rows if row.wallet in removed
    )
    assert keys(found) == expected
    assert_each_once(found)


@given(scenarios(), st.data())
def test_any_combination_of_mutations_reports_each_discrepancy_once(s: Scenario, data: st.DataObject) -> None:
    rows = s.register()
    for _ in range(data.draw(st.integers(1, 5))):
        if not rows:
            break
        i = data.draw(st.integers(0, len(rows) - 1))
        action = data.draw(st.sampled_from(["count", "drop", "lock", "investor"]))
        if action == "drop":
            rows.pop(i)
        elif action == "count":
            rows[i] = replace(rows[i], shares=rows[i].shares + 1)
        elif action == "lock":
            rows[i] = replace(rows[i], locked_shares=(rows[i].locked_shares or 0) + 1)
        else:
            rows[i] = replace(rows[i], investor_id="X")
    assert_each_once(s.reconcile(rows))
