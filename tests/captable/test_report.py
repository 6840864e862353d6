"""`equity captable report` (issue 18.1) in a real browser: headless Chromium renders the
file with no network, the screenshot is not blank, and every number the page shows equals
the JSON cap table's (and the governor's)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser import Page, dump_dom, screenshot
from tests.captable.conftest import DAY, Offering
from tests.conftest import REPO, invoke_cli
from toolkit.reports.sections import RESERVED_COLOUR

README_SHOT = REPO / "docs" / "report.png"


def equity(offering: Offering, *args: str, account: str = "dev0") -> Any:
    result = invoke_cli("--json", "--yes", "--rpc-url", offering.node.rpc_url, "--account", account, *args)
    assert result.code == 0, result.err
    return result.json()


def company_history(offering: Offering) -> None:
    """Holders in three classes, a lock-up, a vesting grant, and two proposals (one passed)."""
    a, b, c, d = offering.holders[:4]
    for wallet, investor in ((a, "ALICE-001"), (b, "BOB-002"), (c, "CAROL-003"), (d, "DAVE-004")):
        offering.qualify(wallet, investor)
    now = offering.now()
    offering.issue_vested("FOUNDERS", a, 800_000, now - 200 * DAY, now - 200 * DAY + 365 * DAY, now + 1261 * DAY)
    offering.issue("FOUNDERS", b, 600_000, locked_until=now + 400 * DAY)
    offering.issue("COMMON", c, 250_000)
    offering.issue("COMMON", d, 150_000, locked_until=now + 90 * DAY)
    offering.issue("PREFERRED", d, 300_000)
    offering.node.advance_time(60)  # votes count from the second after the shares arrived
    equity(offering, "gov", "propose", "--title", "Raise COMMON to 12,000,000", "--action", "set-authorized COMMON 12000000", account="dev1")
    offering.node.advance_time(DAY + 1)
    equity(offering, "gov", "vote", "latest", "for", account="dev1")
    equity(offering, "gov", "vote", "latest", "against", account="dev2")
    equity(offering, "gov", "queue", "latest", "--advance-time")
    equity(offering, "gov", "execute", "latest", "--advance-time")
    equity(offering, "gov", "propose", "--title", "Block SG for PREFERRED", "--action", "block-jurisdiction PREFERRED SG", account="dev1")


def percent(value: float) -> str:
    return f"{value:.2f}%"


@pytest.fixture
def here(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(workdir)
    return workdir


def test_the_report_renders_in_a_browser_with_the_cap_tables_numbers(offering: Offering, here: Path, tmp_path: Path) -> None:
    company_history(offering)
    written = equity(offering, "captable", "report", "--out", "report.html")
    assert written["sections"] == ["ownership", "caps", "unlocks", "governance"]
    table = equity(offering, "captable", "show")
    proposals = equity(offering, "gov", "list")["proposals"]
    assert written["block"] == table["block"]

    html = (here / "report.html").read_text()
    assert "<script src=" not in html and "cdn" not in html.lower().split("</style>")[0]  # nothing to fetch
    page = Page.read(dump_dom(here / "report.html", tmp_path / "profile"))

    # every holder line of every class, as the JSON cap table has it
    for cls in table["classes"]:
        rows = page.tables[f"class-{cls['id']}"][1:]
        assert rows == [
            [
                h["investor_id"], h["wallet"], f"{h['shares']:,}", f"{h['locked_shares']:,}", f"{h['votes']:,}",
                percent(h["percent"]), percent(h["percent_fully_diluted"]),
            ]
            for h in cls["holders"]
        ]
    # fully diluted: outstanding plus reserved, per investor and in total
    combined = {row[0]: row for row in page.tables["fully-diluted"][1:]}
    for investor in table["combined"]:
        row = combined[investor["investor_id"]]
        assert row[1].split("\n") == investor["wallets"]
        assert row[3:] == [percent(investor["percent_outstanding"]), percent(investor["percent_fully_diluted"])]
    outstanding = sum(c["total_supply"] for c in table["classes"])
    reserved = sum(c["reserved"] for c in table["classes"])
    assert page.facts["outstanding"] == f"{outstanding:,}" and page.facts["reserved"] == f"{reserved:,}"
    assert page.facts["fully diluted"] == f"{outstanding + reserved:,}"
    # the chart drew the same percentages (text rendered by plotly's JavaScript)
    bars = page.texts["chart-ownership-1"]
    expected = [percent(i["percent_fully_diluted"]) for i in table["combined"]] + [percent(100 * reserved / (outstanding + reserved))]
    assert [t for t in bars if t.endswith("%") and t in expected] == expected
    # holders against caps, from the chain
    caps = {row[0]: row for row in page.tables["caps"][1:]}
    for cls in table["classes"]:
        holders = len({h["investor_id"] for h in cls["holders"]})
        assert caps[cls["id"]][1] == f"{holders:,}" and caps[cls["id"]][3] == f"{cls['total_supply']:,}"
    assert caps["COMMON"][5] == "12,000,000"  # the executed proposal raised it
    # the unlock schedule releases exactly what is locked now
    unlocking = page.tables["unlocks"]
    locked = {c["id"]: sum(h["locked_shares"] for h in c["holders"]) for c in table["classes"]}
    for column, class_id in enumerate(unlocking[0][1:-1], start=1):
        assert sum(int(row[column].replace(",", "")) for row in unlocking[1:]) == locked[class_id]
    assert unlocking[-1][-1] == "0"
    # governance: the governor's votes and states
    shown = page.tables["proposals"][1:]
    assert [row[2] for row in shown] == [p["state"] for p in proposals]
    for row, p in zip(shown, proposals, strict=True):
        assert row[1].split("\n") == [p["title"], p["id"]]
        assert row[4:7] == [f"{p['for']:,}", f"{p['against']:,}", f"{p['abstain']:,}"]
    assert shown[0][-1] == "passed"

    shot = screenshot(here / "report.html", tmp_path / "report.png", tmp_path / "profile")
    assert_not_blank(shot)
    # the charts drew: their grey (the reserved bar) is on the screen, and it is absent from
    # the same page without its scripts (so the check can fail)
    assert chart_pixels(shot) > 5_000
    (tmp_path / "no-js.html").write_text(re.sub(r"<script\b.*?</script>", "", html, flags=re.S))
    unscripted = screenshot(tmp_path / "no-js.html", tmp_path / "no-js.png", tmp_path / "profile")
    assert_not_blank(unscripted)
    assert chart_pixels(unscripted) == 0
    if os.environ.get("EQUITY_README_SCREENSHOT"):
        README_SHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, README_SHOT)


def assert_not_blank(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as image:
        pixels = image.convert("RGB").resize((320, 550))
        colours = pixels.getcolors(maxcolors=320 * 550) or []
    background = max(colours)[0]
    assert len(colours) > 50, "the screenshot is (nearly) one colour"
    assert background < 0.9 * 320 * 550, "the screenshot is mostly empty"
    assert any(abs(r - 0x33) < 12 and abs(g - 0x22) < 12 and abs(b - 0x88) < 12 for _, (r, g, b) in colours)  # the header


def chart_pixels(png: Path) -> int:
    """Pixels of the grey only plotly draws on this page (RESERVED_COLOUR: the reserved bar)."""
    from PIL import Image

    grey = tuple(int(RESERVED_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=image.width * image.height) or []
    return sum(count for count, rgb in colours if all(abs(a - b) <= 3 for a, b in zip(rgb, grey, strict=True)))


def test_as_of_a_block_reports_the_cap_table_of_that_block(offering: Offering, here: Path, tmp_path: Path) -> None:
    a, b = offering.holders[:2]
    offering.qualify(a, "ALICE-001")
    offering.qualify(b, "BOB-002")
    offering.issue("COMMON", a, 1_000)
    before = offering.head()
    offering.transfer("COMMON", a, b, 400)
    written = equity(offering, "captable", "report", "--out", "then.html", "--as-of", str(before))
    assert written["block"] == before
    html = (here / "then.html").read_text()
    assert "BOB-002" not in html.split('id="fully-diluted"')[1].split("</table>")[0]


def test_a_report_with_no_proposals_or_lock_ups_says_so(offering: Offering, here: Path) -> None:
    offering.qualify(offering.holders[0], "ALICE-001")
    offering.issue("COMMON", offering.holders[0], 5)
    equity(offering, "captable", "report", "--out", "plain.html")
    html = (here / "plain.html").read_text()
    assert "No shares are locked." in html and "No proposals yet." in html


def test_a_report_into_a_missing_folder_is_written_there(offering: Offering, here: Path) -> None:
    written = equity(offering, "captable", "report", "--out", "board/q3/report.html")
    assert Path(written["path"]).is_file() and json.dumps(written)
