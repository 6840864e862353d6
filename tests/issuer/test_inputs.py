"""The values users type: each mistake is refused with a message that says what is expected."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.inputs import (
    InvalidValue,
    exact_decimal,
    format_shares,
    investor_id_bytes,
    parse_date,
    parse_duration,
    parse_future_date,
    parse_investor_id,
    parse_jurisdiction,
    parse_shares,
    parse_vesting,
    parse_wallet,
)

CHECKSUMMED = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
BAD_CHECKSUM = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"


def test_a_checksummed_wallet_is_accepted_and_lower_case_is_checksummed() -> None:
    assert parse_wallet(CHECKSUMMED) == CHECKSUMMED
    assert parse_wallet(CHECKSUMMED.lower()) == CHECKSUMMED


def test_a_mixed_case_wallet_with_a_bad_checksum_is_refused() -> None:
    with pytest.raises(InvalidValue, match="bad checksum"):
        parse_wallet(BAD_CHECKSUM)


@pytest.mark.parametrize(
    "text", ["0x1234", "70997970C51812dc3A010C7d01b50e0d17dc79C8", "0xZZ" + "0" * 38, ""]
)
def test_a_malformed_address_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="not an address"):
        parse_wallet(text)


def test_the_zero_address_cannot_hold_shares() -> None:
    with pytest.raises(InvalidValue, match="zero address"):
        parse_wallet("0x" + "0" * 40)


def test_investor_ids_are_ascii_padded_to_sixteen_bytes() -> None:
    assert investor_id_bytes(parse_investor_id("ALICE-001")) == b"ALICE-001" + b"\x00" * 7


def test_an_investor_id_longer_than_sixteen_characters_is_refused() -> None:
    with pytest.raises(InvalidValue, match="17 characters long; at most 16"):
        parse_investor_id("A" * 17)


@pytest.mark.parametrize("text", ["", "ALICE 001", "ÄLICE"])
def test_empty_spaced_or_non_ascii_investor_ids_are_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_investor_id(text)


def test_jurisdictions_are_upper_case_alpha_2() -> None:
    assert parse_jurisdiction("US") == b"US"
    with pytest.raises(InvalidValue, match="write 'US'"):
        parse_jurisdiction("us")
    with pytest.raises(InvalidValue):
        parse_jurisdiction("USA")


def test_dates_are_iso_8601_utc() -> None:
    assert parse_date("1970-01-02") == 86_400
    assert parse_date("1970-01-02T01:00:00") == 86_400 + 3600
    assert parse_date("1970-01-02T01:00:00Z") == 86_400 + 3600
    assert parse_date("1970-01-02T02:00:00+01:00") == 86_400 + 3600


@pytest.mark.parametrize("text", ["2027-02-30", "2027-13-01", "30/06/2027", "tomorrow"])
def test_an_impossible_date_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="not a valid date"):
        parse_date(text)


def test_a_lockup_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidValue, match="in the past"):
        parse_future_date("2020-01-01", now=parse_date("2026-01-01"), what="lock-up")


@pytest.mark.parametrize(
    ("text", "decimals", "expected"),
    [("100", 0, 100), ("1_000", 0, 1000), ("1.5", 2, 150), ("2", 18, 2 * 10**18)],
)
def test_shares_are_read_in_base_units(text: str, decimals: int, expected: int) -> None:
    assert parse_shares(text, decimals) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "positive"),
        ("0", "positive"),
        ("1.5", "fractional"),
        ("ten", "not a number"),
        ("1e3", "not a number"),
    ],
)
def test_negative_fractional_or_non_numeric_shares_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        parse_shares(text, 0)


def test_more_decimals_than_the_class_has_are_refused() -> None:
    with pytest.raises(InvalidValue, match="more than 2 decimals"):
        parse_shares("1.005", 2)


@given(st.integers(min_value=1, max_value=10**30), st.integers(min_value=0, max_value=18))
def test_shares_survive_formatting_and_parsing(units: int, decimals: int) -> None:
    assert parse_shares(format_shares(units, decimals), decimals) == units


def test_vesting_counts_cliff_and_duration_in_days_from_the_start() -> None:
    vesting = parse_vesting("2027-01-01:365:1460")
    start = parse_date("2027-01-01")
    assert (vesting.start, vesting.cliff, vesting.end) == (
        start,
        start + 365 * 86_400,
        start + 1460 * 86_400,
    )


@pytest.mark.parametrize(
    "text", ["2027-01-01:365", "2027-01-01:400:365", "2027-01-01:0:0", "x:1:2"]
)
def test_malformed_vesting_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_vesting(text)


def test_durations() -> None:
    assert [parse_duration(t) for t in ("1d", "7d", "2h", "30m", "45s", "2w", 60)] == [
        86_400,
        604_800,
        7_200,
        1_800,
        45,
        1_209_600,
        60,
    ]
    with pytest.raises(InvalidValue):
        parse_duration("1 fortnight")


def test_format_shares_shows_decimals_without_exponents() -> None:
    assert format_shares(100, 2) == "1"
    assert format_shares(150, 2) == "1.5"
    assert Decimal(format_shares(10**20, 2)) == Decimal(10**18)


@pytest.mark.parametrize(
    ("value", "exact"),
    [
        (3, Decimal(3)),
        (Decimal("2.50"), Decimal("2.50")),  # a TOML number read with parse_float=Decimal
        (" 1_000.25 ", Decimal("1000.25")),
        ("0.1", Decimal("0.1")),
        (True, None),  # a TOML boolean is no number
        (0.1, None),  # a float is never exact
        ("NaN", None),
        ("Infinity", None),
        (Decimal("Infinity"), None),
        ("two", None),
        (None, None),
    ],
)
def test_a_number_from_a_file_is_read_exactly_or_not_at_all(value: object, exact: object) -> None:
    assert exact_decimal(value) == exact
