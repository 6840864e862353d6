"""What the report shows, read from the chain at one block (the shell around ``sections``).

``collect`` reads, all at the report's block: the cap table (through the cap-table indexer,
exactly what ``captable show --json`` prints), each class's holder count and cap, the live
lock-up lots of every holder with locked shares, and the governor's proposals with their
votes, quorum and the voting supply at their snapshot.

Subscription rounds (``rounds``), distributions (``dividends``) and later records (trades)
join through ``EXTRA_COLLECTORS``:
a function ``(ReportSource) -> object | None`` under a name, whose result lands in
``ReportData.extras[name]`` for the section that shows it (``sections.SECTIONS``). Adding one
is one collector here and one section there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.governance.governor import Governance
from toolkit.governance.proposals import ProposalState
from toolkit.offering.contracts import OfferingContracts
from toolkit.reports.unlocks import Lot

if TYPE_CHECKING:
    from toolkit.captable.api import CapTableSession
    from toolkit.captable.cap_table import CapTable
    from toolkit.chain.connection import Chain
    from toolkit.dividends.distribution import Status
    from toolkit.offering.deployments import Deployment
    from toolkit.rounds.rounds import RoundStatus


@dataclass(frozen=True)
class ClassFacts:
    """A class at the report's block, beside its cap-table lines."""

    id: str
    name: str
    symbol: str
    decimals: int
    votes_per_share: int
    investors: int  # holderCount(): investors holding the class (the cap counts these)
    max_holders: int  # 0 = no cap


@dataclass(frozen=True)
class ProposalFacts:
    """A proposal as it stood at the report's block."""

    id: int
    title: str
    state: str
    proposer: str
    created_block: int
    snapshot: int
    deadline: int
    for_votes: int
    against_votes: int
    abstain_votes: int
    quorum: int
    voting_supply: int | None  # weighted votes at the snapshot (None while it is ahead)

    @property
    def cast(self) -> int:
        return self.for_votes + self.against_votes + self.abstain_votes

    @property
    def turnout_percent(self) -> float | None:
        if not self.voting_supply:
            return None
        return round(100 * self.cast / self.voting_supply, 2)


@dataclass(frozen=True)
class ReportData:
    company: str
    offering: str
    chain_id: int
    block: int
    timestamp: int
    cap_table: CapTable
    classes: tuple[ClassFacts, ...]
    lots: tuple[Lot, ...]
    proposals: tuple[ProposalFacts, ...]
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSource:
    """Where an extra collector reads from: the chain, the offering, the report's block."""

    chain: Chain
    deployment: Deployment
    contracts: OfferingContracts
    block: int
    timestamp: int
    cwd: Path  # where deployments/ (and the records beside it) are


def _dividends(source: ReportSource) -> tuple[Status, ...] | None:
    """Every dividend declared by the report's block, as it stood then (None: there is none)."""
    from dataclasses import replace

    from toolkit.dividends.distribution import dividend_status, find_declared
    from toolkit.dividends.records import DividendBook

    deployment = source.deployment
    w3 = source.chain.w3
    book = DividendBook(source.cwd, deployment.chain_id, deployment.name)
    found = []
    for record in book.all():
        if record.address is None:  # proposed: declared once the proposal executed
            declared = find_declared(w3, record)
            if declared is None:
                continue
            record = replace(record, address=declared[0], block=declared[1], state="declared")
        if record.block is not None and record.block <= source.block:
            tree = book.tree(record.id)
            found.append(dividend_status(w3, record, tree, source.timestamp, source.block))
    return tuple(found) or None


def _rounds(source: ReportSource) -> tuple[RoundStatus, ...] | None:
    """Every subscription round opened by the report's block, as it stood then."""
    from toolkit.rounds.records import recorded_rounds
    from toolkit.rounds.rounds import round_status

    deployment = source.deployment
    found = tuple(
        round_status(source.chain.w3, record, source.block)
        for record in recorded_rounds(deployment.chain_id, source.cwd, deployment.name)
        if record.block <= source.block
    )
    return found or None


# name -> collector of a record beside the cap table (rounds, distributions; later trades)
EXTRA_COLLECTORS: dict[str, Callable[[ReportSource], object | None]] = {
    "rounds": _rounds,
    "dividends": _dividends,
}


def collect(
    session: CapTableSession, chain: Chain, deployment: Deployment, as_of: str | None, cwd: Path
) -> ReportData:
    """Everything the report shows, at ``as_of`` (a block or a date; default the newest
    final block, as ``captable show``)."""
    table = session.cap_table(as_of)
    block, timestamp = table.block, table.timestamp
    contracts = OfferingContracts(chain.w3, deployment)
    source = ReportSource(chain, deployment, contracts, block, timestamp, cwd)
    extras = {}
    for name, collector in EXTRA_COLLECTORS.items():
        found = collector(source)
        if found is not None:
            extras[name] = found
    return ReportData(
        company=deployment.company,
        offering=deployment.name,
        chain_id=table.chain_id,
        block=block,
        timestamp=timestamp,
        cap_table=table,
        classes=_class_facts(contracts, deployment, block),
        lots=_lots(contracts, deployment, table, block),
        proposals=_proposals(chain, deployment, block, timestamp),
        extras=extras,
    )


def _class_facts(
    contracts: OfferingContracts, deployment: Deployment, block: int
) -> tuple[ClassFacts, ...]:
    facts = []
    for share_class, token in contracts.all_tokens():
        facts.append(
            ClassFacts(
                id=share_class.id,
                name=share_class.name,
                symbol=share_class.symbol,
                decimals=share_class.decimals,
                votes_per_share=share_class.votes_per_share,
                investors=int(token.functions.holderCount().call(block_identifier=block)),
                max_holders=int(token.functions.maxHolders().call(block_identifier=block)),
            )
        )
    return tuple(facts)


def _lots(
    contracts: OfferingContracts, deployment: Deployment, table: CapTable, block: int
) -> tuple[Lot, ...]:
    lots = []
    for cls in table.classes:
        token = contracts.token_of(deployment.class_by_id(cls.id))
        for holder in cls.holders:
            if not holder.locked_shares:
                continue
            for amount, start, cliff, end in token.functions.lockupLotsOf(holder.wallet).call(
                block_identifier=block
            ):
                lots.append(
                    Lot(cls.id, holder.wallet, int(amount), int(start), int(cliff), int(end))
                )
    return tuple(lots)


def _proposals(
    chain: Chain, deployment: Deployment, block: int, timestamp: int
) -> tuple[ProposalFacts, ...]:
    governance = Governance(chain, deployment)
    governor, votes = governance.governor, governance.votes
    found = []
    for record in governance.records():
        if record.block > block:
            continue
        state = ProposalState.from_chain(
            int(governor.functions.state(record.id).call(block_identifier=block))
        )
        against, for_, abstain = governor.functions.proposalVotes(record.id).call(
            block_identifier=block
        )
        past = min(record.snapshot, timestamp - 1)  # a past timepoint, as the governor needs
        quorum = int(governor.functions.quorum(past).call(block_identifier=block))
        supply = (
            int(votes.functions.getPastTotalSupply(record.snapshot).call(block_identifier=block))
            if record.snapshot < timestamp
            else None
        )
        found.append(
            ProposalFacts(
                id=record.id,
                title=record.title,
                state=str(state),
                proposer=record.proposer,
                created_block=record.block,
                snapshot=record.snapshot,
                deadline=record.deadline,
                for_votes=int(for_),
                against_votes=int(against),
                abstain_votes=int(abstain),
                quorum=quorum,
                voting_supply=supply,
            )
        )
    return tuple(found)
