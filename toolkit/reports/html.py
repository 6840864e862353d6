"""The report as one self-contained HTML file: plotly's JavaScript inlined once, every chart
drawn from it, the tables as plain HTML (Jinja2, autoescaped). It opens with no network."""

from __future__ import annotations

from typing import Any

from toolkit.reports.collect import ReportData
from toolkit.reports.sections import Section, build_sections, report_time

PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}  # a page to read, not a tool


def chart_html(figure: Any, div_id: str) -> str:
    """One chart's ``<div>`` and the script that draws it (the library itself is in <head>)."""
    import plotly.io as pio

    return str(
        pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config=PLOTLY_CONFIG,
        )
    )


def render_html(
    data: ReportData, sections: list[Section] | None = None, *, version: str = ""
) -> str:
    """The whole page for ``data`` (its sections built here unless given)."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from plotly.offline import get_plotlyjs

    sections = build_sections(data) if sections is None else sections
    environment = Environment(
        loader=PackageLoader("toolkit.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    charts = {
        s.id: [
            chart_html(figure, f"chart-{s.id}-{n}") for n, figure in enumerate(s.figures, start=1)
        ]
        for s in sections
    }
    return environment.get_template("report.html.j2").render(
        company=data.company,
        offering=data.offering,
        chain_id=data.chain_id,
        block=data.block,
        time=report_time(data),
        sections=sections,
        charts=charts,
        plotly_js=get_plotlyjs(),
        version=version,
    )
