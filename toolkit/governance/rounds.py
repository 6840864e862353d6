"""The offering's recorded subscription rounds as ``approve-round`` targets (SPEC §11): each
round's class and hard cap read from the round contract itself, so that the proposal grants
exactly what the round can sell."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.governance.actions import RoundTarget
from toolkit.rounds.records import recorded_rounds
from toolkit.rounds.rounds import round_contract

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.offering.deployments import Deployment


def round_targets(
    w3: Web3, deployment: Deployment, cwd: Path, actions: Sequence[str]
) -> tuple[RoundTarget, ...]:
    """The offering's recorded rounds when an action is ``approve-round`` (else none, no reads)."""
    if not any(action.split()[:1] == ["approve-round"] for action in actions):
        return ()
    targets = []
    for record in recorded_rounds(deployment.chain_id, cwd, deployment.name):
        terms = round_contract(w3, record.address).functions.terms().call()
        targets.append(RoundTarget(record.name, record.address, record.class_id, int(terms[5])))
    return tuple(targets)
