"""The values a user types, parsed once for the command line and the CSV files alike.

Wallets, investor ids, jurisdictions, dates, share amounts, durations and vesting schedules.
Each parser returns the value the contracts take (checksummed address, ``bytes16``, ``bytes2``,
unix seconds, base units) or raises ``InvalidValue`` with a message that names what is wrong
and what is expected. Callers add the context: the command-line option, or the CSV line.
Pure functions: no chain, no files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Context, Decimal, InvalidOperation
from typing import TypeVar

from toolkit.errors import InputError

T = TypeVar("T")
INVESTOR_ID_BYTES = 16
MAX_UINT40 = 2**40 - 1
MAX_UINT64 = 2**64 - 1
DAY = 86_400
_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_JURISDICTION = re.compile(r"^[A-Z]{2}$")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": DAY, "w": 7 * DAY}
_SHARES = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# exact arithmetic for share amounts (the default context rounds to 28 digits)
_EXACT = Context(prec=200)


class InvalidValue(ValueError):
    """A value that cannot be used; the message says why and what is expected."""


def as_input_error(exc: InvalidValue, what: str) -> InputError:
    """The command-line form of a bad value: exit 2, naming the argument."""
    return InputError(f"{what}: {exc}", hint="nothing was sent; fix the value and run it again")


# --- wallets --------------------------------------------------------------------------------


def parse_wallet(text: str) -> str:
    """A hex address, returned checksummed. Mixed case must be a valid EIP-55 checksum;
    all-lower or all-upper hex carries no checksum and is accepted."""
    from eth_utils import is_checksum_address, to_checksum_address

    value = text.strip()
    if not _HEX_ADDRESS.match(value):
        raise InvalidValue(f"{text!r} is not an address (0x followed by 40 hex digits)")
    body = value[2:]
    mixed = body != body.lower() and body != body.upper()
    if mixed and not is_checksum_address(value):
        raise InvalidValue(
            f"{value} has a bad checksum (a typo?); copy the address again, "
            "or write it all in lower case to skip the check"
        )
    if int(body, 16) == 0:
        raise InvalidValue("the zero address cannot hold shares")
    return str(to_checksum_address(value))


# --- investors ------------------------------------------------------------------------------


def parse_investor_id(text: str) -> bytes:
    """An investor id: 1 to 16 printable ASCII characters, as ``bytes16`` (zero-padded)."""
    value = text.strip()
    if not value:
        raise InvalidValue("the investor id is empty")
    if not all(32 < ord(c) < 127 for c in value):
        raise InvalidValue(
            f"investor id {value!r} must be printable ASCII without spaces (letters, digits, - _ .)"
        )
    raw = value.encode("ascii")
    if len(raw) > INVESTOR_ID_BYTES:
        raise InvalidValue(
            f"investor id {value!r} is {len(raw)} characters long; at most {INVESTOR_ID_BYTES} fit on chain"
        )
    return raw.ljust(INVESTOR_ID_BYTES, b"\x00")


def investor_id_text(raw: bytes) -> str:
    """The investor id as typed, from its ``bytes16`` form ("" when zero: not registered)."""
    return raw.rstrip(b"\x00").decode("ascii", errors="replace")


def parse_jurisdiction(text: str) -> bytes:
    """An ISO 3166-1 alpha-2 code in upper case ("US"), as ``bytes2``."""
    value = text.strip()
    if not _JURISDICTION.match(value):
        hint = f" (write {value.upper()!r})" if _JURISDICTION.match(value.upper()) else ""
        raise InvalidValue(
            f"jurisdiction {value!r} is not an ISO 3166-1 alpha-2 code in upper case, e.g. US, DE{hint}"
        )
    return value.encode("ascii")


def jurisdiction_text(raw: bytes) -> str:
    return raw.rstrip(b"\x00").decode("ascii", errors="replace")


def parse_bool(text: str, *, default: bool | None = None) -> bool:
    value = text.strip().lower()
    if value in ("true", "yes", "y", "1"):
        return True
    if value in ("false", "no", "n", "0"):
        return False
    if value == "" and default is not None:
        return default
    raise InvalidValue(f"{text!r} is not true or false")


# --- time -----------------------------------------------------------------------------------


def parse_date(text: str) -> int:
    """ISO 8601 date (``2027-06-30``, midnight UTC) or date-time (UTC unless an offset is
    given), as unix seconds."""
    value = text.strip()
    if not value:
        raise InvalidValue("the date is empty")
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise InvalidValue(
            f"{value!r} is not a valid date (ISO 8601: 2027-06-30 or 2027-06-30T12:00:00)"
        ) from None
    seconds = int(moment.timestamp())
    if seconds < 0:
        raise InvalidValue(f"{value!r} is before 1970")
    return seconds


def format_time(seconds: int) -> str:
    """Unix seconds as an ISO 8601 UTC date-time (date only at midnight)."""
    if seconds <= 0:
        return ""
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    if moment.hour == moment.minute == moment.second == 0:
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_future_date(text: str, *, now: int, what: str = "date") -> int:
    """A date that must lie after ``now`` (the chain's clock)."""
    seconds = parse_date(text)
    if seconds <= now:
        raise InvalidValue(
            f"{what} {text.strip()} is in the past (the chain's time is {format_time(now)})"
        )
    return seconds


def parse_duration(value: object) -> int:
    """A duration: "1d", "7d", "2h", "30m", "45s", "2w", or a whole number of seconds."""
    if isinstance(value, bool):
        raise InvalidValue(f"{value!r} is not a duration")
    if isinstance(value, int):
        if value < 0:
            raise InvalidValue(f"duration {value} is negative")
        return value
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return int(match.group(1)) * _DURATION_UNITS[match.group(2)]
    raise InvalidValue(
        f'{value!r} is not a duration: use a number and a unit, e.g. "1d", "7d", "2h", "30m"'
    )


@dataclass(frozen=True)
class Vesting:
    """Linear vesting from ``start`` to ``end`` with nothing unlocked before ``cliff`` (unix s)."""

    start: int
    cliff: int
    end: int


def parse_vesting(text: str, *, now: int | None = None) -> Vesting:
    """``START:CLIFF_DAYS:DURATION_DAYS`` (START a DATE; the cliff and the end are counted
    from it). The end must lie after ``now`` when given."""
    value = text.strip()
    parts = value.rsplit(":", 2)
    if len(parts) != 3:
        raise InvalidValue(
            f"vesting {value!r} is not START:CLIFF_DAYS:DURATION_DAYS, e.g. 2027-01-01:365:1460"
        )
    start_text, cliff_text, duration_text = parts
    start = parse_date(start_text)
    if not cliff_text.strip().isdigit() or not duration_text.strip().isdigit():
        raise InvalidValue(
            f"vesting {value!r}: CLIFF_DAYS and DURATION_DAYS must be whole numbers of days"
        )
    cliff_days, duration_days = int(cliff_text), int(duration_text)
    if duration_days <= 0:
        raise InvalidValue(f"vesting {value!r}: the duration must be at least one day")
    if cliff_days > duration_days:
        raise InvalidValue(f"vesting {value!r}: the cliff ({cliff_days} d) exceeds the duration")
    end = start + duration_days * DAY
    if end > MAX_UINT64:
        raise InvalidValue(f"vesting {value!r} ends too far in the future")
    if now is not None and end <= now:
        raise InvalidValue(
            f"vesting {value!r} has already ended (the chain's time is {format_time(now)}); "
            "issue the shares without vesting"
        )
    return Vesting(start=start, cliff=start + cliff_days * DAY, end=end)


# --- shares ---------------------------------------------------------------------------------


def parse_shares(text: str, decimals: int = 0) -> int:
    """A positive number of shares in base units (``decimals`` digits after the point)."""
    value = text.strip().replace("_", "")
    if not _SHARES.match(value):
        raise InvalidValue(f"shares {text.strip()!r} is not a number")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise InvalidValue(f"shares {text.strip()!r} is not a number") from None
    if amount <= 0:
        raise InvalidValue(f"shares must be positive, not {text.strip()}")
    scaled = amount.scaleb(decimals, context=_EXACT)
    if scaled != scaled.to_integral_value():
        if decimals == 0:
            raise InvalidValue(
                f"shares {text.strip()} is fractional; this class has whole shares only"
            )
        raise InvalidValue(f"shares {text.strip()} has more than {decimals} decimals")
    return int(scaled)


def format_shares(units: int, decimals: int = 0) -> str:
    """Base units as the number a person reads."""
    if decimals == 0:
        return str(units)
    value = Decimal(units).scaleb(-decimals, context=_EXACT).normalize(context=_EXACT)
    return f"{value:f}"


def parse_arg(parse: Callable[[str], T], text: str, what: str) -> T:
    """A command-line value through its parser; a bad one is an InputError naming ``what``."""
    try:
        return parse(text)
    except InvalidValue as exc:
        raise as_input_error(exc, what) from exc
