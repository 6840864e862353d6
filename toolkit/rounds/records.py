"""Where rounds and the local test stablecoin are recorded: ``deployments/<chain_id>.rounds.json``.

Kept beside the offerings' ``deployments/<chain_id>.json`` (SPEC §7) rather than in it, so the
offering records keep their shape: ``{"chain_id", "stablecoin": {...} | null, "rounds": {NAME:
{...}}}``. Written atomically; a round name is unique per chain.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import UsageError
from toolkit.offering.deployments import DEPLOYMENTS_DIR


@dataclass(frozen=True)
class StablecoinRecord:
    address: str
    symbol: str
    decimals: int
    block: int


@dataclass(frozen=True)
class RoundRecord:
    """A round as opened: enough to find it and show it without reading its terms again."""

    name: str
    offering: str
    address: str
    class_id: str
    class_decimals: int
    payment_token: str
    payment_symbol: str
    payment_decimals: int
    price_per_unit: int
    block: int
    round_file: str


def records_file(chain_id: int, cwd: Path) -> Path:
    return cwd / DEPLOYMENTS_DIR / f"{chain_id}.rounds.json"


def _read(chain_id: int, cwd: Path) -> dict[str, Any]:
    path = records_file(chain_id, cwd)
    if not path.is_file():
        return {"chain_id": chain_id, "stablecoin": None, "rounds": {}}
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is unreadable: {exc}", hint="restore it from a backup") from exc
    return data


def _write(chain_id: int, cwd: Path, data: dict[str, Any]) -> Path:
    path = records_file(chain_id, cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rounds-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, path)
    return path


def record_stablecoin(chain_id: int, cwd: Path, coin: StablecoinRecord) -> Path:
    data = _read(chain_id, cwd)
    data["stablecoin"] = asdict(coin)
    return _write(chain_id, cwd, data)


def recorded_stablecoin(chain_id: int, cwd: Path) -> StablecoinRecord | None:
    found = _read(chain_id, cwd).get("stablecoin")
    return StablecoinRecord(**found) if found else None


def record_round(chain_id: int, cwd: Path, record: RoundRecord) -> Path:
    data = _read(chain_id, cwd)
    if record.name in data["rounds"]:
        raise UsageError(
            f"a round named {record.name!r} is already recorded on chain {chain_id}",
            hint="choose another --name",
        )
    data["rounds"][record.name] = asdict(record)
    return _write(chain_id, cwd, data)


def recorded_rounds(chain_id: int, cwd: Path, offering: str | None = None) -> list[RoundRecord]:
    """Every round recorded on the chain (of one offering when ``offering`` is given)."""
    rounds = [RoundRecord(**entry) for entry in _read(chain_id, cwd)["rounds"].values()]
    return [r for r in rounds if offering is None or r.offering == offering]


def find_round(chain_id: int, cwd: Path, name: str) -> RoundRecord:
    for record in recorded_rounds(chain_id, cwd):
        if record.name == name:
            return record
    known = ", ".join(r.name for r in recorded_rounds(chain_id, cwd)) or "none"
    raise UsageError(
        f"no round named {name!r} on chain {chain_id}",
        hint=f"recorded: {known}; open one with `equity round open ROUND.toml`",
    )
