"""The legal share register: the CSV of SPEC §7 as typed rows (an OCF package reads into the
same rows: ``ocf.read_ocf_register``; ``api.read_register`` picks by the file's name).

CSV columns: ``investor_id,wallet,class,shares`` required, ``locked_shares`` optional (a row
may leave it empty; the column's absence means the register does not track locks). Share
counts are whole numbers unless the class declares ``decimals``; rows are held in the
class's base units, like the chain.

A register with any bad row is rejected whole, every bad row named with its line number
(``InputError``, exit 2): a reconciliation against half a register would be misleading.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import InputError
from toolkit.inputs import (
    InvalidValue,
    format_shares,
    parse_investor_id,
    parse_shares,
    parse_wallet,
)
from toolkit.inputs.csv_file import listing, not_utf8_error

REQUIRED_COLUMNS = ("investor_id", "wallet", "class", "shares")
OPTIONAL_COLUMNS = ("locked_shares",)


@dataclass(frozen=True)
class RegisterRow:
    investor_id: str
    wallet: str  # lowercase 0x hex
    class_id: str
    shares: int  # base units of the class
    locked_shares: int | None  # None: the register does not say
    origin: str  # where the row came from, for messages ("line 4", "security CS-12")


@dataclass(frozen=True)
class Register:
    rows: tuple[RegisterRow, ...]
    source: str


def parse_register_csv(
    text: str, *, class_decimals: Mapping[str, int] | None = None, source: str = "register"
) -> Register:
    """Rows of a register CSV; ``class_decimals`` gives each known class's decimals (default 0)."""
    decimals = dict(class_decimals or {})
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] | None = None
    at_investor = at_wallet = at_class = at_shares = at_locked = -1  # column indexes (-1: absent)
    errors: list[str] = []
    rows: list[RegisterRow] = []
    seen: dict[tuple[str, str], int] = {}
    # a register repeats share counts (and every row of a lock-free register says 0): each
    # distinct (text, decimals) goes through ``parse_shares`` once
    counts: dict[tuple[str, int, str], int] = {}

    def shares_of(raw: str, places: int, what: str) -> int:
        key = (raw, places, what)
        value = counts.get(key)
        if value is None:
            value = counts[key] = parse_shares(raw, places, allow_zero=True, what=what)
        return value

    for line_no, record in enumerate(reader, start=1):
        if not "".join(record).strip():
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise InputError(
                    f"{source}: line {line_no}: the header lacks column(s) {', '.join(missing)}",
                    hint="the register's header is investor_id,wallet,class,shares[,locked_shares]",
                )
            at_investor, at_wallet, at_class, at_shares = map(header.index, REQUIRED_COLUMNS)
            at_locked = header.index("locked_shares") if "locked_shares" in header else -1
            continue
        width = len(record)
        if width > len(header) and any(c.strip() for c in record[len(header) :]):
            errors.append(f"line {line_no}: {width} fields, the header has {len(header)}")
            continue
        if width < len(header):  # missing trailing fields read as empty
            record += [""] * (len(header) - width)
        raw_investor = record[at_investor].strip()
        raw_wallet = record[at_wallet].strip()
        class_id = record[at_class].strip()
        raw_shares = record[at_shares].strip()
        raw_locked = record[at_locked].strip() if at_locked >= 0 else ""
        problems: list[str] = []
        investor = wallet = ""
        shares = 0
        locked: int | None = None
        try:
            investor = parse_investor_id(raw_investor)
        except InvalidValue as exc:
            problems.append(str(exc))
        try:
            wallet = parse_wallet(raw_wallet, checksummed=False)
        except InvalidValue as exc:
            problems.append(f"wallet {exc}")
        if not class_id:
            problems.append("class is empty")
        places = decimals.get(class_id, 0)
        try:
            shares = shares_of(raw_shares, places, "shares")
        except InvalidValue as exc:
            problems.append(str(exc))
        if raw_locked:
            try:
                locked = shares_of(raw_locked, places, "locked_shares")
            except InvalidValue as exc:
                problems.append(str(exc))
        if not problems and locked is not None and locked > shares:
            problems.append(f"locked_shares {raw_locked} exceeds shares {raw_shares}")
        if not problems:
            key = (class_id, wallet)
            if key in seen:
                problems.append(
                    f"a second row for class {class_id} wallet {raw_wallet} "
                    f"(first on line {seen[key]})"
                )
            else:
                seen[key] = line_no
        if problems:
            errors.append(f"line {line_no}: " + "; ".join(problems))
            continue
        rows.append(RegisterRow(investor, wallet, class_id, shares, locked, f"line {line_no}"))
    if header is None:
        raise InputError(
            f"{source} is empty",
            hint="the register's header is investor_id,wallet,class,shares[,locked_shares]",
        )
    if errors:
        raise InputError(
            f"{source} has {len(errors)} bad row{'s' if len(errors) != 1 else ''}:\n"
            + listing(errors),
            hint="fix the rows listed and run again; nothing was compared",
        )
    return Register(tuple(rows), source)


def read_register_csv(path: Path, *, class_decimals: Mapping[str, int] | None = None) -> Register:
    """A register CSV file (UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise not_utf8_error(path) from None
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the path"
        ) from exc
    return parse_register_csv(text, class_decimals=class_decimals, source=str(path))


def register_csv(
    rows: list[RegisterRow] | tuple[RegisterRow, ...],
    *,
    class_decimals: Mapping[str, int] | None = None,
    with_locked: bool = True,
    display_wallet: Callable[[str], str] | None = None,
) -> str:
    """Rows as a register CSV (what ``captable export --format csv`` writes)."""
    decimals = dict(class_decimals or {})
    show = display_wallet or (lambda w: w)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*REQUIRED_COLUMNS, *(OPTIONAL_COLUMNS if with_locked else ())])
    for row in rows:
        places = decimals.get(row.class_id, 0)
        cells: list[object] = [
            row.investor_id,
            show(row.wallet),
            row.class_id,
            format_shares(row.shares, places),
        ]
        if with_locked:
            locked = row.locked_shares
            cells.append("" if locked is None else format_shares(locked, places))
        writer.writerow(cells)
    return out.getvalue()
