"""The exit waterfall (SPEC §14): who receives what of an exit value, from the cap table and
each class's liquidation terms. Pure: no chain.

The rules, as venture practice applies them:

1. Preferences first, by seniority (higher first). A class's preference is its multiple x its
   original issue price x its shares outstanding. Classes of equal seniority share what is left
   for them pro rata to their preferences when it does not cover them all.
2. What remains goes to every class that shares in it, pro rata to shares *as converted*:
   classes without a preference (common), classes that chose to convert (shares x
   ``conversion_ratio``), and participating classes on top of their preference.
3. A class with a preference and ``converts_to`` converts when converting pays it more. Each
   class's choice changes what the others get, so the choices are settled by best response:
   starting with no conversion, a class whose switch pays it strictly more switches, until no
   class wants to (the outcome a board would reach by asking each class in turn). Terms with no
   settled outcome are reported, not guessed.

Exactness: every figure is a ``Fraction`` until the end, then rounded down to the payout unit
(a cent, or the exit value's finest digit if finer); the units left over by rounding go one
each to the largest remainders (classes first, then holders within a class, ties by order), so
classes add up to what was distributed and holders to their class, to the unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from toolkit.captable.cap_table import CapTable
from toolkit.errors import InputError
from toolkit.offering.liquidation import COMMON_TERMS, LiquidationTerms

MAX_ROUNDS = 64


@dataclass(frozen=True)
class ClassPayout:
    id: str
    shares: int  # base units, as the cap table counts them
    decimals: int
    preference: Decimal  # what the class claims before common (0 without a preference)
    converts: bool
    payout: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "converts": self.converts,
            "payout": str(self.payout),
            "shares": self.shares,
            "preference": str(self.preference),
        }


@dataclass(frozen=True)
class HolderPayout:
    investor_id: str | None
    wallet: str
    class_id: str
    shares: int
    decimals: int
    payout: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "investor_id": self.investor_id,
            "wallet": self.wallet,
            "class": self.class_id,
            "shares": self.shares,
            "payout": str(self.payout),
        }


@dataclass(frozen=True)
class Waterfall:
    exit_value: Decimal
    unit: Decimal
    classes: tuple[ClassPayout, ...]
    holders: tuple[HolderPayout, ...]
    undistributed: Decimal  # nothing shares in a remainder (no common, nobody converts)
    block: int
    timestamp: int

    def to_json(self) -> dict[str, Any]:
        return {
            "exit_value": str(self.exit_value),
            "classes": [c.to_json() for c in self.classes],
            "holders": [h.to_json() for h in self.holders],
            "undistributed": str(self.undistributed),
            "block": self.block,
            "timestamp": self.timestamp,
        }


@dataclass(frozen=True)
class ClassClaim:
    id: str
    shares: Fraction  # whole shares
    terms: LiquidationTerms

    @property
    def preference(self) -> Fraction:
        return self.terms.preference_per_share() * self.shares

    @property
    def as_converted(self) -> Fraction:
        ratio = self.terms.conversion_ratio if self.terms.converts_to else Fraction(1)
        return self.shares * ratio


def payout_unit(exit_value: Decimal) -> Decimal:
    """A cent, or the exit value's finest digit when it is finer (``0.000001`` for USDC)."""
    exponent = exit_value.normalize().as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return Decimal(1).scaleb(-places)


def class_payouts(
    exit_value: Fraction, classes: Sequence[ClassClaim]
) -> tuple[dict[str, Fraction], frozenset[str], Fraction]:
    """Exact payout per class, the classes that convert, and what nothing shares in."""
    converting: frozenset[str] = frozenset()
    seen: set[frozenset[str]] = {converting}
    for _ in range(MAX_ROUNDS):
        payouts, rest = distribute(exit_value, classes, converting)
        switch = _first_better_switch(exit_value, classes, converting, payouts)
        if switch is None:
            return payouts, converting, rest
        converting = converting ^ {switch}
        if converting in seen:
            break
        seen.add(converting)
    raise InputError(
        "the classes' conversion choices do not settle: each switch makes another class switch back",
        hint="check converts_to, conversion_ratio and the preferences in the offering file",
    )


def _first_better_switch(
    exit_value: Fraction,
    classes: Sequence[ClassClaim],
    converting: frozenset[str],
    payouts: Mapping[str, Fraction],
) -> str | None:
    for share_class in classes:
        if not (share_class.terms.has_preference and share_class.terms.converts_to):
            continue
        switched = converting ^ {share_class.id}
        if distribute(exit_value, classes, switched)[0][share_class.id] > payouts[share_class.id]:
            return share_class.id
    return None


def distribute(
    exit_value: Fraction, classes: Sequence[ClassClaim], converting: frozenset[str]
) -> tuple[dict[str, Fraction], Fraction]:
    payouts = {c.id: Fraction(0) for c in classes}
    left = exit_value
    preferred = [c for c in classes if c.terms.has_preference and c.id not in converting]
    for seniority in sorted({c.terms.seniority for c in preferred}, reverse=True):
        tier = [c for c in preferred if c.terms.seniority == seniority]
        claimed = sum((c.preference for c in tier), Fraction(0))
        paid = min(left, claimed)
        for share_class in tier:
            if claimed:
                payouts[share_class.id] += paid * share_class.preference / claimed
        left -= paid
    sharing = [
        c
        for c in classes
        if not c.terms.has_preference or c.id in converting or c.terms.participating
    ]
    weight = sum((c.as_converted for c in sharing), Fraction(0))
    if not weight or not left:
        return payouts, left
    for share_class in sharing:
        payouts[share_class.id] += left * share_class.as_converted / weight
    return payouts, Fraction(0)


def waterfall(
    table: CapTable, terms: Mapping[str, LiquidationTerms], exit_value: Decimal
) -> Waterfall:
    """Each class's and each holder's share of ``exit_value`` at the cap table's block."""
    if exit_value < 0:
        raise InputError(
            f"the exit value must be 0 or more, not {exit_value}", hint="e.g. 50000000"
        )
    classes = [
        ClassClaim(c.id, Fraction(c.total_supply, 10**c.decimals), terms.get(c.id, COMMON_TERMS))
        for c in table.classes
    ]
    exact, converting, rest = class_payouts(Fraction(exit_value), classes)
    unit = payout_unit(exit_value)
    distributed = _units(Fraction(exit_value) - rest, unit)
    class_units = _apportion(distributed, [exact[c.id] / Fraction(unit) for c in classes])
    class_lines: list[ClassPayout] = []
    holder_lines: list[HolderPayout] = []
    for cls, share_class, units in zip(table.classes, classes, class_units, strict=True):
        class_lines.append(
            ClassPayout(
                id=cls.id,
                shares=cls.total_supply,
                decimals=cls.decimals,
                preference=_decimal(_units(share_class.preference, unit), unit),
                converts=cls.id in converting,
                payout=_decimal(units, unit),
            )
        )
        holders = [h for h in cls.holders if h.shares > 0]
        for holder, holder_units in zip(
            holders, _apportion(units, [Fraction(h.shares) for h in holders]), strict=True
        ):
            holder_lines.append(
                HolderPayout(
                    investor_id=holder.investor_id,
                    wallet=holder.wallet,
                    class_id=cls.id,
                    shares=holder.shares,
                    decimals=cls.decimals,
                    payout=_decimal(holder_units, unit),
                )
            )
    return Waterfall(
        exit_value=exit_value,
        unit=unit,
        classes=tuple(class_lines),
        holders=tuple(holder_lines),
        undistributed=_decimal(_units(Fraction(exit_value), unit) - distributed, unit),
        block=table.block,
        timestamp=table.timestamp,
    )


def _units(amount: Fraction, unit: Decimal) -> int:
    """``amount`` in whole payout units, rounded down."""
    return int(amount / Fraction(unit))


def _decimal(units: int, unit: Decimal) -> Decimal:
    return (Decimal(units) * unit).quantize(unit)


def _apportion(total: int, weights: Sequence[Fraction]) -> list[int]:
    """``total`` units split in proportion to ``weights``: each share rounded down, then one
    more unit to each of the largest remainders (ties by order) until the total is met."""
    weight = sum(weights, Fraction(0))
    if not weight:
        return [0] * len(weights)
    exact = [total * w / weight for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares
