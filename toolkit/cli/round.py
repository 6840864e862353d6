"""``equity round open|list|status|subscribe|close|cancel|refund`` (SPEC §11)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options

if TYPE_CHECKING:
    from toolkit.rounds.records import RoundRecord


def _record(app: AppContext, name: str) -> RoundRecord:
    from toolkit.rounds.records import find_round

    return find_round(app.chain().chain_id, app.cwd, name)


@examples("equity round list")
@click.group("round")
def round_group() -> None:
    """Subscription rounds: investors buy new shares for a stablecoin."""


@examples(
    "equity round open examples/round.toml --name seed",
)
@round_group.command("open")
@click.argument("round_file", metavar="ROUND.toml", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--name", default=None, help="Name to record the round under (default: the file's stem)."
)
@global_options
@pass_app
def open_command(app: AppContext, round_file: Path, name: str | None) -> None:
    """Deploy the round ROUND.toml describes (the signer manages it; the timelock administers
    it) and record it. The round issues once governance gives it the class's issuing power.
    """
    from toolkit.rounds.round_file import load_round_file
    from toolkit.rounds.rounds import format_money, open_round

    spec = load_round_file(round_file)  # every error in the file, before any connection
    record, result = open_round(
        app.transactor(), app.deployment(), spec, name or round_file.stem, app.cwd
    )
    app.sent(
        f"opened round {record.name} for {record.class_id} at {record.address}: "
        f"{format_money(record.price_per_unit * 10**record.class_decimals, record)} per share",
        [result],
        {"round": record.name, "address": record.address, "class": record.class_id},
        then=lambda: (
            "it sells once shareholders give it the class's issuing power: `equity gov propose "
            f"--title 'Round {record.name}' --action 'approve-round {record.name}'`"
        ),
    )


@examples(
    "equity round list",
)
@round_group.command("list")
@global_options
@pass_app
def list_command(app: AppContext) -> None:
    """The offering's rounds with their state and what they sold."""
    from toolkit.rounds.records import recorded_rounds
    from toolkit.rounds.rounds import round_status

    chain = app.chain()
    statuses = [
        round_status(chain.w3, r)
        for r in recorded_rounds(chain.chain_id, app.cwd, app.deployment().name)
    ]
    app.result(
        {"rounds": [s.to_json() for s in statuses]},
        lambda: app.table(
            None,
            ["round", "class", "state", "sold", "hard cap", "investors", "closes"],
            [
                [
                    s.record.name,
                    s.record.class_id,
                    s.state,
                    s.sold,
                    s.hard_cap,
                    s.investors,
                    s.to_json()["closes"],
                ]
                for s in statuses
            ],
        ),
    )


@examples(
    "equity round status seed --json",
)
@round_group.command("status")
@click.argument("name", metavar="ROUND")
@global_options
@pass_app
def status_command(app: AppContext, name: str) -> None:
    """A round's terms and progress (amounts in base units with --json)."""
    from toolkit.inputs import format_shares
    from toolkit.rounds.rounds import format_money, round_status

    status = round_status(app.chain().w3, _record(app, name))
    record = status.record

    def render() -> None:
        data = status.to_json()
        shares = record.class_decimals
        app.say(f"round {record.name} ({record.class_id}) at {record.address}: {status.state}")
        app.say(
            f"  price {format_money(status.price, record)} per share; "
            f"opens {data['opens']}, closes {data['closes']}"
        )
        app.say(
            f"  sold {format_shares(status.sold, shares, grouped=True)} of "
            f"{format_shares(status.hard_cap, shares, grouped=True)} shares"
            + (
                f" (soft cap {format_shares(status.soft_cap, shares, grouped=True)})"
                if status.soft_cap
                else ""
            )
            + f" to {status.investors} investor(s); raised {format_money(data['raised'], record)}"
            + (
                f", {format_money(status.escrowed, record)} held in escrow"
                if status.escrowed
                else ""
            )
        )

    app.result(status.to_json(), render)


@examples(
    "equity --account dev1 round subscribe seed 1000 --permit",
)
@round_group.command("subscribe")
@click.argument("name", metavar="ROUND")
@click.argument("amount", metavar="SHARES")
@click.option(
    "--permit", is_flag=True, help="Pay with an ERC-2612 permit: one transaction, no approve."
)
@global_options
@pass_app
def subscribe_command(app: AppContext, name: str, amount: str, permit: bool) -> None:
    """Buy SHARES in ROUND: the --account pays SHARES x price in the round's payment token. The
    cost and the restriction, if any, are shown before anything is sent.
    """
    from toolkit.inputs import format_shares, parse_arg, parse_shares
    from toolkit.rounds.rounds import format_money, quote, subscribe

    record = _record(app, name)
    shares = parse_arg(lambda text: parse_shares(text, record.class_decimals), amount, "SHARES")
    transactor = app.transactor()
    offer = quote(app.chain().w3, record, transactor.address, shares)
    shown = f"{format_shares(shares, record.class_decimals, grouped=True)} {record.class_id}"
    app.say(
        f"{shown} in {record.name} cost {format_money(offer.cost, record)}; "
        f"restriction: {offer.name} ({offer.code}): {offer.message}"
    )
    offer, sent = subscribe(transactor, record, shares, permit=permit)
    app.sent(
        f"subscribed {shown} in {record.name} for {format_money(offer.cost, record)}",
        sent,
        {"round": record.name, "buyer": transactor.address, "shares": shares, "paid": offer.cost},
    )


@examples(
    "equity round close seed",
)
@round_group.command("close")
@click.argument("name", metavar="ROUND")
@global_options
@pass_app
def close_command(app: AppContext, name: str) -> None:
    """End ROUND (the manager may before its closing time): below a soft cap it fails and
    every subscriber may refund; otherwise escrowed subscriptions are issued and paid out.
    """
    from toolkit.rounds.rounds import close_round

    record = _record(app, name)
    app.confirm(f"close round {record.name}?")
    state, sent = close_round(app.transactor(), record)
    app.sent(f"round {record.name} is {state}", sent, {"round": record.name, "state": state})


@examples(
    "equity round cancel seed --yes",
)
@round_group.command("cancel")
@click.argument("name", metavar="ROUND")
@global_options
@pass_app
def cancel_command(app: AppContext, name: str) -> None:
    """Manager: cancel ROUND before it closes; every escrowed payment becomes refundable."""
    from toolkit.rounds.rounds import cancel_round

    record = _record(app, name)
    app.confirm(f"cancel round {record.name}? subscribers in escrow get their money back")
    result = cancel_round(app.transactor(), record)
    app.sent(
        f"cancelled round {record.name}", [result], {"round": record.name, "state": "Cancelled"}
    )


@examples(
    "equity --account dev1 round refund seed",
)
@round_group.command("refund")
@click.argument("name", metavar="ROUND")
@global_options
@pass_app
def refund_command(app: AppContext, name: str) -> None:
    """Take back the --account's payment held in a cancelled or failed ROUND (once)."""
    from toolkit.rounds.rounds import format_money, refund

    record = _record(app, name)
    amount, result = refund(app.transactor(), record)
    app.sent(
        f"refunded {format_money(amount, record)} from {record.name} to {app.transactor().address}",
        [result],
        {"round": record.name, "refunded": amount},
    )
