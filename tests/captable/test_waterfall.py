"""The exit waterfall (SPEC §14), against examples computed by hand, and its exactness as a
property: what the holders receive adds up to the exit value to the unit."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.captable.cap_table import CapTable, ClassTable, HolderLine
from toolkit.captable.waterfall import ClassClaim, distribute, payout_unit, waterfall
from toolkit.errors import InputError
from toolkit.offering.liquidation import COMMON_TERMS, LiquidationTerms


def _holder(class_id: str, n: int, shares: int) -> HolderLine:
    return HolderLine(class_id, f"INV-{n}", "0x" + f"{n:040x}", shares, 0, 0, 0.0, 0.0, 0.0)


def _table(*classes: tuple[str, list[int]], decimals: int = 0) -> CapTable:
    lines = []
    n = 0
    for class_id, balances in classes:
        holders = []
        for shares in balances:
            n += 1
            holders.append(_holder(class_id, n, shares))
        lines.append(ClassTable(class_id, sum(balances), None, 1, decimals, tuple(holders)))
    return CapTable(31337, 100, 1_800_000_000, tuple(lines), ())


def _preferred(
    price: str,
    *,
    multiple: int = 1,
    participating: bool = False,
    seniority: int = 0,
    converts: bool = True,
    ratio: Fraction = Fraction(1),
) -> LiquidationTerms:
    return LiquidationTerms(
        preference_multiple=Fraction(multiple),
        original_issue_price=Fraction(Decimal(price)),
        participating=participating,
        seniority=seniority,
        converts_to="COMMON" if converts else None,
        conversion_ratio=ratio,
    )


def _by_class(result: object) -> dict[str, tuple[Decimal, bool]]:
    return {c.id: (c.payout, c.converts) for c in result.classes}  # type: ignore[attr-defined]


def test_common_stock_alone_is_paid_pro_rata_to_shares() -> None:
    result = waterfall(_table(("COMMON", [600, 400])), {}, Decimal(1000))
    assert [h.payout for h in result.holders] == [Decimal("600.00"), Decimal("400.00")]


def test_a_preferred_class_below_its_conversion_point_takes_its_preference() -> None:
    # 1M Series A at $1, 1x, non-participating; 9M common; a $5M exit.
    # Converting would pay 10% x 5M = 500,000 < the 1,000,000 preference: it keeps the preference.
    table = _table(("COMMON", [9_000_000]), ("SERIES-A", [1_000_000]))
    result = waterfall(table, {"SERIES-A": _preferred("1")}, Decimal(5_000_000))
    assert _by_class(result) == {
        "COMMON": (Decimal("4000000.00"), False),
        "SERIES-A": (Decimal("1000000.00"), False),
    }


def test_a_preferred_class_better_off_converting_converts() -> None:
    # The same offering sold for $20M: 10% as converted = 2,000,000 > 1,000,000.
    table = _table(("COMMON", [9_000_000]), ("SERIES-A", [1_000_000]))
    result = waterfall(table, {"SERIES-A": _preferred("1")}, Decimal(20_000_000))
    assert _by_class(result) == {
        "COMMON": (Decimal("18000000.00"), False),
        "SERIES-A": (Decimal("2000000.00"), True),
    }


def test_a_participating_preferred_takes_its_preference_and_shares_in_the_rest() -> None:
    # $5M exit: Series A takes 1,000,000, then 10% of the remaining 4,000,000 = 400,000.
    table = _table(("COMMON", [9_000_000]), ("SERIES-A", [1_000_000]))
    terms = {"SERIES-A": _preferred("1", participating=True)}
    result = waterfall(table, terms, Decimal(5_000_000))
    assert _by_class(result) == {
        "COMMON": (Decimal("3600000.00"), False),
        "SERIES-A": (Decimal("1400000.00"), False),
    }


def test_a_senior_class_is_paid_in_full_before_a_junior_one_sees_anything() -> None:
    # B (senior): 1M shares at $2 = 2,000,000; A (junior): 1M at $1 = 1,000,000; $2.5M exit.
    table = _table(("COMMON", [8_000_000]), ("SERIES-A", [1_000_000]), ("SERIES-B", [1_000_000]))
    terms = {"SERIES-A": _preferred("1", seniority=1), "SERIES-B": _preferred("2", seniority=2)}
    result = waterfall(table, terms, Decimal(2_500_000))
    assert _by_class(result) == {
        "COMMON": (Decimal("0.00"), False),
        "SERIES-A": (Decimal("500000.00"), False),
        "SERIES-B": (Decimal("2000000.00"), False),
    }


def test_classes_of_equal_seniority_share_a_shortfall_pro_rata_to_their_preferences() -> None:
    table = _table(("COMMON", [8_000_000]), ("SERIES-A", [1_000_000]), ("SERIES-B", [1_000_000]))
    terms = {"SERIES-A": _preferred("1"), "SERIES-B": _preferred("2")}
    result = waterfall(table, terms, Decimal(1_500_000))
    assert _by_class(result)["SERIES-A"] == (Decimal("500000.00"), False)
    assert _by_class(result)["SERIES-B"] == (Decimal("1000000.00"), False)


def test_a_2x_preference_with_a_conversion_ratio_counts_as_converted_shares() -> None:
    # 1M Series A at $1, 2x = 2,000,000; converts 2:1 into 2M common beside 8M common.
    # $15M exit: converting pays 2/10 x 15M = 3,000,000 > 2,000,000, so it converts.
    table = _table(("COMMON", [8_000_000]), ("SERIES-A", [1_000_000]))
    terms = {"SERIES-A": _preferred("1", multiple=2, ratio=Fraction(2))}
    result = waterfall(table, terms, Decimal(15_000_000))
    assert _by_class(result) == {
        "COMMON": (Decimal("12000000.00"), False),
        "SERIES-A": (Decimal("3000000.00"), True),
    }


def test_one_class_converting_changes_what_the_other_chooses() -> None:
    # A: 1M at $4 (4,000,000), B: 1M at $1 (1,000,000), both 1x convertible, 2M common; $9M.
    # No conversion: prefs 5,000,000, rest 4,000,000 over 2M common -> $2/share.
    # B converting: 4,000,000 + 5,000,000 over 3M as converted -> B gets 1,666,666.67 > 1M.
    # Then A: converting pays 9M x 1/4 = 2,250,000 < 4,000,000: A keeps its preference.
    table = _table(("COMMON", [2_000_000]), ("SERIES-A", [1_000_000]), ("SERIES-B", [1_000_000]))
    terms = {"SERIES-A": _preferred("4"), "SERIES-B": _preferred("1")}
    result = waterfall(table, terms, Decimal(9_000_000))
    assert _by_class(result) == {
        "COMMON": (Decimal("3333333.33"), False),
        "SERIES-A": (Decimal("4000000.00"), False),
        "SERIES-B": (Decimal("1666666.67"), True),
    }


def test_payouts_are_rounded_to_the_cent_and_add_up_to_the_exit_value() -> None:
    result = waterfall(_table(("COMMON", [1, 1, 1])), {}, Decimal(100))
    assert [h.payout for h in result.holders] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_an_exit_value_with_finer_digits_pays_in_those_digits() -> None:
    assert payout_unit(Decimal("1000000.000001")) == Decimal("0.000001")
    assert payout_unit(Decimal("5000000")) == Decimal("0.01")


def test_what_no_class_shares_in_is_reported_as_undistributed() -> None:
    table = _table(("SERIES-A", [1_000]))
    result = waterfall(table, {"SERIES-A": _preferred("1", converts=False)}, Decimal(5_000))
    assert result.classes[0].payout == Decimal("1000.00")
    assert result.undistributed == Decimal("4000.00")


def test_a_negative_exit_value_is_refused() -> None:
    with pytest.raises(InputError, match="0 or more"):
        waterfall(_table(("COMMON", [1])), {}, Decimal(-1))


def test_a_class_with_decimals_is_weighed_in_whole_shares() -> None:
    # 1.5 whole shares of a 6-decimal class beside 1.5 of a 0-decimal class... as whole shares.
    six = ClassTable("FRAC", 1_500_000, None, 1, 6, (_holder("FRAC", 1, 1_500_000),))
    zero = ClassTable("COMMON", 3, None, 1, 0, (_holder("COMMON", 2, 3),))
    table = CapTable(31337, 1, 0, (zero, six), ())
    result = waterfall(table, {}, Decimal(900))
    assert _by_class(result) == {
        "COMMON": (Decimal("600.00"), False),
        "FRAC": (Decimal("300.00"), False),
    }


_terms = st.builds(
    LiquidationTerms,
    preference_multiple=st.sampled_from([Fraction(0), Fraction(1), Fraction(3, 2), Fraction(2)]),
    original_issue_price=st.sampled_from([Fraction(1), Fraction(5, 2), Fraction(7, 3)]),
    participating=st.booleans(),
    seniority=st.integers(0, 2),
    converts_to=st.sampled_from([None, "COMMON"]),
    conversion_ratio=st.sampled_from([Fraction(1), Fraction(2), Fraction(3, 2)]),
)


@settings(max_examples=200, deadline=None)
@given(
    common=st.lists(st.integers(1, 10**7), min_size=0, max_size=4),
    others=st.lists(
        st.tuples(_terms, st.lists(st.integers(1, 10**7), min_size=1, max_size=4)),
        min_size=0,
        max_size=4,
    ),
    exit_cents=st.integers(0, 10**12),
)
def test_holders_receive_the_exit_value_to_the_cent_and_no_class_wants_to_switch(
    common: list[int],
    others: list[tuple[LiquidationTerms, list[int]]],
    exit_cents: int,
) -> None:
    classes = [("COMMON", common)] + [(f"C{i}", b) for i, (_, b) in enumerate(others)]
    terms = {f"C{i}": t for i, (t, _) in enumerate(others)}
    table = _table(*[(cid, b) for cid, b in classes if b])
    exit_value = Decimal(exit_cents).scaleb(-2)
    result = waterfall(table, terms, exit_value)

    holders_total = sum((h.payout for h in result.holders), Decimal(0))
    assert holders_total + result.undistributed == exit_value
    for line in result.classes:
        paid = sum((h.payout for h in result.holders if h.class_id == line.id), Decimal(0))
        assert paid == line.payout >= 0
    # settled: no convertible class gets strictly more by making the other choice
    claims = [
        ClassClaim(c.id, Fraction(c.total_supply), terms.get(c.id, COMMON_TERMS))
        for c in table.classes
    ]
    converting = frozenset(line.id for line in result.classes if line.converts)
    exact, _ = distribute(Fraction(exit_value), claims, converting)
    for claim in claims:
        if claim.terms.has_preference and claim.terms.converts_to:
            switched, _ = distribute(Fraction(exit_value), claims, converting ^ {claim.id})
            assert switched[claim.id] <= exact[claim.id]
