"""Amounts as users type them, exact, never floats: money (``parse_amount``: ``50,000,000``,
``1250000.50``), numbers in files (``exact_decimal``: a TOML number or a decimal string) and
ether (``parse_wei``: ``--gas-price 30gwei``), and how the toolkit shows ether back.

``50000000``, ``50_000_000``, ``50,000,000`` and ``1250000.50`` read the same way everywhere; a
negative, a fraction in scientific notation or anything that is not a plain number is refused
with the value named. Pure: no chain.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

from toolkit.inputs.values import InvalidValue

_AMOUNT = re.compile(r"^\d+(\.\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_amount(text: str, *, what: str = "amount") -> Decimal:
    """A non-negative amount, exactly as written (``Decimal``)."""
    shown = text.strip()
    value = shown.replace("_", "")
    if _GROUPED.match(value):
        value = value.replace(",", "")
    if not value:
        raise InvalidValue(f"{what} is empty")
    if value.startswith("-"):
        raise InvalidValue(f"{what} must be 0 or more, not {shown}")
    if not _AMOUNT.match(value):
        raise InvalidValue(f"{what} {shown!r} is not a number (write e.g. 50000000 or 1250000.50)")
    return Decimal(value)


def exact_decimal(value: object) -> Decimal | None:
    """A number from a file, exactly: an int, a ``Decimal`` (a TOML number read with
    ``parse_float=Decimal``) or a decimal string (``_`` separators allowed); None for anything
    else: a bool, a float, NaN or infinity, text that is not a number. Callers word the error
    (each file names its own key and example)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


WEI_PER_UNIT = {"wei": 1, "gwei": 10**9, "ether": 10**18, "eth": 10**18}
_ETHER_AMOUNT = re.compile(r"^\s*([0-9][0-9_]*(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Z]*)\s*$")


def parse_wei(text: str, *, what: str = "amount") -> int:
    """``30gwei``, ``1.5 gwei``, ``0.01ether``, or a bare number of wei, as wei."""
    match = _ETHER_AMOUNT.match(text)
    if match is None:
        raise InvalidValue(
            f"{what} {text.strip()!r} is not an amount: write e.g. 30gwei or 0.01ether"
        )
    number, unit = match.group(1).replace("_", ""), match.group(2).lower() or "wei"
    if unit not in WEI_PER_UNIT:
        raise InvalidValue(
            f"{what} {text.strip()!r}: unknown unit {unit!r} (use wei, gwei or ether)"
        )
    try:
        wei = Decimal(number) * WEI_PER_UNIT[unit]
    except InvalidOperation:
        raise InvalidValue(f"{what} {text.strip()!r} is not a number") from None
    if wei != wei.to_integral_value():
        raise InvalidValue(f"{what} {text.strip()!r} is not a whole number of wei")
    return int(wei)


def format_ether(wei: int, *, digits: int | None = None, up: bool = False) -> str:
    """Wei as ether without trailing zeros: exactly (``0.048120966``), or to ``digits``
    significant digits for an estimate (``0.04812``), rounded up when it is a bound (``up``)."""
    return _plain(_rounded(Decimal(wei).scaleb(-18), digits, up))


def format_gwei(wei: int, *, digits: int | None = None) -> str:
    """Wei as gwei: ``1.5 gwei`` (``digits``: significant digits, as ``format_ether``)."""
    return _plain(_rounded(Decimal(wei).scaleb(-9), digits, False)) + " gwei"


def _rounded(value: Decimal, digits: int | None, up: bool) -> Decimal:
    if digits is None or value == 0:
        return value
    rounding = ROUND_CEILING if up else ROUND_HALF_EVEN
    return Context(prec=digits, rounding=rounding).plus(value)


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
