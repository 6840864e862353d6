"""A real browser for the tests: Debian's headless Chromium (``make test`` installs it).

``dump_dom`` gives the page after its scripts ran (what a person's browser shows), and
``screenshot`` a PNG of it. ``Page`` reads the rendered DOM: a table's cells by the table's
id, the text drawn inside an element (a chart's labels), headline figures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=20000",  # let the page's scripts draw the charts
    # no network: every name resolves to nothing and every request goes to a closed port, so
    # a chart that drew needed nothing from outside the file
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
)


def chromium() -> str:
    """The browser, or a skip (a failure on CI, where `make test` must have installed it)."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    message = "no headless Chromium here: `apt-get install -y chromium` (make test does it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _run(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "HOME": str(profile)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def dump_dom(page: Path, profile: Path) -> str:
    return _run(page, profile, "--dump-dom").stdout


def screenshot(page: Path, out: Path, profile: Path, *, width: int = 1280, height: int = 2200) -> Path:
    _run(page, profile, f"--window-size={width},{height}", f"--screenshot={out}")
    assert out.is_file()
    return out


@dataclass
class Page(HTMLParser):
    """The rendered DOM, read for tests: tables by id, text drawn inside an element by id."""

    tables: dict[str, list[list[str]]] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)  # element id -> <text> contents
    facts: dict[str, str] = field(default_factory=dict)
    _table: str | None = None
    _row: list[str] | None = None
    _cell: list[str] | None = None
    _open_ids: list[tuple[str, int]] = field(default_factory=list)  # (id, depth)
    _depth: int = 0
    _in_text: bool = False
    _text: list[str] = field(default_factory=list)
    _fact: str | None = None
    _in_value: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    VOID: ClassVar[frozenset[str]] = frozenset(
        {"br", "img", "meta", "link", "input", "hr", "col", "source", "path", "rect", "line", "circle", "use", "image", "stop"}
    )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "br" and self._cell is not None:
            self._cell.append("\n")
        if tag in self.VOID:
            return
        self._depth += 1
        if attr.get("id"):
            self._open_ids.append((str(attr["id"]), self._depth))
        if tag == "table" and attr.get("id"):
            self._table = str(attr["id"])
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "text":
            self._in_text, self._text = True, []
        elif tag == "div" and attr.get("data-fact"):
            self._fact = str(attr["data-fact"])
        elif tag == "span" and self._fact and "value" in (attr.get("class") or ""):
            self._in_value = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "text" and self._in_text:
            for element, _ in self._open_ids:
                self.texts.setdefault(element, []).append("".join(self._text).strip())
            self._in_text = False
        elif tag == "span" and self._in_value:
            self._in_value = False
        elif tag == "div" and self._fact and not self._in_value:
            self._fact = None
        while self._open_ids and self._open_ids[-1][1] >= self._depth:
            self._open_ids.pop()
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_text:
            self._text.append(data)
        if self._in_value and self._fact:
            self.facts[self._fact] = self.facts.get(self._fact, "") + data.strip()

    @classmethod
    def read(cls, dom: str) -> Page:
        page = cls()
        page.feed(dom)
        page.close()
        return page
