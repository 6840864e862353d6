"""Secondary trades on chain (SPEC §12): sign an offer or a bid, publish it, list what is
published, fill, cancel.

Every sending function reads first what the contract would refuse (the order's remaining
shares, the taker, the class token's restriction code for this seller and buyer, the buyer's
payment balance, the maker's allowance), so a trade that cannot settle says why and sends
nothing. A maker approves the market once for the class (``approve(max)``: the market moves
shares only under an order the holder signed), and for a bid raises the payment allowance by
the bid's cost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_account.messages import encode_typed_data

from toolkit.errors import InputError, StateConflictError, TransactionRevertedError, UsageError
from toolkit.inputs import ZERO_ADDRESS, InvalidValue, format_shares, iso_time
from toolkit.market.orders import BUY, ORDER_FIELDS, SELL, Order, SignedOrder, typed_data
from toolkit.offering.contracts import MARKET, SHARE_CLASS, artifact
from toolkit.restrictions import restriction_message, restriction_name
from toolkit.rounds.records import recorded_stablecoin
from toolkit.rounds.round_file import parse_price
from toolkit.rounds.rounds import payment_contract

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3
    from web3.contract import Contract

    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.deployments import ClassDeployment, Deployment

MAX_UINT256 = 2**256 - 1
STABLECOIN = "stablecoin"
# a refusal by the class token: which side of the trade it concerns
SELLER_CODES = frozenset({1, 2, 7, 8, 12})


def market_contract(w3: Web3, deployment: Deployment) -> Contract:
    if not deployment.market:
        raise UsageError(
            f"offering {deployment.name!r} was deployed without a market",
            hint="deploy the offering again with this version of equity (`equity deploy`)",
        )
    return w3.eth.contract(
        address=w3.to_checksum_address(deployment.market), abi=artifact(MARKET)["abi"]
    )


def _token(w3: Web3, address: str) -> Contract:
    return w3.eth.contract(
        address=w3.to_checksum_address(address), abi=artifact(SHARE_CLASS)["abi"]
    )


def _class_at(deployment: Deployment, address: str) -> ClassDeployment:
    for share_class in deployment.classes:
        if share_class.address.lower() == address.lower():
            return share_class
    raise InputError(
        f"the order's class token {address} is not a class of offering {deployment.name!r}",
        hint="pass --deployment NAME of the offering the order was signed for",
    )


@dataclass(frozen=True)
class PaymentToken:
    address: str
    symbol: str
    decimals: int


def payment_token(w3: Web3, chain_id: int, cwd: Path, given: str) -> PaymentToken:
    """``--payment-token``: an ERC-20 address, or ``stablecoin`` (the one `stablecoin deploy`
    recorded on this chain)."""
    address = given
    if given == STABLECOIN:
        coin = recorded_stablecoin(chain_id, cwd)
        if coin is None:
            raise UsageError(
                "no stablecoin is recorded on this chain",
                hint="pass --payment-token ADDRESS, or run `equity stablecoin deploy` on a local chain",
            )
        address = coin.address
    if not w3.is_address(address):
        raise UsageError(
            f"--payment-token {given!r} is not an address", hint="an ERC-20 address or 'stablecoin'"
        )
    token = payment_contract(w3, address)
    if not w3.eth.get_code(token.address):
        raise UsageError(f"--payment-token {address} is not a contract on this chain")
    return PaymentToken(
        str(token.address),
        str(token.functions.symbol().call()),
        int(token.functions.decimals().call()),
    )


# --- making an order ---------------------------------------------------------------------------


def price_per_unit(price: str, share_class: ClassDeployment, payment: PaymentToken) -> int:
    """The decimal price per share as payment base units per share base unit, never rounded."""
    try:
        per_share = parse_price(price, payment.decimals)
    except InvalidValue as exc:
        raise InputError(
            f"--price: {exc}", hint=f"{payment.symbol} has {payment.decimals} decimals"
        ) from None
    unit = 10**share_class.decimals
    if per_share == 0 or per_share % unit:
        raise InputError(
            f"--price {price} {payment.symbol} is not a positive whole number of {payment.symbol} "
            f"base units per 1/{unit} share (the class's smallest unit)",
            hint="give a price with fewer decimals",
        )
    return int(per_share // unit)


def sign_order(account: LocalAccount, order: Order, *, chain_id: int, market: str) -> str:
    document = typed_data(order, chain_id=chain_id, market=market)
    signed = account.sign_message(encode_typed_data(full_message=document))
    return "0x" + bytes(signed.signature).hex()


def make_order(
    transactor: Transactor,
    deployment: Deployment,
    *,
    side: int,
    class_id: str,
    shares: int,
    price: str,
    expires: int,
    taker: str | None,
    payment: PaymentToken,
) -> tuple[SignedOrder, list[TxResult]]:
    """Sign an offer (``side`` SELL) or a bid (BUY) with the transactor's key; approve the market
    for what a fill will take when the allowance is short (the only transactions sent)."""
    chain = transactor.chain
    w3 = chain.w3
    market = market_contract(w3, deployment)
    share_class = deployment.class_by_id(class_id)
    units = shares
    now = int(w3.eth.get_block("latest")["timestamp"])
    if expires <= now:
        raise InputError(
            f"--expires {iso_time(expires)} is in the past (the chain's time is {iso_time(now)})",
            hint="give a later date",
        )
    maker = transactor.address
    order = Order(
        maker=maker,
        share_class=share_class.address,
        side=side,
        shares=units,
        price_per_unit=price_per_unit(price, share_class, payment),
        payment_token=payment.address,
        expiry=expires,
        taker=taker or ZERO_ADDRESS,
        nonce=secrets.randbits(64),  # random: a maker never has to track nonces
    )
    if taker is not None and taker.lower() == maker.lower():
        raise InputError("--to names the maker itself", hint="name the counterparty's wallet")
    signed = SignedOrder(
        order=order,
        signature=sign_order(
            transactor.account, order, chain_id=chain.chain_id, market=market.address
        ),
        chain_id=chain.chain_id,
        market=str(market.address),
        class_id=share_class.id,
        class_decimals=share_class.decimals,
        payment_symbol=payment.symbol,
        payment_decimals=payment.decimals,
    )
    if side == SELL:
        token = _token(w3, share_class.address)
        unlocked = int(token.functions.unlockedBalanceOf(maker).call())
        if unlocked < units:
            raise StateConflictError(
                f"{maker} has {format_shares(unlocked, share_class.decimals, grouped=True)} "
                f"{share_class.id} unlocked; the offer is for {format_shares(units, share_class.decimals, grouped=True)}",
                hint="nothing was sent; offer at most the unlocked shares (`equity check` says when more unlock)",
            )
    else:
        coin = payment_contract(w3, payment.address)
        balance = int(coin.functions.balanceOf(maker).call())
        if balance < order.cost(units):
            raise StateConflictError(
                f"{maker} holds {signed.money(balance)}; the bid costs {signed.money(order.cost(units))}",
                hint="nothing was sent; fund the wallet with the payment token first",
            )
    return signed, _approve_for(transactor, signed, units, role="maker")


def _approve_for(
    transactor: Transactor, signed: SignedOrder, shares: int, *, role: str
) -> list[TxResult]:
    """Approve the market for what settling ``shares`` of the order takes from the transactor:
    the class (once, for good) when it sells, the payment (raised by the cost) when it buys."""
    w3 = transactor.chain.w3
    me = transactor.address
    order = signed.order
    sells = (order.side == SELL) == (role == "maker")
    if sells:
        token = _token(w3, order.share_class)
        if int(token.functions.allowance(me, signed.market).call()) >= shares:
            return []
        call = token.functions.approve(signed.market, MAX_UINT256)
        return [transactor.transact(call, label=f"approve the market for {signed.class_id}")]
    coin = payment_contract(w3, order.payment_token)
    allowance = int(coin.functions.allowance(me, signed.market).call())
    cost = order.cost(shares)
    if allowance >= cost:
        return []
    call = coin.functions.approve(signed.market, allowance + cost)
    return [transactor.transact(call, label=f"approve {signed.payment_symbol} for the market")]


def publish(transactor: Transactor, signed: SignedOrder) -> TxResult:
    market = transactor.chain.w3.eth.contract(
        address=transactor.chain.w3.to_checksum_address(signed.market), abi=artifact(MARKET)["abi"]
    )
    call = market.functions.publish(signed.order.as_tuple(), bytes.fromhex(signed.signature[2:]))
    return transactor.transact(call, label=f"publish the order ({signed.describe()})")


# --- reading -----------------------------------------------------------------------------------


def order_hash(w3: Web3, deployment: Deployment, order: Order) -> str:
    digest = market_contract(w3, deployment).functions.hashOrder(order.as_tuple()).call()
    return "0x" + bytes(digest).hex()


def remaining(w3: Web3, deployment: Deployment, order: Order) -> int:
    return int(market_contract(w3, deployment).functions.remaining(order.as_tuple()).call())


@dataclass(frozen=True)
class Listed:
    """A published order as it stands."""

    hash: str
    signed: SignedOrder
    remaining: int

    def to_json(self) -> dict[str, Any]:
        order = self.signed.order
        return {
            "hash": self.hash,
            "class": self.signed.class_id,
            "side": order.side_name,
            "maker": order.maker,
            "shares": order.shares,
            "remaining": self.remaining,
            "price": order.price_per_unit * 10**self.signed.class_decimals,
            "payment_token": order.payment_token,
            "expires": iso_time(order.expiry),
            "taker": None if self.signed.open_to_anyone else order.taker,
            "nonce": str(order.nonce),
        }


def published_orders(
    w3: Web3, deployment: Deployment, *, class_id: str | None = None, live_only: bool = True
) -> list[Listed]:
    """Orders published on the offering's market (live ones: remaining > 0), oldest first."""
    market = market_contract(w3, deployment)
    wanted = deployment.class_by_id(class_id).address.lower() if class_id else None
    logs = market.events.OrderPublished.get_logs(from_block=deployment.block)
    symbols: dict[str, PaymentToken] = {}
    found: dict[str, Listed] = {}
    for log in logs:
        order = _order_of(log["args"]["order"])
        if wanted and order.share_class.lower() != wanted:
            continue
        share_class = _class_at(deployment, order.share_class)
        key = order.payment_token.lower()
        if key not in symbols:
            coin = payment_contract(w3, order.payment_token)
            symbols[key] = PaymentToken(
                order.payment_token,
                str(coin.functions.symbol().call()),
                int(coin.functions.decimals().call()),
            )
        signed = SignedOrder(
            order=order,
            signature="0x" + bytes(log["args"]["signature"]).hex(),
            chain_id=int(w3.eth.chain_id),
            market=str(market.address),
            class_id=share_class.id,
            class_decimals=share_class.decimals,
            payment_symbol=symbols[key].symbol,
            payment_decimals=symbols[key].decimals,
        )
        digest = "0x" + bytes(log["args"]["orderHash"]).hex()
        left = int(market.functions.remaining(order.as_tuple()).call())
        if left or not live_only:
            found[digest] = Listed(digest, signed, left)
    return list(found.values())


def _order_of(decoded: Any) -> Order:
    """An ``Order`` event argument as web3 decodes it (a mapping by field name, or a tuple)."""
    if isinstance(decoded, dict) or hasattr(decoded, "keys"):
        return Order.from_tuple([decoded[f["name"]] for f in ORDER_FIELDS])
    return Order.from_tuple(decoded)


def load_order(w3: Web3, deployment: Deployment, given: str) -> SignedOrder:
    """An order file, or the hash of an order published on the offering's market."""
    from toolkit.market.orders import read_order

    text = given.strip()
    if text.startswith("0x") and len(text) == 66 and not Path(text).exists():
        for listed in published_orders(w3, deployment, live_only=False):
            if listed.hash.lower() == text.lower():
                return listed.signed
        raise InputError(
            f"no order {text} is published on offering {deployment.name!r}'s market",
            hint="`equity market list` shows the published orders",
        )
    return read_order(Path(given))


# --- filling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FillQuote:
    """What filling would do and meet, read before anything is sent."""

    signed: SignedOrder
    shares: int
    seller: str
    buyer: str
    cost: int
    remaining: int
    code: int  # the class token's restriction code for seller -> buyer
    problem: str | None  # why it cannot settle (None: it can)

    @property
    def allowed(self) -> bool:
        return self.problem is None

    @property
    def name(self) -> str:
        return restriction_name(self.code)

    @property
    def message(self) -> str:
        return restriction_message(self.code)

    @property
    def concerns(self) -> str:
        """Which side the restriction code is about."""
        if self.code == 0:
            return "both"
        return "seller" if self.code in SELLER_CODES else "buyer"

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.signed.class_id,
            "seller": self.seller,
            "buyer": self.buyer,
            "shares": self.shares,
            "cost": self.cost,
            "payment_token": self.signed.order.payment_token,
            "restriction": {
                "code": self.code,
                "name": self.name,
                "message": self.message,
                "concerns": self.concerns,
            },
        }


def check_market(w3: Web3, deployment: Deployment, signed: SignedOrder, chain_id: int) -> None:
    market = market_contract(w3, deployment)
    if signed.chain_id != chain_id or signed.market.lower() != str(market.address).lower():
        raise InputError(
            f"the order is for the market {signed.market} on chain {signed.chain_id}, not offering "
            f"{deployment.name!r}'s ({market.address} on chain {chain_id})",
            hint="nothing was sent; fill it on the chain and offering it was signed for",
        )
    _class_at(deployment, signed.order.share_class)


def quote_fill(
    w3: Web3, deployment: Deployment, signed: SignedOrder, taker: str, shares: int | None
) -> FillQuote:
    order = signed.order
    left = remaining(w3, deployment, order)
    count = left if shares is None else shares
    seller, buyer = (order.maker, taker) if order.side == SELL else (taker, order.maker)
    token = _token(w3, order.share_class)
    code = (
        int(token.functions.detectTransferRestriction(seller, buyer, count).call()) if count else 0
    )
    cost = order.cost(count)
    now = int(w3.eth.get_block("latest")["timestamp"])
    problem: str | None = None
    coin = payment_contract(w3, order.payment_token)
    if taker.lower() == order.maker.lower():
        problem = "the maker cannot fill its own order"
    elif not signed.open_to_anyone and order.taker.lower() != taker.lower():
        problem = f"the order is for {order.taker} only"
    elif order.expiry <= now:
        problem = f"the order expired at {iso_time(order.expiry)}"
    elif left == 0:
        problem = (
            "nothing of the order is left (filled, cancelled, or its nonce used by another order)"
        )
    elif count <= 0 or count > left:
        shown = format_shares(left, signed.class_decimals, grouped=True)
        problem = f"only {shown} of the order's shares are left"
    elif code != 0:
        problem = f"{restriction_name(code)} ({code}): {restriction_message(code)}"
    elif int(coin.functions.balanceOf(buyer).call()) < cost:
        balance = int(coin.functions.balanceOf(buyer).call())
        problem = (
            f"the buyer {buyer} holds {signed.money(balance)}; the trade costs {signed.money(cost)}"
        )
    elif (
        order.side == SELL and int(token.functions.allowance(seller, signed.market).call()) < count
    ):
        problem = f"the seller {seller} has not approved the market for the shares"
    elif order.side == BUY and int(coin.functions.allowance(buyer, signed.market).call()) < cost:
        problem = f"the buyer {buyer} has not approved the market for {signed.money(cost)}"
    return FillQuote(signed, count, seller, buyer, cost, left, code, problem)


def fill(
    transactor: Transactor,
    deployment: Deployment,
    signed: SignedOrder,
    quote: FillQuote,
    *,
    permit: bool = False,
) -> list[TxResult]:
    """Settle the quoted part of the order with the transactor as the counterparty. A quote that
    cannot settle raises (exit 3) before anything is sent. ``permit``: when the taker's allowance
    is short, an ERC-2612 permit for exactly what it gives rides along with the fill in one
    multicall, instead of an approve transaction first."""
    if not quote.allowed:
        raise TransactionRevertedError(
            f"trade refused: {quote.problem}",
            error_name="TradeRefused",
            error_args={"code": quote.code, "seller": quote.seller, "buyer": quote.buyer},
            hint="nothing was sent",
        )
    market = market_contract(transactor.chain.w3, deployment)
    call = market.functions.fill(
        signed.order.as_tuple(), bytes.fromhex(signed.signature[2:]), quote.shares
    )
    label = f"fill: {signed.describe(quote.shares)}"
    if permit:
        permitted = _permit_call(transactor, market, signed, quote)
        if permitted is not None:
            calls = [permitted, market.encode_abi("fill", list(call.args))]
            return [transactor.transact(market.functions.multicall(calls), label=label)]
    sent = _approve_for(transactor, signed, quote.shares, role="taker")
    sent.append(transactor.transact(call, label=label))
    return sent


def _permit_call(
    transactor: Transactor, market: Contract, signed: SignedOrder, quote: FillQuote
) -> str | None:
    """The market's ``permit`` call for what the taker gives (the payment when it buys, the
    shares when it sells), signed by its key; None when the allowance is already there."""
    from toolkit.rounds.rounds import sign_permit

    w3 = transactor.chain.w3
    buys = signed.order.side == SELL
    token = (
        payment_contract(w3, signed.order.payment_token)
        if buys
        else _token(w3, signed.order.share_class)
    )
    value = quote.cost if buys else quote.shares
    me = transactor.address
    if int(token.functions.allowance(me, market.address).call()) >= value:
        return None
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600
    v, r, s = sign_permit(transactor, token, market.address, value, deadline)
    return str(market.encode_abi("permit", [token.address, me, value, deadline, v, r, s]))


def cancel(transactor: Transactor, deployment: Deployment, signed: SignedOrder) -> TxResult:
    if signed.order.maker.lower() != transactor.address.lower():
        raise UsageError(
            f"the order was made by {signed.order.maker}, not by {transactor.address}",
            hint="nothing was sent; cancel with the maker's --account",
        )
    market = market_contract(transactor.chain.w3, deployment)
    return transactor.transact(
        market.functions.cancel(signed.order.nonce), label=f"cancel the order ({signed.describe()})"
    )
