"""Corporate actions in the records (SPEC §14): which burns and issuances of the class tokens were
conversions or repurchases, for the OCF export's ``TX_STOCK_CONVERSION`` and ``TX_STOCK_REPURCHASE``.

A ``Converter`` emits ``SharesConverted(holder, shares, converted, mandatory)`` in the transaction
where the source class redeems the holder's shares and the target class issues the converted
ones; the tokens' own events carry the balances (so the cap table and reconcile already count
them), and this says what they were. Converters are recorded on their source class in
``deployments/<chain_id>.json``. ``read_conversions`` is the one RPC read (one ``eth_getLogs``
over the offering's converters); the rest is pure. Likewise the offering's ``ShareRepurchase``
emits ``SharesRepurchased(class, holder, shares, paid, paymentToken, program)`` where the class
redeems the shares it paid for (``read_repurchases``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from toolkit.captable.events import topic_of

if TYPE_CHECKING:
    from toolkit.captable.deployment import OfferingDeployment
    from toolkit.chain.rpc import JsonRpcClient

SHARES_CONVERTED = topic_of("SharesConverted(address,uint256,uint256,bool)")
SHARES_REPURCHASED = topic_of("SharesRepurchased(address,address,uint256,uint256,address,uint256)")


@dataclass(frozen=True)
class ConversionRecord:
    """One holder's conversion: ``shares`` of ``source`` became ``converted`` of ``target``."""

    tx_hash: str  # lowercase
    wallet: str  # lowercase
    source: str
    target: str
    shares: int  # source base units
    converted: int  # target base units
    mandatory: bool  # part of governance's conversion of the whole class
    block: int


def read_conversions(
    client: JsonRpcClient, deployment: OfferingDeployment, to_block: int
) -> list[ConversionRecord]:
    """Every conversion of the offering up to ``to_block``, in chain order."""
    routes = {
        c.converter.lower(): (c.id, str(c.converts_to))
        for c in deployment.classes
        if c.converter is not None
    }
    if not routes or deployment.deploy_block > to_block:
        return []
    logs: list[dict[str, Any]] = client.call(
        "eth_getLogs",
        [
            {
                "address": list(routes),
                "topics": [SHARES_CONVERTED],
                "fromBlock": hex(deployment.deploy_block),
                "toBlock": hex(to_block),
            }
        ],
    )
    records = []
    for log in sorted(logs, key=lambda e: (int(e["blockNumber"], 16), int(e["logIndex"], 16))):
        source, target = routes[str(log["address"]).lower()]
        data = str(log["data"]).removeprefix("0x")
        shares, converted, mandatory = (int(data[i * 64 : (i + 1) * 64], 16) for i in range(3))
        records.append(
            ConversionRecord(
                tx_hash=str(log["transactionHash"]).lower(),
                wallet="0x" + str(log["topics"][1])[-40:].lower(),
                source=source,
                target=target,
                shares=shares,
                converted=converted,
                mandatory=bool(mandatory),
                block=int(log["blockNumber"], 16),
            )
        )
    return records


@dataclass(frozen=True)
class RepurchaseRecord:
    """``shares`` of ``class_id`` bought back from ``wallet`` for ``paid`` base units of a token."""

    tx_hash: str  # lowercase
    wallet: str  # lowercase
    class_id: str
    shares: int  # class base units
    paid: int  # payment-token base units
    payment_token: str
    payment_symbol: str
    payment_decimals: int
    class_decimals: int
    program: int  # 0: a buyback with the holder's consent; else the pro-rata program
    block: int

    @property
    def share_price(self) -> Decimal:
        """Per whole share, in whole coins of the payment token (exact)."""
        per_unit = Fraction(self.paid, self.shares) * 10**self.class_decimals
        return (
            (Decimal(per_unit.numerator) / Decimal(per_unit.denominator))
            .scaleb(-self.payment_decimals)
            .normalize()
        )


def read_repurchases(
    client: JsonRpcClient, deployment: OfferingDeployment, to_block: int
) -> list[RepurchaseRecord]:
    """Every repurchase of the offering up to ``to_block``, in chain order."""
    if deployment.repurchase is None or deployment.deploy_block > to_block:
        return []
    logs: list[dict[str, Any]] = client.call(
        "eth_getLogs",
        [
            {
                "address": deployment.repurchase,
                "topics": [SHARES_REPURCHASED],
                "fromBlock": hex(deployment.deploy_block),
                "toBlock": hex(to_block),
            }
        ],
    )
    classes = {c.address.lower(): c for c in deployment.classes}
    coins: dict[str, tuple[str, int]] = {}
    records = []
    for log in sorted(logs, key=lambda e: (int(e["blockNumber"], 16), int(e["logIndex"], 16))):
        topics = [str(t) for t in log["topics"]]
        share_class = classes.get("0x" + topics[1][-40:].lower())
        if share_class is None:
            continue
        data = str(log["data"]).removeprefix("0x")
        shares, paid, token = (data[i * 64 : (i + 1) * 64] for i in range(3))
        coin = "0x" + token[-40:]
        if coin not in coins:
            coins[coin] = _coin(client, coin)
        symbol, decimals = coins[coin]
        records.append(
            RepurchaseRecord(
                tx_hash=str(log["transactionHash"]).lower(),
                wallet="0x" + topics[2][-40:].lower(),
                class_id=share_class.id,
                shares=int(shares, 16),
                paid=int(paid, 16),
                payment_token=coin,
                payment_symbol=symbol,
                payment_decimals=decimals,
                class_decimals=share_class.decimals,
                program=int(topics[3], 16),
                block=int(log["blockNumber"], 16),
            )
        )
    return records


def _coin(client: JsonRpcClient, address: str) -> tuple[str, int]:
    """A payment token's symbol and decimals (``("", 0)`` when it cannot say)."""
    from eth_abi import decode

    try:
        raw_symbol = client.call("eth_call", [{"to": address, "data": "0x95d89b41"}, "latest"])
        raw_decimals = client.call("eth_call", [{"to": address, "data": "0x313ce567"}, "latest"])
        (symbol,) = decode(["string"], bytes.fromhex(str(raw_symbol)[2:]))
        (decimals,) = decode(["uint8"], bytes.fromhex(str(raw_decimals)[2:]))
    except Exception:  # noqa: BLE001 - a token without metadata: amounts stay in base units
        return "", 0
    return str(symbol), int(decimals)
