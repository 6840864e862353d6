"""The report's sections and page, from plain data (no chain): what each table prints, the
outcomes of proposals, and how a later record adds a section."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.captable.factories import NOW, History, wallet
from toolkit.captable.cap_table import build_cap_table
from toolkit.captable.deployment import OfferingDeployment
from toolkit.offering.deployments import ClassDeployment
from toolkit.reports import sections
from toolkit.reports.collect import ClassFacts, ProposalFacts, ReportData
from toolkit.reports.html import render_html
from toolkit.reports.sections import Section, build_sections, outcome
from toolkit.reports.unlocks import Lot

A, B = wallet(0xA), wallet(0xB)
DEPLOYMENT = OfferingDeployment(
    name="acme",
    chain_id=31337,
    registry=wallet(0x1),
    classes=(
        ClassDeployment("COMMON", wallet(0x2), votes_per_share=1, reserved=500_000),
        ClassDeployment("FOUNDERS", wallet(0x3), votes_per_share=10),
    ),
)


def data(*, investor_b: str = "BOB-002", proposals: tuple[ProposalFacts, ...] = (), extras: dict[str, object] | None = None) -> ReportData:
    ledger = (
        History(("COMMON", "FOUNDERS"))
        .qualify(A, "ALICE-001")
        .qualify(B, investor_b)
        .issue("COMMON", A, 1_250_000)
        .issue("FOUNDERS", B, 750_000)
        .ledger()
    )
    table = build_cap_table(
        ledger, DEPLOYMENT, block=7, timestamp=NOW, locked={("FOUNDERS", B): 750_000},
        authorized={"COMMON": 10_000_000, "FOUNDERS": 1_000_000},
    )
    return ReportData(
        company="Acme Robotics, Inc.", offering="acme", chain_id=31337, block=7, timestamp=NOW,
        cap_table=table,
        classes=(ClassFacts("COMMON", "Common", "AC", 0, 1, 1, 2000), ClassFacts("FOUNDERS", "Founders", "AF", 0, 10, 1, 3)),
        lots=(Lot("FOUNDERS", B, 750_000, *(3 * (NOW + 400 * 86_400,))),),  # a plain lock-up
        proposals=proposals,
        extras=extras or {},
    )


def proposal(state: str, for_votes: int, against: int, abstain: int = 0, quorum: int = 1_000) -> ProposalFacts:
    return ProposalFacts(7, "Raise COMMON", state, A, 3, NOW - 10, NOW - 5, for_votes, against, abstain, quorum, 4_000)


def by_id(found: list[Section]) -> dict[str, Section]:
    return {s.id: s for s in found}


def test_ownership_prints_exact_counts_and_the_fully_diluted_percentages() -> None:
    ownership = by_id(build_sections(data()))["ownership"]
    assert dict(ownership.facts) == {"outstanding": "2,000,000", "reserved": "500,000", "fully diluted": "2,500,000", "investors": "2"}
    founders = next(t for t in ownership.tables if t.id == "class-FOUNDERS")
    assert founders.rows == (("BOB-002", B, "750,000", "750,000", "7,500,000", "100.00%", "30.00%"),)
    combined = next(t for t in ownership.tables if t.id == "fully-diluted")
    assert combined.rows[0][0] == "ALICE-001" and combined.rows[0][-2:] == ("62.50%", "50.00%")


def test_the_unlock_table_releases_what_is_locked_and_ends_at_zero() -> None:
    unlocks = by_id(build_sections(data()))["unlocks"]
    [table] = unlocks.tables
    assert table.columns == ("month", "FOUNDERS", "still locked after")
    assert [row[1:] for row in table.rows] == [("750,000", "0")]


@pytest.mark.parametrize(
    ("facts", "said"),
    [
        (proposal("Executed", 3_000, 1_000), "passed"),
        (proposal("Queued", 3_000, 1_000), "passed (queued)"),
        (proposal("Defeated", 500, 100, 100), "defeated: quorum not reached"),
        (proposal("Defeated", 1_000, 2_000), "defeated: more against"),
        (proposal("Active", 0, 0), "voting"),
        (proposal("Canceled", 0, 0), "canceled"),
    ],
)
def test_each_proposal_outcome_is_said_in_words(facts: ProposalFacts, said: str) -> None:
    assert outcome(facts) == said


def test_turnout_is_votes_cast_of_the_voting_supply_at_the_snapshot() -> None:
    governance = by_id(build_sections(data(proposals=(proposal("Executed", 3_000, 1_000, 200),))))["governance"]
    [row] = governance.tables[0].rows
    assert row[1] == f"Raise COMMON\n{7}" and row[4:9] == ("3,000", "1,000", "200", "105.00%", "1,000")


def test_the_page_inlines_the_charting_library_once_and_links_nothing_outside() -> None:
    from plotly.offline import get_plotlyjs

    page = render_html(data())
    assert page.count(get_plotlyjs()) == 1
    ours = page.replace(get_plotlyjs(), "")
    assert "<script src" not in ours and "<link" not in ours and "http" not in ours
    assert ours.count("Plotly.newPlot") == 5  # every chart, drawn by the inlined library


def test_text_from_the_chain_is_escaped_not_run() -> None:
    page = render_html(data(investor_b="<img onerror=x>"))
    assert "<img onerror=x>" not in page and "&lt;img onerror=x&gt;" in page


def test_a_later_record_adds_a_section_with_one_builder(monkeypatch: pytest.MonkeyPatch) -> None:
    def trades(found: ReportData) -> Section | None:
        paid = found.extras.get("trades")
        if paid is None:
            return None
        return Section(id="trades", title="Trades", lead="Shares traded.",
                       tables=(sections.table("trades", "Traded", ["id", "shares"], [("1", f"{paid:,}")], numeric=("shares",)),))

    monkeypatch.setattr(sections, "SECTIONS", [*sections.SECTIONS, trades])
    assert "trades" not in by_id(build_sections(data()))
    page = render_html(data(extras={"trades": Decimal(1_250_000)}))
    assert 'id="trades"' in page and "1,250,000" in page and 'href="#trades"' in page
