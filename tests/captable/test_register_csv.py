"""The register CSV of SPEC §7: rows, and whole-file rejection naming every bad line."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.captable.api import read_register
from toolkit.captable.register import parse_register_csv, register_csv
from toolkit.errors import InputError
from toolkit.inputs import format_shares

GOOD = "0x" + "ab" * 20
CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def test_rows_are_read_with_optional_locked_shares() -> None:
    text = f"investor_id,wallet,class,shares,locked_shares\nINV-1,{GOOD},COMMON,100,40\nINV-2,{CHECKSUMMED},COMMON,5,\n"
    register = parse_register_csv(text)
    first, second = register.rows
    assert (first.investor_id, first.wallet, first.class_id, first.shares, first.locked_shares) == (
        "INV-1", GOOD, "COMMON", 100, 40,
    )
    assert second.wallet == CHECKSUMMED.lower()
    assert second.locked_shares is None
    assert first.origin == "line 2"


def test_columns_may_come_in_any_order_and_blank_lines_are_skipped() -> None:
    text = f"shares,class,wallet,investor_id\n\n7,PREF,{GOOD},INV-1\n"
    (row,) = parse_register_csv(text).rows
    assert (row.class_id, row.shares, row.locked_shares) == ("PREF", 7, None)


def test_a_missing_required_column_is_rejected_naming_it() -> None:
    with pytest.raises(InputError, match="lacks column\\(s\\) shares"):
        parse_register_csv(f"investor_id,wallet,class\nINV-1,{GOOD},COMMON\n")


def test_every_bad_row_is_listed_with_its_line_number_and_nothing_is_returned() -> None:
    text = (
        "investor_id,wallet,class,shares,locked_shares\n"
        f"INV-1,{GOOD},COMMON,100,\n"
        "INV-2,0x1234,COMMON,1,\n"
        f"INV-3,{CHECKSUMMED.replace('a', 'A', 1)},COMMON,1,\n"
        f"INV-4,{GOOD},PREF,1.5,\n"
        f",{GOOD},PREF,-1,\n"
        f"INV-5,{GOOD},COMMON,10,\n"
        f"INV-6,{'0x' + 'cd' * 20},COMMON,10,11\n"
        f"WAY-TOO-LONG-INVESTOR-ID,{'0x' + 'ef' * 20},COMMON,1,\n"
    )
    with pytest.raises(InputError) as caught:
        parse_register_csv(text, source="reg.csv")
    message = caught.value.message
    assert message.startswith("reg.csv has 7 bad rows")
    for line in (3, 4, 5, 6, 7, 8, 9):
        assert f"line {line}:" in message
    assert "line 2:" not in message
    assert "bad checksum" in message
    assert "whole number" in message
    assert "first on line 2" in message
    assert "exceeds shares" in message
    assert "at most 16" in message


def test_decimals_of_a_class_allow_fractional_share_counts_in_base_units() -> None:
    text = f"investor_id,wallet,class,shares,locked_shares\nINV-1,{GOOD},TOKEN,1.25,0.5\n"
    (row,) = parse_register_csv(text, class_decimals={"TOKEN": 2}).rows
    assert (row.shares, row.locked_shares) == (125, 50)
    with pytest.raises(InputError, match="more than 2 decimals"):
        parse_register_csv(text.replace("1.25", "1.255"), class_decimals={"TOKEN": 2})


def test_an_empty_file_is_rejected() -> None:
    with pytest.raises(InputError, match="is empty"):
        parse_register_csv("\n\n")


def test_written_rows_read_back_the_same(tmp_path: Path) -> None:
    text = f"investor_id,wallet,class,shares,locked_shares\nINV-1,{GOOD},TOKEN,1.25,0\nINV-2,{GOOD},COMMON,3,\n"
    rows = parse_register_csv(text, class_decimals={"TOKEN": 2}).rows
    path = tmp_path / "out.csv"
    path.write_text(register_csv(rows, class_decimals={"TOKEN": 2}))
    assert read_register(path, class_decimals={"TOKEN": 2}).rows == tuple(
        r.__class__(r.investor_id, r.wallet, r.class_id, r.shares, r.locked_shares, r.origin) for r in rows
    )


def test_share_counts_are_formatted_without_trailing_zeros() -> None:
    assert format_shares(12500, 4) == "1.25"
    assert format_shares(10000, 4) == "1"
    assert format_shares(7, 0) == "7"


def test_a_missing_register_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_register(tmp_path / "nope.csv")


def test_a_long_decimal_share_count_reads_as_on_the_command_line_and_reconciles_clean() -> None:
    """32 significant digits: a 28-digit Decimal context read the register's value as
    12345678901234123456789012350000 base units, and reconcile reported a mismatch that
    was not there (issue 20, point 2)."""
    from tests.captable.factories import NOW, History, wallet
    from toolkit.captable.reconcile import find_discrepancies
    from toolkit.inputs import parse_shares

    value = "12345678901234.123456789012345678"
    holder = wallet(0xA)
    register = parse_register_csv(
        f"investor_id,wallet,class,shares\nINV-A,{holder},TOKEN,{value}\n",
        class_decimals={"TOKEN": 18},
    )
    (row,) = register.rows
    on_the_command_line = parse_shares(value, 18)
    assert row.shares == on_the_command_line == 12345678901234123456789012345678
    chain = History(class_ids=("TOKEN",)).qualify(holder, "INV-A").issue("TOKEN", holder, on_the_command_line)
    assert find_discrepancies(register.rows, chain.ledger(), timestamp=NOW) == []
    assert format_shares(row.shares, 18) == value
