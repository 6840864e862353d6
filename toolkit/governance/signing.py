"""Assemble the ballot a voter signs: offline from what the voter gives, or from the chain.

Offline (``sign-vote --governor ADDRESS --chain-id N``) nothing is read from a node: the
governor's EIP-712 name comes from ``--governor-name`` or the local deployments record (else
the ``"<company> Governor"`` name ``equity deploy`` gives), and the nonce from ``--nonce``
(default 0: the voter's first signed ballot on this governor; a voter who has relayed
``k`` ballots before passes ``--nonce k``, and ``relay-vote`` says which nonce it expected if
it is wrong). Online, the domain comes from the governor's ``eip712Domain()`` and the nonce
from its ``nonces(voter)``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import UsageError
from toolkit.governance.ballot import Ballot, BallotDomain, domain_name_for

if TYPE_CHECKING:
    from toolkit.governance.governor import Governance


def recorded_governor_name(chain_id: int, governor: str, cwd: Path | None = None) -> str:
    """The governor's EIP-712 name from ``deployments/<chain_id>.json`` (no node needed)."""
    from toolkit.offering.deployments import read_deployments

    for deployment in read_deployments(chain_id, cwd).values():
        if deployment.governor.lower() == governor.lower():
            return domain_name_for(deployment.company, deployment.governance)
    raise UsageError(
        f"governor {governor} is not recorded for chain {chain_id} in deployments/",
        hint='pass its EIP-712 name with --governor-name (equity deploy uses "<company> Governor")',
    )


def offline_ballot(
    *,
    proposal_id: int,
    support: int,
    voter: str,
    governor: str,
    chain_id: int,
    governor_name: str | None = None,
    nonce: int | None = None,
    cwd: Path | None = None,
) -> Ballot:
    name = governor_name or recorded_governor_name(chain_id, governor, cwd)
    domain = BallotDomain(name=name, chain_id=chain_id, governor=governor)
    return Ballot(domain, proposal_id, support, voter, 0 if nonce is None else nonce)


def online_ballot(
    governance: Governance,
    *,
    proposal_id: int,
    support: int,
    voter: str,
    governor_name: str | None = None,
    nonce: int | None = None,
) -> Ballot:
    ballot = governance.prepare_ballot(proposal_id, support, voter)
    if nonce is not None:
        ballot = replace(ballot, nonce=nonce)
    if governor_name is not None:
        ballot = replace(ballot, domain=replace(ballot.domain, name=governor_name))
    return ballot
