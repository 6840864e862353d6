"""Entitlements, the pure core: exact integers, rounding down per entitlement, and
sum(net) + sum(withheld) + dust == funded for any holdings, amounts and rates."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from toolkit.dividends.entitlements import ClassRate, Withholding, compute_entitlements

WALLETS = [f"0x{i:040x}" for i in range(1, 30)]
JURISDICTIONS = ["US", "DE", "FR", None]


def jurisdiction_of(wallet: str) -> str | None:
    return JURISDICTIONS[int(wallet, 16) % 4]


def test_net_and_withheld_both_round_down_and_the_rest_is_dust() -> None:
    rates = [ClassRate("C", "0xt", Fraction(7, 3))]  # 2.333... base units per share
    ent = compute_entitlements(
        {"C": {WALLETS[0]: 10, WALLETS[2]: 3}},
        rates,
        Withholding(Fraction(0), {"US": Fraction(3, 10)}),
        lambda w: "US" if w == WALLETS[2] else None,
    )
    first, second = ent.leaves
    assert (first.net, first.withheld) == (23, 0)  # 23.33
    assert (second.net, second.withheld) == (4, 2)  # 7 x 0.7 = 4.9, 7 x 0.3 = 2.1
    assert ent.funded == 31  # ceil(13 x 7/3 = 30.33)
    assert ent.dust == 31 - 29


def test_share_decimals_scale_the_amount_per_whole_share() -> None:
    rates = [ClassRate("P", "0xt", Fraction(1_000_000), share_decimals=2)]  # $1 per share
    ent = compute_entitlements({"P": {WALLETS[0]: 250}}, rates, Withholding(), lambda w: None)
    assert ent.leaves[0].net == 2_500_000  # 2.50 shares


def test_the_default_rate_applies_to_unlisted_and_unknown_jurisdictions() -> None:
    withholding = Withholding(Fraction(15, 100), {"US": Fraction(30, 100)})
    assert withholding.rate_for("US") == Fraction(30, 100)
    assert withholding.rate_for("FR") == Fraction(15, 100)
    assert withholding.rate_for(None) == Fraction(15, 100)


def test_leaves_are_ordered_by_wallet_then_class_and_indexed_densely() -> None:
    rates = [ClassRate("A", "0xa", Fraction(5)), ClassRate("B", "0xb", Fraction(5))]
    holdings = {"A": {WALLETS[3]: 1, WALLETS[1]: 1}, "B": {WALLETS[1]: 1, WALLETS[2]: 1}}
    ent = compute_entitlements(holdings, rates, Withholding(), lambda w: None)
    assert [(e.index, e.wallet, e.class_id) for e in ent.leaves] == [
        (0, WALLETS[1], "A"),
        (1, WALLETS[1], "B"),
        (2, WALLETS[2], "B"),
        (3, WALLETS[3], "A"),
    ]


def test_an_entitlement_of_nothing_gets_no_leaf_and_becomes_dust() -> None:
    rates = [ClassRate("C", "0xt", Fraction(1, 10))]
    ent = compute_entitlements(
        {"C": {WALLETS[0]: 9, WALLETS[1]: 30}}, rates, Withholding(), lambda w: None
    )
    assert [(e.wallet, e.net) for e in ent.leaves] == [(WALLETS[1], 3)]
    assert ent.funded == 4 and ent.dust == 1


def test_classes_without_an_amount_get_nothing() -> None:
    rates = [ClassRate("A", "0xa", Fraction(5))]
    ent = compute_entitlements(
        {"A": {WALLETS[0]: 1}, "B": {WALLETS[0]: 100}}, rates, Withholding(), lambda w: None
    )
    assert [e.class_id for e in ent.leaves] == ["A"]


amounts = st.fractions(min_value=Fraction(0), max_value=Fraction(10**9), max_denominator=10**6)
rates_ = st.fractions(min_value=Fraction(0), max_value=Fraction(1), max_denominator=10**5)
holdings_ = st.dictionaries(st.sampled_from(WALLETS), st.integers(min_value=0, max_value=10**15))


@given(
    holdings=st.tuples(holdings_, holdings_),
    amount_a=amounts,
    amount_b=amounts,
    decimals=st.integers(min_value=0, max_value=18),
    us=rates_,
    default=rates_,
)
def test_every_unit_funded_is_paid_withheld_or_dust(
    holdings: tuple[dict[str, int], dict[str, int]],
    amount_a: Fraction,
    amount_b: Fraction,
    decimals: int,
    us: Fraction,
    default: Fraction,
) -> None:
    rates = [ClassRate("A", "0xa", amount_a), ClassRate("B", "0xb", amount_b, decimals)]
    withholding = Withholding(default, {"US": us})
    ent = compute_entitlements(
        {"A": holdings[0], "B": holdings[1]}, rates, withholding, jurisdiction_of
    )
    assert ent.net + ent.withheld + ent.dust == ent.funded
    assert ent.dust >= 0
    for totals in ent.classes:
        assert totals.dust >= 0
        leaves = [e for e in ent.leaves if e.class_id == totals.class_id]
        assert sum(e.amount for e in leaves) == totals.entitled
        # the dust of a class is under one base unit per holder, plus the ceiling's part
        assert totals.dust < len(holdings[0 if totals.class_id == "A" else 1]) * 2 + 1
    for e in ent.leaves:
        amount = amount_a if e.class_id == "A" else amount_b / 10**decimals
        gross = e.shares * amount
        rate = withholding.rate_for(jurisdiction_of(e.wallet))
        assert e.withheld == int(gross * rate) and e.net == int(gross * (1 - rate))
        assert e.amount > 0
