"""``equity safe deploy|sign|status|execute``: a Safe multisig as the issuer (SPEC §16).

``--account safe:ADDRESS`` on any issuer command writes a Safe transaction file instead of
sending (``toolkit.safe.proposer``); ``render_proposal`` is how that run ends on the
command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options

if TYPE_CHECKING:
    from toolkit.safe.proposal import Proposal
    from toolkit.safe.signing import SafeTxStatus

TX_FILE = click.Path(path_type=Path, dir_okay=False)


@examples(
    "equity safe status safe-tx-0.json",
    "equity safe sign safe-tx-0.json --account alice",
    "equity safe execute safe-tx-0.json --account dev0",
)
@click.group()
def safe() -> None:
    """A Safe multisig as the issuer: deploy one, sign, inspect and execute its transactions.

    Build a transaction with any issuer command and --account safe:ADDRESS (it is written to
    a file, nothing sent); each owner signs the file; anyone executes it.
    """
    from toolkit.safe.contracts import require_safe_eth

    require_safe_eth()


@examples(
    (
        "a 2-of-3 Safe on the node `equity node start` runs",
        "equity safe deploy --owners 0x70997970C51812dc3A010C7d01b50e0d17dc79C8,0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,0x90F79bf6EB2c4f870365E785982E1f101E93b906 --threshold 2",
    ),
)
@safe.command("deploy")
@click.option("--owners", required=True, help="The owners' addresses, comma-separated: A,B,C.")
@click.option("--threshold", required=True, type=int, help="How many owners must sign.")
@global_options
@pass_app
def deploy_command(app: AppContext, owners: str, threshold: int) -> None:
    """Deploy a Safe 1.4.1 with OWNERS and THRESHOLD (local chains; the Safe contracts are
    deployed first where the chain lacks them)."""
    from toolkit.safe.deploy import check_owners, deploy_safe

    wallets = [_owner(text) for text in owners.split(",") if text.strip()]
    check_owners(wallets, threshold)
    report = deploy_safe(app.transactor(), wallets, threshold, cwd=app.cwd)
    app.sent(
        f"deployed Safe {report.safe} ({report.threshold} of {len(report.owners)} owners: "
        f"{', '.join(report.owners)}); recorded in {report.record}",
        report.transactions,
        {
            "safe": report.safe,
            "owners": list(report.owners),
            "threshold": report.threshold,
            "contracts": report.infrastructure,
            "record": str(report.record),
        },
        then=lambda: f"act as it with --account safe:{report.safe}",
    )


def _owner(text: str) -> str:
    from toolkit.inputs import InvalidValue, as_input_error, parse_wallet

    try:
        return parse_wallet(text.strip())
    except InvalidValue as exc:
        raise as_input_error(exc, "--owners") from exc


@examples(
    ("as the owner whose keystore is `alice`", "equity safe sign safe-tx-0.json --account alice"),
)
@safe.command("sign")
@click.argument("tx_file", metavar="TX.json", type=TX_FILE)
@global_options
@pass_app
def sign_command(app: AppContext, tx_file: Path) -> None:
    """Add the --account owner's signature (EIP-712 SafeTx) to TX.json."""
    from toolkit.safe.signing import sign_safe_tx

    _refuse_safe_account(app, "sign with an owner's key: --account ALIAS")
    status = sign_safe_tx(app.chain(), tx_file, app.signer())
    _show_status(app, tx_file, status, f"signed {tx_file} as {app.signer().address}")


@examples("equity safe status safe-tx-0.json", "equity safe status safe-tx-0.json --json")
@safe.command("status")
@click.argument("tx_file", metavar="TX.json", type=TX_FILE)
@global_options
@pass_app
def status_command(app: AppContext, tx_file: Path) -> None:
    """Show TX.json's Safe, its calls, who signed and whether it can be executed."""
    from toolkit.safe.signing import safe_tx_status

    _show_status(app, tx_file, safe_tx_status(app.chain(), tx_file), f"{tx_file}:")


@examples(
    ("any account pays the gas", "equity safe execute safe-tx-0.json --account dev0"),
)
@safe.command("execute")
@click.argument("tx_file", metavar="TX.json", type=TX_FILE)
@global_options
@pass_app
def execute_command(app: AppContext, tx_file: Path) -> None:
    """Send TX.json once enough owners signed (--account pays the gas)."""
    from toolkit.safe.execution import execute_safe_tx

    _refuse_safe_account(app, "pay the gas from a key: --account ALIAS")
    executed = execute_safe_tx(app.transactor(), tx_file, _known_abis(app))
    tx = executed.status.tx

    def effects() -> str:
        lines = [f"{e['event']}({_args(e['args'])})" for e in executed.events]
        return "effects: " + ("; ".join(lines) if lines else "no event")

    app.sent(
        f"executed Safe transaction #{tx.nonce} of {tx.safe} ({len(tx.calls)} call"
        f"{'s' if len(tx.calls) != 1 else ''}: {'; '.join(c.label for c in tx.calls)})",
        [executed.result],
        {"safe": tx.safe, "nonce": tx.nonce, "events": list(executed.events)},
        then=effects,
    )


def _args(args: dict[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in args.items())


def _known_abis(app: AppContext) -> list[list[dict[str, object]]]:
    """The ABIs whose events a Safe transaction's effects are told in: the templates'."""
    from toolkit.offering.contracts import TEMPLATES, artifact

    return [list(artifact(name)["abi"]) for name in TEMPLATES]


def _refuse_safe_account(app: AppContext, fix: str) -> None:
    from toolkit.errors import UsageError
    from toolkit.safe.proposer import safe_address_of

    if safe_address_of(app.options.account) is not None:
        raise UsageError(
            "--account safe:... names the Safe itself, which has no key of its own",
            hint=fix,
        )


def _show_status(app: AppContext, tx_file: Path, status: SafeTxStatus, headline: str) -> None:
    app.result(
        {"file": str(tx_file), **status.to_json()},
        lambda: _render_status(app, status, headline),
    )


def _render_status(app: AppContext, status: SafeTxStatus, headline: str) -> None:
    tx = status.tx
    app.say(headline)
    app.say(
        f"  Safe {status.safe.address} on chain {tx.chain_id}: {status.safe.threshold} of "
        f"{len(status.safe.owners)} owners must sign"
    )
    nonce = {
        "next": "the Safe's next: can be executed",
        "queued": f"after the Safe's next ({status.safe.nonce}): must wait",
        "spent": f"spent (the Safe's nonce is {status.safe.nonce}): executed or replaced",
    }[status.nonce_state]
    app.say(f"  nonce {tx.nonce}: {nonce}")
    app.say(f"  safeTxHash {tx.safe_tx_hash}")
    for number, call in enumerate(tx.calls, 1):
        app.say(f"  call {number}: {call.label}")
    signed = {s.lower() for s in status.signed}
    for owner in status.safe.owners:
        app.say(f"  {'signed ' if owner.lower() in signed else 'not yet'}  {owner}")
    for other in status.invalid:
        app.say(f"  ignored  {other} (not an owner, or the signature does not verify)")
    if status.nonce_state != "spent":
        app.say(
            f"  {status.missing} more signature(s) needed"
            if status.missing
            else "  enough signatures: anyone may run `equity safe execute` on it"
        )


def render_proposal(app: AppContext, proposal: Proposal) -> None:
    """How a command run with --account safe:ADDRESS ends: the file, its calls, what next."""
    tx = proposal.tx
    data = {
        "transactions": [],
        "safe_tx": {
            "file": str(proposal.path),
            "safe": tx.safe,
            "chain_id": tx.chain_id,
            "nonce": tx.nonce,
            "safe_tx_hash": tx.safe_tx_hash,
            "operation": tx.operation,
            "threshold": proposal.threshold,
            "owners": list(proposal.owners),
            "calls": [c.to_json() for c in tx.calls],
        },
    }

    def render() -> None:
        count = len(tx.calls)
        app.say(
            f"Safe transaction #{tx.nonce} for Safe {tx.safe} written to {proposal.path} "
            f"({count} call{'s' if count != 1 else ''}"
            f"{', batched through MultiSendCallOnly' if count > 1 else ''}); nothing was sent"
        )
        for number, call in enumerate(tx.calls, 1):
            app.say(f"  call {number}: {call.label}")
        app.say(f"  safeTxHash {tx.safe_tx_hash}")
        app.say(
            f"next: {proposal.threshold} of its {len(proposal.owners)} owners run "
            f"`equity safe sign {proposal.path} --account ALIAS`, then anyone "
            f"`equity safe execute {proposal.path}`"
        )

    app.result(data, render)
