"""A signed order (SPEC §12): the EIP-712 document a maker signs, and the file that carries it.

Pure: no chain. The order's fields are the contract's (``ISecondaryMarket.Order``): shares in the
class's base units, ``price_per_unit`` in payment-token base units per share base unit, so every
cost is the exact integer ``shares * price_per_unit``. The file (``OFFER.json``) adds what a
reader needs to show it (class id, symbols, decimals) and the signature; only the order and the
signature are trusted: the market checks both, the toolkit checks the rest against the chain.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from toolkit.chain.eip712 import typed_document
from toolkit.errors import InputError
from toolkit.inputs import ZERO_ADDRESS, format_shares

SELL, BUY = 0, 1
SIDES = {SELL: "sell", BUY: "bid"}
DOMAIN_NAME = "Equity Secondary Market"
DOMAIN_VERSION = "1"
ORDER_FIELDS = [
    {"name": "maker", "type": "address"},
    {"name": "shareClass", "type": "address"},
    {"name": "side", "type": "uint8"},
    {"name": "shares", "type": "uint256"},
    {"name": "pricePerUnit", "type": "uint256"},
    {"name": "paymentToken", "type": "address"},
    {"name": "expiry", "type": "uint64"},
    {"name": "taker", "type": "address"},
    {"name": "nonce", "type": "uint256"},
]
FILE_FORMAT = "equity-order/1"


@dataclass(frozen=True)
class Order:
    maker: str
    share_class: str
    side: int
    shares: int
    price_per_unit: int
    payment_token: str
    expiry: int
    taker: str
    nonce: int

    @property
    def side_name(self) -> str:
        return SIDES[self.side]

    def cost(self, shares: int) -> int:
        return shares * self.price_per_unit

    def as_tuple(self) -> tuple[Any, ...]:
        """The contract's ``Order`` struct, in its field order."""
        return (
            self.maker,
            self.share_class,
            self.side,
            self.shares,
            self.price_per_unit,
            self.payment_token,
            self.expiry,
            self.taker,
            self.nonce,
        )

    @staticmethod
    def from_tuple(values: Any) -> Order:
        """The contract's struct as web3 returns it (addresses as str, numbers as int)."""
        (maker, share_class, side, shares, price, payment, expiry, taker, nonce) = values
        return Order(
            str(maker),
            str(share_class),
            int(side),
            int(shares),
            int(price),
            str(payment),
            int(expiry),
            str(taker),
            int(nonce),
        )

    def message(self) -> dict[str, Any]:
        return {
            "maker": self.maker,
            "shareClass": self.share_class,
            "side": self.side,
            "shares": self.shares,
            "pricePerUnit": self.price_per_unit,
            "paymentToken": self.payment_token,
            "expiry": self.expiry,
            "taker": self.taker,
            "nonce": self.nonce,
        }


def typed_data(order: Order, *, chain_id: int, market: str) -> dict[str, Any]:
    """The EIP-712 document the maker signs (eth-account's ``encode_typed_data(full_message=)``)."""
    return typed_document(
        "Order",
        ORDER_FIELDS,
        name=DOMAIN_NAME,
        version=DOMAIN_VERSION,
        chain_id=chain_id,
        contract=market,
        message=order.message(),
    )


@dataclass(frozen=True)
class SignedOrder:
    """An order with its signature and what is needed to show it."""

    order: Order
    signature: str  # 0x-hex
    chain_id: int
    market: str
    class_id: str
    class_decimals: int
    payment_symbol: str
    payment_decimals: int

    @property
    def open_to_anyone(self) -> bool:
        return int(self.order.taker, 16) == 0

    def describe(self, shares: int | None = None) -> str:
        """``sell 1,000 COMMON at 12.5 USDT a share`` (``shares``: a part of it)."""
        count = self.order.shares if shares is None else shares
        price = self.order.price_per_unit * 10**self.class_decimals
        return (
            f"{self.order.side_name} {format_shares(count, self.class_decimals, grouped=True)} "
            f"{self.class_id} at {self.money(price)} a share"
        )

    def money(self, units: int) -> str:
        return f"{format_shares(units, self.payment_decimals, grouped=True)} {self.payment_symbol}"

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "chain_id": self.chain_id,
            "market": self.market,
            "class": self.class_id,
            "class_decimals": self.class_decimals,
            "payment_symbol": self.payment_symbol,
            "payment_decimals": self.payment_decimals,
            "order": asdict(self.order),
            "signature": self.signature,
        }

    @staticmethod
    def from_json(data: dict[str, Any], source: str) -> SignedOrder:
        try:
            if data.get("format") != FILE_FORMAT:
                raise ValueError(f"format is {data.get('format')!r}, not {FILE_FORMAT!r}")
            fields = data["order"]
            order = Order(
                maker=str(fields["maker"]),
                share_class=str(fields["share_class"]),
                side=int(fields["side"]),
                shares=int(fields["shares"]),
                price_per_unit=int(fields["price_per_unit"]),
                payment_token=str(fields["payment_token"]),
                expiry=int(fields["expiry"]),
                taker=str(fields.get("taker") or ZERO_ADDRESS),
                nonce=int(fields["nonce"]),
            )
            if order.side not in SIDES:
                raise ValueError(f"side {order.side} is neither 0 (sell) nor 1 (bid)")
            return SignedOrder(
                order=order,
                signature=str(data["signature"]),
                chain_id=int(data["chain_id"]),
                market=str(data["market"]),
                class_id=str(data["class"]),
                class_decimals=int(data["class_decimals"]),
                payment_symbol=str(data["payment_symbol"]),
                payment_decimals=int(data["payment_decimals"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{source} is not an order file: {exc}",
                hint="pass a file written by `equity market sell|bid --out`, or a published "
                "order's hash from `equity market list`",
            ) from None


def write_order(path: Path, signed: SignedOrder) -> None:
    path.write_text(json.dumps(signed.to_json(), indent=2) + "\n")


def read_order(path: Path) -> SignedOrder:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", hint="check the path") from None
    except ValueError as exc:
        raise InputError(f"{path} is not JSON: {exc}", hint="pass an order file") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is not an order file", hint="pass an order file")
    return SignedOrder.from_json(data, str(path))
