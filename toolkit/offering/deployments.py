"""The record of deployed offerings: ``deployments/<chain_id>.json`` (SPEC §7).

One file per chain, one entry per offering name, with every contract address, the block
the offering was deployed at and the offering file's hash. Commands find an offering by
``--deployment NAME`` or, when the chain has exactly one, without it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import UsageError, WrongChainError

if TYPE_CHECKING:
    from web3 import Web3

DEPLOYMENTS_DIR = "deployments"


@dataclass(frozen=True)
class ClassDeployment:
    """One share class as deployed: its id on the command line, its token and its terms
    (the one description of a class every package uses; the cap table reads the id, token,
    votes per share and decimals)."""

    id: str
    address: str
    name: str = ""
    symbol: str = ""
    decimals: int = 0
    votes_per_share: int = 1
    authorized: int = 0
    max_holders: int = 0
    blocked_jurisdictions: tuple[str, ...] = ()
    reserved: int = 0  # base units set aside for future issuance (the cap table's fully diluted)
    converts_to: str | None = None  # the class this one converts into (SPEC §14)
    converter: str | None = None  # the Converter contract doing it (None: none deployed)
    rofr_days: int = 0  # the company's right of first refusal on a fill, in days (0: none)


@dataclass(frozen=True)
class Deployment:
    name: str
    chain_id: int
    company: str
    block: int
    offering_file: str
    offering_hash: str
    deployer: str
    registry: str
    votes: str
    governor: str
    timelock: str
    classes: tuple[ClassDeployment, ...] = ()
    governance: dict[str, Any] = field(default_factory=dict)
    holder_view: str = ""  # the HolderView (SPEC §12); "" in records written before it existed
    market: str = ""  # the SecondaryMarket of SPEC §12 ("" in records older than it)
    issuer_bound: str = ""  # counts the issuer's moves (issue 11); "" in older records
    repurchase: str | None = None  # the ShareRepurchase contract (SPEC §14; None: none deployed)
    rofr: str | None = None  # the RightOfFirstRefusal (SPEC §12; None: no class has rofr_days)

    def class_by_id(self, class_id: str) -> ClassDeployment:
        for share_class in self.classes:
            if share_class.id == class_id:
                return share_class
        known = ", ".join(c.id for c in self.classes)
        raise UsageError(f"unknown class {class_id!r}", hint=f"the offering's classes are: {known}")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["classes"] = [
            {**asdict(c), "blocked_jurisdictions": list(c.blocked_jurisdictions)}
            for c in self.classes
        ]
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> Deployment:
        classes = tuple(
            ClassDeployment(
                **{**c, "blocked_jurisdictions": tuple(c.get("blocked_jurisdictions", ()))}
            )
            for c in data.get("classes", [])
        )
        return Deployment(**{**data, "classes": classes})


def deployments_file(chain_id: int, cwd: Path | None = None) -> Path:
    return (cwd or Path.cwd()) / DEPLOYMENTS_DIR / f"{chain_id}.json"


def read_deployments(chain_id: int, cwd: Path | None = None) -> dict[str, Deployment]:
    path = deployments_file(chain_id, cwd)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is unreadable: {exc}", hint="restore it from a backup") from exc
    if int(data.get("chain_id", chain_id)) != chain_id:
        raise WrongChainError(
            f"{path} records chain {data.get('chain_id')}, but the node is chain {chain_id}",
            hint="connect to the chain the offering was deployed on (--rpc-url / --network)",
        )
    return {name: Deployment.from_json(entry) for name, entry in data.get("offerings", {}).items()}


def recorded_class_ids(cwd: Path) -> list[str]:
    """Every class id of every offering recorded in ``cwd/deployments`` (for shell
    completion: no chain is asked, an unreadable file is skipped)."""
    ids: set[str] = set()
    for path in sorted((cwd / DEPLOYMENTS_DIR).glob("*.json")):
        try:
            offerings = json.loads(path.read_text()).get("offerings", {})
            ids.update(c["id"] for entry in offerings.values() for c in entry.get("classes", []))
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            continue
    return sorted(ids)


def is_on_chain(w3: Web3, deployment: Deployment) -> bool:
    """True when the recorded registry has code on this node.

    A record can outlive its chain: a local node restarted without its ``--state`` file
    starts empty under the same chain id.
    """
    from web3 import Web3 as _Web3

    code = w3.eth.get_code(_Web3.to_checksum_address(deployment.registry))
    return len(bytes(code)) > 0


def record_deployment(
    deployment: Deployment, cwd: Path | None = None, *, replace_stale: bool = False
) -> Path:
    """Add an offering to its chain's file (atomically: a crash never leaves half a file).

    ``replace_stale``: an entry of the same name whose contracts are gone from the chain
    (checked by the caller) is replaced rather than refused.
    """
    existing = read_deployments(deployment.chain_id, cwd)
    if deployment.name in existing and not replace_stale:
        raise UsageError(
            f"an offering named {deployment.name!r} is already recorded on chain {deployment.chain_id}",
            hint="choose another --name",
        )
    existing[deployment.name] = deployment
    path = deployments_file(deployment.chain_id, cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "chain_id": deployment.chain_id,
        "offerings": {name: d.to_json() for name, d in sorted(existing.items())},
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".deployments-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle, indent=2)
    os.replace(tmp, path)
    return path


def find_deployment(chain_id: int, name: str | None, cwd: Path | None = None) -> Deployment:
    """The offering named ``name``, or the only one recorded for this chain."""
    recorded = read_deployments(chain_id, cwd)
    if name is not None:
        if name in recorded:
            return recorded[name]
        others = _other_chains_with(name, chain_id, cwd)
        if others:
            raise WrongChainError(
                f"offering {name!r} is recorded for chain {', '.join(map(str, others))}, "
                f"not for chain {chain_id}",
                hint="connect to that chain with --rpc-url or --network",
            )
        known = ", ".join(sorted(recorded)) or "none"
        raise UsageError(
            f"no offering named {name!r} on chain {chain_id}", hint=f"recorded: {known}"
        )
    if len(recorded) == 1:
        return next(iter(recorded.values()))
    if not recorded:
        raise UsageError(
            f"no offering is recorded for chain {chain_id} in {deployments_file(chain_id, cwd)}",
            hint="deploy one with `equity deploy OFFERING.toml`, or cd to where you did",
        )
    raise UsageError(
        f"{len(recorded)} offerings are recorded for chain {chain_id}: {', '.join(sorted(recorded))}",
        hint="choose one with --deployment NAME",
    )


def _other_chains_with(name: str, chain_id: int, cwd: Path | None) -> list[int]:
    folder = (cwd or Path.cwd()) / DEPLOYMENTS_DIR
    found = []
    for path in folder.glob("*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if name in data.get("offerings", {}) and int(data.get("chain_id", -1)) != chain_id:
            found.append(int(data["chain_id"]))
    return found
