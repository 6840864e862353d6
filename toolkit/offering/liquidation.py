"""A class's economic terms on an exit (SPEC §14): liquidation preference, participation,
seniority and conversion, as the offering file gives them.

```toml
[[classes]]
id = "SERIES-A"
liquidation_preference = 1      # multiple of the original issue price
original_issue_price = "2.50"   # per share, in the payment token
participating = false
seniority = 1                   # higher is paid first; equal seniority shares pro rata
converts_to = "COMMON"
conversion_ratio = 1            # shares of COMMON per share; also "3:2" or "1.5"
```

Amounts and ratios are exact: a TOML number is read as a ``Decimal`` (the offering file is read
with ``parse_float=Decimal``), a string as written. Pure: no chain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from toolkit.inputs import exact_decimal

LIQUIDATION_KEYS = frozenset(
    {
        "liquidation_preference",
        "original_issue_price",
        "participating",
        "seniority",
        "converts_to",
        "conversion_ratio",
    }
)
_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")

Report = Callable[[str, str], None]  # (key, message)


@dataclass(frozen=True)
class LiquidationTerms:
    """What a class receives on an exit. ``preference_multiple`` 0 means no preference (the
    class shares in what is left, as common stock does)."""

    preference_multiple: Fraction = Fraction(0)
    original_issue_price: Fraction | None = None
    participating: bool = False
    seniority: int = 0
    converts_to: str | None = None
    conversion_ratio: Fraction = Fraction(1)

    @property
    def has_preference(self) -> bool:
        return self.preference_multiple > 0

    def preference_per_share(self) -> Fraction:
        """multiple x original issue price: what one share claims before common stock."""
        if not self.has_preference:
            return Fraction(0)
        assert self.original_issue_price is not None  # the parser requires it
        return self.preference_multiple * self.original_issue_price


COMMON_TERMS = LiquidationTerms()  # no preference, no conversion: shares in what is left


def parse_liquidation_terms(entry: dict[str, Any], where: str, report: Report) -> LiquidationTerms:
    """The terms of one ``[[classes]]`` table; every problem goes to ``report`` with its key."""
    multiple = _amount(entry, "liquidation_preference", where, report, allow_zero=True)
    price = _amount(entry, "original_issue_price", where, report, allow_zero=False)
    participating = entry.get("participating", False)
    if not isinstance(participating, bool):
        report(f"{where}.participating", f"must be true or false, not {participating!r}")
        participating = False
    seniority = entry.get("seniority", 0)
    if isinstance(seniority, bool) or not isinstance(seniority, int) or seniority < 0:
        report(f"{where}.seniority", f"must be a whole number 0 or more, not {seniority!r}")
        seniority = 0
    converts_to = entry.get("converts_to")
    if converts_to is not None and (not isinstance(converts_to, str) or not converts_to.strip()):
        report(f"{where}.converts_to", f"must be a class id, not {converts_to!r}")
        converts_to = None
    ratio = _ratio(entry, where, report)
    if "conversion_ratio" in entry and converts_to is None:
        report(f"{where}.conversion_ratio", "is set but converts_to is not: name the target class")
    if multiple and price is None and "original_issue_price" not in entry:
        report(
            f"{where}.original_issue_price",
            "required when liquidation_preference is set: the price paid per share",
        )
    return LiquidationTerms(
        preference_multiple=multiple or Fraction(0),
        original_issue_price=price,
        participating=participating,
        seniority=seniority,
        converts_to=converts_to.strip() if isinstance(converts_to, str) else None,
        conversion_ratio=ratio,
    )


def base_unit_ratio(ratio: Fraction, from_decimals: int, to_decimals: int) -> Fraction:
    """A ratio of whole shares (target per source share) in the tokens' base units: what the
    Converter contract takes as numerator and denominator."""
    return ratio * Fraction(10**to_decimals, 10**from_decimals)


def check_conversion_targets(
    terms: dict[str, LiquidationTerms], where_of: dict[str, str], report: Report
) -> None:
    """Each ``converts_to`` names another class of the file that does not itself convert."""
    for class_id, term in terms.items():
        target = term.converts_to
        if target is None:
            continue
        key = f"{where_of[class_id]}.converts_to"
        if target == class_id:
            report(key, "a class cannot convert into itself")
        elif target not in terms:
            report(key, f"unknown class {target!r} (the file's classes: {', '.join(terms)})")
        elif terms[target].converts_to is not None:
            report(
                key, f"{target} converts into {terms[target].converts_to} itself; name that class"
            )


def _amount(
    entry: dict[str, Any], key: str, where: str, report: Report, *, allow_zero: bool
) -> Fraction | None:
    if key not in entry:
        return None
    value = entry[key]
    path = f"{where}.{key}"
    exact = exact_decimal(value)
    if exact is None:
        report(path, f'must be a number such as 1 or "2.50", not {value!r}')
        return None
    number = Fraction(exact)
    if number < 0 or (number == 0 and not allow_zero):
        report(path, f"must be {'0 or more' if allow_zero else 'more than 0'}, not {value}")
        return None
    return number


def _ratio(entry: dict[str, Any], where: str, report: Report) -> Fraction:
    value = entry.get("conversion_ratio", 1)
    path = f"{where}.conversion_ratio"
    if isinstance(value, str) and (match := _RATIO.match(value)):
        new, old = Fraction(Decimal(match[1])), Fraction(Decimal(match[2]))
        if new > 0 and old > 0:
            return new / old
    else:
        number = exact_decimal(value)
        if number is not None and number > 0:
            return Fraction(number)
    report(path, f'must be a positive number or "NEW:OLD" such as "3:2", not {value!r}')
    return Fraction(1)


# --- consolidations: cash in lieu of fractions (SPEC §14; toolkit.corporate.split) ---------


@dataclass(frozen=True)
class CashInLieuTerms:
    """The offering file's cash in lieu of a class: ``price`` per pre-consolidation whole share,
    in whole units of ``token`` (a checksummed address, or "stablecoin")."""

    price: Decimal
    token: str


def parse_cash_in_lieu(entry: dict[str, Any], where: str, report: Report) -> CashInLieuTerms | None:
    """``cash_in_lieu_price`` and ``cash_in_lieu_token`` of one ``[[classes]]`` table (None
    when no price is set); every problem goes to ``report`` with its key."""
    from toolkit.inputs import InvalidValue, parse_wallet

    token = entry.get("cash_in_lieu_token")
    if "cash_in_lieu_price" not in entry:
        if token is not None:
            report(f"{where}.cash_in_lieu_token", "is set but cash_in_lieu_price is not")
        return None
    value = entry["cash_in_lieu_price"]
    price = exact_decimal(value)
    if price is None or price <= 0:
        report(
            f"{where}.cash_in_lieu_price",
            f'must be a price above 0 such as "2.50" (per share before the consolidation), '
            f"not {value!r}",
        )
    where_token = f"{where}.cash_in_lieu_token"
    if not isinstance(token, str) or not token.strip():
        report(where_token, 'required with cash_in_lieu_price: an ERC-20 address or "stablecoin"')
        return None
    token = token.strip()
    if token.lower() == "stablecoin":
        token = "stablecoin"
    else:
        try:
            token = parse_wallet(token)
        except InvalidValue as exc:
            report(where_token, f'{exc} (or "stablecoin")')
    return CashInLieuTerms(price, token) if price is not None and price > 0 else None
