"""``equity deploy OFFERING.toml [--name NAME]``: validate, deploy, wire, record (SPEC §5, §10)."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options


@examples(
    (
        "the sample offering on the node `equity node start` runs",
        "equity deploy examples/offering.toml --name acme",
    ),
    (
        "to another chain, from a keystore account",
        "equity --network sepolia --account issuer deploy offering.toml",
    ),
    (
        "a Safe multisig gets the issuer roles (`equity safe deploy` makes one locally)",
        "equity deploy offering.toml --issuer safe:0xD5D507B7b649dCecF29E422521EF21b1741fa1E3",
    ),
)
@click.command()
@click.argument("offering_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--name", default=None, help="Name to record the offering under (default: the file's stem)."
)
@click.option(
    "--issuer",
    default=None,
    metavar="safe:ADDRESS",
    help="Give the issuer, registrar and pauser roles to this Safe instead of the deployer.",
)
@global_options
@pass_app
def deploy(app: AppContext, offering_file: Path, name: str | None, issuer: str | None) -> None:
    """Deploy the offering described in OFFERING_FILE and record it in deployments/."""
    from toolkit.errors import UsageError
    from toolkit.offering.deploy import check_name_free, default_name, deploy_offering
    from toolkit.offering.offering_file import load_offering
    from toolkit.safe.proposer import safe_address_of

    if safe_address_of(app.options.account) is not None:
        raise UsageError(
            "deploy cannot be sent from a Safe: it reads the addresses of the contracts it "
            "creates; nothing was sent",
            hint="deploy from a key and give the Safe the issuer roles: "
            f"--account ALIAS --issuer {app.options.account}",
        )
    issuer_safe = _issuer_safe(issuer)
    offering = load_offering(offering_file)  # every error in the file, before any connection
    name = name if name is not None else default_name(offering)
    chain = app.chain()
    if chain.node is not None:
        raise UsageError(
            "no node is running here: a deployment to the anvil started for this command "
            "would vanish when it ends",
            hint="start one with `equity node start` (--state FILE keeps it across restarts), "
            "or pass --rpc-url/--network",
        )
    if check_name_free(chain.chain_id, name, app.cwd, chain.w3):
        app.note(
            f"note: {name!r} was recorded on chain {chain.chain_id} but its contracts are "
            "not on this node (restarted without its state?): the record will be replaced"
        )
    if issuer_safe is not None:
        from toolkit.safe.chain_checks import read_safe

        read_safe(chain, issuer_safe)  # a Safe is there: the roles go to something that can act
    from toolkit.rounds.launch import launch_rounds, prepare_launch_rounds

    # the launch rounds' files, checked against the chain before anything is sent
    rounds = prepare_launch_rounds(chain.w3, chain.chain_id, app.cwd, offering)
    transactor = app.transactor()
    app.note(
        f"deploying {offering.company!r} ({len(offering.classes)} classes) as {name!r} "
        f"on chain {chain.chain_id} from {transactor.address}"
    )
    if transactor.approve is not None:  # a live chain: rehearse on a fork, show it all, ask once
        outgoing = app.dry_run(
            lambda rehearsal, scratch: deploy_offering(
                rehearsal,
                offering,
                name=name,
                cwd=scratch,
                before_handover=launch_rounds(rehearsal, rounds, scratch) if rounds else None,
            )
        )
        if outgoing is not None:
            transactor.preapprove(outgoing)
    report = deploy_offering(
        transactor,
        offering,
        name=name,
        cwd=app.cwd,
        on_step=lambda label: app.note(f"  {label}"),
        issuer=issuer_safe,
        before_handover=launch_rounds(transactor, rounds, app.cwd) if rounds else None,
    )
    deployment = report.deployment
    data = {
        "name": deployment.name,
        "chain_id": deployment.chain_id,
        "block": deployment.block,
        "record": str(report.path),
        "issuer": issuer_safe or deployment.deployer,
        "contracts": {
            "registry": deployment.registry,
            "votes": deployment.votes,
            "timelock": deployment.timelock,
            "governor": deployment.governor,
            "holder_view": deployment.holder_view,
            "market": deployment.market,
            "issuer_bound": deployment.issuer_bound,
            "classes": {c.id: c.address for c in deployment.classes},
            "converters": {c.id: c.converter for c in deployment.classes if c.converter},
        },
        "transactions": [tx.to_json() for tx in report.transactions],
    }
    launched: dict[str, str] = {}
    if rounds:
        from toolkit.rounds.records import recorded_rounds

        names = {r.name for r in rounds}
        launched = {
            r.name: r.address
            for r in recorded_rounds(chain.chain_id, app.cwd, deployment.name)
            if r.name in names
        }
        data["rounds"] = launched

    def render() -> None:
        app.table(
            f"{deployment.name}: {deployment.company}, chain {deployment.chain_id}, block {deployment.block}",
            ["contract", "address"],
            [
                ["registry", deployment.registry],
                *[[f"class {c.id}", c.address] for c in deployment.classes],
                ["votes", deployment.votes],
                ["timelock", deployment.timelock],
                ["governor", deployment.governor],
                ["holder view", deployment.holder_view],
                ["market", deployment.market],
                ["issuer bound", deployment.issuer_bound],
                *[
                    [f"converter {c.id} -> {c.converts_to}", c.converter]
                    for c in deployment.classes
                    if c.converter
                ],
            ],
        )
        app.table(
            None,
            ["class", "symbol", "votes", "authorized", "holders", "blocked"],
            [
                [
                    c.id,
                    c.symbol,
                    c.votes_per_share,
                    c.authorized,
                    c.max_holders or "no cap",
                    ",".join(c.blocked_jurisdictions) or "-",
                ]
                for c in deployment.classes
            ],
        )
        gas = sum(tx.gas_used for tx in report.transactions)
        app.say(f"{len(report.transactions)} transactions, {gas:,} gas; recorded in {report.path}")
        app.note("the timelock now administers the registry and every class; the issuer,")
        if issuer_safe is None:
            app.note("registrar and pauser roles stay with the deployer")
        else:
            app.note(f"registrar and pauser roles are Safe {issuer_safe}'s (act with")
            app.note(f"--account safe:{issuer_safe}); the deployer keeps no role")
        governance = deployment.governance
        window_days = int(governance["issuer_limit_window"]) / 86_400
        app.note(
            f"the issuer's moves are bounded to {governance['issuer_limit_percent']} % of each "
            f"class's supply per {window_days:g} days beyond its launch allowance"
        )
        app.note("(more: `gov propose --action 'approve-issuance CLASS SHARES'`)")
        for round_name, address in launched.items():
            app.note(
                f"launch round {round_name} at {address} may issue its hard cap (MINTER_ROLE); "
                "later rounds: `gov propose --action 'approve-round ROUND'`"
            )

    app.result(data, render)


def _issuer_safe(issuer: str | None) -> str | None:
    """The Safe of ``--issuer safe:ADDRESS``."""
    from toolkit.errors import UsageError
    from toolkit.safe.proposer import safe_address_of

    if issuer is None:
        return None
    safe = safe_address_of(issuer)
    if safe is None:
        raise UsageError(
            f"--issuer {issuer}: give a Safe as safe:ADDRESS",
            hint="without --issuer the deployer keeps the issuer roles",
        )
    return safe
