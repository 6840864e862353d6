"""Share counts: the one parser and the one formatter, for the command line, every CSV, the
register, proposal actions and OCF alike.

A class with ``decimals`` d counts in base units of 10**-d shares, as the chain does. Parsing
is exact integer arithmetic on the digits (no Decimal context that rounds long values), so a
count reads the same whatever file or flag it came from.
"""

from __future__ import annotations

import re

from toolkit.inputs.values import InvalidValue

_SHARES = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# ERC20Votes caps a token's total supply at 2**208 - 1 base units: no count above it can be
# issued, held or moved, and an ABI word (2**256) or the token's arithmetic would fail first.
MAX_SHARE_UNITS = 2**208 - 1


def parse_shares(
    text: str, decimals: int = 0, *, allow_zero: bool = False, what: str = "shares"
) -> int:
    """A number of shares in base units (at most ``decimals`` digits after the point).

    Positive unless ``allow_zero`` (a register row may say 0). ``what`` names the value in
    messages (``shares``, ``locked_shares``, ``quantity``).
    """
    shown = text.strip()
    value = shown.replace("_", "")
    if not value:
        raise InvalidValue(f"{what} is empty")
    if not _SHARES.match(value):
        raise InvalidValue(f"{what} {shown!r} is not a number")
    negative = value.startswith("-")
    whole, _, fraction = value.lstrip("+-").partition(".")
    fraction = fraction.rstrip("0")
    is_zero = not int(whole or "0") and not fraction
    if negative and not is_zero:
        if allow_zero:
            raise InvalidValue(f"{what} {shown!r} must be zero or more")
        raise InvalidValue(f"{what} must be a positive number, not {shown}")
    if is_zero and not allow_zero:
        raise InvalidValue(f"{what} must be a positive number, not {shown}")
    if len(fraction) > decimals:
        if decimals == 0:
            raise InvalidValue(
                f"{what} {shown} is fractional; this class counts whole numbers of shares only"
            )
        raise InvalidValue(f"{what} {shown} has more than {decimals} decimals")
    scale: int = 10**decimals
    if len(whole.lstrip("0")) > len(str(MAX_SHARE_UNITS)):  # no arithmetic on absurd lengths
        raise InvalidValue(_too_large(what, shown))
    units = int(whole or "0") * scale + int(fraction.ljust(decimals, "0") or "0")
    if units > MAX_SHARE_UNITS:
        raise InvalidValue(_too_large(what, shown))
    return units


def _too_large(what: str, shown: str) -> str:
    digits = shown if len(shown) <= 24 else f"{shown[:12]}...({len(shown)} digits)"
    return (
        f"{what} {digits} is too large: a class holds fewer than 2^208 base units "
        "(about 4.1e62), the most its token can count"
    )


def format_shares(units: int, decimals: int = 0, *, grouped: bool = False) -> str:
    """Base units as the number a person reads and ``parse_shares`` reads back: no trailing
    zeros (``1.25``, ``7``); ``grouped`` adds thousands separators (``1,400,000``) for tables."""
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10**decimals)
    text = f"{whole:,}" if grouped else str(whole)
    if fraction:
        text += "." + f"{fraction:0{decimals}d}".rstrip("0")
    return sign + text
