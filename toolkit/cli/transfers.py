"""``equity transfer|check|force-transfer|recover|pause|unpause``: shares under SPEC §8's rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options
from toolkit.cli.paramtypes import CLASS, WALLET, shares

if TYPE_CHECKING:
    from toolkit.offering.deployments import ClassDeployment


@examples(
    (
        "Dave sends Frank 500 COMMON",
        "equity --account dev4 transfer COMMON 0x976EA74026E726554dB657fA54763abd0C3a0aa9 500",
    ),
)
@click.command()
@click.argument("share_class", metavar="CLASS", type=CLASS)
@click.argument("to", metavar="TO", type=WALLET)
@click.argument("amount", metavar="SHARES", type=shares(of="share_class"))
@global_options
@pass_app
def transfer(app: AppContext, share_class: ClassDeployment, to: str, amount: int) -> None:
    """Transfer SHARES of CLASS from the --account to TO (refused transfers send nothing)."""
    from toolkit.errors import TransactionRevertedError
    from toolkit.inputs import format_shares
    from toolkit.offering.transfers import transfer as send_transfer

    transactor = app.transactor()
    try:
        result = send_transfer(transactor, app.contracts(), share_class.id, to, amount)
    except TransactionRevertedError as exc:
        if app.options.account is None:  # say whose shares these were: the default signer's
            exc.hint = (
                f"no --account was given, so the sender was dev0 ({transactor.address}); "
                "pass --account with the holder's account; nothing was sent"
            )
        raise
    app.sent(
        f"transferred {format_shares(amount, share_class.decimals, grouped=True)} {share_class.id} "
        f"from {transactor.address} to {to}",
        [result],
        {"class": share_class.id, "from": transactor.address, "to": to, "shares": amount},
    )


@examples(
    (
        "may Erin send Frank 1,000 COMMON? (exit 1 and the code if not)",
        "equity check COMMON 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc 0x976EA74026E726554dB657fA54763abd0C3a0aa9 1000",
    ),
)
@click.command()
@click.argument("share_class", metavar="CLASS", type=CLASS)
@click.argument("sender", metavar="FROM", type=WALLET)
@click.argument("receiver", metavar="TO", type=WALLET)
@click.argument("amount", metavar="SHARES", type=shares(of="share_class"))
@global_options
@pass_app
def check(
    app: AppContext, share_class: ClassDeployment, sender: str, receiver: str, amount: int
) -> int:
    """Dry run: would a transfer of SHARES of CLASS from FROM to TO be allowed?

    Prints the restriction's code name and message, then how many of FROM's shares are
    unlocked now and when more unlock; exits 0 when allowed, 1 when restricted.
    """
    from toolkit.offering.lockups import sellable_of
    from toolkit.offering.transfers import check_transfer

    contracts = app.contracts()
    restriction = check_transfer(contracts, share_class.id, sender, receiver, amount)
    position = sellable_of(contracts, share_class, sender)

    def render() -> None:
        app.say(restriction.text)
        app.say(f"{share_class.id} of {sender}: {position.text(share_class.decimals)}")

    app.result({**restriction.to_json(), **position.to_json()}, render)
    return 0 if restriction.allowed else 1


@examples(
    'equity force-transfer COMMON 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc 0x976EA74026E726554dB657fA54763abd0C3a0aa9 1000 --reason "court order 2027-114"',
)
@click.command("force-transfer")
@click.argument("share_class", metavar="CLASS", type=CLASS)
@click.argument("sender", metavar="FROM", type=WALLET)
@click.argument("receiver", metavar="TO", type=WALLET)
@click.argument("amount", metavar="SHARES", type=shares(of="share_class"))
@click.option(
    "--reason", required=True, help="Why (recorded on chain in the ForcedTransfer event)."
)
@global_options
@pass_app
def force_transfer(
    app: AppContext,
    share_class: ClassDeployment,
    sender: str,
    receiver: str,
    amount: int,
    reason: str,
) -> None:
    """Issuer: move SHARES of CLASS from FROM to TO without FROM's consent."""
    from toolkit.inputs import format_shares
    from toolkit.offering.transfers import force_transfer as send_force_transfer

    shown = f"{format_shares(amount, share_class.decimals, grouped=True)} {share_class.id}"
    app.confirm(f"force-transfer {shown} from {sender} to {receiver} without its holder's consent?")
    result = send_force_transfer(
        app.transactor(), app.contracts(), share_class.id, sender, receiver, amount, reason
    )
    app.sent(
        f"force-transferred {shown} from {sender} to {receiver} ({reason.strip()})",
        [result],
        {
            "class": share_class.id,
            "from": sender,
            "to": receiver,
            "shares": amount,
            "reason": reason.strip(),
        },
    )


@examples(
    (
        "Alice lost her first wallet; her second one takes over",
        "equity recover 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    ),
)
@click.command()
@click.argument("lost", metavar="OLD_WALLET", type=WALLET)
@click.argument("replacement", metavar="NEW_WALLET", type=WALLET)
@global_options
@pass_app
def recover(app: AppContext, lost: str, replacement: str) -> None:
    """Issuer: move every class's shares, lock-ups and votes from a lost wallet to a new
    wallet registered to the same investor."""
    from toolkit.offering.transfers import recover as send_recover

    app.confirm(f"move every class's shares, lock-ups and votes from {lost} to {replacement}?")
    results = send_recover(app.transactor(), app.contracts(), lost, replacement)
    app.sent(
        f"recovered {lost} into {replacement} ({len(results)} class(es))",
        results,
        {"old_wallet": lost, "new_wallet": replacement},
    )


@examples(
    "equity pause COMMON",
)
@click.command()
@click.argument("share_class", metavar="CLASS", type=CLASS)
@global_options
@pass_app
def pause(app: AppContext, share_class: ClassDeployment) -> None:
    """Stop every transfer of CLASS (issuer actions go on)."""
    _set_paused(app, share_class, True)


@examples(
    "equity unpause COMMON",
)
@click.command()
@click.argument("share_class", metavar="CLASS", type=CLASS)
@global_options
@pass_app
def unpause(app: AppContext, share_class: ClassDeployment) -> None:
    """Resume transfers of CLASS."""
    _set_paused(app, share_class, False)


def _set_paused(app: AppContext, share_class: ClassDeployment, paused: bool) -> None:
    from toolkit.offering.transfers import set_paused

    result = set_paused(app.transactor(), app.contracts(), share_class.id, paused)
    verb = "paused" if paused else "unpaused"
    app.sent(
        f"{verb} transfers of {share_class.id}",
        [result],
        {"class": share_class.id, "paused": paused},
    )
