"""``equity safe execute``: send a Safe transaction whose signatures meet the threshold.

Any account pays the gas. Refused, with nothing sent: a file that does not belong to this
chain and Safe or was changed, a nonce that is not the Safe's next, fewer valid owner
signatures than the threshold (naming how many more and whose). Each call is run from the
Safe first (a refusal decoded), then ``execTransaction`` is simulated and sent by the
Transactor; the result carries the events the calls emitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import UsageError
from toolkit.safe.chain_checks import check_against_chain, simulate_calls
from toolkit.safe.contracts import safe_contract
from toolkit.safe.safe_tx import read_safe_tx
from toolkit.safe.signing import SafeTxStatus, status_of

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult


@dataclass(frozen=True)
class Execution:
    status: SafeTxStatus
    result: TxResult
    events: tuple[dict[str, Any], ...]  # {"address", "event", "args"} of each decoded log


def check_executable(status: SafeTxStatus) -> None:
    if status.nonce_state == "queued":
        raise UsageError(
            f"Safe transaction #{status.tx.nonce} must wait: the Safe's next nonce is "
            f"{status.safe.nonce}; nothing was sent",
            hint=f"execute Safe transaction #{status.safe.nonce} first",
            kind="queued",
        )
    if status.missing:
        need = status.safe.threshold
        raise UsageError(
            f"{len(status.signed)} of the {need} signatures Safe {status.safe.address} needs: "
            f"{status.missing} more needed; nothing was sent",
            hint="owners who have not signed: "
            + ", ".join(status.unsigned_owners)
            + " (`equity safe sign FILE --account ALIAS`)",
            kind="below_threshold",
        )


def execute_safe_tx(
    transactor: Transactor, path: Path, abis: list[list[dict[str, Any]]] | None = None
) -> Execution:
    """Check, simulate and send the Safe transaction in ``path``; ``abis`` decode the logs."""
    chain = transactor.chain
    tx = read_safe_tx(path)
    status = status_of(tx, check_against_chain(tx, chain))
    check_executable(status)
    simulate_calls(chain, tx.safe, tx.calls)
    safe = safe_contract(chain.w3, tx.safe)
    call = safe.functions.execTransaction(
        chain.w3.to_checksum_address(tx.to),
        tx.value,
        bytes.fromhex(tx.data[2:]),
        tx.operation,
        tx.safe_tx_gas,
        tx.base_gas,
        tx.gas_price,
        chain.w3.to_checksum_address(tx.gas_token),
        chain.w3.to_checksum_address(tx.refund_receiver),
        tx.packed_signatures(set(status.signed)),
    )
    result = transactor.transact(call, label=f"execute Safe transaction #{tx.nonce}")
    return Execution(status, result, decoded_events(transactor, result, abis or []))


def decoded_events(
    transactor: Transactor, result: TxResult, abis: list[list[dict[str, Any]]]
) -> tuple[dict[str, Any], ...]:
    """The receipt's logs by name and arguments, where one of ``abis`` knows the event."""
    from eth_utils import event_abi_to_log_topic
    from web3.logs import DISCARD

    w3 = transactor.chain.w3
    receipt = w3.eth.get_transaction_receipt(result.hash)  # type: ignore[arg-type]
    by_topic: dict[bytes, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for abi in abis:
        for item in abi:
            if item.get("type") == "event" and not item.get("anonymous"):
                by_topic.setdefault(bytes(event_abi_to_log_topic(item)), (item, abi))  # type: ignore[arg-type]
    out: list[dict[str, Any]] = []
    for log in receipt["logs"]:
        topics = log["topics"]
        known = by_topic.get(bytes(topics[0])) if topics else None
        if known is None:
            continue
        event_abi, abi = known
        contract = w3.eth.contract(address=log["address"], abi=abi)
        event = contract.events[event_abi["name"]]()
        for decoded in event.process_receipt({**receipt, "logs": [log]}, errors=DISCARD):
            out.append(
                {
                    "address": str(log["address"]),
                    "event": event_abi["name"],
                    "args": {k: _plain(v) for k, v in decoded["args"].items()},
                }
            )
    return tuple(out)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
