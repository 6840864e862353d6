"""``equity market sell|bid|fill|list|cancel`` (SPEC §12): signed offers and bids settled
against a payment in one transaction; ``equity market rofr list|exercise|waive|complete|unwind``:
the notices a fill in a class with the company's right of first refusal opens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import DATE_FORMAT, global_options
from toolkit.cli.paramtypes import CLASS, WALLET, ChainTimeType, shares

if TYPE_CHECKING:
    from toolkit.market.orders import SignedOrder
    from toolkit.offering.deployments import ClassDeployment


def _future(text: str, *, now: int) -> int:
    from toolkit.inputs import parse_future_date

    return parse_future_date(text, now=now, what="--expires")


F = TypeVar("F", bound=Callable[..., Any])
EXPIRES = ChainTimeType(_future, "date")
PAYMENT_HELP = "The payment token: an ERC-20 address, or 'stablecoin' (the one recorded here)."


@examples("equity market list")
@click.group("market")
def market() -> None:
    """Secondary trades: signed offers and bids, settled shares-against-payment at once."""


def _make(
    app: AppContext,
    side: int,
    share_class: ClassDeployment,
    amount: int,
    price: str,
    expires: int,
    to: str | None,
    out: Path | None,
    payment_token: str,
) -> None:
    from toolkit.market.orders import write_order
    from toolkit.market.trades import make_order, publish
    from toolkit.market.trades import payment_token as find_payment

    chain = app.chain()
    app.signer()  # an order is signed by a key of its own (a Safe has none): said first
    payment = find_payment(chain.w3, chain.chain_id, app.cwd, payment_token)
    signed, sent = make_order(
        app.transactor(),
        app.deployment(),
        side=side,
        class_id=share_class.id,
        shares=amount,
        price=price,
        expires=expires,
        taker=to,
        payment=payment,
    )
    where = f"written to {out}"
    if out is not None:
        write_order(out, signed)
    else:
        sent.append(publish(app.transactor(), signed))
        where = "published on the market"
    app.sent(
        f"signed: {signed.describe()}, until {_when(signed)}; {where}",
        sent,
        {"order": signed.to_json(), "file": str(out) if out else None},
        then=lambda: f"the counterparty settles it with `equity market fill {out or 'HASH'}`",
    )


def _load(app: AppContext, given: str) -> SignedOrder:
    """OFFER: an order file or a published order's hash, signed for this offering's market."""
    from toolkit.market import trades

    chain = app.chain()
    deployment = app.deployment()
    signed = trades.load_order(chain.w3, deployment, given)
    trades.check_market(chain.w3, deployment, signed, chain.chain_id)
    return signed


def _when(signed: SignedOrder) -> str:
    from toolkit.inputs import iso_time

    return iso_time(signed.order.expiry)


def _order_options(*, with_taker: bool) -> Callable[[F], F]:
    """The options ``sell`` and ``bid`` share (``--to`` for an offer only, as SPEC §12 says)."""
    options = [
        click.argument("share_class", metavar="CLASS", type=CLASS),
        click.argument("amount", metavar="SHARES", type=shares(of="share_class")),
        click.option(
            "--price",
            required=True,
            help="Price per share in the payment token (a decimal: 12.50).",
        ),
        click.option(
            "--expires",
            required=True,
            type=EXPIRES,
            help=f"Last moment it may be filled ({DATE_FORMAT}).",
        ),
    ]
    if with_taker:
        options.append(
            click.option("--to", type=WALLET, default=None, help="Only this wallet may fill it.")
        )
    options += [
        click.option(
            "--out",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            help="Write the signed order to this file (nothing sent) instead of publishing it.",
        ),
        click.option("--payment-token", default="stablecoin", show_default=True, help=PAYMENT_HELP),
    ]

    def attach(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return attach


@examples(
    (
        "Carol offers 500 COMMON at 12.50 USDT a share, published on chain",
        "equity --account dev3 market sell COMMON 500 --price 12.50 --expires 2027-06-30",
    ),
    (
        "an offer to one buyer only, passed as a file",
        "equity --account dev3 market sell COMMON 500 --price 12.50 --expires 2027-06-30 "
        "--to 0x976EA74026E726554dB657fA54763abd0C3a0aa9 --out offer.json",
    ),
)
@market.command("sell")
@_order_options(with_taker=True)
@global_options
@pass_app
def sell(
    app: AppContext,
    share_class: ClassDeployment,
    amount: int,
    price: str,
    expires: int,
    to: str | None,
    out: Path | None,
    payment_token: str,
) -> None:
    """Sign an offer to sell SHARES of CLASS (the --account's unlocked shares) and publish it on
    the market, or write it to --out. The first offer of a class approves the market for it.
    """
    from toolkit.market.orders import SELL

    _make(app, SELL, share_class, amount, price, expires, to, out, payment_token)


@examples(
    (
        "Frank bids for 200 COMMON at 12 USDT a share",
        "equity --account dev5 market bid COMMON 200 --price 12 --expires 2027-06-30 --out bid.json",
    ),
)
@market.command("bid")
@_order_options(with_taker=False)
@global_options
@pass_app
def bid(
    app: AppContext,
    share_class: ClassDeployment,
    amount: int,
    price: str,
    expires: int,
    out: Path | None,
    payment_token: str,
) -> None:
    """Sign a bid to buy SHARES of CLASS and publish it on the market, or write it to --out. The
    market's allowance of the payment token is raised by the bid's cost when it is short.
    """
    from toolkit.market.orders import BUY

    _make(app, BUY, share_class, amount, price, expires, None, out, payment_token)


@examples(
    ("Frank buys all of Carol's offer", "equity --account dev5 market fill offer.json"),
    ("a part of a published order", "equity --account dev5 market fill 0x5f1c...e2 100"),
    ("pay by a permit: one transaction", "equity --account dev5 market fill offer.json --permit"),
)
@market.command("fill")
@click.argument("given", metavar="OFFER")
@click.argument("amount", metavar="SHARES", required=False)
@click.option(
    "--permit",
    is_flag=True,
    help="Approve by an ERC-2612 permit inside the fill's transaction (one transaction).",
)
@global_options
@pass_app
def fill(app: AppContext, given: str, amount: str | None, permit: bool) -> int | None:
    """Settle OFFER (an order file, or a published order's hash) with the --account as the
    counterparty: all that is left of it, or SHARES. Before sending, the trade's restriction
    code and its cost are shown; a trade that cannot settle sends nothing (exit 3).
    """
    from toolkit.inputs import format_shares, parse_arg, parse_shares
    from toolkit.market import trades

    signed = _load(app, given)
    chain, deployment = app.chain(), app.deployment()
    count = (
        None
        if amount is None
        else parse_arg(lambda text: parse_shares(text, signed.class_decimals), amount, "SHARES")
    )
    transactor = app.transactor()
    quote = trades.quote_fill(chain.w3, deployment, signed, transactor.address, count)
    shown = f"{format_shares(quote.shares, signed.class_decimals, grouped=True)} {signed.class_id}"
    app.say(f"trade: {shown} from {quote.seller} to {quote.buyer} for {signed.money(quote.cost)}")
    app.say(f"  restriction (seller and buyer): {quote.name} ({quote.code}): {quote.message}")
    days = deployment.class_by_id(signed.class_id).rofr_days
    if days and quote.allowed:
        app.say(
            f"  {signed.class_id} has the company's right of first refusal: the fill opens a "
            f"notice; the company may buy at these terms for {days} days, then the buyer completes"
        )
    if permit:
        app.signer()  # a permit is signed by a key of its own (a Safe has none): said first
    sent = trades.fill(transactor, deployment, signed, quote, permit=permit)
    if days:
        from toolkit.inputs import iso_time
        from toolkit.market.rofr import opened_notice

        notice = opened_notice(chain.w3, deployment, sent[-1].hash)
        app.sent(
            f"held: {notice.describe()}; the company may exercise until "
            f"{iso_time(notice.window_end)}, then `equity market rofr complete {notice.id}`",
            sent,
            {**quote.to_json(), "notice": notice.to_json()},
        )
        return None
    app.sent(
        f"settled: {shown} to {quote.buyer}, {signed.money(quote.cost)} to {quote.seller}",
        sent,
        quote.to_json(),
    )
    return None


@examples(("the live orders of one class", "equity market list --class COMMON"))
@market.command("list")
@click.option("--class", "class_id", default=None, metavar="CLASS", help="Only this class.")
@global_options
@pass_app
def list_command(app: AppContext, class_id: str | None) -> None:
    """The orders published on the offering's market that can still be filled."""
    from toolkit.inputs import format_shares
    from toolkit.market.trades import published_orders

    listed = published_orders(app.chain().w3, app.deployment(), class_id=class_id)
    app.result(
        {"orders": [entry.to_json() for entry in listed]},
        lambda: app.table(
            None,
            ["hash", "side", "class", "left", "price", "expires", "maker", "taker"],
            [
                [
                    entry.hash,
                    entry.signed.order.side_name,
                    entry.signed.class_id,
                    format_shares(entry.remaining, entry.signed.class_decimals, grouped=True),
                    entry.signed.money(
                        entry.signed.order.price_per_unit * 10**entry.signed.class_decimals
                    ),
                    _when(entry.signed),
                    entry.signed.order.maker,
                    "anyone" if entry.signed.open_to_anyone else entry.signed.order.taker,
                ]
                for entry in listed
            ],
        ),
    )


@examples(("Carol withdraws her offer", "equity --account dev3 market cancel offer.json"))
@market.command("cancel")
@click.argument("given", metavar="OFFER")
@global_options
@pass_app
def cancel(app: AppContext, given: str) -> None:
    """Cancel OFFER (an order file or a published order's hash): the --account must be its
    maker. What was filled stays settled; nothing more can be."""
    from toolkit.market import trades

    signed = _load(app, given)
    result = trades.cancel(app.transactor(), app.deployment(), signed)
    app.sent(
        f"cancelled: {signed.describe()}",
        [result],
        {"nonce": str(signed.order.nonce), "maker": signed.order.maker},
    )


@examples("equity market rofr list")
@market.group("rofr")
def rofr() -> None:
    """The company's right of first refusal: notices a fill in a ROFR class opened."""


@examples(("every notice and where it stands", "equity market rofr list"))
@rofr.command("list")
@global_options
@pass_app
def rofr_list(app: AppContext) -> None:
    """Every notice of the offering: its terms, status and dates (the company's window ends at
    `window_end`; after `unwind_after` anyone may unwind an unsettled notice)."""
    from toolkit.inputs import format_shares, iso_time
    from toolkit.market.rofr import notices
    from toolkit.market.trades import PaymentToken, payment_token

    chain = app.chain()
    found = notices(chain.w3, app.deployment())
    coins: dict[str, PaymentToken] = {}

    def payment(address: str, amount: int) -> str:  # "2,000 USDT", as the fill said it
        if address not in coins:
            coins[address] = payment_token(chain.w3, chain.chain_id, app.cwd, address)
        coin = coins[address]
        return f"{format_shares(amount, coin.decimals, grouped=True)} {coin.symbol}"

    app.result(
        {"notices": [n.to_json() for n in found]},
        lambda: app.table(
            None,
            ["notice", "status", "class", "shares", "payment", "seller", "buyer", "window ends"],
            [
                [
                    n.id,
                    n.status_name,
                    n.class_id,
                    format_shares(n.shares, n.class_decimals, grouped=True),
                    payment(n.payment_token, n.payment),
                    n.seller,
                    n.buyer,
                    iso_time(n.window_end),
                ]
                for n in found
            ],
        ),
    )


NOTICE = click.argument("given", metavar="NOTICE")


@examples(
    (
        'the issuer (rofr_exerciser = "issuer") buys notice 1 into the company\'s wallet',
        "equity market rofr exercise 1 --to 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    ),
)
@rofr.command("exercise")
@NOTICE
@click.option(
    "--to",
    type=WALLET,
    default=None,
    help="Who gets the shares: the company's wallet or its assignee (default: the --account).",
)
@global_options
@pass_app
def rofr_exercise(app: AppContext, given: str, to: str | None) -> None:
    """Buy NOTICE's shares at its terms within the window: the --account (an exerciser) pays the
    seller, --to gets the shares (a qualified holder), the buyer gets the payment back.
    """
    from toolkit.market.rofr import exercise, find_notice

    notice = find_notice(app.chain().w3, app.deployment(), given)
    transactor = app.transactor()
    receiver = to or transactor.address
    sent = exercise(transactor, app.deployment(), notice, receiver)
    app.sent(
        f"exercised: {notice.describe()}; the shares went to {receiver}",
        sent,
        {"notice": notice.id},
    )


@examples(("the company lets notice 1 go", "equity market rofr waive 1"))
@rofr.command("waive")
@NOTICE
@global_options
@pass_app
def rofr_waive(app: AppContext, given: str) -> None:
    """Waive the company's right on NOTICE: the buyer may complete at once."""
    from toolkit.market.rofr import find_notice, waive

    notice = find_notice(app.chain().w3, app.deployment(), given)
    sent = [waive(app.transactor(), app.deployment(), notice)]
    app.sent(
        f"waived: {notice.describe()}; the buyer may complete it now", sent, {"notice": notice.id}
    )


@examples(("the buyer settles notice 1", "equity --account dev6 market rofr complete 1"))
@rofr.command("complete")
@NOTICE
@global_options
@pass_app
def rofr_complete(app: AppContext, given: str) -> None:
    """After the window (or a waiver), settle NOTICE: the shares to the buyer (every transfer
    rule applies now), the payment to the seller. Anyone may send it."""
    from toolkit.market.rofr import complete, find_notice

    notice = find_notice(app.chain().w3, app.deployment(), given)
    sent = [complete(app.transactor(), app.deployment(), notice)]
    app.sent(f"completed: {notice.describe()}", sent, {"notice": notice.id})


@examples(("give everything back", "equity market rofr unwind 1"))
@rofr.command("unwind")
@NOTICE
@global_options
@pass_app
def rofr_unwind(app: AppContext, given: str) -> None:
    """Return NOTICE, unsettled 30 days after its window: the shares to the seller, the payment
    to the buyer. Anyone may send it."""
    from toolkit.market.rofr import find_notice, unwind

    notice = find_notice(app.chain().w3, app.deployment(), given)
    sent = [unwind(app.transactor(), app.deployment(), notice)]
    app.sent(f"unwound: {notice.describe()}; everything went back", sent, {"notice": notice.id})
