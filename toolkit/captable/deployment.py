"""A view of one recorded offering: what the cap table needs from ``deployments/``.

``equity deploy`` records offerings in ``deployments/<chain_id>.json`` (SPEC §7;
``toolkit.offering.deployments``). The cap table needs only part of a record: the registry,
its classes (``offering.deployments.ClassDeployment``, the one description of a class) and
the deploy block (where the indexer starts), plus what the indexer derives from them (the
contracts whose events it reads, and a fingerprint of that for its cache). Pure tests build
this view with a few fields, without a whole deployment record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from toolkit.captable.events import INDEXED_TOPICS, Source
from toolkit.offering.deployments import ClassDeployment, Deployment, find_deployment


@dataclass(frozen=True)
class OfferingDeployment:
    name: str
    chain_id: int
    registry: str
    classes: tuple[ClassDeployment, ...]
    deploy_block: int = 0
    votes: str | None = None
    governor: str | None = None
    timelock: str | None = None
    offering_hash: str | None = None
    company: str | None = None
    market: str | None = None  # the SecondaryMarket: trades' consideration (SPEC §12)
    rofr: str | None = None  # the RightOfFirstRefusal: trades it held, once settled (SPEC §12)
    repurchase: str | None = None  # the offering's ShareRepurchase (SPEC §14)

    def class_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.classes)

    def class_by_id(self, class_id: str) -> ClassDeployment | None:
        for cls in self.classes:
            if cls.id == class_id:
                return cls
        return None

    def sources(self) -> dict[str, Source]:
        """Every contract whose events make up the cap table, by lowercase address."""
        out = {self.registry.lower(): Source("registry")}
        for cls in self.classes:
            out[cls.address.lower()] = Source("class", cls.id)
        return out

    def fingerprint(self) -> str:
        """Changes whenever what the indexer reads changes (contracts, start block, events)."""
        payload = {
            "chain_id": self.chain_id,
            "registry": self.registry.lower(),
            "classes": [[c.id, c.address.lower()] for c in self.classes],
            "deploy_block": self.deploy_block,
            "topics": list(INDEXED_TOPICS),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def from_record(record: Deployment) -> OfferingDeployment:
    """The view of a ``toolkit.offering.deployments.Deployment``."""
    return OfferingDeployment(
        name=record.name,
        chain_id=int(record.chain_id),
        registry=record.registry,
        classes=record.classes,
        deploy_block=int(record.block),
        votes=record.votes,
        governor=record.governor,
        timelock=record.timelock,
        offering_hash=record.offering_hash,
        company=record.company,
        market=record.market or None,
        rofr=record.rofr or None,
        repurchase=record.repurchase,
    )


def load_deployment(cwd: Path, chain_id: int, name: str | None) -> OfferingDeployment:
    """The offering ``name`` recorded for this chain (the only one when ``name`` is None)."""
    return from_record(find_deployment(chain_id, name, cwd))
