"""Amounts as users type them, exact, never floats: money (``parse_amount``: ``50,000,000``,
``1250000.50``) and ether (``parse_wei``: ``--gas-price 30gwei``), and how the toolkit shows
ether back.

``50000000``, ``50_000_000``, ``50,000,000`` and ``1250000.50`` read the same way everywhere; a
negative, a fraction in scientific notation or anything that is not a plain number is refused
with the value named. Pure: no chain.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

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
        raise InvalidValue(f"{what} {text.strip()!r} is less than one wei apart from a whole wei")
    return int(wei)


def format_ether(wei: int) -> str:
    """Wei as ether, exactly, without trailing zeros: ``0.0479``, ``12``."""
    text = f"{Decimal(wei).scaleb(-18):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_gwei(wei: int) -> str:
    """Wei as gwei, exactly: ``1.5 gwei``."""
    text = f"{Decimal(wei).scaleb(-9):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + " gwei"
