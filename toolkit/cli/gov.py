"""``equity gov``: shareholder governance (SPEC §5, §9, §10).

Thin commands over ``toolkit.governance``: each parses its options, calls one library
function and renders the result (a table, or SPEC §9's JSON with ``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.context import AppContext, global_options, pass_app

if TYPE_CHECKING:
    from toolkit.governance.governor import Governance, Outcome
    from toolkit.governance.proposals import ProposalStatus


def _governance(app: AppContext) -> Governance:
    from toolkit.governance.governor import Governance

    return Governance(app.chain(), app.deployment())


def _report(app: AppContext, outcome: Outcome, headline: str) -> None:
    def render() -> None:
        app.say(headline)
        for tx in outcome.transactions:
            app.say(f"  tx {tx.hash} (block {tx.block}, {tx.gas_used} gas)")

    app.result(outcome.to_json(), render)


@click.group()
def gov() -> None:
    """Delegate, propose, vote (also by signed ballot), queue and execute."""


@gov.command()
@click.argument("to")
@click.option(
    "--class",
    "class_ids",
    multiple=True,
    help="Only this class (repeatable); default: every voting class you hold.",
)
@global_options
@pass_app
def delegate(app: AppContext, to: str, class_ids: tuple[str, ...]) -> None:
    """Delegate your votes to TO (a wallet, or `self`) on every class you hold.

    Delegation is per class token; the governor adds the classes up, weighted by votes per share.
    """
    from toolkit.inputs import InvalidValue, as_input_error, parse_wallet

    governance = _governance(app)
    transactor = app.transactor()
    try:
        target = transactor.address if to.lower() == "self" else parse_wallet(to)
    except InvalidValue as exc:
        raise as_input_error(exc, "TO") from None
    outcome = governance.delegate(transactor, target, class_ids=class_ids)
    details = outcome.details
    done = ", ".join(details["classes"]) or "nothing to change"
    _report(
        app,
        outcome,
        f"delegated {done} from {details['delegator']} to {details['delegatee']}; "
        f"its voting power is now {details['voting_power']}",
    )


@gov.command()
@click.option("--title", required=True, help="The proposal's description (its id depends on it).")
@click.option(
    "--action",
    "actions",
    multiple=True,
    required=True,
    help="What the timelock will do, e.g. 'set-authorized COMMON 20000000' (repeatable).",
)
@global_options
@pass_app
def propose(app: AppContext, title: str, actions: tuple[str, ...]) -> None:
    """Propose actions for a shareholder vote.

    \b
    ACTION is one quoted string:
      set-authorized CLASS SHARES       set-max-holders CLASS N
      block-jurisdiction CLASS CC       unblock-jurisdiction CLASS CC
      grant-role ROLE WALLET [ON]       revoke-role ROLE WALLET [ON]
      call ADDRESS SIGNATURE ARGS...
    ISSUER_ROLE and PAUSER_ROLE live on every class token, REGISTRAR_ROLE on the registry,
    DEFAULT_ADMIN_ROLE on both, PROPOSER/EXECUTOR/CANCELLER_ROLE on the timelock; ON (a class
    id, registry or timelock) narrows a role action to one contract.
    """
    governance = _governance(app)
    plan = governance.plan(actions, title)  # exit 2 on a bad action, before anything is sent
    outcome = governance.propose(app.transactor(), plan)

    def render() -> None:
        app.say(f"proposed {plan.id}")
        app.say(f"  {plan.description}")
        for call in plan.calls:
            app.say(f"  - {call.summary}")
        for tx in outcome.transactions:
            app.say(f"  tx {tx.hash} (block {tx.block}, {tx.gas_used} gas)")
        status = governance.status(plan.id)
        app.say(f"  {status.next_step()}")

    app.result(outcome.to_json(), render)


@gov.command()
@click.argument("proposal")
@click.argument("support", type=click.Choice(["for", "against", "abstain"], case_sensitive=False))
@click.option("--reason", default=None, help="A reason recorded with the vote.")
@global_options
@pass_app
def vote(app: AppContext, proposal: str, support: str, reason: str | None) -> None:
    """Vote on PROPOSAL (its id, or `latest`): for, against or abstain."""
    from toolkit.governance.ballot import parse_support

    governance = _governance(app)
    pid = governance.resolve_id(proposal)
    outcome = governance.vote(app.transactor(), pid, parse_support(support), reason)
    d = outcome.details
    _report(app, outcome, f"{d['voter']} voted {d['support']} on {pid} with {d['weight']} votes")


@gov.command("sign-vote")
@click.argument("proposal")
@click.argument("support", type=click.Choice(["for", "against", "abstain"], case_sensitive=False))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the signed ballot (JSON).",
)
@click.option("--governor", "governor", default=None, help="Offline: the governor's address.")
@click.option("--chain-id", type=click.IntRange(min=1), default=None, help="Offline: the chain id.")
@click.option(
    "--governor-name",
    default=None,
    help="Offline: the governor's EIP-712 name (default: from deployments/, else "
    '"<company> Governor").',
)
@click.option(
    "--nonce",
    type=click.IntRange(min=0),
    default=None,
    help="The voter's governor nonce (default: read from the chain; offline: 0, i.e. the "
    "voter's first signed ballot).",
)
@global_options
@pass_app
def sign_vote(
    app: AppContext,
    proposal: str,
    support: str,
    out: Path,
    governor: str | None,
    chain_id: int | None,
    governor_name: str | None,
    nonce: int | None,
) -> None:
    """Sign a vote on PROPOSAL as an EIP-712 ballot that anyone can relay.

    With --governor and --chain-id no node is needed: the ballot is signed offline with the
    --account key (dev accounts or a keystore). Otherwise the domain and the voter's nonce are
    read from the chain. The file holds the signature, never the key.
    """
    from toolkit.errors import UsageError
    from toolkit.governance.ballot import (
        parse_proposal_id,
        parse_support,
        sign_ballot,
        write_ballot,
    )
    from toolkit.governance.signing import offline_ballot, online_ballot
    from toolkit.inputs import InvalidValue, as_input_error, parse_wallet

    value = parse_support(support)
    offline = governor is not None or chain_id is not None
    if offline:
        if governor is None or chain_id is None:
            raise UsageError(
                "offline signing needs both --governor and --chain-id",
                hint="give both, or neither to read them from the chain",
            )
        try:
            governor_address = parse_wallet(governor)
        except InvalidValue as exc:
            raise as_input_error(exc, "--governor") from None
        pid = parse_proposal_id(proposal)
        signer = app.signer(offline=True)
        ballot = offline_ballot(
            proposal_id=pid,
            support=value,
            voter=signer.address,
            governor=governor_address,
            chain_id=chain_id,
            governor_name=governor_name,
            nonce=nonce,
            cwd=app.cwd,
        )
    else:
        governance = _governance(app)
        signer = app.signer()
        ballot = online_ballot(
            governance,
            proposal_id=governance.resolve_id(proposal),
            support=value,
            voter=signer.address,
            governor_name=governor_name,
            nonce=nonce,
        )
    signed = sign_ballot(ballot, signer)
    path = write_ballot(signed, out)
    data = {
        "file": str(path),
        "proposal_id": str(ballot.proposal_id),
        "support": support.lower(),
        "voter": ballot.voter,
        "nonce": ballot.nonce,
        "chain_id": ballot.domain.chain_id,
        "governor": ballot.domain.governor,
        "governor_name": ballot.domain.name,
        "digest": "0x" + ballot.digest().hex(),
        "offline": offline,
    }
    app.result(
        data,
        lambda: app.say(
            f"signed {support.lower()} on {ballot.proposal_id} as {ballot.voter} "
            f"(nonce {ballot.nonce}, chain {ballot.domain.chain_id}) -> {path}\n"
            f"anyone can submit it: equity gov relay-vote {path}"
        ),
    )


@gov.command("relay-vote")
@click.argument("ballot_file", type=click.Path(dir_okay=False, path_type=Path))
@global_options
@pass_app
def relay_vote(app: AppContext, ballot_file: Path) -> None:
    """Submit a signed ballot (from `gov sign-vote`) from any account.

    The file is checked first: the signature must recover to its voter, and it must be meant
    for this chain and this offering's governor; a used ballot is refused as a replay.
    """
    from toolkit.governance.ballot import read_ballot, verify

    signed = read_ballot(ballot_file)
    verify(signed)  # a tampered file fails here, before any connection
    governance = _governance(app)
    outcome = governance.relay(app.transactor(), signed)
    d = outcome.details
    _report(
        app,
        outcome,
        f"relayed {d['voter']}'s vote {d['support']} on {d['proposal_id']} "
        f"({d['weight']} votes) from {d['relayer']}",
    )


def _advance_option(func: Any) -> Any:
    return click.option(
        "--advance-time",
        is_flag=True,
        default=False,
        help="Local chains only: move the clock past the voting period or timelock delay.",
    )(func)


@gov.command()
@click.argument("proposal")
@_advance_option
@global_options
@pass_app
def queue(app: AppContext, proposal: str, advance_time: bool) -> None:
    """Queue a passed PROPOSAL in the timelock."""
    from toolkit.inputs import iso_time

    governance = _governance(app)
    pid = governance.resolve_id(proposal)
    outcome = governance.queue(app.transactor(), pid, advance_time=advance_time)
    _report(
        app,
        outcome,
        f"queued {pid}; executable from {iso_time(outcome.details['eta'])}",
    )


@gov.command()
@click.argument("proposal")
@_advance_option
@global_options
@pass_app
def execute(app: AppContext, proposal: str, advance_time: bool) -> None:
    """Execute a queued PROPOSAL once its timelock delay has passed."""
    governance = _governance(app)
    pid = governance.resolve_id(proposal)
    outcome = governance.execute(app.transactor(), pid, advance_time=advance_time)
    _report(app, outcome, f"executed {pid}")


@gov.command()
@click.argument("proposal")
@global_options
@pass_app
def status(app: AppContext, proposal: str) -> None:
    """Show a proposal: state, snapshot, deadline, weighted votes, quorum and who voted how."""
    governance = _governance(app)
    result = governance.status(governance.resolve_id(proposal))
    app.result(result.to_json(), lambda: _render_status(app, result))


def _render_status(app: AppContext, status: ProposalStatus) -> None:
    from toolkit.inputs import iso_time

    record, tally = status.record, status.tally
    app.say(f"proposal {record.id}")
    app.say(f"  {record.title}")
    app.say(f"  state     {status.state}: {status.next_step()}")
    app.say(f"  proposer  {record.proposer}")
    app.say(f"  snapshot  {iso_time(record.snapshot)}   deadline {iso_time(record.deadline)}")
    app.say(
        f"  votes     for {tally.for_votes}, against {tally.against_votes}, "
        f"abstain {tally.abstain_votes} (weighted)"
    )
    app.say(
        f"  quorum    {tally.quorum}: {tally.counted_for_quorum} counted (for + abstain), "
        f"{tally.quorum_progress}%" + (" - reached" if tally.quorum_reached else "")
    )
    for call in record.calls_json():
        app.say(f"  call      {call['target']} {call['calldata'][:10]}")
    if status.votes:
        app.table(
            None,
            ["voter", "vote", "votes", "reason"],
            [[v.voter, v.to_json()["support"], v.weight, v.reason] for v in status.votes],
        )


@gov.command("list")
@global_options
@pass_app
def list_proposals(app: AppContext) -> None:
    """Every proposal of the offering, with its state."""
    from toolkit.inputs import iso_time

    governance = _governance(app)
    statuses = governance.list()
    data = {
        "proposals": [
            {
                "id": str(s.record.id),
                "title": s.record.title,
                "state": s.state,
                "proposer": s.record.proposer,
                "snapshot": s.record.snapshot,
                "deadline": s.record.deadline,
                "for": s.tally.for_votes,
                "against": s.tally.against_votes,
                "abstain": s.tally.abstain_votes,
                "quorum": s.tally.quorum,
            }
            for s in statuses
        ]
    }

    def render() -> None:
        if not statuses:
            app.say("no proposals yet; create one with `equity gov propose`")
            return
        app.table(
            f"{len(statuses)} proposal(s)",
            ["id", "title", "state", "deadline", "for", "against", "abstain"],
            [
                [
                    str(s.record.id),
                    s.record.title,
                    s.state,
                    iso_time(s.record.deadline),
                    s.tally.for_votes,
                    s.tally.against_votes,
                    s.tally.abstain_votes,
                ]
                for s in statuses
            ],
        )

    app.result(data, render)


@gov.command()
@click.argument("wallet", required=False)
@global_options
@pass_app
def power(app: AppContext, wallet: str | None) -> None:
    """Show a holder's shares, delegates and weighted voting power (default: --account)."""
    from toolkit.inputs import InvalidValue, as_input_error, parse_wallet

    governance = _governance(app)
    try:
        holder = parse_wallet(wallet) if wallet else app.signer().address
    except InvalidValue as exc:
        raise as_input_error(exc, "WALLET") from None
    result = governance.voting_power(holder)

    def render() -> None:
        app.table(
            f"{result.holder}: voting power {result.total}",
            ["class", "shares", "locked", "votes/share", "delegate", "delegated", "weighted"],
            [
                [
                    c.class_id,
                    c.balance,
                    c.locked,
                    c.votes_per_share,
                    c.delegate,
                    c.delegated_votes,
                    c.weighted_votes,
                ]
                for c in result.classes
            ],
        )

    app.result(result.to_json(), render)
