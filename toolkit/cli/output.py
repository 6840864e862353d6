"""What a person reads: tables that never hide data, colour that obeys ``NO_COLOR``.

One table renderer for every command (``AppContext.table`` calls ``print_table``):

- **off a terminal** (``| cat``, ``| grep``, a file, a CI log) a table is plain aligned text:
  every value in full on one line per row, columns two spaces apart, numbers right-aligned,
  an empty cell as ``-``. ``equity holders list | grep 0x7099...`` finds the wallet;
- **on a terminal** it is a rich table that wraps rather than cuts: numbers never break,
  long text (wallets, titles) folds onto a second line, and when even that does not fit the
  terminal's width each row is shown as a block of ``column  value`` lines.

A cell is a string, an int (shown with thousands separators: ``1,400,000``) or a sequence
of strings (one per line on a terminal, ``, ``-joined off it). ``NO_COLOR`` (set and not
empty, https://no-color.org) turns off every ANSI style: rich's and click's alike (the
``equity`` group sets click's ``ctx.color`` from ``color_allowed()``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

NUMERIC_COLUMNS = {
    "shares",
    "locked",
    "votes",
    "%",
    "gas",
    "block",
    "balance",
    "authorized",
    "outstanding",
    "reserved",
    "supply",
    "holders",
    "percent",
    "% class",
    "% outstanding",
    "% diluted",
    "for",
    "against",
    "abstain",
    "weighted",
    "delegated",
    "votes/share",
    "register",
    "chain",
    "preference",
    "payout",
}
PLAIN_GAP = "  "
EMPTY = "-"

Cell = Any  # str, int, a sequence of str, None; anything else is shown with str()


def color_allowed() -> bool:
    """False when ``NO_COLOR`` is set to anything but the empty string."""
    return os.environ.get("NO_COLOR", "") == ""


def console(*, stderr: bool = False, file: IO[str] | None = None) -> Console:
    """The rich console every command writes through (no colour or style under NO_COLOR,
    no guessing at which words to highlight)."""
    from rich.console import Console

    allowed = color_allowed()
    return Console(
        file=file,
        stderr=stderr,
        highlight=False,
        no_color=not allowed,
        color_system="auto" if allowed else None,
    )


def is_numeric(column: str) -> bool:
    return column.lower() in NUMERIC_COLUMNS


def cell_text(cell: Cell, *, joiner: str) -> str:
    """A cell as text: ints grouped by thousands, sequences joined, None as empty."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int):
        return f"{cell:,}"
    if isinstance(cell, str):
        return cell if joiner == "\n" else joiner.join(cell.splitlines())
    if isinstance(cell, list | tuple):
        return joiner.join(str(part) for part in cell)
    return str(cell)


def plain_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """The table off a terminal: full values, aligned, one line per row."""
    texts = [[cell_text(cell, joiner=", ") or EMPTY for cell in row] for row in rows]
    widths = [
        max([len(column), *(len(row[i]) for row in texts)]) for i, column in enumerate(columns)
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if is_numeric(column) else cell.ljust(width)
            for cell, width, column in zip(cells, widths, columns, strict=True)
        ]
        return PLAIN_GAP.join(padded).rstrip()

    lines = [title] if title else []
    lines.append(line(list(columns)))
    lines.extend(line(row) for row in texts)
    return "\n".join(lines)


def _fits(columns: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> bool:
    """Whether a boxed table fits ``width`` with numbers whole and text folded to 12."""
    needed = 1  # the left border
    for i, column in enumerate(columns):
        longest = max([0, *(max(map(len, row[i].splitlines() or [""])) for row in rows)])
        header = max(map(len, column.split()))
        narrowest = longest if is_numeric(column) else min(longest, 12)
        needed += max(narrowest, header) + 3  # padding and a border
    return needed <= width


def terminal_table(
    out: Console, title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Cell]]
) -> None:
    """The table on a terminal: boxed, wrapping rather than cutting; one block per row when
    the boxed table cannot fit the terminal."""
    from rich import box
    from rich.table import Table

    texts = [[cell_text(cell, joiner="\n") for cell in row] for row in rows]
    if _fits(columns, texts, out.width):
        table = Table(title=title, title_justify="left", box=box.SQUARE)
        for i, column in enumerate(columns):
            numeric = is_numeric(column)
            longest = max([0, *(len(row[i]) for row in texts)])
            table.add_column(
                column,
                justify="right" if numeric else "left",
                overflow="fold",
                no_wrap=numeric,
                min_width=longest if numeric else None,
            )
        for row in texts:
            table.add_row(*row)
        out.print(table)
        return
    if title:
        out.print(title)
    label_width = max(len(column) for column in columns)
    for number, row in enumerate(texts, start=1):
        block = Table.grid(padding=(0, 2))
        block.add_column(width=label_width, style="bold")
        block.add_column(overflow="fold")
        for column, text in zip(columns, row, strict=True):
            block.add_row(column, text or EMPTY)
        out.rule(f"{number} of {len(texts)}", align="left")
        out.print(block)


def print_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    stderr: bool = False,
    file: IO[str] | None = None,
) -> None:
    """Print a table for a person: on a terminal boxed and wrapping, else plain text."""
    out = console(stderr=stderr, file=file)
    if out.is_terminal:
        terminal_table(out, title, columns, rows)
    else:
        out.print(plain_table(title, columns, rows), markup=False, soft_wrap=True)


def render_to_text(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    terminal_width: int | None = None,
) -> str:
    """The table as ``print_table`` would print it: on a terminal ``terminal_width`` wide
    (no styles), or off a terminal when ``terminal_width`` is None. For tests and docs."""
    import io

    from rich.console import Console

    if terminal_width is None:
        return plain_table(title, columns, rows) + "\n"
    buffer = io.StringIO()
    out = Console(
        file=buffer, force_terminal=True, width=terminal_width, color_system=None, highlight=False
    )
    terminal_table(out, title, columns, rows)
    return buffer.getvalue()
