"""Sign a vote as a ballot file: offline from what the voter gives, or from the chain.

``sign_vote`` is what ``equity gov sign-vote`` and ``scripts/sign_vote.py`` both call; its
``SignedVote`` is the JSON both print.

Offline (``sign-vote --governor ADDRESS --chain-id N``) nothing is read from a node: the
governor's EIP-712 name comes from ``--governor-name`` or the local deployments record (else
the ``"<company> Governor"`` name ``equity deploy`` gives), and the nonce from ``--nonce``
(default 0: the voter's first signed ballot on this governor; a voter who has relayed
``k`` ballots before passes ``--nonce k``, and ``relay-vote`` says which nonce it expected if
it is wrong). Online, the domain comes from the governor's ``eip712Domain()`` and the nonce
from its ``nonces(voter)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import UsageError
from toolkit.governance.ballot import (
    SUPPORT_NAMES,
    Ballot,
    BallotDomain,
    domain_name_for,
    parse_proposal_id,
    sign_ballot,
    write_ballot,
)

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from toolkit.governance.governor import Governance


@dataclass(frozen=True)
class SignedVote:
    """A ballot signed and written to ``path``."""

    ballot: Ballot
    path: Path
    offline: bool

    def to_json(self) -> dict[str, Any]:
        ballot = self.ballot
        return {
            "file": str(self.path),
            "proposal_id": str(ballot.proposal_id),
            "support": SUPPORT_NAMES[ballot.support],
            "voter": ballot.voter,
            "nonce": ballot.nonce,
            "chain_id": ballot.domain.chain_id,
            "governor": ballot.domain.governor,
            "governor_name": ballot.domain.name,
            "digest": "0x" + ballot.digest().hex(),
            "offline": self.offline,
        }

    def summary(self) -> str:
        ballot = self.ballot
        return (
            f"signed {SUPPORT_NAMES[ballot.support]} on {ballot.proposal_id} as {ballot.voter} "
            f"(nonce {ballot.nonce}, chain {ballot.domain.chain_id}) -> {self.path}\n"
            f"anyone can submit it: equity gov relay-vote {self.path}"
        )


def sign_vote(
    proposal: str,
    support: int,
    out: Path,
    *,
    signer: Callable[[bool], LocalAccount],
    governance: Callable[[], Governance],
    governor: str | None = None,
    chain_id: int | None = None,
    governor_name: str | None = None,
    nonce: int | None = None,
    cwd: Path | None = None,
) -> SignedVote:
    """Sign a vote on ``proposal`` (an id, or ``latest`` online) and write the ballot file.

    With ``governor`` and ``chain_id`` (both, or neither) nothing is read from a node:
    ``signer(True)`` gives the voter's key without connecting. Otherwise ``governance()``
    connects, and the domain and the voter's nonce come from the chain.
    """
    offline = governor is not None or chain_id is not None
    if offline:
        if governor is None or chain_id is None:
            raise UsageError(
                "offline signing needs both --governor and --chain-id",
                hint="give both, or neither to read them from the chain",
            )
        pid = parse_proposal_id(proposal)
        account = signer(True)
        ballot = offline_ballot(
            proposal_id=pid,
            support=support,
            voter=account.address,
            governor=governor,
            chain_id=chain_id,
            governor_name=governor_name,
            nonce=nonce,
            cwd=cwd,
        )
    else:
        online = governance()
        account = signer(False)
        ballot = online_ballot(
            online,
            proposal_id=online.resolve_id(proposal),
            support=support,
            voter=account.address,
            governor_name=governor_name,
            nonce=nonce,
        )
    path = write_ballot(sign_ballot(ballot, account), out)
    return SignedVote(ballot, path, offline)


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
