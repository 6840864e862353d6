"""Write the report: collect at a block, build the sections, render, write the file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.reports.collect import collect
from toolkit.reports.html import render_html
from toolkit.reports.sections import build_sections

if TYPE_CHECKING:
    from toolkit.captable.api import CapTableSession
    from toolkit.chain.connection import Chain
    from toolkit.offering.deployments import Deployment


def write_report(
    session: CapTableSession,
    chain: Chain,
    deployment: Deployment,
    out: Path,
    *,
    as_of: str | None = None,
    cwd: Path,
    version: str = "",
) -> dict[str, Any]:
    """The report of ``deployment`` at ``as_of`` in ``out`` (written whole, then renamed, so
    a reader never opens half a file); what was written, for the command's output."""
    from toolkit.inputs import json_time

    data = collect(session, chain, deployment, as_of, cwd)
    sections = build_sections(data)
    page = render_html(data, sections, version=version)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(out)
    return {
        "path": str(out),
        "chain_id": data.chain_id,
        "block": data.block,
        "timestamp": json_time(data.timestamp),
        "bytes": len(page.encode()),
        "sections": [s.id for s in sections],
    }
