"""What a Safe transaction is checked against on the chain: the Safe (its owners,
threshold, nonce), the chain id, the batch contract, and its calls run from the Safe.

Shared by building a transaction (``SafeProposer``), signing it and executing it, so a file
is judged by the same rules at every step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import InputError, UsageError, WrongChainError
from toolkit.safe.contracts import is_multi_send_call_only, multi_send_address, safe_contract
from toolkit.safe.safe_tx import DELEGATECALL, SafeCall, SafeTransaction

if TYPE_CHECKING:
    from toolkit.chain.connection import Chain


@dataclass(frozen=True)
class SafeState:
    """A Safe as the chain has it now."""

    address: str
    owners: tuple[str, ...]
    threshold: int
    nonce: int

    def is_owner(self, address: str) -> bool:
        return address.lower() in {o.lower() for o in self.owners}


def read_safe(chain: Chain, address: str) -> SafeState:
    """The Safe at ``address``; a clear refusal when no Safe is there."""
    w3 = chain.w3
    safe = safe_contract(w3, address)
    if not bytes(w3.eth.get_code(safe.address)):
        raise UsageError(
            f"no contract at {safe.address} on chain {chain.chain_id}: not a Safe",
            hint="check the address (`equity safe deploy` makes one on a local chain)",
        )
    try:
        owners = tuple(str(o) for o in safe.functions.getOwners().call())
        threshold = int(safe.functions.getThreshold().call())
        nonce = int(safe.functions.nonce().call())
    except Exception as exc:  # any failure here means: not a Safe
        raise UsageError(
            f"{safe.address} on chain {chain.chain_id} is not a Safe (it has no owners and "
            "threshold to read)",
            hint="give the address of a Safe 1.4.1 proxy",
        ) from exc
    return SafeState(str(safe.address), owners, threshold, nonce)


def check_against_chain(
    tx: SafeTransaction, chain: Chain, *, allow_spent: bool = False
) -> SafeState:
    """Refuse a file that does not belong to this chain and Safe, or was changed, or
    DELEGATECALLs anything but MultiSendCallOnly, or whose nonce is spent (unless
    ``allow_spent``); the Safe's state when it belongs."""
    if tx.chain_id != chain.chain_id:
        raise WrongChainError(
            f"the Safe transaction is for chain {tx.chain_id}, but the node is chain "
            f"{chain.chain_id}",
            hint="connect to the chain the Safe is on (--rpc-url / --network)",
        )
    state = read_safe(chain, tx.safe)
    if tx.operation == DELEGATECALL and not is_multi_send_call_only(chain.w3, tx.to):
        raise InputError(
            f"the Safe transaction DELEGATECALLs {tx.to}, which is not Safe 1.4.1's "
            "MultiSendCallOnly: it would run foreign code in the Safe's name",
            hint="build the transaction again from the command (`--account safe:ADDRESS`)",
            kind="tampered",
        )
    tx.check_fields(tx.to if tx.operation == DELEGATECALL else None)
    if tx.nonce < state.nonce and not allow_spent:
        raise UsageError(
            f"Safe transaction #{tx.nonce} is spent: the Safe's nonce is {state.nonce} "
            "(it was executed, or another transaction took its nonce)",
            hint="build the transaction again from the command",
            kind="stale",
        )
    return state


def simulate_calls(chain: Chain, safe: str, calls: Sequence[SafeCall]) -> None:
    """Run each call from the Safe at the next block's time: a call the chain would refuse
    raises, its custom error decoded (``TransactionRevertedError``, exit 3)."""
    from toolkit.chain.simulation import estimate_at, next_block
    from toolkit.chain.tx import translate_error

    latest = chain.w3.eth.get_block("latest")
    block = next_block(chain, latest)
    for call in calls:
        tx = {"from": safe, "to": call.to, "data": call.data, "value": call.value}
        try:
            estimate_at(chain, tx, block)
        except Exception as exc:
            raise translate_error(exc, chain.rpc_url, f"{call.label} (from the Safe)") from exc


def batch_contract(chain: Chain, cwd: Path) -> str | None:
    return multi_send_address(chain.w3, chain.chain_id, cwd)
