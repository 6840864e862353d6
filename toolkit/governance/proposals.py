"""Proposals as plain data: their id, their state names, their tally and what status shows.

Nothing is stored locally: a proposal's calls and description come back from its
``ProposalCreated`` event, its state and votes from the governor. This module holds the
arithmetic (OpenZeppelin's proposal id, quorum progress) and the shapes of SPEC §9.

Pure: no chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from toolkit.errors import ChainError
from toolkit.governance.ballot import SUPPORT_NAMES
from toolkit.inputs import format_duration, iso_time, json_time


class ProposalState(StrEnum):
    """``IGovernor.ProposalState``, in its enum order; each value is OpenZeppelin's name,
    which SPEC §9's JSON and every message print as it is."""

    PENDING = "Pending"
    ACTIVE = "Active"
    CANCELED = "Canceled"
    DEFEATED = "Defeated"
    SUCCEEDED = "Succeeded"
    QUEUED = "Queued"
    EXPIRED = "Expired"
    EXECUTED = "Executed"

    @classmethod
    def from_chain(cls, value: int) -> ProposalState:
        """The state ``governor.state(id)`` returns (the enum's position)."""
        states = list(cls)
        if not 0 <= value < len(states):
            raise ChainError(
                f"the governor reports proposal state {value}, which OpenZeppelin's Governor "
                "does not have",
                hint="is the deployment record's governor an EquityGovernor?",
            )
        return states[value]

    @property
    def voting(self) -> bool:
        """Pending or Active: the vote is not over."""
        return self in (ProposalState.PENDING, ProposalState.ACTIVE)


def description_hash(description: str) -> bytes:
    from eth_utils import keccak

    return bytes(keccak(text=description))


def proposal_id(
    targets: Sequence[str], values: Sequence[int], calldatas: Sequence[bytes], description: str
) -> int:
    """OpenZeppelin's ``hashProposal``: keccak256(abi.encode(targets, values, calldatas,
    keccak256(description)))."""
    from eth_abi import encode
    from eth_utils import keccak

    encoded = encode(
        ["address[]", "uint256[]", "bytes[]", "bytes32"],
        [list(targets), list(values), list(calldatas), description_hash(description)],
    )
    return int.from_bytes(keccak(encoded), "big")


@dataclass(frozen=True)
class ProposalRecord:
    """What the ``ProposalCreated`` event says: enough to vote, queue and execute later."""

    id: int
    proposer: str
    targets: tuple[str, ...]
    values: tuple[int, ...]
    calldatas: tuple[bytes, ...]
    description: str
    snapshot: int
    deadline: int
    block: int
    tx_hash: str = ""
    # votes and the quorum are counted here: one second before the proposal was created
    record_date: int = 0
    # each call read back as action words (``describe_call``), in order
    actions: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        first = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return first.lstrip("# ").strip()

    @property
    def description_hash(self) -> bytes:
        return description_hash(self.description)

    def calls_json(self) -> list[dict[str, Any]]:
        actions = self.actions or ("",) * len(self.targets)
        return [
            {"target": target, "value": value, "calldata": "0x" + data.hex(), "action": action}
            for target, value, data, action in zip(
                self.targets, self.values, self.calldatas, actions, strict=True
            )
        ]


@dataclass(frozen=True)
class VoteRecord:
    """One ``VoteCast``: who voted how, with what weight (weighted votes)."""

    voter: str
    support: int
    weight: int
    reason: str
    block: int

    def to_json(self) -> dict[str, Any]:
        return {
            "voter": self.voter,
            "support": SUPPORT_NAMES.get(self.support, str(self.support)),
            "weight": self.weight,
            "reason": self.reason,
            "block": self.block,
        }


@dataclass(frozen=True)
class Tally:
    """Weighted votes and the quorum, with OpenZeppelin's CountingSimple rules: the quorum
    counts for + abstain; a proposal succeeds when for > against and the quorum is met."""

    for_votes: int
    against_votes: int
    abstain_votes: int
    quorum: int

    @property
    def counted_for_quorum(self) -> int:
        return self.for_votes + self.abstain_votes

    @property
    def quorum_reached(self) -> bool:
        return self.quorum <= self.counted_for_quorum

    @property
    def vote_succeeds(self) -> bool:
        return self.for_votes > self.against_votes

    @property
    def quorum_progress(self) -> float:
        """Percent of the quorum reached so far (may exceed 100)."""
        if self.quorum == 0:
            return 100.0
        return round(100.0 * self.counted_for_quorum / self.quorum, 2)


@dataclass(frozen=True)
class ClassVote:
    """A class's separate vote on a proposal that needs its consent (issue 11, point 2), in whole
    shares held or delegated at the record date: the class consents when the shares for are more
    than ``threshold_percent`` % of its outstanding shares then (``for_shares`` and ``consented``
    are the governor's; against and abstain are summed from the votes cast, None when not read)."""

    class_id: str
    threshold_percent: int
    for_shares: int
    outstanding: int
    consented: bool
    against_shares: int | None = None
    abstain_shares: int | None = None

    @property
    def needed(self) -> int:
        """The fewest shares for that consent: more than threshold % of the outstanding."""
        if self.outstanding == 0:
            return 0
        return self.threshold_percent * self.outstanding // 100 + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.class_id,
            "for": self.for_shares,
            "against": self.against_shares,
            "abstain": self.abstain_shares,
            "outstanding": self.outstanding,
            "threshold_percent": self.threshold_percent,
            "needed": self.needed,
            "consented": self.consented,
        }


@dataclass(frozen=True)
class ProposalStatus:
    record: ProposalRecord
    state: ProposalState
    tally: Tally
    now: int
    eta: int = 0
    votes: tuple[VoteRecord, ...] = field(default_factory=tuple)
    class_votes: tuple[ClassVote, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """SPEC §9's keys (id, state, for, against, abstain, quorum, snapshot, deadline) first."""
        return {
            "id": str(self.record.id),
            "state": self.state,
            "for": self.tally.for_votes,
            "against": self.tally.against_votes,
            "abstain": self.tally.abstain_votes,
            "quorum": self.tally.quorum,
            "snapshot": json_time(self.record.snapshot),
            "deadline": json_time(self.record.deadline),
            "record_date": json_time(self.record.record_date),
            "actions": list(self.record.actions),
            "title": self.record.title,
            "description": self.record.description,
            "proposer": self.record.proposer,
            "quorum_reached": self.tally.quorum_reached,
            "quorum_progress_percent": self.tally.quorum_progress,
            "eta": json_time(self.eta),
            "now": json_time(self.now),
            "next_step": self.next_step(),
            "calls": self.record.calls_json(),
            "votes": [vote.to_json() for vote in self.votes],
            "class_votes": [vote.to_json() for vote in self.class_votes],
        }

    def next_step(self) -> str:
        """One line telling the user what happens next and when."""
        now, record = self.now, self.record
        if self.state is ProposalState.PENDING:
            return f"voting opens at {iso_time(record.snapshot + 1)} (in {format_duration(record.snapshot + 1 - now)})"
        if self.state is ProposalState.ACTIVE:
            return f"voting closes at {iso_time(record.deadline)} (in {format_duration(record.deadline - now + 1)})"
        if self.state is ProposalState.SUCCEEDED:
            return "passed: queue it with `equity gov queue ID`"
        if self.state is ProposalState.QUEUED:
            if self.eta > now:
                return (
                    f"executable from {iso_time(self.eta)} (in {format_duration(self.eta - now)})"
                )
            return "executable now: `equity gov execute ID`"
        if self.state is ProposalState.DEFEATED:
            if not self.tally.quorum_reached:
                return "defeated: the quorum was not reached"
            if not self.tally.vote_succeeds:
                return "defeated: more votes against than for"
            refused = [vote.class_id for vote in self.class_votes if not vote.consented]
            if refused:
                return f"defeated: class {', '.join(refused)} did not consent"
            return "defeated: more votes against than for"
        return self.state.lower()
