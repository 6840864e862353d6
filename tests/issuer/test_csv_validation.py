"""Issuances and holders CSVs are validated whole before anything is sent: every bad row is
listed with its line number, and the file is rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import InputError
from toolkit.holders.holders_csv import iter_holders, validate_holders
from toolkit.inputs import parse_date
from toolkit.issuance.issuances_csv import iter_issuances, validate_issuances
from toolkit.offering.deployments import ClassDeployment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = parse_date("2026-11-21")
CLASSES = {
    "COMMON": ClassDeployment(id="COMMON", address="0x" + "11" * 20, name="C", symbol="C"),
    "PREF": ClassDeployment(id="PREF", address="0x" + "22" * 20, name="P", symbol="P", decimals=2),
}
ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
HEADER = "class,wallet,shares,lockup_until,vesting\n"


def write(tmp_path: Path, text: str, name: str = "issuances.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rejection(path: Path, *, holders: bool = False) -> str:
    with pytest.raises(InputError) as caught:
        if holders:
            validate_holders(path, now=NOW)
        else:
            validate_issuances(path, CLASSES, now=NOW)
    return caught.value.message


def test_a_valid_file_gives_its_row_count_and_totals_per_class(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + f"COMMON,{ALICE},100,,\nCOMMON,{BOB},50,2028-01-01,\nPREF,{ALICE},1.25,,2026-01-01:0:1000\n",
    )
    checked = validate_issuances(path, CLASSES, now=NOW)
    assert (checked.rows, checked.totals) == (3, {"COMMON": 150, "PREF": 125})
    rows = list(iter_issuances(path, CLASSES))
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[1].locked_until == parse_date("2028-01-01")
    assert rows[2].vesting is not None and rows[2].amount == 125


def test_every_bad_row_is_listed_with_its_line_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + f"COMMON,{ALICE},100,,\n"  # 2 good
        + f"GOLD,{ALICE},100,,\n"  # 3 unknown class
        + "COMMON,0x1234,100,,\n"  # 4 malformed address
        + "COMMON,0x70997970c51812dc3A010C7d01b50e0d17dc79C8,100,,\n"  # 5 bad checksum
        + f"COMMON,{BOB},-5,,\n"  # 6 negative
        + f"COMMON,{BOB},1.5,,\n"  # 7 fractional in a 0-decimals class
        + f"COMMON,{BOB},ten,,\n"  # 8 non-numeric
        + f"COMMON,{BOB},7,2027-02-30,\n"  # 9 impossible date
        + f"COMMON,{BOB},8,2020-01-01,\n"  # 10 lock-up in the past
        + f"COMMON,{ALICE},100,,\n"  # 11 duplicate of line 2
        + f"COMMON,{BOB},9,,,\n",  # 12 stray comma
    )
    message = rejection(path)
    assert "has 10 bad rows; nothing was sent" in message
    for line, text in [
        (3, "unknown class 'GOLD' (the offering has COMMON, PREF)"),
        (4, "not an address"),
        (5, "bad checksum"),
        (6, "must be a positive number"),
        (7, "fractional"),
        (8, "not a number"),
        (9, "not a valid date"),
        (10, "in the past"),
        (11, "duplicate of line 2"),
        (12, "6 fields where the header has 5 (a stray comma?)"),
    ]:
        assert any(
            entry.startswith(f"  line {line}: ") and text in entry for entry in message.splitlines()
        ), (line, text, message)
    assert "line 2:" not in message


def test_missing_columns_reject_the_file_at_its_header(tmp_path: Path) -> None:
    message = rejection(write(tmp_path, "class,wallet\nCOMMON,0x0\n"))
    assert "line 1: missing column shares" in message


def test_an_unknown_column_is_refused(tmp_path: Path) -> None:
    message = rejection(write(tmp_path, "class,wallet,shares,note\n"))
    assert "unknown column 'note'" in message


def test_a_row_with_a_missing_field_is_refused(tmp_path: Path) -> None:
    message = rejection(write(tmp_path, HEADER + f"COMMON,{ALICE},100,\n"))
    assert "line 2: 4 fields where the header has 5 (a missing field?)" in message


def test_lockup_and_vesting_columns_are_optional(tmp_path: Path) -> None:
    checked = validate_issuances(
        write(tmp_path, f"class,wallet,shares\nCOMMON,{ALICE},100\n"), CLASSES, now=NOW
    )
    assert checked.rows == 1


def test_a_row_with_both_lockup_and_vesting_is_refused(tmp_path: Path) -> None:
    message = rejection(write(tmp_path, HEADER + f"COMMON,{ALICE},1,2028-01-01,2027-01-01:0:900\n"))
    assert "give lockup_until or vesting, not both" in message


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    assert "no rows" in rejection(write(tmp_path, HEADER))


def test_more_lockup_lots_than_a_wallet_can_hold_are_refused(tmp_path: Path) -> None:
    rows = "".join(f"COMMON,{ALICE},{n},2028-01-01,\n" for n in range(1, 18))
    message = rejection(write(tmp_path, HEADER + rows))
    assert "line 18: more than 16 locked or vesting grants" in message


def test_the_example_issuances_are_valid_against_the_example_classes(tmp_path: Path) -> None:
    classes = {
        c: ClassDeployment(id=c, address="0x" + "33" * 20, name=c, symbol=c)
        for c in ("COMMON", "FOUNDERS", "PREFERRED")
    }
    assert validate_issuances(EXAMPLES / "issuances.csv", classes, now=NOW).rows == 11


# --- holders -------------------------------------------------------------------------------

HOLDERS_HEADER = "wallet,investor_id,jurisdiction,expires,accredited\n"


def test_the_example_holders_file_is_valid() -> None:
    checked = validate_holders(EXAMPLES / "holders.csv", now=NOW)
    assert checked.rows == 9
    holders = list(iter_holders(EXAMPLES / "holders.csv"))
    assert holders[0].holder.call_args()[1] == b"ALICE-001".ljust(16, b"\x00")


def test_bad_holder_rows_are_all_listed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HOLDERS_HEADER
        + f"{ALICE},ALICE-001,DE,2030-01-01,true\n"  # 2 good
        + f"{BOB},AN-INVESTOR-ID-TOO-LONG,DE,2030-01-01,true\n"  # 3
        + f"{BOB},BOB,de,2030-01-01,maybe\n"  # 4 two problems
        + f"{BOB},BOB,DE,2020-01-01,false\n"  # 5 expired
        + f"{ALICE},ALICE-001,DE,2030-01-01,true\n",  # 6 wallet twice
        name="holders.csv",
    )
    message = rejection(path, holders=True)
    assert "has 4 bad rows" in message
    assert (
        "line 3: investor_id: investor id 'AN-INVESTOR-ID-TOO-LONG' is 23 characters long"
        in message
    )
    assert "line 4: jurisdiction:" in message and "line 4: accredited:" in message
    assert "line 5: expires: expiry 2020-01-01 is in the past" in message
    assert (
        "line 6: wallet 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 is listed twice (also line 2)"
        in message
    )


def test_a_holders_file_missing_a_column_is_refused(tmp_path: Path) -> None:
    # accredited is optional since investor categories (SPEC §15): category may say it instead
    path = write(tmp_path, "wallet,investor_id,jurisdiction\n", name="holders.csv")
    assert "missing column expires;" in rejection(path, holders=True)
