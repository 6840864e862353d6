"""The one transaction layer every command uses.

A command's transactions go through three steps, and a different last step can take the
place of the third (a Safe multisig, which gathers signatures instead of broadcasting):

1. **build**: each call becomes a complete transaction: run first at the next block's time
   (``chain.simulation``), so a transaction the chain would refuse is never sent and its
   custom error is decoded (exit 3); gas estimated with headroom; EIP-1559 fees, or the
   ``--gas-price``/``--priority-fee``/``--gas-limit`` flags (``TxSettings``);
2. **approve**: on a chain that is not a local dev chain, what will be sent (calls in words,
   count, fee in ETH: ``fees.Outgoing``) is shown and confirmed once before the first
   signature (``approve``; ``--yes`` skips the question);
3. **sign and send**: a local nonce counter (several transactions in a row never collide,
   even before the first is mined; ``--nonce`` fixes the first), receipts, optional
   confirmations; a transaction that still reverts on chain is decoded from the node (a
   trace, or a replay at its block).

``Transactor.send(calls)`` does all three for calls that are independent of each other;
``transact`` and ``deploy`` are one call each.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from eth_typing import HexStr

from toolkit.chain.fees import DEFAULT_PRIORITY_FEE, Outgoing, OutgoingTx, TxSettings
from toolkit.chain.revert import DecodedError, decode_revert, revert_data
from toolkit.chain.simulation import estimate_at, mined_revert, next_block
from toolkit.errors import (
    ChainError,
    InsufficientFundsError,
    NodeUnreachableError,
    TransactionRevertedError,
    UsageError,
)

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.contract.contract import ContractFunction

    from toolkit.chain.connection import Chain

__all__ = [
    "DEFAULT_PRIORITY_FEE",
    "RECEIPT_TIMEOUT_S",
    "Approval",
    "Call",
    "PendingTx",
    "Transactor",
    "TxResult",
    "TxSettings",
    "revert_data",
    "translate_error",
]

GAS_HEADROOM = 1.25
# A vote checkpoint (ERC20Votes: sender, receiver, total supply) written in the latest block
# is updated in place when a transaction lands in the same second, but pushed as a new slot
# when it lands later: up to three fresh slots (~22k gas each) more than an estimate that ran
# in the same second. Unused gas is not paid for.
CHECKPOINT_HEADROOM = 70_000
RECEIPT_TIMEOUT_S = 180

Approval = Callable[[Outgoing], None]
"""Shown what is about to be sent; returns to go on, raises (UsageError) to send nothing."""


@dataclass(frozen=True)
class TxResult:
    """What SPEC §9 reports of each transaction."""

    hash: str
    block: int
    gas_used: int
    status: int
    contract_address: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if data["contract_address"] is None:
            del data["contract_address"]
        return data


@dataclass(frozen=True)
class PendingTx:
    """A signed and sent transaction whose receipt has not been awaited yet."""

    hash: str
    nonce: int
    label: str


@dataclass(frozen=True)
class Call:
    """One transaction a command wants sent, in words, before gas, fees and nonce: the unit
    that is either signed and broadcast here or handed to something else (a Safe)."""

    label: str
    to: str | None  # None: a contract creation
    data: str
    value: int = 0

    @classmethod
    def of(cls, function: ContractFunction, label: str, value: int = 0) -> Call:
        """A web3 contract function call, as a Call."""
        return cls(label, str(function.address), _calldata(function), value)


def _calldata(function: ContractFunction) -> str:
    return str(function._encode_transaction_data())


class Transactor:
    """Builds, approves, signs and sends transactions for one account on one chain."""

    # shared by every Transactor of the process: nonces handed out but maybe not yet mined,
    # per (node, chain id, account): a dry run on a fork must not move the real chain's count
    _next_nonce: ClassVar[dict[tuple[str, int, str], int]] = {}

    def __init__(
        self,
        chain: Chain,
        account: LocalAccount,
        *,
        confirmations: int = 0,
        settings: TxSettings | None = None,
        approve: Approval | None = None,
    ) -> None:
        self.chain = chain
        self.account = account
        self.confirmations = confirmations
        self.settings = settings or TxSettings()
        self.approve = approve
        self.sent: list[tuple[str, TxResult]] = []  # (label, result) of every mined transaction
        self._approved = 0  # transactions already approved and not yet signed
        self._fixed_nonce = self.settings.nonce

    @property
    def address(self) -> str:
        return str(self.account.address)

    # --- building ------------------------------------------------------------------------

    def _latest_block(self) -> Any:
        try:
            return self.chain.w3.eth.get_block("latest")
        except Exception as exc:
            raise translate_error(exc, self.chain.rpc_url) from exc

    def _fees(self, latest: Any) -> dict[str, int]:
        base = int(latest.get("baseFeePerGas") or 0)
        suggested: int | None = None
        if self.settings.priority_fee is None:
            try:
                suggested = int(self.chain.w3.eth.max_priority_fee)
            except Exception:  # noqa: BLE001 - not every node implements it
                suggested = None
        return self.settings.fees(base, suggested)

    def _nonce(self) -> int:
        """The next nonce: ``--nonce`` (then the ones after it), else the node's pending count,
        or the local counter when it is ahead.

        A node's pending count includes what it holds in its mempool, so on a local chain it
        is exact, and it is the truth after the chain went back in time (evm_revert, a
        restart from an older --state): a local counter kept from before would leave a gap
        that is never mined. Remote providers can lag behind what was just sent, so there
        the local counter wins when it is ahead.
        """
        if self._fixed_nonce is not None:
            return self._checked_fixed_nonce(self._fixed_nonce)
        on_chain = int(self.chain.w3.eth.get_transaction_count(self.account.address, "pending"))
        if self.chain.is_local:
            return on_chain
        return max(on_chain, self._next_nonce.get(self._nonce_key(), 0))

    def _checked_fixed_nonce(self, nonce: int) -> int:
        mined = int(self.chain.w3.eth.get_transaction_count(self.account.address, "latest"))
        pending = int(self.chain.w3.eth.get_transaction_count(self.account.address, "pending"))
        if nonce < mined:
            raise UsageError(
                f"--nonce {nonce} is used already: {self.address} has sent {mined} "
                "transaction(s) that are mined; nothing was sent",
                hint=f"give --nonce {pending} (the next one), or leave --nonce out",
            )
        if nonce > max(pending, mined):
            raise UsageError(
                f"--nonce {nonce} leaves a gap: the next nonce of {self.address} is {pending}, "
                "and a transaction after a gap is never mined; nothing was sent",
                hint=f"give --nonce {pending}, or a lower one to replace a pending transaction",
            )
        return nonce

    def _nonce_key(self) -> tuple[str, int, str]:
        return (self.chain.rpc_url, self.chain.chain_id, self.address.lower())

    def _claim_nonce(self, nonce: int) -> None:
        self._next_nonce[self._nonce_key()] = nonce + 1
        if self._fixed_nonce is not None:
            self._fixed_nonce = nonce + 1

    def build(
        self,
        call: ContractFunction | None = None,
        *,
        to: str | None = None,
        data: str | None = None,
        value: int = 0,
        gas: int | None = None,
        label: str = "",
    ) -> dict[str, Any]:
        """A complete EIP-1559 transaction dict, run first at the next block's time: a revert
        raises, decoded, and nothing is sent. ``gas`` given: no estimate (a re-signing)."""
        if call is not None:
            to, data = str(call.address), _calldata(call)
        return self._build(to, data or "0x", value, gas, label)[0]

    def _build(
        self, to: str | None, data: str, value: int, gas: int | None, label: str
    ) -> tuple[dict[str, Any], int]:
        """``build``, and the gas the simulation used (``gas`` itself when it was given)."""
        latest = self._latest_block()  # one read serves the fees, the next block and the cap
        tx: dict[str, Any] = {
            "from": self.account.address,
            "value": value,
            "chainId": self.chain.chain_id,
            "type": 2,
            "data": data,
            **self._fees(latest),
        }
        if to is not None:
            tx["to"] = to
        if gas is None:
            try:
                estimate = estimate_at(self.chain, tx, next_block(self.chain, latest))
            except Exception as exc:
                raise translate_error(exc, self.chain.rpc_url, label) from exc
            gas = self._gas_limit(estimate, int(latest["gasLimit"]), label)
        else:
            estimate = gas
        tx["gas"] = gas
        self._check_funds(tx)
        return tx, estimate

    def _build_call(self, call: Call) -> tuple[str, dict[str, Any], int]:
        tx, estimate = self._build(call.to, call.data, call.value, None, call.label)
        return call.label, tx, estimate

    def _gas_limit(self, estimate: int, block_limit: int, label: str) -> int:
        fixed = self.settings.gas_limit
        if fixed is None:
            return min(int(estimate * GAS_HEADROOM) + CHECKPOINT_HEADROOM, block_limit)
        if fixed < estimate:
            raise UsageError(
                f"{label or 'the transaction'} needs about {estimate:,} gas, more than "
                f"--gas-limit {fixed:,}; nothing was sent",
                hint=f"give --gas-limit {int(estimate * GAS_HEADROOM):,} or more, or leave it out",
            )
        return fixed

    def _check_funds(self, tx: dict[str, Any]) -> None:
        """Refuse before signing when the account cannot pay the worst-case fee."""
        needed = int(tx["gas"]) * int(tx["maxFeePerGas"]) + int(tx.get("value", 0))
        balance = int(self.chain.w3.eth.get_balance(self.account.address))
        if balance < needed:
            raise InsufficientFundsError(
                f"{self.address} has {balance} wei but this transaction may cost up to {needed} wei",
                hint="fund the account with ETH for gas",
            )

    # --- approving -----------------------------------------------------------------------

    def outgoing(self, built: Sequence[tuple[str, dict[str, Any], int]]) -> Outgoing:
        """What ``built`` transactions (label, tx dict, gas estimate) will send and cost."""
        first = built[0][1] if built else {}
        latest = self._latest_block()
        return Outgoing(
            sender=self.address,
            chain_id=self.chain.chain_id,
            base_fee=int(latest.get("baseFeePerGas") or 0),
            priority_fee=int(first.get("maxPriorityFeePerGas", 0)),
            max_fee=int(first.get("maxFeePerGas", 0)),
            transactions=tuple(
                OutgoingTx(label, estimate, int(tx["gas"]), int(tx.get("value", 0)))
                for label, tx, estimate in built
            ),
        )

    def preapprove(self, outgoing: Outgoing) -> None:
        """Ask once for transactions about to be sent (a batch run, a dry run's findings);
        the next ``outgoing.count`` signatures then go without asking again."""
        if self.approve is not None and outgoing.count:
            self.approve(outgoing)
        self._approved += outgoing.count

    def approve_calls(self, calls: Sequence[Call]) -> None:
        """Build each of ``calls`` against the current state (they must not depend on each
        other) and ask for all of them at once."""
        if self.approve is None:
            return
        self.preapprove(self.outgoing([self._build_call(c) for c in calls]))

    def _approve_one(self, tx: dict[str, Any], label: str) -> None:
        if self._approved > 0:
            self._approved -= 1
            return
        if self.approve is not None:
            self.approve(self.outgoing([(label, tx, int(tx["gas"]))]))

    # --- sending -------------------------------------------------------------------------

    def submit(self, tx: dict[str, Any], *, label: str = "") -> PendingTx:
        """Approve (on a non-local chain), sign and send; returns once the node accepted it."""
        self._approve_one(tx, label)
        nonce = self._nonce()
        tx = {k: v for k, v in tx.items() if k != "from"}
        tx["nonce"] = nonce
        signed = self.account.sign_transaction(tx)
        try:
            tx_hash = self.chain.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception as exc:
            raise translate_error(exc, self.chain.rpc_url) from exc
        self._claim_nonce(nonce)
        return PendingTx(
            hash="0x" + bytes(tx_hash).hex().removeprefix("0x"), nonce=nonce, label=label
        )

    def wait(self, pending: PendingTx, *, tx: dict[str, Any] | None = None) -> TxResult:
        """Wait for the receipt (and confirmations); a failed status raises, decoded."""
        w3 = self.chain.w3
        try:
            receipt = w3.eth.wait_for_transaction_receipt(
                HexStr(pending.hash),
                timeout=RECEIPT_TIMEOUT_S,
                poll_latency=0.05,
            )
        except Exception as exc:
            raise translate_error(exc, self.chain.rpc_url) from exc
        block = int(receipt["blockNumber"])
        if self.confirmations > 0:
            self._wait_confirmations(block)
        address = receipt.get("contractAddress")
        result = TxResult(
            hash=pending.hash,
            block=block,
            gas_used=int(receipt["gasUsed"]),
            status=int(receipt["status"]),
            contract_address=str(address) if address else None,
        )
        if result.status != 1:
            call = {**tx, "from": self.account.address} if tx else None
            decoded = mined_revert(self.chain, pending.hash, call, block)
            raise _revert_error(decoded, pending.label, tx_hash=pending.hash, mined=True)
        self.sent.append((pending.label, result))
        return result

    def _wait_confirmations(self, block: int) -> None:
        target = block + self.confirmations
        while int(self.chain.w3.eth.block_number) < target:
            time.sleep(0.2)

    def send(self, calls: Sequence[Call]) -> list[TxResult]:
        """Build every call (a refusal in any sends none), approve them at once, then sign,
        send and wait for each. The calls must not depend on each other's effects."""
        built = [self._build_call(c) for c in calls]
        if self.approve is not None and self._approved < len(built):
            self.approve(self.outgoing(built))
            self._approved = len(built)
        pending = [(tx, self.submit(tx, label=label)) for label, tx, _ in built]
        return [self.wait(sent, tx=tx) for tx, sent in pending]

    def transact(self, call: ContractFunction, *, value: int = 0, label: str = "") -> TxResult:
        """Build, approve, sign, send and wait for one contract call."""
        return self.send([Call.of(call, label, value)])[0]

    def deploy(self, artifact: dict[str, Any], *args: Any, label: str = "") -> TxResult:
        """Deploy a compiled artifact; the result carries ``contract_address``."""
        contract = self.chain.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        data = contract.constructor(*args).data_in_transaction
        label = label or f"deploy {artifact.get('contractName', 'contract')}"
        return self.send([Call(label, None, data)])[0]


# --- errors ----------------------------------------------------------------------------------


def _revert_error(
    decoded: DecodedError | None,
    label: str,
    *,
    tx_hash: str | None = None,
    fallback: str = "",
    mined: bool = False,
) -> TransactionRevertedError:
    what = f"{label} " if label else "transaction "
    where = f" (mined in {tx_hash}, which paid its gas)" if mined and tx_hash else ""
    if decoded is None:
        reason = fallback or "the node gave no reason"
        return TransactionRevertedError(
            f"{what}reverted: {reason}{where}",
            hint="check the arguments and the account's roles",
            tx_hash=tx_hash,
        )
    hint = "nothing was sent" if not mined else None
    if decoded.name == "AccessControlUnauthorizedAccount":
        hint = "use --account with an account holding that role"
    elif decoded.name == "TransferRestricted":
        hint = "see `equity check` for the restriction; fix the holder or the amount"
    return TransactionRevertedError(
        f"{what}{'reverted on chain' if mined else 'refused'}: {decoded.message}{where}",
        error_name=decoded.name,
        error_args=decoded.args,
        hint=hint,
        tx_hash=tx_hash,
    )


def _connection_error(url: str, exc: BaseException) -> ChainError:
    from toolkit.chain.connection import short_reason

    return NodeUnreachableError(
        f"lost the node at {url} ({short_reason(exc)})",
        hint="check that the node still runs",
    )


def is_connection_error(exc: BaseException) -> bool:
    """A failure to talk to the node at all (refused, reset, timed out), at any depth."""
    import requests

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(
            seen,
            requests.exceptions.ConnectionError | requests.exceptions.Timeout | ConnectionError,
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def translate_error(exc: BaseException, rpc_url: str, label: str = "") -> ChainError:
    """Any web3/RPC exception as a typed ChainError with a decoded reason."""
    from web3.exceptions import ContractLogicError, TimeExhausted

    if isinstance(exc, ChainError):
        return exc
    text = str(exc)
    lowered = text.lower()
    if is_connection_error(exc):
        return _connection_error(rpc_url, exc)
    if isinstance(exc, TimeExhausted):
        return ChainError(
            f"no receipt after {RECEIPT_TIMEOUT_S}s: {text[:160]}",
            hint="the transaction may still be mined; check the node",
        )
    if "insufficient funds" in lowered or "exceeds allowance: 0" in lowered:
        return InsufficientFundsError(
            "the account cannot pay for gas (insufficient funds)",
            hint="fund the account with ETH for gas",
        )
    data = revert_data(exc)
    if isinstance(exc, ContractLogicError) or data is not None or "revert" in lowered:
        fallback = _plain_reason(text)
        return _revert_error(decode_revert(data), label, fallback=fallback)
    return ChainError(
        f"the node refused the transaction: {text[:200]}",
        hint="check the account, the nonce and the node's logs",
    )


def _plain_reason(text: str) -> str:
    """A node's revert text without the JSON around it."""
    if text.startswith("{") and "'message':" in text:
        import ast

        with contextlib.suppress(ValueError, SyntaxError):
            text = str(ast.literal_eval(text).get("message", text))
    return text.replace("execution reverted:", "").replace("execution reverted", "").strip()[:200]
