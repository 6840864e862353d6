"""The one transaction layer every command uses.

EIP-1559 fees, a local nonce counter (several transactions in a row from one account never
collide, even before the first is mined), gas estimation with headroom, receipts, optional
confirmations, and reverts decoded from every ABI in ``build/`` into the one-line messages
and exit codes of SPEC §6. Estimation runs before signing, so a transaction the chain would
refuse is never sent.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from eth_typing import HexStr

from toolkit.chain.revert import DecodedError, decode_revert
from toolkit.errors import (
    ChainError,
    InsufficientFundsError,
    NodeUnreachableError,
    TransactionRevertedError,
)

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.contract.contract import ContractFunction

    from toolkit.chain.connection import Chain

GAS_HEADROOM = 1.25
# Anvil estimates at the latest block's timestamp, but the transaction is mined in a later
# second. A vote checkpoint (ERC20Votes: sender, receiver, total supply) written in the latest
# block is then updated in place in the estimate but pushed as a new slot when mined: up to
# three fresh slots (~22k gas each) more than estimated. Unused gas is not paid for.
CHECKPOINT_HEADROOM = 70_000
DEFAULT_PRIORITY_FEE = 1_000_000_000  # 1 gwei
RECEIPT_TIMEOUT_S = 180


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


class Transactor:
    """Signs and sends transactions for one account on one chain."""

    # shared by every Transactor of the process: nonces handed out but maybe not yet mined
    _next_nonce: ClassVar[dict[tuple[int, str], int]] = {}

    def __init__(self, chain: Chain, account: LocalAccount, *, confirmations: int = 0) -> None:
        self.chain = chain
        self.account = account
        self.confirmations = confirmations

    @property
    def address(self) -> str:
        return str(self.account.address)

    # --- building ------------------------------------------------------------------------

    def _latest_block(self) -> Any:
        try:
            return self.chain.w3.eth.get_block("latest")
        except Exception as exc:
            raise _connection_error(self.chain.rpc_url, exc) from exc

    def _fees(self, latest: Any) -> dict[str, int]:
        w3 = self.chain.w3
        base = int(latest.get("baseFeePerGas") or 0)
        try:
            tip = int(w3.eth.max_priority_fee)
        except Exception:  # noqa: BLE001 - not every node implements it
            tip = DEFAULT_PRIORITY_FEE
        tip = max(tip, 1)
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * base + tip}

    def _nonce(self) -> int:
        """The next nonce: the node's pending count, or the local counter when it is ahead.

        A node's pending count includes what it holds in its mempool, so on a local chain it
        is exact, and it is the truth after the chain went back in time (evm_revert, a
        restart from an older --state): a local counter kept from before would leave a gap
        that is never mined. Remote providers can lag behind what was just sent, so there
        the local counter wins when it is ahead.
        """
        key = (self.chain.chain_id, self.address.lower())
        on_chain = int(self.chain.w3.eth.get_transaction_count(self.account.address, "pending"))
        if self.chain.is_local:
            return on_chain
        return max(on_chain, self._next_nonce.get(key, 0))

    def _claim_nonce(self, nonce: int) -> None:
        key = (self.chain.chain_id, self.address.lower())
        self._next_nonce[key] = nonce + 1

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
        """A complete EIP-1559 transaction dict, gas estimated (reverts raise, decoded)."""
        latest = self._latest_block()  # one read serves the fees and the gas limit
        tx: dict[str, Any] = {
            "from": self.account.address,
            "value": value,
            "chainId": self.chain.chain_id,
            "type": 2,
            **self._fees(latest),
        }
        if call is not None:
            tx = dict(call.build_transaction({**tx, "gas": gas or 1}))  # type: ignore[arg-type]
            if gas is None:
                tx.pop("gas", None)
        else:
            if to is not None:
                tx["to"] = to
            tx["data"] = data or "0x"
        if gas is None:
            try:
                estimate = int(self.chain.w3.eth.estimate_gas(tx))  # type: ignore[arg-type]
            except Exception as exc:
                raise translate_error(exc, self.chain.rpc_url, label) from exc
            gas = int(estimate * GAS_HEADROOM) + CHECKPOINT_HEADROOM
            gas = min(gas, int(latest["gasLimit"]))
        tx["gas"] = gas
        self._check_funds(tx)
        return tx

    def _check_funds(self, tx: dict[str, Any]) -> None:
        """Refuse before signing when the account cannot pay the worst-case fee."""
        needed = int(tx["gas"]) * int(tx["maxFeePerGas"]) + int(tx.get("value", 0))
        balance = int(self.chain.w3.eth.get_balance(self.account.address))
        if balance < needed:
            raise InsufficientFundsError(
                f"{self.address} has {balance} wei but this transaction may cost up to {needed} wei",
                hint="fund the account with ETH for gas",
            )

    # --- sending -------------------------------------------------------------------------

    def submit(self, tx: dict[str, Any], *, label: str = "") -> PendingTx:
        """Sign and send; returns as soon as the node accepted it."""
        nonce = self._nonce()
        tx = {**tx, "nonce": nonce}
        tx.pop("from", None)
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
            decoded = self._replay_revert(tx, block) if tx else None
            raise _revert_error(decoded, pending.label, tx_hash=pending.hash)
        return result

    def _wait_confirmations(self, block: int) -> None:
        target = block + self.confirmations
        while int(self.chain.w3.eth.block_number) < target:
            time.sleep(0.2)

    def _replay_revert(self, tx: dict[str, Any], block: int) -> DecodedError | None:
        call = {k: v for k, v in tx.items() if k in ("to", "data", "value")}
        call["from"] = self.account.address
        try:
            self.chain.w3.eth.call(call, block - 1)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001
            return decode_revert(_revert_data(exc))
        return None

    def transact(self, call: ContractFunction, *, value: int = 0, label: str = "") -> TxResult:
        """Estimate, sign, send and wait for one contract call."""
        tx = self.build(call, value=value, label=label)
        return self.wait(self.submit(tx, label=label), tx=tx)

    def deploy(self, artifact: dict[str, Any], *args: Any, label: str = "") -> TxResult:
        """Deploy a compiled artifact; the result carries ``contract_address``."""
        contract = self.chain.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        data = contract.constructor(*args).data_in_transaction
        label = label or f"deploy {artifact.get('contractName', 'contract')}"
        tx = self.build(data=data, label=label)
        return self.wait(self.submit(tx, label=label), tx=tx)


# --- errors ----------------------------------------------------------------------------------


def _revert_data(exc: BaseException) -> str | None:
    """The revert data of a web3/RPC exception, wherever this node put it."""
    candidates: list[Any] = [getattr(exc, "data", None), *getattr(exc, "args", ())]
    while candidates:
        item = candidates.pop(0)
        if isinstance(item, str) and item.startswith("0x") and len(item) >= 10:
            return item
        if isinstance(item, dict):
            # anvil: {"data": "0x..."}; ganache: {"result": "0x...", "data": {...}}
            candidates.extend(item.get(key) for key in ("data", "result"))
        elif isinstance(item, tuple | list):
            candidates.extend(item)
    return None


def _revert_error(
    decoded: DecodedError | None, label: str, *, tx_hash: str | None = None, fallback: str = ""
) -> TransactionRevertedError:
    what = f"{label} " if label else "transaction "
    if decoded is None:
        reason = fallback or "no reason given"
        return TransactionRevertedError(
            f"{what}reverted: {reason}",
            hint="check the arguments and the account's roles",
            tx_hash=tx_hash,
        )
    hint = None
    if decoded.name == "AccessControlUnauthorizedAccount":
        hint = "use --account with an account holding that role"
    elif decoded.name == "TransferRestricted":
        hint = "see `equity check` for the restriction; fix the holder or the amount"
    return TransactionRevertedError(
        f"{what}refused: {decoded.message}",
        error_name=decoded.name,
        error_args=decoded.args,
        hint=hint,
        tx_hash=tx_hash,
    )


def _connection_error(url: str, exc: BaseException) -> ChainError:
    return NodeUnreachableError(
        f"lost the node at {url} ({str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__})",
        hint="check that the node still runs",
    )


def translate_error(exc: BaseException, rpc_url: str, label: str = "") -> ChainError:
    """Any web3/RPC exception as a typed ChainError with a decoded reason."""
    import requests
    from web3.exceptions import ContractLogicError, TimeExhausted

    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, requests.exceptions.ConnectionError | ConnectionError):
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
    data = _revert_data(exc)
    if isinstance(exc, ContractLogicError) or data is not None or "revert" in lowered:
        fallback = text.replace("execution reverted:", "").strip()[:200]
        return _revert_error(decode_revert(data), label, fallback=fallback)
    return ChainError(
        f"the node refused the transaction: {text[:200]}",
        hint="check the account, the nonce and the node's logs",
    )
