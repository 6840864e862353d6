"""Where declared dividends are recorded: next to the offering's deployment record.

    deployments/dividends/<chain_id>/factory.json            the DistributionFactory on this chain
    deployments/dividends/<chain_id>/<offering>/<id>.json    one dividend: terms, totals, address
    deployments/dividends/<chain_id>/<offering>/<id>.tree.json   its StandardMerkleTree (OpenZeppelin's
                                                             dump format: publish it to holders)

Ids are 1, 2, ... per offering. Files are replaced atomically. A dividend declared through
governance is recorded when it is proposed (``state`` "proposed", no address yet); its address
is filled in from the factory's event once the proposal is executed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import UsageError

DIVIDENDS_DIR = Path("deployments") / "dividends"


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def chain_dir(cwd: Path, chain_id: int) -> Path:
    return cwd / DIVIDENDS_DIR / str(chain_id)


def offering_dir(cwd: Path, chain_id: int, offering: str) -> Path:
    return chain_dir(cwd, chain_id) / _safe(offering)


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=1)
    os.replace(tmp, path)


@dataclass
class ClassRecord:
    id: str
    token: str
    amount_per_share: str  # payment-token units, as declared
    shares: int  # outstanding at the record date
    funded: int
    entitled: int


@dataclass
class DividendRecord:
    id: int
    offering: str
    chain_id: int
    state: str  # "declared" or "proposed" (through governance, not executed yet)
    payment_token: str
    token_symbol: str
    token_decimals: int
    record_block: int
    record_date: str  # as the file gave it
    claim_deadline: int
    tax_account: str
    dust_account: str
    funded: int
    entitled: int
    dust: int
    root: str
    leaf_count: int
    classes: list[ClassRecord]
    withholding: dict[str, str]
    factory: str
    company: str  # who funds it and gets the reclaimed rest (the issuer, or the timelock)
    distributor: str
    address: str | None = None
    block: int | None = None  # where it was declared (the factory's transaction)
    proposal_id: str | None = None
    source_file: str = ""
    source_sha256: str = ""
    # per leaf: [shares, jurisdiction or null, withholding rate as "p/q"], by leaf index
    details: list[list[Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> DividendRecord:
        classes = [ClassRecord(**c) for c in data.get("classes", [])]
        return DividendRecord(**{**data, "classes": classes})

    def class_record(self, class_id: str) -> ClassRecord | None:
        return next((c for c in self.classes if c.id == class_id), None)


class DividendBook:
    """The dividends of one offering on one chain."""

    def __init__(self, cwd: Path, chain_id: int, offering: str) -> None:
        self.folder = offering_dir(cwd, chain_id, offering)
        self.chain_id = chain_id
        self.offering = offering

    def path(self, dividend_id: int) -> Path:
        return self.folder / f"{dividend_id}.json"

    def tree_path(self, dividend_id: int) -> Path:
        return self.folder / f"{dividend_id}.tree.json"

    def ids(self) -> list[int]:
        if not self.folder.is_dir():
            return []
        return sorted(int(p.stem) for p in self.folder.glob("*.json") if p.stem.isdigit())

    def next_id(self) -> int:
        return max(self.ids(), default=0) + 1

    def all(self) -> list[DividendRecord]:
        return [self.get(i) for i in self.ids()]

    def get(self, dividend_id: int | str) -> DividendRecord:
        number = parse_dividend_id(dividend_id, self.ids())
        try:
            return DividendRecord.from_json(json.loads(self.path(number).read_text()))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise UsageError(
                f"the record of dividend {number} is unreadable ({self.path(number)}): {exc}",
                hint="restore it from a backup",
            ) from None

    def save(self, record: DividendRecord, tree: dict[str, Any] | None = None) -> Path:
        if tree is not None:
            write_json(self.tree_path(record.id), tree)
        write_json(self.path(record.id), record.to_json())
        return self.path(record.id)

    def tree(self, dividend_id: int) -> Any:
        from toolkit.dividends.merkle import StandardMerkleTree

        path = self.tree_path(dividend_id)
        try:
            return StandardMerkleTree.load(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(
                f"the Merkle tree of dividend {dividend_id} is missing or damaged ({path}): {exc}",
                hint="restore it from where the issuer published it",
            ) from None


def parse_dividend_id(text: int | str, known: list[int]) -> int:
    value = str(text).strip()
    if value == "latest" and known:
        return known[-1]
    if not value.isdigit() or int(value) not in known:
        listed = ", ".join(map(str, known)) or "none yet"
        raise UsageError(
            f"no dividend {value!r} is recorded for this offering",
            hint=f"recorded: {listed} (see `equity dividend list`)",
        )
    return int(value)


def read_factory(cwd: Path, chain_id: int) -> str | None:
    try:
        return str(json.loads((chain_dir(cwd, chain_id) / "factory.json").read_text())["address"])
    except (OSError, ValueError, KeyError):
        return None


def record_factory(cwd: Path, chain_id: int, address: str, block: int) -> None:
    write_json(chain_dir(cwd, chain_id) / "factory.json", {"address": address, "block": block})
