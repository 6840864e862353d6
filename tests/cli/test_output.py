"""Tables that never hide data (issue 18.2): the one renderer, off a terminal and on one."""

from __future__ import annotations

import pytest

from toolkit.cli.output import color_allowed, console, plain_table, render_to_text

WALLET = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PROPOSAL = "75818416049213906380012358474219637211838215469355049839036520457131566727911"
COLUMNS = ["investor", "wallet", "shares", "votes", "% diluted"]
ROWS = [["ALICE-001", WALLET, 800_000, 8_000_000, "19.39"], ["BOB-002", "", 6, 60, "0.01"]]


def test_off_a_terminal_every_value_is_printed_in_full_on_one_line_per_row() -> None:
    text = plain_table("FOUNDERS", COLUMNS, ROWS)
    lines = text.splitlines()
    assert lines[0] == "FOUNDERS"
    assert WALLET in lines[2] and "ALICE-001" in lines[2]
    assert "…" not in text and "..." not in text
    assert len(lines) == 4


def test_off_a_terminal_columns_align_and_numbers_are_grouped_and_right_aligned() -> None:
    header, alice, bob = plain_table(None, COLUMNS, ROWS).splitlines()
    assert header.index("wallet") == alice.index(WALLET) == bob.index(" - ") + 1  # empty: -
    assert alice.index("800,000") + len("800,000") == header.index("shares") + len("shares")
    assert bob.rstrip().endswith("0.01") and "8,000,000" in alice


def test_a_cell_with_several_values_is_one_line_off_a_terminal() -> None:
    text = plain_table(None, ["investor", "wallets"], [["ALICE-001", [WALLET, "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"]]])
    assert text.splitlines()[1].endswith(f"{WALLET}, 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955")


def test_on_a_narrow_terminal_a_long_value_wraps_and_nothing_is_cut() -> None:
    text = render_to_text(None, ["id", "title", "state"], [[PROPOSAL, "Raise COMMON", "Active"]], terminal_width=50)
    assert "…" not in text
    first_column = [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]
    assert "".join(first_column[1:]) == PROPOSAL  # after the header, the id's lines in order


def test_on_a_wide_terminal_the_table_is_boxed_with_whole_values() -> None:
    text = render_to_text("FOUNDERS", COLUMNS, ROWS, terminal_width=120)
    assert "┌" in text and WALLET in text and "8,000,000" in text


def test_when_a_boxed_table_cannot_fit_each_row_becomes_a_block() -> None:
    text = render_to_text("FOUNDERS", COLUMNS, ROWS, terminal_width=40)
    assert "1 of 2" in text and "2 of 2" in text
    wallet_lines = text.split("wallet", 1)[1].split("shares", 1)[0].split()
    assert "".join(wallet_lines) == WALLET  # the label, then the value, folded at 40
    assert "8,000,000" in text


@pytest.mark.parametrize(("value", "allowed"), [(None, True), ("", True), ("1", False), ("yes", False)])
def test_no_color_turns_colour_off_whenever_it_is_set_and_not_empty(
    value: str | None, allowed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", value)
    assert color_allowed() is allowed
    assert (console().color_system is not None or not console().is_terminal) if allowed else console().color_system is None


def test_no_color_strips_clicks_styles_too() -> None:
    import click
    from click.testing import CliRunner

    from tests.cli.conftest import added_command
    from toolkit.cli.main import cli

    @click.command("probe-styled")
    def styled() -> None:
        click.secho("step", fg="cyan", bold=True)

    with added_command(styled):
        coloured = CliRunner().invoke(cli, ["probe-styled"], color=True)
        plain = CliRunner().invoke(cli, ["probe-styled"], color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" in coloured.output  # the probe can fail: styles show when allowed
    assert plain.output == "step\n"
