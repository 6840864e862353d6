"""What a person sees of `equity captable show` and `holders list` (issue 18.2): piped, every
value in full; on a real terminal, wrapped rather than cut; NO_COLOR; -q and -v."""

from __future__ import annotations

import re
from pathlib import Path

from tests.captable.conftest import DAY, Offering
from tests.conftest import run_cli, run_in_terminal

SGR = re.compile(r"\x1b\[[0-9;]*m")  # an ANSI colour or style


def populate(offering: Offering) -> None:
    a, b = offering.holders[:2]
    offering.qualify(a, "ALICE-001")
    offering.qualify(b, "BOB-002")
    offering.issue("FOUNDERS", a, 800_000, locked_until=offering.now() + 30 * DAY)
    offering.issue("FOUNDERS", b, 600_000)


def equity(offering: Offering, cwd: Path, *args: str) -> tuple[int, str, str]:
    done = run_cli("--rpc-url", offering.node.rpc_url, *args, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


def test_piped_show_prints_every_wallet_and_count_in_full(offering: Offering, workdir: Path) -> None:
    populate(offering)
    code, out, _ = equity(offering, workdir, "captable", "show", "--class", "FOUNDERS")
    assert code == 0
    alice = next(line for line in out.splitlines() if line.startswith("ALICE-001"))
    assert offering.holders[0] in alice  # the whole address, greppable
    assert "800,000" in alice and "8,000,000" in alice  # thousands separators, never `8,000,…`
    assert "…" not in out and "┃" not in out


def test_piped_holders_list_is_found_by_grep_for_a_full_address(offering: Offering, workdir: Path) -> None:
    populate(offering)
    _, out, _ = equity(offering, workdir, "holders", "list")
    [line] = [line for line in out.splitlines() if offering.holders[1] in line]
    assert "BOB-002" in line


def test_on_a_wide_terminal_the_table_is_boxed_and_whole(offering: Offering, workdir: Path) -> None:
    populate(offering)
    screen = run_in_terminal("--rpc-url", offering.node.rpc_url, "captable", "show", "--class", "FOUNDERS", cwd=workdir, columns=160)
    assert "┌" in screen and offering.holders[0] in screen and "8,000,000" in screen
    assert SGR.search(screen)  # styled, since colour is allowed here


def test_on_a_narrow_terminal_rows_become_blocks_and_nothing_is_cut(offering: Offering, workdir: Path) -> None:
    populate(offering)
    screen = run_in_terminal("--rpc-url", offering.node.rpc_url, "captable", "show", "--class", "FOUNDERS", cwd=workdir, columns=70)
    assert "1 of 2" in screen and "…" not in screen
    assert offering.holders[0] in screen and "8,000,000" in screen


def test_no_color_leaves_no_colour_or_style_on_a_terminal(offering: Offering, workdir: Path) -> None:
    populate(offering)
    screen = run_in_terminal(
        "--rpc-url", offering.node.rpc_url, "captable", "show", cwd=workdir, columns=160, env={"NO_COLOR": "1"}
    )
    assert "FOUNDERS" in screen and offering.holders[0] in screen
    assert not SGR.search(screen)


def test_quiet_shows_the_result_without_notes_and_verbose_names_chain_and_record(offering: Offering, workdir: Path) -> None:
    populate(offering)
    _, normal, _ = equity(offering, workdir, "captable", "show")
    assert "% diluted: of 2,400,000 fully diluted shares (1,400,000 outstanding + 1,000,000 reserved" in normal
    _, quiet, _ = equity(offering, workdir, "-q", "captable", "show")
    assert "ALICE-001" in quiet and "% diluted: of" not in quiet
    _, verbose, err = equity(offering, workdir, "captable", "show", "-v")
    assert verbose == normal
    assert f"# chain 31337 at {offering.node.rpc_url}" in err
    assert "# offering 'acme' of deployments/31337.json" in err


def test_the_json_document_gives_its_time_in_iso_8601_utc(offering: Offering, workdir: Path) -> None:
    import json

    populate(offering)
    _, out, _ = equity(offering, workdir, "--json", "captable", "show")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", json.loads(out)["timestamp"])
