"""Run a proposal's calls as the timelock would, before proposing (issue 11, point 3).

One ``eth_call`` to the timelock's address with a state override that gives that address the
code of ``ProposalSimulator`` (a loop of calls that stops at the first failure): every call is
made from the timelock, in order, each seeing what the ones before it changed, exactly as
``execute`` would run them once the proposal passes (at today's state). A node that does not
take state overrides gets each call simulated on its own from the timelock's address (an
``eth_call`` with ``from``), which still catches a call that fails by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.chain.revert import decode_revert

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.governance.actions import Call

SIMULATOR = "ProposalSimulator"


@dataclass(frozen=True)
class Failure:
    """The first call that would revert: its position and the decoded reason."""

    index: int
    reason: str


def simulate(w3: Web3, timelock: str, calls: Sequence[Call]) -> Failure | None:
    """None when every call would succeed from the timelock, else the first failure."""
    from eth_abi import decode

    from toolkit.offering.contracts import artifact

    simulator = artifact(SIMULATOR)
    contract = w3.eth.contract(abi=simulator["abi"])
    data = contract.encode_abi(
        "simulate",
        [[c.target for c in calls], [c.value for c in calls], [c.calldata for c in calls]],
    )
    code = simulator["deployedBytecode"]
    code = code if code.startswith("0x") else "0x" + code
    override: Any = {timelock: {"code": code}}
    raw = _call(w3, {"from": timelock, "to": timelock, "data": data}, override)
    if raw is None:
        return None
    payload = bytes(raw) if isinstance(raw, bytes) else b""
    if raw is _UNSUPPORTED or payload[:4] != _selector("CallFailed(uint256,bytes)"):
        # the node refused the override, or ignored it (the timelock's own code answered)
        return _one_by_one(w3, timelock, calls)
    index, reason = decode(["uint256", "bytes"], payload[4:])
    return Failure(int(index), _reason(bytes(reason)))


_UNSUPPORTED = object()


def _call(w3: Web3, tx: Any, override: Any) -> object:
    """The revert data of an eth_call (None if it succeeded; _UNSUPPORTED if the node refused
    the state override)."""
    from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError

    try:
        if override is None:
            w3.eth.call(tx, "latest")
        else:
            w3.eth.call(tx, "latest", override)
    except (ContractCustomError, ContractLogicError) as exc:
        return _revert_bytes(exc.data)
    except (Web3RPCError, ValueError, TypeError):
        if override is not None:
            return _UNSUPPORTED
        raise
    return None


def _revert_bytes(data: object) -> bytes:
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return b""
    return b""


def _one_by_one(w3: Web3, timelock: str, calls: Sequence[Call]) -> Failure | None:
    for index, call in enumerate(calls):
        tx = {"from": timelock, "to": call.target, "data": call.calldata, "value": call.value}
        raw = _call(w3, tx, None)
        if isinstance(raw, bytes):
            return Failure(index, _reason(raw))
    return None


def _reason(data: bytes) -> str:
    if not data:
        return "it reverts without a reason (no such function on the target, or a bare revert)"
    decoded = decode_revert(data)
    if decoded is None:
        return f"it reverts with undecoded data 0x{data.hex()}"
    return decoded.message


def _selector(signature: str) -> bytes:
    from eth_utils import function_signature_to_4byte_selector

    return bytes(function_signature_to_4byte_selector(signature))
