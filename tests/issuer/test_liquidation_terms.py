"""A class's liquidation terms in the offering file (SPEC §14): read exactly, every mistake
named with its key and line."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from toolkit.errors import InputError
from toolkit.offering.offering_file import load_offering

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

OFFERING = """\
[company]
name = "Acme"

[[classes]]
id = "COMMON"
name = "Acme Common"
symbol = "AC"
authorized = 1_000
votes_per_share = 1

[[classes]]
id = "SERIES-A"
name = "Acme Series A"
symbol = "AA"
authorized = 500
votes_per_share = 0
{terms}

[governance]
voting_delay = "1d"
voting_period = "7d"
quorum_percent = 50
timelock_delay = "2h"
"""


def load(tmp_path: Path, terms: str) -> object:
    path = tmp_path / "offering.toml"
    path.write_text(OFFERING.format(terms=terms))
    return load_offering(path)


def errors_of(tmp_path: Path, terms: str) -> str:
    with pytest.raises(InputError) as caught:
        load(tmp_path, terms)
    return caught.value.message


def test_the_example_preferred_takes_1x_its_price_or_converts_into_common() -> None:
    by_id = {c.id: c for c in load_offering(EXAMPLES / "offering.toml").classes}
    terms = by_id["PREFERRED"].liquidation
    assert terms.preference_per_share() == Fraction(2)
    assert terms.converts_to == "COMMON"
    assert not by_id["COMMON"].liquidation.has_preference


def test_numbers_are_read_exactly_whether_written_as_toml_numbers_or_strings(
    tmp_path: Path,
) -> None:
    offering = load(
        tmp_path,
        'liquidation_preference = 1.5\noriginal_issue_price = "0.10"\n'
        'converts_to = "COMMON"\nconversion_ratio = "3:2"',
    )
    terms = offering.classes[1].liquidation  # type: ignore[attr-defined]
    assert terms.preference_multiple == Fraction(3, 2)
    assert terms.original_issue_price == Fraction(1, 10)
    assert terms.conversion_ratio == Fraction(3, 2)


def test_a_preference_without_a_price_is_refused_naming_the_key(tmp_path: Path) -> None:
    message = errors_of(tmp_path, "liquidation_preference = 1")
    assert "classes[1].original_issue_price: required when liquidation_preference is set" in message
    assert "offering.toml:" in message


def test_conversion_into_an_unknown_class_is_refused_listing_the_classes(tmp_path: Path) -> None:
    message = errors_of(tmp_path, 'converts_to = "ORDINARY"')
    assert "classes[1].converts_to: unknown class 'ORDINARY'" in message
    assert "COMMON" in message


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        ('liquidation_preference = -1\noriginal_issue_price = "1"', "0 or more, not -1"),
        ('liquidation_preference = 1\noriginal_issue_price = "0"', "more than 0, not 0"),
        ('liquidation_preference = "lots"', "must be a number"),
        ('participating = "yes"', "must be true or false"),
        ("seniority = -2", "a whole number 0 or more"),
        ('converts_to = "COMMON"\nconversion_ratio = "0:1"', 'or "NEW:OLD"'),
        ("conversion_ratio = 2", "converts_to is not"),
        ('converts_to = "SERIES-A"', "cannot convert into itself"),
    ],
)
def test_bad_terms_are_refused_with_their_key(tmp_path: Path, terms: str, expected: str) -> None:
    assert expected in errors_of(tmp_path, terms)
