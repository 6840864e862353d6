"""Dates, durations and vesting schedules as users type them, and the one formatter of each
format in which the toolkit shows times back (always UTC).

Parsers return unix seconds (what the contracts take); formatters:

- ``iso_time``: ``2027-06-30T12:00:00Z``, the full form (cap tables, proposals, OCF);
- ``json_time``: every date of a ``--json`` document: ``iso_time``, or null for "never set";
- ``iso_date``: ``2027-06-30`` (OCF dates);
- ``format_time``: the short form people type back: the date alone at midnight, else the
  full form, and ``""`` for "never set" (0);
- ``format_duration``: ``2d 3h``, ``5h 10m``, ``42s``.

Pure functions: no chain, no files. "Now" is always given by the caller: the chain's clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from toolkit.inputs.values import InvalidValue

MAX_UINT40 = 2**40 - 1
MAX_UINT64 = 2**64 - 1
DAY = 86_400
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": DAY, "w": 7 * DAY}


# --- parsing ---------------------------------------------------------------------------------


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


def parse_future_date(
    text: str,
    *,
    now: int | None,
    what: str = "date",
    latest: int = MAX_UINT64,
    consequence: str = "",
) -> int:
    """A date that must lie after ``now`` (the chain's clock; ``None``: not checked, for a
    file already validated) and at most ``latest`` (what the contract's field holds).
    ``consequence`` is added to the "in the past" message ("; the holder would be ...")."""
    seconds = parse_date(text)
    if seconds > latest:
        raise InvalidValue(f"{what} {text.strip()} is too far in the future")
    if now is not None and seconds <= now:
        raise InvalidValue(
            f"{what} {text.strip()} is in the past (the chain's time is {format_time(now)})"
            + consequence
        )
    return seconds


def parse_lockup(text: str, *, now: int | None) -> int:
    """A lock-up's end: a DATE after ``now`` that fits the token's uint64."""
    return parse_future_date(text, now=now, what="lock-up")


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


# --- formatting ------------------------------------------------------------------------------


def iso_time(seconds: int) -> str:
    """``2027-06-30T12:00:00Z``."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_time(seconds: int | None) -> str | None:
    """A date in a ``--json`` document: ISO 8601 in UTC (``2027-06-30T00:00:00Z``), or None
    for 0 / None ("never set")."""
    if not seconds:
        return None
    return iso_time(seconds)


def iso_date(seconds: int) -> str:
    """``2027-06-30`` (the UTC day of the moment)."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d")


def format_time(seconds: int) -> str:
    """The short form: the date alone at midnight UTC, else ``iso_time``; "" for 0 (never)."""
    if seconds <= 0:
        return ""
    if seconds % DAY == 0:
        return iso_date(seconds)
    return iso_time(seconds)


def format_duration(seconds: int) -> str:
    """A short human duration: ``2d 3h``, ``5h 10m``, ``42s``."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"
