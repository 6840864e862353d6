"""The holders CSV (SPEC §7, §15): ``wallet,investor_id,jurisdiction,expires`` and the optional
``accredited``, ``category`` and ``category_expires`` (a file of SPEC §7's five columns reads as
before: ``accredited=true`` is the category accredited).

``validate_holders`` reads the whole file once and rejects it with every bad row listed
(malformed values, an expiry in the past, a wallet listed twice); ``iter_holders`` streams the
rows again for sending. Memory: one entry per wallet for duplicate detection, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from toolkit.errors import InputError
from toolkit.holders.holder import (
    Holder,
    parse_category_expiry,
    parse_expiry,
    reconcile_category,
)
from toolkit.inputs import (
    NO_CATEGORY,
    InvalidValue,
    parse_bool,
    parse_category,
    parse_investor_id,
    parse_jurisdiction,
    parse_wallet,
)
from toolkit.inputs.csv_file import Problems, Record, file_sha256, read_records

COLUMNS = ("wallet", "investor_id", "jurisdiction", "expires")
OPTIONAL_COLUMNS = ("accredited", "category", "category_expires")
T = TypeVar("T")


@dataclass(frozen=True)
class HolderRow:
    line: int
    holder: Holder


@dataclass(frozen=True)
class HoldersFile:
    """A validated holders CSV: its path, content hash and row count."""

    path: Path
    sha256: str
    rows: int


def _field(record: Record, column: str, parse: Callable[[str], T], errors: list[str]) -> T | None:
    try:
        return parse(record.fields.get(column, ""))
    except InvalidValue as exc:
        errors.append(f"{column}: {exc}")
        return None


def parse_holder_record(record: Record, *, now: int | None) -> tuple[Holder | None, list[str]]:
    """The holder of one record, or every problem of the record."""
    errors: list[str] = []
    wallet = _field(record, "wallet", parse_wallet, errors)
    investor = _field(record, "investor_id", parse_investor_id, errors)
    jurisdiction = _field(record, "jurisdiction", parse_jurisdiction, errors)
    expires = _field(record, "expires", lambda text: parse_expiry(text, now=now), errors)
    accredited = _field(record, "accredited", lambda text: parse_bool(text, default=False), errors)
    category = _field(
        record, "category", lambda text: parse_category(text) if text else NO_CATEGORY, errors
    )
    until = _field(
        record,
        "category_expires",
        lambda text: parse_category_expiry(text, now=now) if text else 0,
        errors,
    )
    if accredited is not None and category is not None:
        try:
            accredited, category = reconcile_category(accredited, category)
        except InvalidValue as exc:
            errors.append(f"accredited, category: {exc}")
    if until and category == NO_CATEGORY:
        errors.append("category_expires: needs a category")
    if errors:
        return None, errors
    assert wallet is not None and investor is not None and jurisdiction is not None
    assert expires is not None and accredited is not None
    assert category is not None and until is not None
    return Holder(wallet, investor, jurisdiction, expires, accredited, category, until), []


def validate_holders(path: Path, *, now: int) -> HoldersFile:
    """Check every row; an InputError lists every bad one with its line. Nothing is sent."""
    problems = Problems(path)
    first_line: dict[str, int] = {}
    rows = 0
    for record in read_records(path, COLUMNS, OPTIONAL_COLUMNS, problems=problems):
        holder, errors = parse_holder_record(record, now=now)
        for error in errors:
            problems.add(record.line, error)
        if holder is None:
            continue
        key = holder.wallet.lower()
        if key in first_line:
            problems.add(
                record.line,
                f"wallet {holder.wallet} is listed twice (also line {first_line[key]}); "
                "a wallet belongs to one investor",
            )
            continue
        first_line[key] = record.line
        rows += 1
    if rows == 0 and not problems.found:
        problems.add(0, "the file has a header but no rows")
    problems.raise_if_any()
    return HoldersFile(path=path, sha256=file_sha256(path), rows=rows)


def iter_holders(path: Path) -> Iterator[HolderRow]:
    """The rows of a validated file, streamed (expiry no longer checked against the clock)."""
    for record in read_records(path, COLUMNS, OPTIONAL_COLUMNS):
        holder, errors = parse_holder_record(record, now=None)
        if holder is None:
            raise InputError(
                f"{path} changed while it was being imported (line {record.line}: {errors[0]})",
                hint="run the command again",
            )
        yield HolderRow(record.line, holder)
