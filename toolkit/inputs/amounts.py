"""Amounts of money as users type them: exact decimals, never floats.

``50000000``, ``50_000_000``, ``50,000,000`` and ``1250000.50`` read the same way everywhere; a
negative, a fraction in scientific notation or anything that is not a plain number is refused
with the value named. Pure: no chain.
"""

from __future__ import annotations

import re
from decimal import Decimal

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
