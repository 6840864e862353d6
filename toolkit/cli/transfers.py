"""``equity transfer|check|force-transfer|recover|pause|unpause``: shares under SPEC §8's rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.context import AppContext, global_options, pass_app

if TYPE_CHECKING:
    from toolkit.chain.tx import TxResult
    from toolkit.offering.contracts import OfferingContracts
    from toolkit.offering.deployments import ClassDeployment


def _contracts(app: AppContext) -> OfferingContracts:
    from toolkit.offering.contracts import OfferingContracts

    return OfferingContracts(app.chain().w3, app.deployment())


def _wallet(text: str, what: str) -> str:
    from toolkit.inputs import parse_arg, parse_wallet

    return parse_arg(parse_wallet, text, what)


def _shares(share_class: ClassDeployment, text: str) -> int:
    from toolkit.inputs import parse_arg, parse_shares

    return parse_arg(lambda t: parse_shares(t, share_class.decimals), text, "SHARES")


def _sent(app: AppContext, results: list[TxResult], text: str, **extra: Any) -> None:
    def render() -> None:
        app.say(text)
        for result in results:
            app.say(f"  tx {result.hash} (block {result.block}, {result.gas_used} gas)")

    app.result({"transactions": [r.to_json() for r in results], **extra}, render)


@click.command()
@click.argument("class_id", metavar="CLASS")
@click.argument("to", metavar="TO")
@click.argument("shares")
@global_options
@pass_app
def transfer(app: AppContext, class_id: str, to: str, shares: str) -> None:
    """Transfer SHARES of CLASS from the --account to TO (refused transfers send nothing)."""
    from toolkit.inputs import format_shares
    from toolkit.offering.transfers import transfer as send_transfer

    receiver = _wallet(to, "TO")
    contracts = _contracts(app)
    share_class = contracts.deployment.class_by_id(class_id)
    amount = _shares(share_class, shares)
    transactor = app.transactor()
    result = send_transfer(transactor, contracts, share_class.id, receiver, amount)
    _sent(
        app,
        [result],
        f"transferred {format_shares(amount, share_class.decimals)} {share_class.id} "
        f"from {transactor.address} to {receiver}",
        **{"class": share_class.id, "from": transactor.address, "to": receiver, "shares": amount},
    )


@click.command()
@click.argument("class_id", metavar="CLASS")
@click.argument("sender", metavar="FROM")
@click.argument("receiver", metavar="TO")
@click.argument("shares")
@global_options
@pass_app
def check(app: AppContext, class_id: str, sender: str, receiver: str, shares: str) -> int:
    """Dry run: would a transfer of SHARES of CLASS from FROM to TO be allowed?

    Prints the restriction's code name and message; exits 0 when allowed, 1 when restricted.
    """
    from toolkit.offering.transfers import check_transfer

    source = _wallet(sender, "FROM")
    target = _wallet(receiver, "TO")
    contracts = _contracts(app)
    share_class = contracts.deployment.class_by_id(class_id)
    amount = _shares(share_class, shares)
    restriction = check_transfer(contracts, share_class.id, source, target, amount)
    app.result(
        restriction.to_json(),
        lambda: app.say(f"{restriction.name} ({restriction.code}): {restriction.message}"),
    )
    return 0 if restriction.allowed else 1


@click.command("force-transfer")
@click.argument("class_id", metavar="CLASS")
@click.argument("sender", metavar="FROM")
@click.argument("receiver", metavar="TO")
@click.argument("shares")
@click.option(
    "--reason", required=True, help="Why (recorded on chain in the ForcedTransfer event)."
)
@global_options
@pass_app
def force_transfer(
    app: AppContext, class_id: str, sender: str, receiver: str, shares: str, reason: str
) -> None:
    """Issuer: move SHARES of CLASS from FROM to TO without FROM's consent."""
    from toolkit.inputs import format_shares
    from toolkit.offering.transfers import force_transfer as send_force_transfer

    source = _wallet(sender, "FROM")
    target = _wallet(receiver, "TO")
    contracts = _contracts(app)
    share_class = contracts.deployment.class_by_id(class_id)
    amount = _shares(share_class, shares)
    app.confirm(
        f"force-transfer {format_shares(amount, share_class.decimals)} {share_class.id} "
        f"from {source} to {target} without its holder's consent?"
    )
    result = send_force_transfer(
        app.transactor(), contracts, share_class.id, source, target, amount, reason
    )
    _sent(
        app,
        [result],
        f"force-transferred {format_shares(amount, share_class.decimals)} {share_class.id} "
        f"from {source} to {target} ({reason.strip()})",
        **{"class": share_class.id, "from": source, "to": target, "shares": amount},
        reason=reason.strip(),
    )


@click.command()
@click.argument("old_wallet")
@click.argument("new_wallet")
@global_options
@pass_app
def recover(app: AppContext, old_wallet: str, new_wallet: str) -> None:
    """Issuer: move every class's shares, lock-ups and votes from a lost wallet to a new
    wallet registered to the same investor."""
    from toolkit.offering.transfers import recover as send_recover

    lost = _wallet(old_wallet, "OLD_WALLET")
    replacement = _wallet(new_wallet, "NEW_WALLET")
    app.confirm(f"move every class's shares, lock-ups and votes from {lost} to {replacement}?")
    results = send_recover(app.transactor(), _contracts(app), lost, replacement)
    _sent(
        app,
        results,
        f"recovered {lost} into {replacement} ({len(results)} class(es))",
        old_wallet=lost,
        new_wallet=replacement,
    )


@click.command()
@click.argument("class_id", metavar="CLASS")
@global_options
@pass_app
def pause(app: AppContext, class_id: str) -> None:
    """Stop every transfer of CLASS (issuer actions go on)."""
    _set_paused(app, class_id, True)


@click.command()
@click.argument("class_id", metavar="CLASS")
@global_options
@pass_app
def unpause(app: AppContext, class_id: str) -> None:
    """Resume transfers of CLASS."""
    _set_paused(app, class_id, False)


def _set_paused(app: AppContext, class_id: str, paused: bool) -> None:
    from toolkit.offering.transfers import set_paused

    contracts = _contracts(app)
    share_class = contracts.deployment.class_by_id(class_id)
    result = set_paused(app.transactor(), contracts, share_class.id, paused)
    verb = "paused" if paused else "unpaused"
    _sent(
        app,
        [result],
        f"{verb} transfers of {share_class.id}",
        **{"class": share_class.id, "paused": paused},
    )
