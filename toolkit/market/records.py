"""Trades settled by the offering's market, for the records (SPEC §12, issue 13 point 5): the
consideration of each secondary transfer in the OCF export, what the market moved for each
wallet in reconcile's discrepancies, and the traded volume per class in ``captable show --json``.

The market emits ``Trade(orderHash, seller, buyer, shareClass, shares, paymentToken, payment)``
in the transaction whose class-token ``Transfer`` moves the shares, so the cap table already
counts the shares; this adds what was paid. The cap table reads the logs (its log reader keeps
within a provider's range limits); ``trades_of`` asks each payment token's ``symbol`` and
``decimals`` once; the rest is pure.

A trade held by the company's right of first refusal (SPEC §12) is recorded when it settles: its
``NoticeOpened`` log gives the terms, a ``NoticeCompleted`` (shares to the buyer, payment to the
seller) or ``NoticeExercised`` (shares to the company's wallet, the company paying the seller)
log the settlement, whose class-token ``Transfer`` leaves the escrow (``via``) in the same
transaction. An unwound notice moved nothing for good and is no trade.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from eth_utils import keccak

from toolkit.inputs import checksum_address, format_shares

if TYPE_CHECKING:
    from toolkit.chain.rpc import JsonRpcClient
    from toolkit.offering.deployments import ClassDeployment

TRADE_TOPIC = (
    "0x" + keccak(text="Trade(bytes32,address,address,address,uint256,address,uint256)").hex()
)
SYMBOL, DECIMALS = "0x95d89b41", "0x313ce567"
_NOTICE = "(address,address,address,address,uint256,uint256,uint64,uint64)"
NOTICE_OPENED_TOPIC = "0x" + keccak(text=f"NoticeOpened(uint256,bytes32,address,{_NOTICE})").hex()
NOTICE_EXERCISED_TOPIC = "0x" + keccak(text="NoticeExercised(uint256,address,address)").hex()
NOTICE_COMPLETED_TOPIC = "0x" + keccak(text="NoticeCompleted(uint256)").hex()
NOTICE_TOPICS = (NOTICE_OPENED_TOPIC, NOTICE_EXERCISED_TOPIC, NOTICE_COMPLETED_TOPIC)


@dataclass(frozen=True)
class MarketTrade:
    tx_hash: str
    block: int
    log_index: int
    order_hash: str
    class_id: str
    class_decimals: int
    seller: str  # checksummed
    buyer: str
    shares: int  # class base units
    payment_token: str
    payment_symbol: str
    payment_decimals: int
    payment: int  # payment-token base units
    via: str = ""  # the right of first refusal's escrow that delivered the shares ("" : direct)
    notice: int = 0  # the ROFR notice it settled (0: none)
    paid_by: str = ""  # who paid the seller when the company exercised ("": the buyer)

    @property
    def share_price(self) -> Decimal:
        """Per whole share, in whole coins of the payment token (exact)."""
        per_unit = Decimal(self.payment) / Decimal(self.shares)
        return Decimal(
            (per_unit * 10**self.class_decimals).scaleb(-self.payment_decimals).normalize()
        )

    def consideration(self) -> str:
        """The consideration of the transfer in words (OCF ``consideration_text``)."""
        paid = format_shares(self.payment, self.payment_decimals, grouped=True)
        if self.notice:
            how = (
                f"paid by the company ({self.paid_by}), exercising its right of first refusal"
                if self.paid_by
                else "paid by the buyer, the company's right of first refusal not exercised"
            )
            return (
                f"{paid} {self.payment_symbol} ({format(self.share_price, 'f')} per share) to the "
                f"seller {self.seller}, {how} (notice {self.notice}, held by {self.via}; payment "
                f"token {self.payment_token}, {self.payment} base units; order {self.order_hash})"
            )
        return (
            f"{paid} {self.payment_symbol} ({format(self.share_price, 'f')} per share), paid by "
            f"the buyer to the seller in the same transaction through the secondary market "
            f"(payment token {self.payment_token}, {self.payment} base units; order {self.order_hash})"
        )

    def key(self) -> tuple[str, str, str, str]:
        """How a class-token Transfer finds its trade: (tx, class, seller, buyer), lower case."""
        sender = self.via or self.seller
        return (self.tx_hash.lower(), self.class_id, sender.lower(), self.buyer.lower())


def _word(data: str, index: int) -> int:
    return int(data[index * 64 : (index + 1) * 64], 16)


def _address(word: str) -> str:
    return checksum_address("0x" + word[-40:])


class TradeLog(Protocol):
    """A Trade log as the cap table's log reader returns it (hex strings, as the node sent)."""

    @property
    def topics(self) -> list[str]: ...
    @property
    def data(self) -> str: ...
    @property
    def block_number(self) -> str: ...
    @property
    def log_index(self) -> str: ...
    @property
    def transaction_hash(self) -> str: ...


def parse_trades(
    logs: Iterable[TradeLog],
    classes: Sequence[ClassDeployment],
    tokens: dict[str, tuple[str, int]],
) -> list[MarketTrade]:
    """Trade logs in chain order; trades of other contracts' classes are left out.
    ``tokens``: payment token (lower case) -> (symbol, decimals)."""
    by_address = {c.address.lower(): c for c in classes}
    trades = []
    for log in sorted(logs, key=lambda e: (int(e.block_number, 16), int(e.log_index, 16))):
        data = log.data.removeprefix("0x")
        share_class = by_address.get("0x" + data[24:64])
        if share_class is None:
            continue
        payment_token = _address(data[128:192])
        symbol, decimals = tokens.get(payment_token.lower(), ("?", 0))
        trades.append(
            MarketTrade(
                tx_hash=log.transaction_hash,
                block=int(log.block_number, 16),
                log_index=int(log.log_index, 16),
                order_hash=log.topics[1],
                class_id=share_class.id,
                class_decimals=share_class.decimals,
                seller=_address(log.topics[2]),
                buyer=_address(log.topics[3]),
                shares=_word(data, 1),
                payment_token=payment_token,
                payment_symbol=symbol,
                payment_decimals=decimals,
                payment=_word(data, 3),
            )
        )
    return trades


def parse_notice_trades(
    logs: Iterable[TradeLog],
    classes: Sequence[ClassDeployment],
    tokens: dict[str, tuple[str, int]],
    escrow: str,
) -> list[MarketTrade]:
    """The settled notices among the right of first refusal's logs, in chain order: each as the
    trade its settlement's escrow ``Transfer`` carries out."""
    by_address = {c.address.lower(): c for c in classes}
    opened: dict[int, tuple[str, list[str]]] = {}  # id -> (order hash, the terms' words)
    trades = []
    for log in sorted(logs, key=lambda e: (int(e.block_number, 16), int(e.log_index, 16))):
        topic, number = log.topics[0], int(log.topics[1], 16)
        if topic == NOTICE_OPENED_TOPIC:
            data = log.data.removeprefix("0x")
            opened[number] = (log.topics[2], [data[i : i + 64] for i in range(0, 512, 64)])
            continue
        if number not in opened or topic not in NOTICE_TOPICS:
            continue
        order_hash, words = opened[number]
        share_class = by_address.get("0x" + words[2][-40:])
        if share_class is None:
            continue
        exercised = topic == NOTICE_EXERCISED_TOPIC
        payment_token = _address(words[3])
        symbol, decimals = tokens.get(payment_token.lower(), ("?", 0))
        trades.append(
            MarketTrade(
                tx_hash=log.transaction_hash,
                block=int(log.block_number, 16),
                log_index=int(log.log_index, 16),
                order_hash=order_hash,
                class_id=share_class.id,
                class_decimals=share_class.decimals,
                seller=_address(words[0]),
                buyer=_address(log.topics[3]) if exercised else _address(words[1]),
                shares=int(words[4], 16),
                payment_token=payment_token,
                payment_symbol=symbol,
                payment_decimals=decimals,
                payment=int(words[5], 16),
                via=checksum_address(escrow),
                notice=number,
                paid_by=_address(log.topics[2]) if exercised else "",
            )
        )
    return trades


def notice_trades_of(
    client: JsonRpcClient,
    logs: Sequence[TradeLog],
    classes: Sequence[ClassDeployment],
    block: int,
    escrow: str,
) -> list[MarketTrade]:
    """The right of first refusal's logs as settled trades, with each payment token's symbol
    and decimals as of ``block``."""
    tokens = {
        "0x" + log.data.removeprefix("0x")[216:256]
        for log in logs
        if log.topics[0] == NOTICE_OPENED_TOPIC
    }
    return parse_notice_trades(
        logs, classes, {t: _token_info(client, t, block) for t in tokens}, escrow
    )


def trades_of(
    client: JsonRpcClient, logs: Sequence[TradeLog], classes: Sequence[ClassDeployment], block: int
) -> list[MarketTrade]:
    """The market's Trade logs (read within the provider's limits by the caller) as trades,
    with each payment token's symbol and decimals as of ``block``."""
    tokens = {"0x" + log.data.removeprefix("0x")[152:192] for log in logs}
    return parse_trades(logs, classes, {t: _token_info(client, t, block) for t in tokens})


def _token_info(client: JsonRpcClient, token: str, block: int) -> tuple[str, int]:
    from eth_abi import decode
    from eth_abi.exceptions import DecodingError

    from toolkit.errors import ChainError

    def call(selector: str) -> bytes:
        answer = client.call("eth_call", [{"to": token, "data": selector}, hex(block)])
        return bytes.fromhex(str(answer).removeprefix("0x"))

    try:
        (symbol,) = decode(["string"], call(SYMBOL))
        (decimals,) = decode(["uint8"], call(DECIMALS))
    except (
        ChainError,
        DecodingError,
        ValueError,
    ):  # a token without them: shown by address, amounts in base units
        return (token, 0)
    return (str(symbol), int(decimals))


def traded_volume(
    trades: Iterable[MarketTrade], class_ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per class and payment token: shares traded, what was paid, how many trades (exact)."""
    totals: dict[tuple[str, str], list[int]] = {}
    info: dict[str, MarketTrade] = {}
    for trade in trades:
        entry = totals.setdefault((trade.class_id, trade.payment_token), [0, 0, 0])
        entry[0] += trade.shares
        entry[1] += trade.payment
        entry[2] += 1
        info[trade.payment_token] = trade
    return {
        class_id: [
            {
                "payment_token": token,
                "symbol": info[token].payment_symbol,
                "decimals": info[token].payment_decimals,
                "shares": shares,
                "amount": amount,
                "trades": count,
            }
            for (cid, token), (shares, amount, count) in sorted(totals.items())
            if cid == class_id
        ]
        for class_id in class_ids
    }


def net_traded(trades: Iterable[MarketTrade]) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (class, wallet lower case): (net shares the market moved in, number of trades)."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for trade in trades:
        for wallet, sign in ((trade.buyer, 1), (trade.seller, -1)):
            key = (trade.class_id, wallet.lower())
            net, count = out.get(key, (0, 0))
            out[key] = (net + sign * trade.shares, count + 1)
    return out
