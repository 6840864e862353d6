"""The governance of one deployed offering, on chain: delegate, propose, vote, relay signed
ballots, queue, execute, and read back status and the list of proposals.

Nothing is kept locally: what ``queue`` and ``execute`` need (targets, values, calldatas and
the description) is re-read from the ``ProposalCreated`` event, so any machine with the
deployments record can carry a proposal through. States are checked before sending, so a
vote before the voting delay or after the deadline, a replayed ballot or a premature
execution is one clear line (exit 3) rather than a raw revert; whatever slips through is
still decoded by the transaction layer.

Used alike by ``equity gov`` and by the scripts in ``scripts/``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit.chain.clock import advance_to, latest_timestamp, require_local
from toolkit.chain.tx import Call as TxCall
from toolkit.errors import ChainError, InputError, TransactionRevertedError, UsageError
from toolkit.governance.actions import (
    ActionTargets,
    Call,
    NoticeTarget,
    PreparedDividend,
    RoundTarget,
    parse_actions,
)
from toolkit.governance.ballot import (
    SUPPORT_NAMES,
    Ballot,
    BallotDomain,
    SignedBallot,
    check_target,
    verify,
)
from toolkit.governance.proposals import (
    ClassVote,
    ProposalRecord,
    ProposalState,
    ProposalStatus,
    Tally,
    VoteRecord,
    proposal_id,
)
from toolkit.inputs import checksum_address, format_duration, iso_time, json_time
from toolkit.offering.contracts import OfferingContracts

if TYPE_CHECKING:
    from web3.contract import Contract

    from toolkit.chain.connection import Chain
    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.corporate.split import CashInLieu
    from toolkit.offering.deployments import ClassDeployment, Deployment


def proposal_state_error(message: str, hint: str | None = None) -> ChainError:
    return ChainError(message, hint=hint, kind="proposal_state")


@dataclass(frozen=True)
class ProposalPlan:
    """A proposal ready to send: its calls, its description and the id it will get."""

    calls: tuple[Call, ...]
    description: str
    id: int

    @property
    def targets(self) -> list[str]:
        return [c.target for c in self.calls]

    @property
    def values(self) -> list[int]:
        return [c.value for c in self.calls]

    @property
    def calldatas(self) -> list[bytes]:
        return [c.calldata for c in self.calls]


@dataclass(frozen=True)
class ClassPower:
    """One class of one holder: shares, who its votes go to, and what they weigh."""

    class_id: str
    votes_per_share: int
    balance: int
    locked: int
    delegate: str
    delegated_votes: int  # votes delegated *to* the holder in this class, in base units
    lockups: tuple[tuple[int, int, int, int], ...] = ()  # (amount, start, cliff, end) lots
    decimals: int = 0

    @property
    def weighted_votes(self) -> int:
        """What the votes source counts for this class: votes per whole share, rounded down
        (SPEC §10; ClassWeightedVotes does the same per class)."""
        return self.delegated_votes * self.votes_per_share // int(10**self.decimals)


@dataclass(frozen=True)
class VotingPower:
    holder: str
    classes: tuple[ClassPower, ...]
    total: int  # the votes source's getVotes: what the governor counts

    def to_json(self) -> dict[str, Any]:
        return {
            "holder": self.holder,
            "voting_power": self.total,
            "classes": [
                {
                    "class": c.class_id,
                    "shares": c.balance,
                    "locked_shares": c.locked,
                    "votes_per_share": c.votes_per_share,
                    "delegate": c.delegate,
                    "delegated_votes": c.delegated_votes,
                    "weighted_votes": c.weighted_votes,
                    "lockups": [
                        {
                            "amount": amount,
                            "start": json_time(start),
                            "cliff": json_time(cliff),
                            "end": json_time(end),
                        }
                        for amount, start, cliff, end in c.lockups
                    ],
                }
                for c in self.classes
            ],
        }


@dataclass(frozen=True)
class Outcome:
    """What a sending operation reports: SPEC §9's ``transactions`` plus details."""

    transactions: tuple[TxResult, ...]
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**self.details, "transactions": [t.to_json() for t in self.transactions]}


class Governance:
    """The governor, votes source and class tokens of one deployment, on one chain."""

    def __init__(self, chain: Chain, deployment: Deployment) -> None:
        self.chain = chain
        self.deployment = deployment
        self.contracts = OfferingContracts(chain.w3, deployment)

    # --- contracts -------------------------------------------------------------------------

    @property
    def governor(self) -> Contract:
        return self.contracts.governor

    @property
    def votes(self) -> Contract:
        return self.contracts.votes

    def token(self, share_class: ClassDeployment) -> Contract:
        return self.contracts.token_of(share_class)

    def now(self) -> int:
        return latest_timestamp(self.chain.w3)

    # --- reading ---------------------------------------------------------------------------

    def domain(self) -> BallotDomain:
        """The governor's EIP-712 domain as it reports it (ERC-5267 ``eip712Domain()``)."""
        fields = self.governor.functions.eip712Domain().call()
        _, name, version, chain_id, verifying, _, _ = fields
        return BallotDomain(
            name=str(name),
            version=str(version),
            chain_id=int(chain_id),
            governor=str(self.chain.w3.to_checksum_address(verifying)),
        )

    def nonce(self, voter: str) -> int:
        return int(self.governor.functions.nonces(checksum_address(voter)).call())

    def state(self, pid: int) -> ProposalState:
        """The proposal's state; an unknown id is a UsageError (exit 2)."""
        from web3.exceptions import ContractLogicError

        try:
            value = int(self.governor.functions.state(pid).call())
        except ContractLogicError as exc:
            from toolkit.chain.tx import translate_error

            error = translate_error(exc, self.chain.rpc_url)
            if getattr(error, "error_name", None) == "GovernorNonexistentProposal":
                raise self._unknown(pid) from None
            raise error from exc
        return ProposalState.from_chain(value)

    def _unknown(self, pid: int) -> UsageError:
        return UsageError(
            f"no proposal {pid} on the governor {self.deployment.governor}",
            hint="see `equity gov list` for the proposals of this offering",
        )

    def records(self) -> list[ProposalRecord]:
        """Every proposal of this governor, oldest first, from its ProposalCreated events."""
        logs = self.governor.events.ProposalCreated.get_logs(
            from_block=self.deployment.block, to_block="latest"
        )
        from toolkit.governance.actions import describe_call

        targets = ActionTargets.from_deployment(self.deployment)
        records = []
        for log in logs:
            args = log["args"]
            pid = int(args["proposalId"])
            actions = tuple(
                describe_call(str(t), bytes(c), targets)
                for t, c in zip(args["targets"], args["calldatas"], strict=True)
            )
            records.append(
                ProposalRecord(
                    id=pid,
                    proposer=str(args["proposer"]),
                    targets=tuple(str(t) for t in args["targets"]),
                    values=tuple(int(v) for v in args["values"]),
                    calldatas=tuple(bytes(c) for c in args["calldatas"]),
                    description=str(args["description"]),
                    snapshot=int(args["voteStart"]),
                    deadline=int(args["voteEnd"]),
                    block=int(log["blockNumber"]),
                    tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                    record_date=int(self.governor.functions.proposalRecordDate(pid).call()),
                    actions=actions,
                )
            )
        return records

    def record(self, pid: int) -> ProposalRecord:
        for record in self.records():
            if record.id == pid:
                return record
        raise self._unknown(pid)

    def resolve_id(self, text: str) -> int:
        """A proposal id as typed: decimal, 0x hex, or ``latest`` (the newest proposal)."""
        from toolkit.governance.ballot import parse_proposal_id

        if text.strip().lower() == "latest":
            records = self.records()
            if not records:
                raise UsageError(
                    "this offering has no proposals yet",
                    hint="create one with `equity gov propose`",
                )
            return records[-1].id
        return parse_proposal_id(text)

    def vote_records(self, pid: int) -> list[VoteRecord]:
        found: list[VoteRecord] = []
        for event in (self.governor.events.VoteCast, self.governor.events.VoteCastWithParams):
            for log in event.get_logs(from_block=self.deployment.block, to_block="latest"):
                args = log["args"]
                if int(args["proposalId"]) != pid:
                    continue
                found.append(
                    VoteRecord(
                        voter=str(args["voter"]),
                        support=int(args["support"]),
                        weight=int(args["weight"]),
                        reason=str(args["reason"]),
                        block=int(log["blockNumber"]),
                    )
                )
        return sorted(found, key=lambda v: v.block)

    def tally(self, record: ProposalRecord, now: int) -> Tally:
        against, for_, abstain = self.governor.functions.proposalVotes(record.id).call()
        # the quorum is taken of the supply at the record date, one second before creation
        quorum = int(self.governor.functions.quorum(record.record_date).call())
        return Tally(int(for_), int(against), int(abstain), quorum)

    def status(self, pid: int) -> ProposalStatus:
        record = self.record(pid)
        now = self.now()
        state = self.state(pid)
        eta = int(self.governor.functions.proposalEta(pid).call())
        votes = tuple(self.vote_records(pid))
        return ProposalStatus(
            record=record,
            state=state,
            tally=self.tally(record, now),
            now=now,
            eta=eta,
            votes=votes,
            class_votes=self.class_votes(record, votes),
        )

    def list(self) -> list[ProposalStatus]:
        now = self.now()
        out = []
        for record in self.records():
            state = self.state(record.id)
            eta = int(self.governor.functions.proposalEta(record.id).call())
            tally = self.tally(record, now)
            classes = self.class_votes(record)
            out.append(ProposalStatus(record, state, tally, now=now, eta=eta, class_votes=classes))
        return out

    def consent_classes(self) -> tuple[tuple[int, ClassDeployment, int], ...]:
        """(index on the governor, class, threshold percent) of each class with protective
        provisions (issue 11, point 2)."""
        by_address = {c.address.lower(): c for c in self.deployment.classes}
        found = []
        for index in range(int(self.governor.functions.consentClassCount().call())):
            token, threshold = self.governor.functions.consentClassAt(index).call()
            found.append((index, by_address[str(token).lower()], int(threshold)))
        return tuple(found)

    def class_votes(
        self, record: ProposalRecord, votes: Sequence[VoteRecord] | None = None
    ) -> tuple[ClassVote, ...]:
        """The separate vote of each class whose consent the proposal needs; with ``votes``
        (the proposal's VoteCast records) also each class's shares against and abstaining."""
        out = []
        for index, share_class, threshold in self.consent_classes():
            required, for_shares, outstanding, consented = (
                self.governor.functions.proposalClassVote(record.id, index).call()
            )
            if not required:
                continue
            shares: dict[int, int] = {0: 0, 1: 0, 2: 0}
            for vote in votes or ():
                shares[vote.support] += self.class_shares(share_class, vote.voter, record)
            out.append(
                ClassVote(
                    share_class.id,
                    threshold,
                    int(for_shares),
                    int(outstanding),
                    bool(consented),
                    shares[0] if votes is not None else None,
                    shares[2] if votes is not None else None,
                )
            )
        return tuple(out)

    def class_shares(self, share_class: ClassDeployment, voter: str, record: ProposalRecord) -> int:
        """The whole shares of ``share_class`` held by or delegated to ``voter`` at the record
        date: its weight in the class's separate vote."""
        units = self.token(share_class).functions.getPastVotes(voter, record.record_date).call()
        scale: int = 10**share_class.decimals
        return int(units) // scale

    def voting_power(self, holder: str) -> VotingPower:
        account = checksum_address(holder)
        classes = []
        for share_class in self.deployment.classes:
            token = self.token(share_class)
            classes.append(
                ClassPower(
                    class_id=share_class.id,
                    votes_per_share=share_class.votes_per_share,
                    balance=int(token.functions.balanceOf(account).call()),
                    locked=int(token.functions.lockedBalanceOf(account).call()),
                    delegate=str(token.functions.delegates(account).call()),
                    delegated_votes=int(token.functions.getVotes(account).call()),
                    lockups=tuple(
                        (int(lot[0]), int(lot[1]), int(lot[2]), int(lot[3]))
                        for lot in token.functions.lockupLotsOf(account).call()
                    ),
                    decimals=share_class.decimals,
                )
            )
        total = int(self.votes.functions.getVotes(account).call())
        return VotingPower(account, tuple(classes), total)

    # --- delegating ------------------------------------------------------------------------

    def delegate(
        self, transactor: Transactor, to: str, *, class_ids: Sequence[str] = ()
    ) -> Outcome:
        """Delegate the sender's votes to ``to`` on every voting class it holds (delegation
        is per class token; the votes source only adds them up). Classes already delegated
        to ``to`` are skipped; ``class_ids`` narrows the classes (then non-voting ones too)."""
        holder = transactor.address
        target = checksum_address(to)
        chosen = (
            [self.deployment.class_by_id(c) for c in class_ids]
            if class_ids
            else [c for c in self.deployment.classes if c.votes_per_share > 0]
        )
        calls: list[TxCall] = []
        delegated, skipped = [], []
        for share_class in chosen:
            token = self.token(share_class)
            if not class_ids and int(token.functions.balanceOf(holder).call()) == 0:
                continue
            if str(token.functions.delegates(holder).call()).lower() == target.lower():
                skipped.append(share_class.id)
                continue
            label = f"delegate {share_class.id} votes to {target}"
            calls.append(TxCall.of(token.functions.delegate(target), label))
            delegated.append(share_class.id)
        results: list[TxResult] = transactor.send(calls) if calls else []  # asked for at once
        if not delegated and not skipped:
            raise UsageError(
                f"{holder} holds no shares of a voting class: there is nothing to delegate",
                hint="delegate from the holder's account (--account), or name classes with --class",
            )
        return Outcome(
            tuple(results),
            {
                "delegator": holder,
                "delegatee": target,
                "classes": delegated,
                "already_delegated": skipped,
                "voting_power": self.voting_power(target).total,
            },
        )

    # --- proposing -------------------------------------------------------------------------

    def plan(
        self,
        actions: Sequence[str],
        title: str,
        dividends: Mapping[str, PreparedDividend] | None = None,
        split_agent: str = "",
        rounds: Sequence[RoundTarget] = (),
        split_cash: Mapping[str, CashInLieu] | None = None,
        notices: Sequence[NoticeTarget] = (),
    ) -> ProposalPlan:
        """Parse the actions (exit 2 on a bad one) and compute the id (pure, no chain;
        ``dividends``: the ``declare-dividend`` files prepared from the chain; ``split_agent``:
        the chain's SplitAgent for ``split`` actions, ``split_cash`` the cash in lieu of its
        consolidations by class; ``rounds``: the offering's recorded rounds, for
        ``approve-round``)."""
        description = title.strip()
        if not description:
            raise UsageError(
                "the proposal needs a --title", hint='e.g. --title "Raise COMMON to 20M"'
            )
        targets = ActionTargets.from_deployment(
            self.deployment, dividends, split_agent, rounds, split_cash, notices
        )
        calls = tuple(parse_actions(actions, targets))
        pid = proposal_id(
            [c.target for c in calls],
            [c.value for c in calls],
            [c.calldata for c in calls],
            description,
        )
        return ProposalPlan(calls, description, pid)

    def check(self, plan: ProposalPlan) -> None:
        """Run the plan's calls as the timelock would (``simulate``); a call that would revert
        is bad input (exit 2), named by the action as typed, with the decoded reason."""
        from toolkit.governance.simulate import simulate

        failure = simulate(self.chain.w3, self.deployment.timelock, plan.calls)
        if failure is None:
            return
        call = plan.calls[failure.index]
        actions = list(dict.fromkeys(c.action for c in plan.calls))
        position = actions.index(call.action) + 1 if call.action in actions else failure.index + 1
        where = f"action {position} ({call.action!r})" if len(actions) > 1 else repr(call.action)
        raise InputError(
            f"{where} would fail when the timelock runs it: {failure.reason}",
            hint="nothing was sent; fix that action (the proposal's calls were simulated in "
            "order, as the timelock would run them)",
            kind="proposal_would_revert",
        )

    def propose(self, transactor: Transactor, plan: ProposalPlan) -> Outcome:
        if int(self.governor.functions.proposalSnapshot(plan.id).call()) != 0:
            raise proposal_state_error(
                f"an identical proposal exists already: {plan.id} ({self.state(plan.id)})",
                hint="vote on that one, or change the --title to propose the same actions again",
            )
        self.check(plan)
        call = self.governor.functions.propose(
            plan.targets, plan.values, plan.calldatas, plan.description
        )
        try:
            result = transactor.transact(call, label="propose")
        except TransactionRevertedError as exc:
            if exc.error_name == "GovernorInsufficientProposerVotes":
                votes = exc.error_args.get("votes")
                threshold = exc.error_args.get("threshold")
                raise ChainError(
                    f"{transactor.address} has {votes} votes, below the proposal threshold of "
                    f"{threshold}: the governor refuses the proposal",
                    hint="propose from an account with enough (weighted, delegated) votes; "
                    "votes count as held a second before the proposal (shares or a delegation "
                    "received in this second count from the next)",
                    kind="threshold",
                ) from None
            raise
        record = self.record(plan.id)
        return Outcome(
            (result,),
            {
                "proposal_id": str(plan.id),
                "title": plan.description,
                "calls": [c.to_json() for c in plan.calls],
                "snapshot": json_time(record.snapshot),
                "deadline": json_time(record.deadline),
            },
        )

    # --- voting ----------------------------------------------------------------------------

    def _require_active(self, pid: int) -> ProposalRecord:
        state = self.state(pid)
        if state is ProposalState.ACTIVE:
            return self.record(pid)
        record = self.record(pid)
        now = self.now()
        if state is ProposalState.PENDING:
            opens = record.snapshot + 1
            raise proposal_state_error(
                f"voting on proposal {pid} has not started: it opens at {iso_time(opens)} "
                f"(in {format_duration(opens - now)}), after the voting delay",
                hint="vote again then"
                + (" (or pass --advance-time on this local chain)" if self.chain.is_local else ""),
            )
        raise proposal_state_error(
            f"voting on proposal {pid} is over: it closed at {iso_time(record.deadline)} "
            f"and the proposal is {state}",
            hint=f"see `equity gov status {pid}`",
        )

    def class_weights(self, record: ProposalRecord, voter: str) -> dict[str, int]:
        """Per class whose consent the proposal needs: ``voter``'s shares in its class vote."""
        weights = {}
        for index, share_class, _ in self.consent_classes():
            if self.governor.functions.proposalClassVote(record.id, index).call()[0]:
                weights[share_class.id] = self.class_shares(share_class, voter, record)
        return weights

    def _require_not_voted(self, pid: int, voter: str) -> None:
        if self.governor.functions.hasVoted(pid, checksum_address(voter)).call():
            raise proposal_state_error(
                f"{voter} has already voted on proposal {pid}; a vote cannot be changed",
                hint=f"see `equity gov status {pid}`",
            )

    def _require_voting_power(self, record: ProposalRecord, voter: str) -> None:
        """A vote that would count 0 is refused before it is sent (issue 10.8); shares of a
        class whose consent the proposal needs count, even in a non-voting class."""
        voter = checksum_address(voter)
        if int(self.votes.functions.getPastVotes(voter, record.record_date).call()):
            return
        if any(self.class_weights(record, voter).values()):
            return
        raise ChainError(
            f"{voter} had no voting power at proposal {record.id}'s record date "
            f"({iso_time(record.record_date)}, just before it was proposed): its vote would "
            "count 0; nothing was sent",
            hint="vote from an account that held, or was delegated, voting shares then "
            "(delegations made after the snapshot count from the next proposal on)",
            kind="no_votes",
        )

    def vote(
        self,
        transactor: Transactor,
        pid: int,
        support: int,
        reason: str | None = None,
        *,
        advance_time: bool = False,
    ) -> Outcome:
        """Cast ``support``; with ``advance_time`` (local chains) a Pending proposal's voting
        delay is skipped first."""
        advanced_to = None
        if advance_time:
            require_local(self.chain)
            if self.state(pid) is ProposalState.PENDING:
                advanced_to = advance_to(self.chain, self.record(pid).snapshot + 1)
        record = self._require_active(pid)
        self._require_not_voted(pid, transactor.address)
        self._require_voting_power(record, transactor.address)
        if reason:
            call = self.governor.functions.castVoteWithReason(pid, support, reason)
        else:
            call = self.governor.functions.castVote(pid, support)
        result = transactor.transact(call, label="vote")
        weight = int(
            self.votes.functions.getPastVotes(transactor.address, record.record_date).call()
        )
        details: dict[str, Any] = {
            "proposal_id": str(pid),
            "voter": transactor.address,
            "support": SUPPORT_NAMES[support],
            "weight": weight,
            "class_weights": self.class_weights(record, transactor.address),
        }
        if advanced_to is not None:
            details["advanced_time_to"] = json_time(advanced_to)
        return Outcome((result,), details)

    def prepare_ballot(self, pid: int, support: int, voter: str) -> Ballot:
        """A ballot for this governor with the voter's next nonce, read from the chain."""
        self._require_active_or_pending(pid)
        return Ballot(self.domain(), pid, support, checksum_address(voter), self.nonce(voter))

    def _require_active_or_pending(self, pid: int) -> None:
        state = self.state(pid)
        if not state.voting:
            raise proposal_state_error(
                f"proposal {pid} is {state}: voting on it is over",
                hint=f"see `equity gov status {pid}`",
            )

    def relay(self, transactor: Transactor, signed: SignedBallot) -> Outcome:
        """Check a signed ballot locally, then submit it with ``castVoteBySig``."""
        verify(signed)
        domain = self.domain()
        check_target(
            signed, chain_id=self.chain.chain_id, governor=domain.governor, domain_name=domain.name
        )
        ballot = signed.ballot
        voter = ballot.voter
        current = self.nonce(voter)
        if ballot.nonce < current:
            raise ChainError(
                f"this ballot (nonce {ballot.nonce}) was already used or superseded: the voter's "
                f"next nonce is {current}; relaying it again would be a replay",
                hint="nothing was sent; a ballot counts once",
                kind="replayed",
            )
        if ballot.nonce > current:
            raise ChainError(
                f"this ballot was signed with nonce {ballot.nonce}, but the voter's next nonce is "
                f"{current}: the governor would reject the signature",
                hint=f"ask the voter to sign again (`equity gov sign-vote ... --nonce {current}`)",
                kind="bad_nonce",
            )
        self._require_voting_power(self._require_active(ballot.proposal_id), voter)
        self._require_not_voted(ballot.proposal_id, voter)
        call = self.governor.functions.castVoteBySig(
            ballot.proposal_id, ballot.support, voter, signed.signature
        )
        result = transactor.transact(call, label="relay the signed vote")
        record = self.record(ballot.proposal_id)
        weight = int(self.votes.functions.getPastVotes(voter, record.record_date).call())
        return Outcome(
            (result,),
            {
                "proposal_id": str(ballot.proposal_id),
                "voter": voter,
                "support": SUPPORT_NAMES[ballot.support],
                "weight": weight,
                "relayer": transactor.address,
            },
        )

    # --- queue and execute -----------------------------------------------------------------

    def queue(self, transactor: Transactor, pid: int, *, advance_time: bool = False) -> Outcome:
        record = self.record(pid)
        state = self.state(pid)
        advanced_to = None
        if state.voting:
            if not advance_time:
                raise proposal_state_error(
                    f"proposal {pid} is {state}: voting closes at "
                    f"{iso_time(record.deadline)} "
                    f"(in {format_duration(record.deadline + 1 - self.now())})",
                    hint="queue it after the deadline"
                    + (
                        " (or pass --advance-time on this local chain)"
                        if self.chain.is_local
                        else ""
                    ),
                )
            advanced_to = advance_to(self.chain, record.deadline + 1)
            state = self.state(pid)
        elif advance_time:
            require_local(self.chain)
        if state is not ProposalState.SUCCEEDED:
            raise proposal_state_error(
                f"proposal {pid} is {state}: only a Succeeded proposal can be queued",
                hint=self._why(pid, state),
            )
        call = self.governor.functions.queue(
            list(record.targets),
            list(record.values),
            list(record.calldatas),
            record.description_hash,
        )
        result = transactor.transact(call, label="queue")
        eta = int(self.governor.functions.proposalEta(pid).call())
        details: dict[str, Any] = {
            "proposal_id": str(pid),
            "state": self.state(pid),
            "eta": json_time(eta),
        }
        if advanced_to is not None:
            details["advanced_time_to"] = json_time(advanced_to)
        return Outcome((result,), details)

    def execute(self, transactor: Transactor, pid: int, *, advance_time: bool = False) -> Outcome:
        record = self.record(pid)
        state = self.state(pid)
        if advance_time:
            require_local(self.chain)
        if state is not ProposalState.QUEUED:
            raise proposal_state_error(
                f"proposal {pid} is {state}: only a Queued proposal can be executed",
                hint=self._why(pid, state),
            )
        eta = int(self.governor.functions.proposalEta(pid).call())
        advanced_to = None
        now = self.now()
        if now < eta:
            if not advance_time:
                raise proposal_state_error(
                    f"proposal {pid} is in the timelock until {iso_time(eta)} "
                    f"(in {format_duration(eta - now)})",
                    hint="execute it then"
                    + (
                        " (or pass --advance-time on this local chain)"
                        if self.chain.is_local
                        else ""
                    ),
                )
            advanced_to = advance_to(self.chain, eta)
        call = self.governor.functions.execute(
            list(record.targets),
            list(record.values),
            list(record.calldatas),
            record.description_hash,
        )
        result = transactor.transact(call, label="execute")
        details: dict[str, Any] = {"proposal_id": str(pid), "state": self.state(pid)}
        if advanced_to is not None:
            details["advanced_time_to"] = json_time(advanced_to)
        return Outcome((result,), details)

    def _why(self, pid: int, state: ProposalState) -> str:
        if state is ProposalState.SUCCEEDED:
            return f"queue it first: `equity gov queue {pid}`"
        if state is ProposalState.DEFEATED:
            status = self.status(pid)
            return status.next_step()
        if state.voting:
            return f"wait for the vote to end (`equity gov status {pid}`)"
        if state is ProposalState.QUEUED:
            return f"execute it: `equity gov execute {pid}`"
        return f"see `equity gov status {pid}`"
