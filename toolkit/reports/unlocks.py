"""The unlock schedule of lock-ups and vesting, month by month (pure, exact integers).

A lock-up lot (``toolkit.offering.lockups.Lot``) is what a class token's ``lockupLotsOf(holder)`` returns: ``amount`` shares,
released linearly from ``start`` to ``end`` with nothing before ``cliff`` (a plain lock-up
has ``start == cliff == end``). ``locked_at`` is the token's own rule (``LockupBook.lockedOf``:
the vested part rounded down), so the schedule adds up to exactly what the chain will
release: per class, the months' unlocks sum to the shares locked at the report's time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from toolkit.offering.lockups import Lot as Lot  # re-exported: the report's callers build lots
from toolkit.offering.lockups import locked_at as locked_at


@dataclass(frozen=True)
class Month:
    label: str  # "2027-06"
    start: int  # first second of the month (or the report's time, for the first month)
    end: int  # first second of the next month
    unlocking: dict[str, int]  # by class: base units released during the month
    locked_after: dict[str, int]  # by class: still locked at the month's last second


@dataclass(frozen=True)
class UnlockSchedule:
    at: int  # the report's time
    locked_now: dict[str, int]  # by class
    months: tuple[Month, ...]

    @property
    def empty(self) -> bool:
        return not any(self.locked_now.values())


def _next_month(moment: datetime) -> datetime:
    if moment.month == 12:
        return datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    return datetime(moment.year, moment.month + 1, 1, tzinfo=UTC)


def month_bounds(at: int, until: int) -> list[tuple[str, int, int]]:
    """Calendar months (UTC) from the one holding ``at`` to the one holding ``until``:
    (label, start, end); the first starts at ``at``."""
    bounds: list[tuple[str, int, int]] = []
    moment = datetime.fromtimestamp(at, tz=UTC)
    start = at
    while True:
        following = _next_month(datetime(moment.year, moment.month, 1, tzinfo=UTC))
        end = int(following.timestamp())
        bounds.append((f"{moment.year:04d}-{moment.month:02d}", start, end))
        if end > until:
            return bounds
        moment, start = following, end


def unlock_schedule(lots: Iterable[Lot], at: int, class_ids: Sequence[str]) -> UnlockSchedule:
    """Month by month from ``at``: the shares each class releases, until the last lot ends."""
    live = [lot for lot in lots if locked_at(lot, at) > 0]
    locked_now = {
        c: sum(locked_at(lot, at) for lot in live if lot.class_id == c) for c in class_ids
    }
    if not live:
        return UnlockSchedule(at, locked_now, ())
    months = []
    before = at  # the last second counted already
    for label, start, end in month_bounds(at, max(lot.end for lot in live)):
        # a release at second t belongs to the month holding t: [start, end)
        unlocking = {c: 0 for c in class_ids}
        after = {c: 0 for c in class_ids}
        for lot in live:
            still = locked_at(lot, end - 1)
            unlocking[lot.class_id] += locked_at(lot, before) - still
            after[lot.class_id] += still
        months.append(Month(label, start, end, unlocking, after))
        before = end - 1
    return UnlockSchedule(at, locked_now, tuple(months))
