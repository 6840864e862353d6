"""The offering file's right of first refusal (issue 13, point 2): a class's ``rofr_days`` and the
governance table's ``rofr_exerciser``, checked with the line of any mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.issuer.test_offering_file import VALID, errors_of, write
from toolkit.offering.offering_file import load_offering


def test_a_class_may_give_the_company_a_window_and_the_issuer_may_be_named_to_exercise(
    tmp_path: Path,
) -> None:
    text = VALID.replace("votes_per_share = 0", "votes_per_share = 0\nrofr_days = 30")
    offering = load_offering(write(tmp_path, text))
    assert [c.rofr_days for c in offering.classes] == [0, 30]
    assert offering.governance.rofr_exerciser == "governance"
    text += 'rofr_exerciser = "issuer"\n'
    assert load_offering(write(tmp_path, text)).governance.rofr_exerciser == "issuer"


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("rofr_days = 0", "offering.toml:19: classes[1].rofr_days: must be between 1 and 3650"),
        ("rofr_days = 3651", "offering.toml:19: classes[1].rofr_days: must be at most 3650"),
        ('rofr_days = "30d"', "offering.toml:19: classes[1].rofr_days: must be a whole number"),
    ],
)
def test_a_bad_window_is_refused_with_its_line(tmp_path: Path, new: str, message: str) -> None:
    text = VALID.replace("votes_per_share = 0", f"votes_per_share = 0\n{new}")
    assert message in errors_of(tmp_path, text)


def test_an_unknown_exerciser_is_refused(tmp_path: Path) -> None:
    message = errors_of(tmp_path, VALID + 'rofr_exerciser = "board"\n')
    assert (
        "governance.rofr_exerciser: must be one of 'governance', 'issuer', not 'board'" in message
    )
