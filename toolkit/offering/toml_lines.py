"""Where each key of a TOML file is written, so a validation error can name its line.

``tomllib`` gives values without positions; this scanner reads the same text line by line
and maps dotted key paths (``company.name``, ``classes[1].votes_per_share``) to 1-based line
numbers. It understands what offering files use: ``[table]``, ``[[array of tables]]`` and
``key = value`` lines (bare or quoted keys, dotted keys); a key it cannot place simply has no
line, and the error is reported without one.
"""

from __future__ import annotations

import re

_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\s*(#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]\s*(#.*)?$")
_KEY = re.compile(
    r"^\s*((?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _key_path(raw: str) -> str:
    parts = [part.strip().strip("\"'") for part in raw.split(".")]
    return ".".join(parts)


def key_lines(text: str) -> dict[str, int]:
    """Dotted key path -> line number, for every table header and ``key =`` line."""
    lines: dict[str, int] = {}
    array_counts: dict[str, int] = {}
    prefix = ""
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        array_table = _ARRAY_TABLE.match(line)
        if array_table:
            name = _key_path(array_table.group(1))
            index = array_counts.get(name, 0)
            array_counts[name] = index + 1
            prefix = f"{name}[{index}]"
            lines.setdefault(prefix, number)
            continue
        table = _TABLE.match(line)
        if table:
            prefix = _key_path(table.group(1))
            lines.setdefault(prefix, number)
            continue
        key = _KEY.match(line)
        if key:
            path = _key_path(key.group(1))
            lines.setdefault(f"{prefix}.{path}" if prefix else path, number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_multiline = quote
    return lines


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path``, else of the nearest enclosing table that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
