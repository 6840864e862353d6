"""Reading the toolkit's input CSVs: streamed, one record at a time, each with its line number.

Both batch inputs (holders and issuances, SPEC §7) go through here: the header must name
every required column (any order, case-insensitive, no unknown column), every record must have
as many fields as the header (a stray comma is an error, not a shifted row), blank lines are
skipped. Validation collects every problem and raises them together, so a file with bad rows
is rejected whole before anything is sent.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import InputError

READ_CHUNK = 1 << 20
MAX_LINES_SHOWN = 200


@dataclass(frozen=True)
class Record:
    """One data record: its line number in the file and its fields by column name."""

    line: int
    fields: dict[str, str]


@dataclass
class Problems:
    """Every bad row of a file; ``raise_if_any`` rejects the file whole."""

    path: Path
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        self.found.append((line, message))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        self.found.sort(key=lambda item: item[0])
        rows = len({line for line, _ in self.found if line > 0})
        lines = [f"line {line}: {message}" if line > 0 else message for line, message in self.found]
        what = f"{rows} bad row{'s' if rows != 1 else ''}" if rows else "an unusable header"
        raise InputError(
            f"{self.path} has {what}; nothing was sent:\n{listing(lines)}",
            hint="fix those lines and run the same command again",
        )


def listing(lines: Sequence[str], *, limit: int = MAX_LINES_SHOWN) -> str:
    """The lines a refusal names (bad rows, refused rows), indented one per line: at most
    ``limit`` of them, then how many more, so a file of ten thousand bad rows stays readable."""
    shown = [f"  {line}" for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(f"  ... and {len(lines) - limit} more")
    return "\n".join(shown)


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in chunks (the journal of a batch run is keyed by it)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the path"
        ) from exc
    return digest.hexdigest()


def read_records(
    path: Path,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    problems: Problems | None = None,
) -> Iterator[Record]:
    """Stream the records of a CSV with the given columns.

    A bad header raises at once (no row can be read without it). A record with the wrong
    number of fields is reported to ``problems`` (or raised when there is none) and skipped.
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the path"
        ) from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except UnicodeDecodeError:
            raise not_utf8_error(path) from None
        except csv.Error as exc:
            raise InputError(f"{path} is not a readable CSV file: {exc}") from exc
        if header is None or not any(cell.strip() for cell in header):
            raise InputError(
                f"{path} is empty",
                hint=f"the first line must name the columns: {','.join(required)}",
            )
        columns = [cell.strip().lower() for cell in header]
        _check_header(path, columns, required, optional)
        try:
            for cells in reader:
                line = reader.line_num
                if not cells or all(not cell.strip() for cell in cells):
                    continue
                if len(cells) != len(columns):
                    message = f"{len(cells)} fields where the header has {len(columns)}" + (
                        " (a stray comma?)" if len(cells) > len(columns) else " (a missing field?)"
                    )
                    if problems is None:
                        raise InputError(f"{path}: line {line}: {message}")
                    problems.add(line, message)
                    continue
                yield Record(line, {c: v.strip() for c, v in zip(columns, cells, strict=True)})
        except UnicodeDecodeError:
            raise not_utf8_error(path) from None
        except csv.Error as exc:
            raise InputError(
                f"{path}: line {reader.line_num}: not valid CSV ({exc})",
                hint="check the quoting on that line",
            ) from exc


def not_utf8_error(path: Path) -> InputError:
    """A file that is not UTF-8, named by its first line that is not (a text decoder reads
    ahead in blocks, so the error it raises says nothing of lines), with what the bytes read
    as in Windows-1252 (Latin-1 as spreadsheets save it) when they are that."""
    line_number, column, sample = 0, 0, ""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line_number, column = number, exc.start + 1
                sample = raw[exc.start : exc.start + 1].decode("cp1252", errors="replace")
                break
    where = f"line {line_number}" if line_number else "the file"
    seen = f" (byte {column}: {sample!r} in Latin-1/Windows-1252)" if sample else ""
    return InputError(
        f"{path}: {where} is not UTF-8 text{seen}; nothing was sent",
        hint="save the file as UTF-8 (a spreadsheet's 'CSV UTF-8', or "
        "`iconv -f windows-1252 -t utf-8 OLD > NEW`) and run the same command again",
    )


def _check_header(
    path: Path, columns: list[str], required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    missing = [c for c in required if c not in columns]
    unknown = [c for c in columns if c not in required and c not in optional]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if unknown:
        shown = ", ".join(repr(c) for c in unknown)
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {shown}")
    if repeated:
        problems.append(f"column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} twice")
    if problems:
        expected = ",".join((*required, *optional))
        raise InputError(
            f"{path}: line 1: {'; '.join(problems)}; nothing was sent",
            hint=f"the header must be: {expected}",
        )
