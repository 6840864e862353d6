"""Shares sold in subscription rounds (SPEC §11): the price each issuance was paid at, for the
records (``captable show --json``'s paid-in capital per class, OCF ``share_price``).

A round emits ``SharesSold(wallet, shares, paid, pricePerUnit)`` in the transaction that issues
(an atomic subscription, or ``settle`` of an escrowed one); the class token's own events of the
same transaction carry the issuance itself, so the cap table and reconcile already count the
shares, and this adds what was paid for them. Rounds are found in the chain's
``deployments/<chain_id>.rounds.json``. ``read_round_sales`` is the one RPC read (one
``eth_getLogs`` over the offering's rounds); the rest is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from toolkit.captable.events import topic_of
from toolkit.inputs import checksum_address

if TYPE_CHECKING:
    from toolkit.chain.rpc import JsonRpcClient
    from toolkit.rounds.records import RoundRecord

SHARES_SOLD = topic_of("SharesSold(address,uint256,uint256,uint256)")
# OCF's currencies are ISO 4217 codes: a stablecoin is recorded in the currency it tracks
PEGGED = {"USD": ("USDT", "USDC", "DAI", "USDP", "PYUSD", "USD"), "EUR": ("EURC", "EURT", "EURS")}


@dataclass(frozen=True)
class RoundSale:
    round: str
    class_id: str
    tx_hash: str
    wallet: str
    shares: int  # class base units
    paid: int  # payment-token base units
    price_per_unit: int  # payment-token base units per share base unit
    payment_token: str
    payment_symbol: str
    payment_decimals: int
    class_decimals: int
    block: int

    @property
    def share_price(self) -> Decimal:
        """Per whole share, in whole coins of the payment token (exact)."""
        units = Decimal(self.price_per_unit * 10**self.class_decimals)
        return units.scaleb(-self.payment_decimals).normalize()


def read_round_sales(
    client: JsonRpcClient, rounds: list[RoundRecord], to_block: int
) -> list[RoundSale]:
    """Every SharesSold of ``rounds`` up to ``to_block``, in chain order."""
    if not rounds:
        return []
    by_address = {r.address.lower(): r for r in rounds}
    start = min(r.block for r in rounds)
    if start > to_block:
        return []
    logs: list[dict[str, Any]] = client.call(
        "eth_getLogs",
        [
            {
                "address": [r.address for r in rounds],
                "topics": [SHARES_SOLD],
                "fromBlock": hex(start),
                "toBlock": hex(to_block),
            }
        ],
    )
    sales = []
    for log in sorted(logs, key=lambda e: (int(e["blockNumber"], 16), int(e["logIndex"], 16))):
        record = by_address[str(log["address"]).lower()]
        data = str(log["data"]).removeprefix("0x")
        shares, paid, price = (int(data[i * 64 : (i + 1) * 64], 16) for i in range(3))
        sales.append(
            RoundSale(
                round=record.name,
                class_id=record.class_id,
                tx_hash=str(log["transactionHash"]),
                wallet=checksum_address("0x" + str(log["topics"][1])[-40:]),
                shares=shares,
                paid=paid,
                price_per_unit=price,
                payment_token=record.payment_token,
                payment_symbol=record.payment_symbol,
                payment_decimals=record.payment_decimals,
                class_decimals=record.class_decimals,
                block=int(log["blockNumber"], 16),
            )
        )
    return sales


def paid_in_capital(
    sales: list[RoundSale], class_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per class, what the rounds raised in each payment token (base units, exact)."""
    totals: dict[tuple[str, str], int] = {}
    tokens: dict[str, RoundSale] = {}
    for sale in sales:
        key = (sale.class_id, sale.payment_token)
        totals[key] = totals.get(key, 0) + sale.paid
        tokens[sale.payment_token] = sale
    return {
        class_id: [
            {
                "payment_token": token,
                "symbol": tokens[token].payment_symbol,
                "decimals": tokens[token].payment_decimals,
                "amount": amount,
            }
            for (cid, token), amount in sorted(totals.items())
            if cid == class_id
        ]
        for class_id in class_ids
    }


def ocf_currency(symbol: str) -> str:
    """The ISO 4217 code OCF records a payment token's amounts in."""
    for code, symbols in PEGGED.items():
        if symbol.upper() in symbols:
            return code
    return "USD"
