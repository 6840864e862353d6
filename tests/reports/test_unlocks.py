"""The unlock schedule: month by month, exactly what the class tokens will release."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.reports.unlocks import Lot, locked_at, month_bounds, unlock_schedule

DAY = 86_400


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_a_plain_lock_up_releases_everything_in_the_month_it_ends() -> None:
    lot = Lot("COMMON", "0xa", 150_000, ts("2028-06-30"), ts("2028-06-30"), ts("2028-06-30"))
    schedule = unlock_schedule([lot], ts("2027-11-15"), ["COMMON"])
    released = {m.label: m.unlocking["COMMON"] for m in schedule.months if m.unlocking["COMMON"]}
    assert released == {"2028-06": 150_000}
    assert schedule.months[0].label == "2027-11" and schedule.months[-1].label == "2028-06"
    assert schedule.months[-1].locked_after["COMMON"] == 0


def test_vesting_releases_nothing_before_the_cliff_then_linearly() -> None:
    start = ts("2026-01-01")
    lot = Lot("FOUNDERS", "0xa", 800_000, start, ts("2027-01-01"), ts("2030-01-01"))
    schedule = unlock_schedule([lot], ts("2026-06-01"), ["FOUNDERS"])
    by_month = {m.label: m.unlocking["FOUNDERS"] for m in schedule.months}
    assert all(by_month[f"2026-{n:02d}"] == 0 for n in range(6, 13))
    # at the cliff a year's worth vests at once (a quarter of the four years)
    assert by_month["2027-01"] == 800_000 - locked_at(lot, ts("2027-02-01"))
    assert locked_at(lot, ts("2027-01-01")) == 800_000 - 800_000 * (ts("2027-01-01") - start) // (ts("2030-01-01") - start)
    assert sum(by_month.values()) == 800_000


def test_months_are_calendar_months_in_utc_from_the_report_time() -> None:
    bounds = month_bounds(ts("2027-01-31T23:00:00"), ts("2027-03-01"))
    assert [label for label, _, _ in bounds] == ["2027-01", "2027-02", "2027-03"]  # 03-01 is March
    assert bounds[0][1] == ts("2027-01-31T23:00:00") and bounds[1][1] == ts("2027-02-01")


def test_nothing_locked_gives_an_empty_schedule() -> None:
    done = Lot("COMMON", "0xa", 10, 0, 0, ts("2020-01-01"))
    assert unlock_schedule([done], ts("2027-01-01"), ["COMMON"]).empty


lots = st.builds(
    lambda cls, amount, start, cliff_days, days: Lot(
        cls, "0xa", amount, start, start + min(cliff_days, days) * DAY, start + days * DAY
    ),
    st.sampled_from(["COMMON", "FOUNDERS"]),
    st.integers(1, 10**24),
    st.integers(ts("2025-01-01"), ts("2030-01-01")),
    st.integers(0, 2000),
    st.integers(0, 2000),
)


@settings(max_examples=200)
@given(st.lists(lots, max_size=6), st.integers(ts("2025-06-01"), ts("2031-01-01")))
def test_the_months_release_exactly_what_is_locked_now(found: list[Lot], at: int) -> None:
    schedule = unlock_schedule(found, at, ["COMMON", "FOUNDERS"])
    for cls in ("COMMON", "FOUNDERS"):
        assert sum(m.unlocking[cls] for m in schedule.months) == schedule.locked_now[cls]
        remaining = [m.locked_after[cls] for m in schedule.months]
        assert remaining == sorted(remaining, reverse=True)
        assert not remaining or remaining[-1] == 0
