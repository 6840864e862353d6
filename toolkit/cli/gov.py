"""``equity gov``: shareholder governance (SPEC §5, §9, §10).

Thin commands over ``toolkit.governance``: each parses its options, calls one library
function and renders the result (a table, or SPEC §9's JSON with ``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import advance_time_option, global_options
from toolkit.cli.paramtypes import CLASS, SELF, SUPPORT, WALLET, WALLET_OR_SELF

if TYPE_CHECKING:
    from toolkit.corporate.split import CashInLieu, Ratio
    from toolkit.dividends.governance import PreparedProposal
    from toolkit.governance.actions import ClassTarget
    from toolkit.governance.governor import Governance, Outcome
    from toolkit.governance.proposals import ProposalStatus
    from toolkit.offering.deployments import ClassDeployment


def _report(app: AppContext, outcome: Outcome, headline: str) -> None:
    app.sent(headline, outcome.transactions, outcome.details)


@examples(
    "equity gov list",
    "equity --account dev1 gov vote latest for",
)
@click.group()
def gov() -> None:
    """Delegate, propose, vote (also by signed ballot), queue and execute."""


@examples(
    ("vote with your own shares", "equity --account dev2 gov delegate self"),
    (
        "let Alice cast Bob's founders votes",
        "equity --account dev2 gov delegate 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --class FOUNDERS",
    ),
)
@gov.command()
@click.argument("to", type=WALLET_OR_SELF)
@click.option(
    "--class",
    "classes",
    multiple=True,
    type=CLASS,
    help="Only this class (repeatable); default: every voting class you hold.",
)
@global_options
@pass_app
def delegate(app: AppContext, to: str, classes: tuple[ClassDeployment, ...]) -> None:
    """Delegate your votes to TO (a wallet, or `self`) on every class you hold.

    Delegation is per class token; the governor adds the classes up, weighted by votes per share.
    """
    governance = app.governance()
    transactor = app.transactor()
    target = transactor.address if to == SELF else to
    outcome = governance.delegate(transactor, target, class_ids=[c.id for c in classes])
    details = outcome.details
    done = ", ".join(details["classes"]) or "nothing to change"
    _report(
        app,
        outcome,
        f"delegated {done} from {details['delegator']} to {details['delegatee']}; "
        f"its voting power is now {details['voting_power']:,}",
    )


@examples(
    'equity --account dev1 gov propose --title "Raise COMMON to 12,000,000" --action "set-authorized COMMON 12000000"',
    (
        "two actions in one proposal",
        'equity gov propose --title "Open COMMON to US investors" --action "unblock-jurisdiction COMMON US" --action "set-max-holders COMMON 2500"',
    ),
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
      call ADDRESS SIGNATURE ARGS...    declare-dividend FILE
      split CLASS RATIO
      approve-round ROUND (a recorded round: MINTER_ROLE and its hard cap as mint allowance)
      rofr-exercise NOTICE TO (the timelock buys a ROFR notice's shares for TO, paying the seller)
    ISSUER_ROLE and PAUSER_ROLE live on every class token, REGISTRAR_ROLE on the registry,
    DEFAULT_ADMIN_ROLE on both, PROPOSER/EXECUTOR/CANCELLER_ROLE on the timelock; ON (a class
    id, registry or timelock) narrows a role action to one contract.
    """
    governance = app.governance()
    prepared = _prepare_dividends(app, governance, actions)
    # exit 2 on a bad action, before anything is sent
    from toolkit.governance.rofr import notice_targets
    from toolkit.governance.rounds import round_targets

    split_agent, split_cash = _prepare_split(app, governance, actions)
    plan = governance.plan(
        actions,
        title,
        prepared.dividends if prepared else None,
        split_agent,
        rounds=round_targets(app.chain().w3, governance.deployment, app.cwd, actions),
        split_cash=split_cash,
        notices=notice_targets(app.chain().w3, governance.deployment, actions),
    )
    outcome = governance.propose(app.transactor(), plan)
    if prepared is not None:
        from toolkit.dividends.governance import record_proposed

        ids = record_proposed(prepared, governance.deployment, plan.id, app.cwd)
        outcome.details["dividends"] = ids
    app.sent(
        "\n".join(
            [
                f"proposed {plan.id}",
                f"  {plan.description}",
                *(f"  - {c.summary}" for c in plan.calls),
            ]
        ),
        outcome.transactions,
        outcome.details,
        then=lambda: governance.status(plan.id).next_step(),
    )


def _prepare_split(
    app: AppContext, governance: Governance, actions: tuple[str, ...]
) -> tuple[str, dict[str, CashInLieu]]:
    """The chain's SplitAgent when an action is a ``split`` (deployed first if there is none,
    once the split actions read well: a bad one sends nothing), and the cash in lieu of each
    consolidation (the offering file's price; without one, fractions in the cap table now are
    refused with exit 2)."""
    splits = [a for a in actions if a.split()[:1] == ["split"]]
    if not splits:
        return "", {}
    from toolkit.corporate.split import ensure_agent, parse_ratio
    from toolkit.governance.actions import ActionTargets, parse_actions

    placeholder = "0x" + "00" * 19 + "01"
    targets = ActionTargets.from_deployment(governance.deployment, None, placeholder)
    parse_actions(splits, targets)
    consolidated = [
        (targets.share_class(words[1]), parse_ratio(words[2]))
        for words in (a.split() for a in splits)
    ]
    cash = _consolidation_cash(
        app, governance, [(c, r) for c, r in consolidated if r.is_consolidation]
    )
    return ensure_agent(app.transactor(), app.cwd), cash


def _consolidation_cash(
    app: AppContext, governance: Governance, wanted: list[tuple[ClassTarget, Ratio]]
) -> dict[str, CashInLieu]:
    """Per consolidated class, its cash in lieu in base units, the treasury approving enough for
    the largest fraction of every current holder."""
    from toolkit.cli.cap_table_session import cap_table_session
    from toolkit.corporate.split import (
        CashInLieu,
        cash_for,
        fractions,
        refuse_fractions,
    )
    from toolkit.errors import InputError
    from toolkit.inputs import InvalidValue
    from toolkit.offering.offering_file import load_offering
    from toolkit.rounds.records import recorded_stablecoin
    from toolkit.rounds.round_file import parse_price
    from toolkit.rounds.rounds import payment_contract

    if not wanted:
        return {}
    deployment = governance.deployment
    offering = load_offering(app.cwd / deployment.offering_file)
    specs = {c.id: c for c in offering.classes}
    with cap_table_session(app) as session:
        ledger = session.state().ledger
    w3 = app.chain().w3
    found: dict[str, CashInLieu] = {}
    for share_class, ratio in wanted:
        holders = dict(ledger.classes[share_class.id].holders())
        terms = specs[share_class.id].cash_in_lieu if share_class.id in specs else None
        if terms is None:
            found_fractions = fractions(holders, ratio, share_class.decimals)
            refuse_fractions(share_class.id, found_fractions, share_class.decimals)
            continue
        token = terms.token
        if token == "stablecoin":
            coin = recorded_stablecoin(deployment.chain_id, app.cwd)
            if coin is None:
                raise InputError(
                    f"{share_class.id}'s cash_in_lieu_token is the stablecoin, but none is "
                    "recorded on this chain",
                    hint="run `equity stablecoin deploy` first, or name the token's address",
                )
            token = coin.address
        payment = payment_contract(w3, token)
        try:
            price = parse_price(str(terms.price), int(payment.functions.decimals().call()))
        except InvalidValue as exc:
            raise InputError(
                f"{share_class.id}'s cash_in_lieu_price: {exc}", hint="fix the offering file"
            ) from None
        largest = ratio.denominator * 10**share_class.decimals - 1
        funds = len(holders) * cash_for(largest, price, share_class.decimals)
        found[share_class.id] = CashInLieu(payment.address, price, funds)
    return found


def _prepare_dividends(
    app: AppContext, governance: Governance, actions: tuple[str, ...]
) -> PreparedProposal | None:
    """``declare-dividend FILE`` actions, worked out from the chain (None when there are none)."""
    from toolkit.dividends.governance import dividend_files, prepare_dividends

    if not dividend_files(actions):
        return None
    from toolkit.chain.clock import latest_timestamp
    from toolkit.cli.cap_table_session import cap_table_session

    with cap_table_session(app) as session:
        return prepare_dividends(
            app.transactor(),
            session,
            governance.deployment,
            actions,
            cwd=app.cwd,
            now=latest_timestamp(app.chain().w3),
        )


@examples(
    (
        "Alice votes for the newest proposal",
        'equity --account dev1 gov vote latest for --reason "growth"',
    ),
)
@gov.command()
@click.argument("proposal")
@click.argument("support", type=SUPPORT)
@click.option("--reason", default=None, help="A reason recorded with the vote.")
@advance_time_option
@global_options
@pass_app
def vote(
    app: AppContext, proposal: str, support: int, reason: str | None, advance_time: bool
) -> None:
    """Vote on PROPOSAL (its id, or `latest`): for, against or abstain.

    On a local chain, --advance-time first skips a pending proposal's voting delay.
    """
    governance = app.governance()
    pid = governance.resolve_id(proposal)
    outcome = governance.vote(app.transactor(), pid, support, reason, advance_time=advance_time)
    d = outcome.details
    classes = "".join(
        f", and {shares:,} {class_id} shares in its class vote"
        for class_id, shares in d["class_weights"].items()
    )
    _report(
        app,
        outcome,
        f"{d['voter']} voted {d['support']} on {pid} with {d['weight']:,} votes{classes}",
    )


@examples(
    (
        "Bob signs a ballot; anyone may relay it",
        "equity --account dev2 gov sign-vote latest for --out bob-ballot.json",
    ),
    (
        "offline, with no node",
        "equity --account dev2 gov sign-vote 4242 against --out ballot.json --governor 0x0165878A594ca255338adfa4d48449f69242Eb8F --chain-id 31337",
    ),
)
@gov.command("sign-vote")
@click.argument("proposal")
@click.argument("support", type=SUPPORT)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the signed ballot (JSON).",
)
@click.option(
    "--governor", "governor", type=WALLET, default=None, help="Offline: the governor's address."
)
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
    support: int,
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
    from toolkit.governance.signing import sign_vote as sign

    signed = sign(
        proposal,
        support,
        out,
        signer=lambda offline: app.signer(offline=offline),
        governance=app.governance,
        governor=governor,
        chain_id=chain_id,
        governor_name=governor_name,
        nonce=nonce,
        cwd=app.cwd,
    )
    app.result(signed.to_json(), lambda: app.say(signed.summary()))


@examples(
    (
        "Dave submits Bob's ballot and pays its gas",
        "equity --account dev4 gov relay-vote bob-ballot.json",
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
    governance = app.governance()
    outcome = governance.relay(app.transactor(), signed)
    d = outcome.details
    _report(
        app,
        outcome,
        f"relayed {d['voter']}'s vote {d['support']} on {d['proposal_id']} "
        f"({d['weight']:,} votes) from {d['relayer']}",
    )


@examples(
    "equity gov queue latest",
    (
        "on a local chain, skip to the end of the vote first",
        "equity gov queue latest --advance-time",
    ),
)
@gov.command()
@click.argument("proposal")
@advance_time_option
@global_options
@pass_app
def queue(app: AppContext, proposal: str, advance_time: bool) -> None:
    """Queue a passed PROPOSAL in the timelock."""
    governance = app.governance()
    pid = governance.resolve_id(proposal)
    outcome = governance.queue(app.transactor(), pid, advance_time=advance_time)
    _report(app, outcome, f"queued {pid}; executable from {outcome.details['eta']}")


@examples(
    "equity gov execute latest",
    (
        "on a local chain, skip the timelock's delay first",
        "equity gov execute latest --advance-time",
    ),
)
@gov.command()
@click.argument("proposal")
@advance_time_option
@global_options
@pass_app
def execute(app: AppContext, proposal: str, advance_time: bool) -> None:
    """Execute a queued PROPOSAL once its timelock delay has passed."""
    governance = app.governance()
    pid = governance.resolve_id(proposal)
    outcome = governance.execute(app.transactor(), pid, advance_time=advance_time)
    _report(app, outcome, f"executed {pid}")


@examples(
    "equity gov status latest",
    "equity --json gov status latest",
)
@gov.command()
@click.argument("proposal")
@global_options
@pass_app
def status(app: AppContext, proposal: str) -> None:
    """Show a proposal: state, snapshot, deadline, weighted votes, quorum and who voted how."""
    governance = app.governance()
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
        f"  counted   votes held at {iso_time(record.record_date)} (just before it was proposed)"
    )
    app.say(
        f"  votes     for {tally.for_votes:,}, against {tally.against_votes:,}, "
        f"abstain {tally.abstain_votes:,} (weighted)"
    )
    app.say(
        f"  quorum    {tally.quorum:,}: {tally.counted_for_quorum:,} counted (for + abstain), "
        f"{tally.quorum_progress}%" + (" - reached" if tally.quorum_reached else "")
    )
    for vote in status.class_votes:
        app.say(
            f"  class     {vote.class_id} must consent: for {vote.for_shares:,}, against "
            f"{vote.against_shares or 0:,}, abstain {vote.abstain_shares or 0:,} of "
            f"{vote.outstanding:,} shares; needs {vote.needed:,} for (over "
            f"{vote.threshold_percent}%)" + (" - consented" if vote.consented else "")
        )
    for action in record.actions:
        app.say(f"  action    {action}")
    for call in record.calls_json():
        app.detail(f"call {call['target']} calldata {call['calldata']}")
    if status.votes:
        app.table(
            None,
            ["voter", "vote", "votes", "reason"],
            [[v.voter, v.to_json()["support"], v.weight, v.reason] for v in status.votes],
        )


@examples(
    "equity gov list",
    ("piped, proposal ids are printed in full", "equity gov list | cat"),
)
@gov.command("list")
@global_options
@pass_app
def list_proposals(app: AppContext) -> None:
    """Every proposal of the offering, with its state."""
    from toolkit.inputs import iso_time, json_time

    governance = app.governance()
    statuses = governance.list()
    data = {
        "proposals": [
            {
                "id": str(s.record.id),
                "title": s.record.title,
                "state": s.state,
                "proposer": s.record.proposer,
                "snapshot": json_time(s.record.snapshot),
                "deadline": json_time(s.record.deadline),
                "for": s.tally.for_votes,
                "against": s.tally.against_votes,
                "abstain": s.tally.abstain_votes,
                "quorum": s.tally.quorum,
                "actions": list(s.record.actions),
                "class_votes": [vote.to_json() for vote in s.class_votes],
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
            ["id", "title", "state", "deadline", "for", "against", "abstain", "actions"],
            [
                [
                    str(s.record.id),
                    s.record.title,
                    s.state,
                    iso_time(s.record.deadline),
                    s.tally.for_votes,
                    s.tally.against_votes,
                    s.tally.abstain_votes,
                    "; ".join(s.record.actions),
                ]
                for s in statuses
            ],
        )

    app.result(data, render)


@examples(
    ("your own (the --account)", "equity --account dev1 gov power"),
    "equity gov power 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
)
@gov.command()
@click.argument("wallet", required=False, type=WALLET)
@global_options
@pass_app
def power(app: AppContext, wallet: str | None) -> None:
    """Show a holder's shares, delegates and weighted voting power (default: --account)."""
    governance = app.governance()
    result = governance.voting_power(wallet or app.signer().address)

    def render() -> None:
        from toolkit.inputs import format_shares

        decimals = {c.id: c.decimals for c in governance.deployment.classes}
        app.table(
            f"{result.holder}: voting power {result.total:,}",
            ["class", "shares", "locked", "votes/share", "delegate", "delegated", "weighted"],
            [
                [
                    c.class_id,
                    format_shares(c.balance, decimals.get(c.class_id, 0), grouped=True),
                    format_shares(c.locked, decimals.get(c.class_id, 0), grouped=True),
                    c.votes_per_share,
                    c.delegate,
                    c.delegated_votes,
                    c.weighted_votes,
                ]
                for c in result.classes
            ],
        )

    app.result(result.to_json(), render)
