"""Entitlements of a distribution: who gets what, in exact integers (the pure core).

Per (wallet, class) that held shares at the record date, with ``A`` the class's amount per whole
share in base units of the payment token (any non-negative rational: a decimal string may go
below one base unit) and ``r`` the withholding rate of the wallet's jurisdiction at the record
date (the ``default`` rate when it has none or no rate is given for it):

    gross    = shares x A / 10^class_decimals           (exact, a fraction)
    withheld = floor(gross x r)
    net      = floor(gross x (1 - r))

Both round down, per entitlement. Per class the declarer funds ``ceil(total shares x A /
10^class_decimals)``; the **dust** is what rounding leaves over: ``funded - sum(net) -
sum(withheld)``, so ``sum(net) + sum(withheld) + dust == funded`` exactly. An entitlement of
nothing (net and withheld both 0) gets no leaf; its fraction is dust too.

Leaves are ordered by wallet (lowercase hex), then by the offering's class order, and indexed
0, 1, ... in that order: a wallet's classes are neighbours, so a pushed batch asks the registry
once per wallet. Integers only: the rates and amounts are turned into numerator/denominator pairs
once, so 10,000 holders cost milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

LEAF_ENCODING = ("uint256", "address", "address", "uint256", "uint256")


@dataclass(frozen=True)
class ClassRate:
    """One class's amount per whole share, in base units of the payment token (exact)."""

    class_id: str
    token: str  # the class token's address (a leaf names it)
    amount_per_share: Fraction  # payment-token base units per whole share
    share_decimals: int = 0


@dataclass(frozen=True)
class Withholding:
    """Withholding rates (fractions of 1) per jurisdiction, and the default for the rest."""

    default: Fraction = Fraction(0)
    rates: Mapping[str, Fraction] = field(default_factory=dict)

    def rate_for(self, jurisdiction: str | None) -> Fraction:
        if jurisdiction is None:
            return self.default
        return self.rates.get(jurisdiction, self.default)


@dataclass(frozen=True)
class Entitlement:
    """One leaf: what ``wallet`` gets for its ``shares`` of ``class_id`` at the record date."""

    index: int
    wallet: str  # checksummed
    class_id: str
    token: str
    shares: int  # base units of the class
    jurisdiction: str | None
    rate: Fraction
    net: int
    withheld: int

    @property
    def amount(self) -> int:
        return self.net + self.withheld

    def leaf(self) -> tuple[int, str, str, int, int]:
        """The leaf's values, in ``LEAF_ENCODING`` order."""
        return (self.index, self.wallet, self.token, self.net, self.withheld)


@dataclass(frozen=True)
class ClassTotals:
    class_id: str
    shares: int  # outstanding at the record date (the sum over holders)
    funded: int
    entitled: int  # sum of net + withheld

    @property
    def dust(self) -> int:
        return self.funded - self.entitled


@dataclass(frozen=True)
class Entitlements:
    """Every leaf and the totals that balance them."""

    leaves: tuple[Entitlement, ...]
    classes: tuple[ClassTotals, ...]

    @property
    def funded(self) -> int:
        return sum(c.funded for c in self.classes)

    @property
    def entitled(self) -> int:
        return sum(c.entitled for c in self.classes)

    @property
    def dust(self) -> int:
        return self.funded - self.entitled

    @property
    def net(self) -> int:
        return sum(e.net for e in self.leaves)

    @property
    def withheld(self) -> int:
        return sum(e.withheld for e in self.leaves)

    def of_wallet(self, wallet: str) -> list[Entitlement]:
        lowered = wallet.lower()
        return [e for e in self.leaves if e.wallet.lower() == lowered]


def compute_entitlements(
    holdings: Mapping[str, Mapping[str, int]],
    classes: Iterable[ClassRate],
    withholding: Withholding,
    jurisdiction_of: Callable[[str], str | None],
    *,
    checksum: Callable[[str], str] = lambda w: w,
) -> Entitlements:
    """The entitlements of ``holdings`` (class id -> wallet -> shares at the record date).

    Classes not in ``classes`` get nothing; a class in ``classes`` that nobody held gets
    nothing and costs nothing.
    """
    rates = list(classes)
    scaled: dict[str, tuple[int, int]] = {}  # class -> (numerator, denominator) per base unit
    totals: dict[str, list[int]] = {}
    for rate in rates:
        per_unit = rate.amount_per_share / (10**rate.share_decimals)
        scaled[rate.class_id] = (per_unit.numerator, per_unit.denominator)
        totals[rate.class_id] = [0, 0]  # shares, entitled
    tax: dict[str | None, tuple[int, int]] = {}

    rows: list[tuple[str, int, ClassRate, int]] = []  # wallet (lower), class order, rate, shares
    for order, rate in enumerate(rates):
        for wallet, shares in holdings.get(rate.class_id, {}).items():
            if shares > 0:
                rows.append((wallet.lower(), order, rate, shares))
    rows.sort(key=lambda row: (row[0], row[1]))

    leaves: list[Entitlement] = []
    for wallet, _, rate, shares in rows:
        numerator, denominator = scaled[rate.class_id]
        jurisdiction = jurisdiction_of(wallet)
        if jurisdiction not in tax:
            r = withholding.rate_for(jurisdiction)
            tax[jurisdiction] = (r.numerator, r.denominator)
        tax_numerator, tax_denominator = tax[jurisdiction]
        gross = shares * numerator
        bottom = denominator * tax_denominator
        withheld = gross * tax_numerator // bottom
        net = gross * (tax_denominator - tax_numerator) // bottom
        totals[rate.class_id][0] += shares
        if net + withheld == 0:
            continue
        totals[rate.class_id][1] += net + withheld
        leaves.append(
            Entitlement(
                index=len(leaves),
                wallet=checksum(wallet),
                class_id=rate.class_id,
                token=rate.token,
                shares=shares,
                jurisdiction=jurisdiction,
                rate=Fraction(tax_numerator, tax_denominator),
                net=net,
                withheld=withheld,
            )
        )
    class_totals = []
    for rate in rates:
        numerator, denominator = scaled[rate.class_id]
        shares, entitled = totals[rate.class_id]
        funded = -(-shares * numerator // denominator)  # ceil
        class_totals.append(ClassTotals(rate.class_id, shares, funded, entitled))
    return Entitlements(tuple(leaves), tuple(class_totals))


def entitlement_tree(entitlements: Entitlements) -> Any:
    """The StandardMerkleTree of the leaves, in index order (``sort_leaves=False``)."""
    from toolkit.dividends.merkle import StandardMerkleTree

    if not entitlements.leaves:
        raise ValueError("no entitlements: nobody held shares of the paying classes")
    return StandardMerkleTree.of(
        [e.leaf() for e in entitlements.leaves], LEAF_ENCODING, sort_leaves=False
    )
