"""What a command will send and what it will cost, before anything is signed (SPEC §16).

``TxSettings`` holds the global fee and nonce flags (``--gas-price``, ``--priority-fee``,
``--gas-limit``, ``--nonce``); ``Outgoing`` is the list of transactions a command is about to
send, in words, with their estimated gas, which the confirmation on a non-local chain shows.
Pure: no chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.errors import UsageError
from toolkit.inputs.amounts import format_ether, format_gwei

DEFAULT_PRIORITY_FEE = 1_000_000_000  # 1 gwei, when the node cannot suggest one
MIN_GAS_LIMIT = 21_000
# a confirmation lists at most this many calls, then how many more: a whole deploy (14 calls
# for the example offering) fits; a 10,000-row import in 100 batches does not need every line
SHOWN_CALLS = 24


@dataclass(frozen=True)
class TxSettings:
    """The global fee and nonce flags; None leaves the choice to the toolkit.

    ``gas_price`` is the most a transaction may pay per gas (EIP-1559 ``maxFeePerGas``, as
    foundry reads ``--gas-price``); ``priority_fee`` the tip to the block producer;
    ``gas_limit`` the gas of every transaction (instead of the estimate with headroom);
    ``nonce`` the first transaction's nonce (the next ones follow it).
    """

    gas_price: int | None = None
    priority_fee: int | None = None
    gas_limit: int | None = None
    nonce: int | None = None

    def __post_init__(self) -> None:
        if self.gas_limit is not None and self.gas_limit < MIN_GAS_LIMIT:
            raise UsageError(
                f"--gas-limit {self.gas_limit} is below {MIN_GAS_LIMIT}, the cost of any transaction",
                hint="give a larger --gas-limit, or leave it out to estimate",
            )
        if (
            self.gas_price is not None
            and self.priority_fee is not None
            and self.priority_fee > self.gas_price
        ):
            raise UsageError(
                f"--priority-fee {format_gwei(self.priority_fee)} exceeds --gas-price "
                f"{format_gwei(self.gas_price)}, the most a transaction may pay per gas",
                hint="lower --priority-fee or raise --gas-price",
            )

    def fees(self, base_fee: int, suggested_tip: int | None) -> dict[str, int]:
        """``maxPriorityFeePerGas`` and ``maxFeePerGas`` for a block whose base fee is
        ``base_fee``: the flags where given, else the node's tip and twice the base fee."""
        tip = self.priority_fee
        if tip is None:
            tip = max(suggested_tip if suggested_tip is not None else DEFAULT_PRIORITY_FEE, 1)
            if self.gas_price is not None:
                tip = min(tip, self.gas_price)
        max_fee = self.gas_price if self.gas_price is not None else 2 * base_fee + tip
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": max_fee}


@dataclass(frozen=True)
class OutgoingTx:
    """One transaction about to be sent: its words, and what it may cost."""

    label: str
    gas_estimate: int
    gas_limit: int
    value: int = 0


@dataclass(frozen=True)
class Outgoing:
    """The transactions a command is about to send, from one account on one chain.

    The fee shown is ``gas estimate x (base fee + tip)``, what the chain charges when the base
    fee holds; the most it can cost is ``gas limit x max fee``.
    """

    sender: str
    chain_id: int
    base_fee: int
    priority_fee: int
    max_fee: int
    transactions: tuple[OutgoingTx, ...] = field(default_factory=tuple)

    @property
    def count(self) -> int:
        return len(self.transactions)

    @property
    def gas(self) -> int:
        return sum(tx.gas_estimate for tx in self.transactions)

    @property
    def fee(self) -> int:
        price = min(self.base_fee + self.priority_fee, self.max_fee)
        return self.gas * price

    @property
    def max_cost(self) -> int:
        return sum(tx.gas_limit * self.max_fee + tx.value for tx in self.transactions)

    @property
    def value(self) -> int:
        return sum(tx.value for tx in self.transactions)

    def lines(self) -> list[str]:
        """What the confirmation shows: the calls in words, their count, the fee in ETH."""
        count = self.count
        out = [
            f"{count} transaction{'s' if count != 1 else ''} from {self.sender} "
            f"on chain {self.chain_id}:"
        ]
        for tx in self.transactions[:SHOWN_CALLS]:
            out.append(
                f"  {tx.label}" + (f" (sends {format_ether(tx.value)} ETH)" if tx.value else "")
            )
        if count > SHOWN_CALLS:
            out.append(f"  ... and {count - SHOWN_CALLS} more")
        price = min(self.base_fee + self.priority_fee, self.max_fee)
        out.append(
            f"fee: about {format_ether(self.fee, digits=4)} ETH ({self.gas:,} gas at "
            f"{format_gwei(price, digits=4)}); at most "
            f"{format_ether(self.max_cost - self.value, digits=4, up=True)} ETH"
        )
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "sender": self.sender,
            "chain_id": self.chain_id,
            "transactions": [
                {"label": tx.label, "gas": tx.gas_estimate, "gas_limit": tx.gas_limit}
                for tx in self.transactions
            ],
            "fee_wei": self.fee,
            "max_fee_wei": self.max_cost - self.value,
        }
