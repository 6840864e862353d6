"""The report's sections: plain data (figures, tables, headline figures) from ``ReportData``.

``SECTIONS`` lists the section builders in page order; each takes the collected data and
returns a ``Section`` or None (nothing to show). Charts are plotly figures (``plotly.graph_objects``),
tables are rows of text exactly as the page prints them, numbers formatted as the terminal
tables format them (``1,400,000``, ``19.39%``). A later record (rounds, trades, distributions)
adds a builder here that reads ``data.extras[name]`` (see ``collect.EXTRA_COLLECTORS``), as
``distributions`` reads ``extras["dividends"]``.

Pure: no chain, no files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from toolkit.captable.cap_table import ClassTable
from toolkit.inputs import format_shares, iso_date, iso_time
from toolkit.reports.collect import ProposalFacts, ReportData
from toolkit.reports.unlocks import unlock_schedule

if TYPE_CHECKING:
    from toolkit.dividends.distribution import Status
    from toolkit.rounds.rounds import RoundStatus

# one colour per class, in the offering's order (plotly's "Safe" qualitative palette)
CLASS_COLOURS = (
    "#88CCEE",
    "#CC6677",
    "#DDCC77",
    "#117733",
    "#332288",
    "#AA4499",
    "#44AA99",
    "#999933",
)
RESERVED_COLOUR = "#BBBBBB"
VOTE_COLOURS = {"for": "#117733", "against": "#CC6677", "abstain": "#BBBBBB"}


@dataclass(frozen=True)
class Table:
    id: str  # the table's DOM id
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-aligned columns


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    lead: str
    facts: tuple[tuple[str, str], ...] = ()  # headline figures: (label, value)
    figures: tuple[Any, ...] = ()  # plotly figures
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def percent(value: float) -> str:
    return f"{value:.2f}%"


def whole(units: int, decimals: int) -> int | float:
    """Whole shares for a chart's axis (display only; tables print exact text)."""
    value = Decimal(units) / 10**decimals
    return int(value) if value == value.to_integral_value() else float(value)


def table(
    id: str,
    caption: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[str] = (),
) -> Table:
    return Table(
        id,
        caption,
        tuple(columns),
        tuple(tuple(row) for row in rows),
        tuple(column in numeric for column in columns),
    )


def _layout(fig: Any, title: str, *, height: int = 360) -> Any:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13},
        legend={"orientation": "h", "y": -0.15},
        separators=".,",
    )
    return fig


def _horizontal_bars(
    fig: Any,
    labels: Sequence[str],
    series: Iterable[tuple[str, str, Sequence[Any]]],
    *,
    unit: str = "",
) -> Any:
    """One horizontal bar trace per ``(name, colour, values)`` over ``labels`` (a value per
    label), the first label on top; hovering shows ``label: value [unit ]name``."""
    import plotly.graph_objects as go

    for name, colour, values in series:
        fig.add_trace(
            go.Bar(
                y=list(labels),
                x=list(values),
                name=name,
                orientation="h",
                marker={"color": colour},
                hovertemplate="%{y}: %{x:,} " + unit + name + "<extra></extra>",
            )
        )
    fig.update_yaxes(autorange="reversed")
    return fig


def colour_of(data: ReportData) -> dict[str, str]:
    return {
        c.id: CLASS_COLOURS[i % len(CLASS_COLOURS)] for i, c in enumerate(data.cap_table.classes)
    }


# --- ownership ---------------------------------------------------------------------------


def ownership(data: ReportData) -> Section:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    cap = data.cap_table
    decimals = {c.id: c.decimals for c in cap.classes}
    investors = list(cap.investors)
    names = [i.investor_id or i.wallets[0] for i in investors]
    reserved_share = float(cap.reserved * 100 / cap.fully_diluted) if cap.fully_diluted else 0.0

    diluted = go.Figure(
        go.Bar(
            y=[*names, "reserved, not yet issued"],
            x=[*(i.percent_fully_diluted for i in investors), reserved_share],
            orientation="h",
            text=[*(percent(i.percent_fully_diluted) for i in investors), percent(reserved_share)],
            textposition="outside",
            cliponaxis=False,
            marker={"color": ["#332288"] * len(investors) + [RESERVED_COLOUR]},
            hovertemplate="%{y}: %{x:.2f}% fully diluted<extra></extra>",
        )
    )
    diluted.update_yaxes(autorange="reversed")
    diluted.update_xaxes(
        ticksuffix="%",
        range=[0, max([reserved_share, *(i.percent_fully_diluted for i in investors), 1]) * 1.18],
    )
    _layout(diluted, "Fully diluted ownership, per investor", height=120 + 34 * (len(names) + 1))

    held = [c for c in cap.classes if c.holders]
    per_class = make_subplots(
        rows=1,
        cols=max(len(held), 1),
        specs=[[{"type": "domain"}] * max(len(held), 1)],
        subplot_titles=[
            f"{c.id}: {format_shares(c.total_supply, c.decimals, grouped=True)}" for c in held
        ],
    )
    for column, cls in enumerate(held, start=1):
        per_class.add_trace(
            go.Pie(
                labels=[h.investor_id or h.wallet for h in cls.holders],
                values=[whole(h.shares, cls.decimals) for h in cls.holders],
                hole=0.45,
                sort=False,
                textinfo="percent",
                name=cls.id,
                hovertemplate="%{label}: %{value:,} shares (%{percent})<extra>"
                + cls.id
                + "</extra>",
            ),
            row=1,
            col=column,
        )
    _layout(per_class, "Ownership within each class", height=400)
    per_class.update_layout(showlegend=True, margin={"t": 90})

    combined = table(
        "fully-diluted",
        "Every investor across classes and wallets",
        ["investor", "wallets", "shares", "% outstanding", "% fully diluted"],
        [
            (
                i.investor_id or "(unregistered)",
                "\n".join(i.wallets),
                "\n".join(
                    f"{cid} {format_shares(n, decimals[cid], grouped=True)}"
                    for cid, n in i.shares.items()
                ),
                percent(i.percent_outstanding),
                percent(i.percent_fully_diluted),
            )
            for i in investors
        ],
        numeric=("shares", "% outstanding", "% fully diluted"),
    )
    class_tables = tuple(_class_table(cls) for cls in cap.classes)
    return Section(
        id="ownership",
        title="Ownership",
        lead=(
            "Fully diluted counts every class's outstanding shares plus the shares reserved for "
            "future issuance (an option pool not yet granted); authorized shares that nothing "
            "reserves are not counted."
        ),
        facts=(
            ("outstanding", _grouped(cap.outstanding)),
            ("reserved", _grouped(cap.reserved)),
            ("fully diluted", _grouped(cap.fully_diluted)),
            ("investors", f"{len(investors):,}"),
        ),
        figures=(diluted, per_class),
        tables=(combined, *class_tables),
    )


def _grouped(value: Decimal) -> str:
    return f"{value.normalize():,f}" if value != value.to_integral_value() else f"{int(value):,}"


def _class_table(cls: ClassTable) -> Table:
    def shares(units: int) -> str:
        return format_shares(units, cls.decimals, grouped=True)

    authorized = "unknown" if cls.authorized is None else shares(cls.authorized)
    return table(
        f"class-{cls.id}",
        f"{cls.id}: {shares(cls.total_supply)} outstanding of {authorized} authorized"
        + (f", {shares(cls.reserved)} reserved" if cls.reserved else ""),
        ["investor", "wallet", "shares", "locked", "votes", "% class", "% fully diluted"],
        [
            (
                h.investor_id or "(unregistered)",
                h.wallet,
                shares(h.shares),
                shares(h.locked_shares),
                f"{h.votes:,}",
                percent(h.percent),
                percent(h.percent_fully_diluted),
            )
            for h in cls.holders
        ],
        numeric=("shares", "locked", "votes", "% class", "% fully diluted"),
    )


# --- holders against caps ----------------------------------------------------------------


def holders_and_caps(data: ReportData) -> Section:
    import plotly.graph_objects as go

    cap = data.cap_table
    colours = colour_of(data)
    facts = {c.id: c for c in data.classes}
    ids = [c.id for c in cap.classes]
    used = [
        (100 * facts[c].investors / facts[c].max_holders) if facts[c].max_holders else 0.0
        for c in ids
    ]
    labels = [
        f"{facts[c].investors:,} of {facts[c].max_holders:,}"
        if facts[c].max_holders
        else f"{facts[c].investors:,}, no cap"
        for c in ids
    ]
    investors = go.Figure(
        go.Bar(
            x=ids,
            y=used,
            text=labels,
            textposition="outside",
            cliponaxis=False,
            marker={"color": [colours[c] for c in ids]},
            hovertemplate="%{x}: %{text} investors<extra></extra>",
        )
    )
    investors.update_yaxes(
        ticksuffix="%", range=[0, max([*used, 10]) * 1.25], title="of the holder cap"
    )
    _layout(investors, "Investors against each class's holder cap")

    shares = go.Figure()
    parts = {
        "outstanding": [whole(c.total_supply, c.decimals) for c in cap.classes],
        "reserved": [whole(c.reserved, c.decimals) for c in cap.classes],
        "authorized, unreserved": [
            whole(max((c.authorized or 0) - c.total_supply - c.reserved, 0), c.decimals)
            for c in cap.classes
        ],
    }
    part_colours = ("#332288", RESERVED_COLOUR, "#EEEEEE")
    series = [
        (name, colour, values)
        for (name, values), colour in zip(parts.items(), part_colours, strict=True)
    ]
    _horizontal_bars(shares, ids, series)
    shares.update_layout(barmode="stack")
    _layout(shares, "Shares against each class's authorized shares", height=140 + 50 * len(ids))

    rows = []
    for c in cap.classes:
        fact = facts[c.id]
        rows.append(
            (
                c.id,
                f"{fact.investors:,}",
                f"{fact.max_holders:,}" if fact.max_holders else "no cap",
                format_shares(c.total_supply, c.decimals, grouped=True),
                format_shares(c.reserved, c.decimals, grouped=True),
                "unknown"
                if c.authorized is None
                else format_shares(c.authorized, c.decimals, grouped=True),
            )
        )
    return Section(
        id="caps",
        title="Holders against caps",
        lead="Each class caps its investors (wallets of one investor count once) and its shares.",
        figures=(investors, shares),
        tables=(
            table(
                "caps",
                "Investors and shares per class",
                ["class", "investors", "holder cap", "outstanding", "reserved", "authorized"],
                rows,
                numeric=("investors", "holder cap", "outstanding", "reserved", "authorized"),
            ),
        ),
    )


# --- unlock schedule ---------------------------------------------------------------------


def unlocks(data: ReportData) -> Section:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    ids = [c.id for c in data.cap_table.classes]
    decimals = {c.id: c.decimals for c in data.cap_table.classes}
    schedule = unlock_schedule(data.lots, data.timestamp, ids)
    lead = (
        "Shares released month by month by lock-ups and vesting, as the class tokens compute them."
    )
    if schedule.empty:
        return Section(
            id="unlocks", title="Unlock schedule", lead=lead, notes=("No shares are locked.",)
        )
    colours = colour_of(data)
    months = [m.label for m in schedule.months]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for cid in ids:
        if not schedule.locked_now[cid]:
            continue
        fig.add_trace(
            go.Bar(
                x=months,
                y=[whole(m.unlocking[cid], decimals[cid]) for m in schedule.months],
                name=f"{cid} unlocking",
                marker={"color": colours[cid]},
                hovertemplate="%{x}: %{y:,} " + cid + " unlock<extra></extra>",
            ),
            secondary_y=False,
        )
    locked_total = [
        sum(whole(m.locked_after[c], decimals[c]) for c in ids) for m in schedule.months
    ]
    fig.add_trace(
        go.Scatter(
            x=months,
            y=locked_total,
            name="still locked",
            mode="lines",
            line={"color": "#332288", "width": 2},
            hovertemplate="%{x}: %{y:,} still locked<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="unlocking in the month", secondary_y=False)
    fig.update_yaxes(title_text="still locked", secondary_y=True, rangemode="tozero")
    _layout(fig, "Unlocks per month", height=420)

    active = [c for c in ids if schedule.locked_now[c]]
    rows = [
        (
            m.label,
            *(format_shares(m.unlocking[c], decimals[c], grouped=True) for c in active),
            f"{sum(whole(m.locked_after[c], decimals[c]) for c in ids):,}",
        )
        for m in schedule.months
        if any(m.unlocking.values())
    ]
    return Section(
        id="unlocks",
        title="Unlock schedule",
        lead=lead,
        facts=(
            *(
                (f"{c} locked", format_shares(schedule.locked_now[c], decimals[c], grouped=True))
                for c in active
            ),
            ("last unlock", schedule.months[-1].label),
        ),
        figures=(fig,),
        tables=(
            table(
                "unlocks",
                "Months in which shares unlock",
                ["month", *active, "still locked after"],
                rows,
                numeric=(*active, "still locked after"),
            ),
        ),
    )


# --- governance --------------------------------------------------------------------------


def outcome(p: ProposalFacts) -> str:
    if p.state in ("Executed", "Queued", "Succeeded"):
        return "passed" + ("" if p.state == "Executed" else f" ({p.state.lower()})")
    if p.state == "Defeated":
        return (
            "defeated: quorum not reached"
            if p.for_votes + p.abstain_votes < p.quorum
            else "defeated: more against"
        )
    if p.state in ("Pending", "Active"):
        return "voting" if p.state == "Active" else "voting not yet open"
    return p.state.lower()


def governance(data: ReportData) -> Section:
    import plotly.graph_objects as go

    lead = "Every proposal to the shareholders: weighted votes, turnout (votes cast of all votes at the snapshot) and outcome."
    proposals = data.proposals
    if not proposals:
        return Section(id="governance", title="Governance", lead=lead, notes=("No proposals yet.",))
    labels = [f"#{n} {p.title}" for n, p in enumerate(proposals, start=1)]
    fig = _horizontal_bars(
        go.Figure(),
        labels,
        [
            (key, VOTE_COLOURS[key], [getattr(p, attribute) for p in proposals])
            for key, attribute in (
                ("for", "for_votes"),
                ("against", "against_votes"),
                ("abstain", "abstain_votes"),
            )
        ],
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=[p.quorum for p in proposals],
            mode="markers",
            name="quorum",
            marker={"symbol": "line-ns-open", "size": 28, "color": "#000000", "line": {"width": 3}},
            hovertemplate="%{y}: quorum %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(barmode="stack")
    _layout(
        fig, "Weighted votes per proposal, against its quorum", height=160 + 60 * len(proposals)
    )
    rows = [
        (
            f"{n}",
            f"{p.title}\n{p.id}",
            p.state,
            iso_date(p.deadline),
            f"{p.for_votes:,}",
            f"{p.against_votes:,}",
            f"{p.abstain_votes:,}",
            "-" if p.turnout_percent is None else percent(p.turnout_percent),
            f"{p.quorum:,}",
            outcome(p),
        )
        for n, p in enumerate(proposals, start=1)
    ]
    passed = sum(1 for p in proposals if outcome(p).startswith("passed"))
    return Section(
        id="governance",
        title="Governance",
        lead=lead,
        facts=(("proposals", f"{len(proposals):,}"), ("passed", f"{passed:,}")),
        figures=(fig,),
        tables=(
            table(
                "proposals",
                "Proposals, oldest first",
                [
                    "#",
                    "proposal",
                    "state",
                    "vote ends",
                    "for",
                    "against",
                    "abstain",
                    "turnout",
                    "quorum",
                    "outcome",
                ],
                rows,
                numeric=("#", "for", "against", "abstain", "turnout", "quorum"),
            ),
        ),
    )


# --- subscription rounds -----------------------------------------------------------------


def subscription_rounds(data: ReportData) -> Section | None:
    """Rounds opened by the report's block (``extras["rounds"]``: their ``RoundStatus`` at
    the block): shares sold against each cap, money raised in the payment token."""
    import plotly.graph_objects as go

    found: tuple[RoundStatus, ...] | None = data.extras.get("rounds")
    if not found:
        return None

    def money(status: RoundStatus, units: int) -> str:
        r = status.record
        return f"{format_shares(units, r.payment_decimals, grouped=True)} {r.payment_symbol}"

    def shares(status: RoundStatus, units: int) -> str:
        return format_shares(units, status.record.class_decimals, grouped=True)

    names = [s.record.name for s in found]
    fig = _horizontal_bars(
        go.Figure(),
        names,
        [
            (name, colour, [whole(getattr(s, attribute), s.record.class_decimals) for s in found])
            for name, colour, attribute in (
                ("sold", "#117733", "sold"),
                ("soft cap", "#DDCC77", "soft_cap"),
                ("hard cap", RESERVED_COLOUR, "hard_cap"),
            )
        ],
        unit="shares ",
    )
    fig.update_layout(barmode="group")
    _layout(fig, "Shares sold against each round's caps", height=160 + 70 * len(found))
    columns = ["round", "class", "state", "price per share", "sold", "raised", "investors"]
    rows = [
        (
            s.record.name,
            s.record.class_id,
            s.state,
            money(s, s.price),
            shares(s, s.sold),
            money(s, s.sold * s.record.price_per_unit),
            f"{s.investors:,}",
            shares(s, s.soft_cap),
            shares(s, s.hard_cap),
            iso_date(s.opens),
            iso_date(s.closes),
        )
        for s in found
    ]
    return Section(
        id="rounds",
        title="Subscription rounds",
        lead="Each round sells new shares of one class for a stablecoin, between its caps.",
        facts=(("rounds", f"{len(found):,}"),),
        figures=(fig,),
        tables=(
            table(
                "rounds",
                "Rounds, as opened",
                [*columns, "soft cap", "hard cap", "opens", "closes"],
                rows,
                numeric=("price per share", "sold", "raised", "investors", "soft cap", "hard cap"),
            ),
        ),
    )


# --- distributions -----------------------------------------------------------------------

# where each dividend's funding stands; the parts add up to what was entitled
DIVIDEND_PARTS = (
    ("paid", "#117733"),
    ("withheld", "#DDCC77"),
    ("reserved", "#CC6677"),
    ("unclaimed", "#88CCEE"),
    ("reclaimed", "#999933"),
)


def distributions(data: ReportData) -> Section | None:
    """Dividends declared by the report's block (``extras["dividends"]``: their ``Status``
    at the block), in the payment token's units."""
    import plotly.graph_objects as go

    found: tuple[Status, ...] | None = data.extras.get("dividends")
    if not found:
        return None

    def money(status: Status, amount: int) -> str:
        r = status.record
        return f"{format_shares(amount, r.token_decimals, grouped=True)} {r.token_symbol}".strip()

    def parts(status: Status) -> dict[str, int]:
        return {
            "paid": status.paid,
            "withheld": status.withheld,
            "reserved": status.reserved,
            "unclaimed": status.unclaimed,
            "reclaimed": status.reclaimed,
        }

    labels = [f"dividend {s.record.id}" for s in found]
    fig = _horizontal_bars(
        go.Figure(),
        labels,
        [
            (name, colour, [whole(parts(s)[name], s.record.token_decimals) for s in found])
            for name, colour in DIVIDEND_PARTS
        ],
    )
    fig.update_layout(barmode="stack")
    _layout(fig, "Where each dividend's money is", height=160 + 50 * len(found))
    rows = [
        (
            f"{s.record.id}",
            f"{s.record.record_block:,}",
            "\n".join(
                f"{c.id} {c.amount_per_share} {s.record.token_symbol}/share"
                for c in s.record.classes
            ),
            money(s, s.record.entitled),
            *(money(s, amount) for amount in parts(s).values()),
            iso_date(s.record.claim_deadline),
        )
        for s in found
    ]
    return Section(
        id="dividends",
        title="Dividends",
        lead=(
            "Each dividend pays the holders of record at its record block; what was entitled is "
            "paid, withheld for tax, reserved for a wallet that may not receive yet, still "
            "unclaimed, or reclaimed after the deadline."
        ),
        facts=(("dividends", f"{len(found):,}"),),
        figures=(fig,),
        tables=(
            table(
                "dividends",
                "Dividends, oldest first",
                [
                    "#",
                    "record block",
                    "per share",
                    "entitled",
                    *(name for name, _ in DIVIDEND_PARTS),
                    "claims until",
                ],
                rows,
                numeric=("#", "record block", "entitled", *(name for name, _ in DIVIDEND_PARTS)),
            ),
        ),
    )


SECTIONS: list[Callable[[ReportData], Section | None]] = [
    ownership,
    holders_and_caps,
    unlocks,
    governance,
    subscription_rounds,
    distributions,
]


def build_sections(data: ReportData) -> list[Section]:
    return [section for builder in SECTIONS if (section := builder(data)) is not None]


def report_time(data: ReportData) -> str:
    return iso_time(data.timestamp)
