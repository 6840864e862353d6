"""The issuances CSV (SPEC §7): ``class,wallet,shares,lockup_until,vesting``.

``lockup_until`` (a DATE) and ``vesting`` (``START:CLIFF_DAYS:DURATION_DAYS``) may be empty
(or their columns absent); a row gives at most one of them. ``validate_issuances`` reads the
whole file once and rejects it with every bad row listed; ``iter_issuances`` streams the rows
again for sending. Memory: a digest per row for duplicate detection and a counter per locked
(class, wallet), independent of anything else in the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import InputError
from toolkit.inputs import (
    InvalidValue,
    Vesting,
    parse_lockup,
    parse_shares,
    parse_vesting,
    parse_wallet,
)
from toolkit.inputs.csv_file import Problems, Record, file_sha256, read_records
from toolkit.offering.deployments import ClassDeployment

REQUIRED = ("class", "wallet", "shares")
OPTIONAL = ("lockup_until", "vesting")
MAX_LOCKUP_LOTS = 16  # ShareClassToken.MAX_LOCKUP_LOTS: live lots per wallet and class


@dataclass(frozen=True)
class IssuanceRow:
    line: int
    class_id: str
    wallet: str  # checksummed
    amount: int  # base units
    locked_until: int = 0  # unix seconds, 0: unlocked
    vesting: Vesting | None = None


@dataclass(frozen=True)
class IssuancesFile:
    """A validated issuances CSV: content hash, row count and the shares per class."""

    path: Path
    sha256: str
    rows: int
    totals: dict[str, int] = field(default_factory=dict)


def parse_issuance_record(
    record: Record, classes: Mapping[str, ClassDeployment], *, now: int | None
) -> tuple[IssuanceRow | None, list[str]]:
    """The issuance of one record, or every problem of the record."""
    fields = record.fields
    errors: list[str] = []
    class_id = fields["class"]
    share_class = classes.get(class_id)
    if share_class is None:
        known = ", ".join(classes)
        errors.append(f"class: unknown class {class_id!r} (the offering has {known})")
    wallet = ""
    try:
        wallet = parse_wallet(fields["wallet"])
    except InvalidValue as exc:
        errors.append(f"wallet: {exc}")
    amount = 0
    try:
        amount = parse_shares(fields["shares"], share_class.decimals if share_class else 0)
    except InvalidValue as exc:
        errors.append(f"shares: {exc}")
    lockup_text, vesting_text = fields.get("lockup_until", ""), fields.get("vesting", "")
    locked_until, vesting = 0, None
    if lockup_text and vesting_text:
        errors.append("give lockup_until or vesting, not both")
    elif lockup_text:
        try:
            locked_until = parse_lockup(lockup_text, now=now)
        except InvalidValue as exc:
            errors.append(f"lockup_until: {exc}")
    elif vesting_text:
        try:
            vesting = parse_vesting(vesting_text, now=now)
        except InvalidValue as exc:
            errors.append(f"vesting: {exc}")
    if errors:
        return None, errors
    return IssuanceRow(record.line, class_id, wallet, amount, locked_until, vesting), []


def _digest(row: IssuanceRow) -> bytes:
    vesting = row.vesting
    key = (
        f"{row.class_id}|{row.wallet.lower()}|{row.amount}|{row.locked_until}|"
        f"{(vesting.start, vesting.cliff, vesting.end) if vesting else ''}"
    )
    return hashlib.blake2b(key.encode(), digest_size=12).digest()


def validate_issuances(
    path: Path, classes: Mapping[str, ClassDeployment], *, now: int
) -> IssuancesFile:
    """Check every row; an InputError lists every bad one with its line. Nothing is sent."""
    problems = Problems(path)
    first_line: dict[bytes, int] = {}
    lots: dict[bytes, int] = {}  # per locked (class, wallet), keyed by a short digest
    totals: dict[str, int] = {}
    rows = 0
    for record in read_records(path, REQUIRED, OPTIONAL, problems=problems):
        row, errors = parse_issuance_record(record, classes, now=now)
        for error in errors:
            problems.add(record.line, error)
        if row is None:
            continue
        digest = _digest(row)
        if digest in first_line:
            problems.add(
                row.line,
                f"duplicate of line {first_line[digest]} (same class, wallet, shares and "
                "schedule); if both grants are meant, merge them into one row",
            )
            continue
        first_line[digest] = row.line
        if row.locked_until or row.vesting:
            key = hashlib.blake2b(
                f"{row.class_id}|{row.wallet.lower()}".encode(), digest_size=8
            ).digest()
            lots[key] = lots.get(key, 0) + 1
            if lots[key] == MAX_LOCKUP_LOTS + 1:
                problems.add(
                    row.line,
                    f"more than {MAX_LOCKUP_LOTS} locked or vesting grants of {row.class_id} "
                    f"to {row.wallet}; a wallet holds at most {MAX_LOCKUP_LOTS} lock-up lots",
                )
        totals[row.class_id] = totals.get(row.class_id, 0) + row.amount
        rows += 1
    if rows == 0 and not problems.found:
        problems.add(0, "the file has a header but no rows")
    problems.raise_if_any()
    return IssuancesFile(path=path, sha256=file_sha256(path), rows=rows, totals=totals)


def iter_issuances(path: Path, classes: Mapping[str, ClassDeployment]) -> Iterator[IssuanceRow]:
    """The rows of a validated file, streamed (dates no longer checked against the clock)."""
    for record in read_records(path, REQUIRED, OPTIONAL):
        row, errors = parse_issuance_record(record, classes, now=None)
        if row is None:
            raise InputError(
                f"{path} changed while it was being issued (line {record.line}: {errors[0]})",
                hint="run the command again",
            )
        yield row
