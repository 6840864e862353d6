"""Running a transaction before it is sent, as the next block will run it, and finding out
afterwards why a mined one reverted.

A transaction is mined in a later block than the latest, at a later time: a rule that depends
on the block time (a proposer's votes "one second ago", a deadline, a lock-up) can pass at the
latest block's time and fail when mined. So the estimate runs **at the next block's time**:
``eth_estimateGas`` with block overrides (``{"number", "time"}``, the 4th parameter geth and
anvil accept). Where a node refuses that form, ``eth_call`` with the same overrides checks the
call first and a plain estimate gives the gas; where it refuses overrides altogether (ganache
7), the node's own estimate is all there is. The form a node accepts is remembered per
connection.

The next block's time is the later of the latest block's time plus one second (the least a
chain with strictly increasing timestamps can give) and the time of the node's pending block,
where it reports one (anvil does: its clock, with any ``evm_increaseTime`` offset).

When a transaction still reverts on chain, the reason is asked of the node:
``debug_traceTransaction`` (the call tracer's ``output``, or the struct logger's
``returnValue``), else the call replayed on the state before its block with that block's
number and time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.chain.revert import DecodedError, decode_revert, revert_data

if TYPE_CHECKING:
    from toolkit.chain.connection import Chain

OVERRIDES_KEY = "simulation"  # Chain._cache: which form of simulation the node accepts
ESTIMATE_WITH_OVERRIDES = "estimate"
CALL_WITH_OVERRIDES = "call"
PLAIN = "plain"


@dataclass(frozen=True)
class NextBlock:
    """The block a transaction sent now will at the earliest be mined in."""

    number: int
    timestamp: int

    def overrides(self) -> dict[str, str]:
        return {"number": hex(self.number), "time": hex(self.timestamp)}


def next_block(chain: Chain, latest: Any) -> NextBlock:
    """The next block's number and its earliest time (see the module docstring)."""
    number = int(latest["number"]) + 1
    timestamp = int(latest["timestamp"]) + 1
    try:
        pending = chain.w3.eth.get_block("pending")
    except Exception:  # noqa: BLE001 - a node without a pending block: the latest + 1 s
        pending = None
    if pending is not None and int(pending.get("number") or 0) >= number:
        timestamp = max(timestamp, int(pending["timestamp"]))
    return NextBlock(number, timestamp)


def rpc_transaction(tx: dict[str, Any]) -> dict[str, Any]:
    """A transaction dict as JSON-RPC wants it (hex quantities), for calls and estimates."""
    keys = ("from", "to", "data", "value", "gas", "maxFeePerGas", "maxPriorityFeePerGas")
    out: dict[str, Any] = {}
    for key in keys:
        value = tx.get(key)
        if value is None:
            continue
        if isinstance(value, int):
            out[key] = hex(value)
        elif isinstance(value, bytes | bytearray):
            out[key] = "0x" + bytes(value).hex()
        else:
            out[key] = str(value)
    return out


def _request(chain: Chain, method: str, params: list[Any]) -> Any:
    from web3.types import RPCEndpoint

    return chain.w3.manager.request_blocking(RPCEndpoint(method), params)


def is_unsupported(exc: BaseException) -> bool:
    """The node refused the *form* of a request (too many parameters, unknown method), as
    opposed to running it and reverting."""
    if revert_data(exc) is not None:
        return False
    text = str(exc).lower()
    if "revert" in text:
        return False
    return any(
        needle in text
        for needle in (
            "number of arguments",
            "too many arguments",
            "invalid params",
            "invalid argument",
            "not supported",
            "does not exist",
            "not available",
            "unknown field",
            "-32602",
            "-32601",
        )
    )


def estimate_at(chain: Chain, tx: dict[str, Any], block: NextBlock) -> int:
    """The gas of ``tx`` run at ``block``'s number and time; a revert raises (web3's error,
    for the caller to decode), and nothing is sent."""
    params = rpc_transaction(tx)
    form = chain._cache.get(OVERRIDES_KEY, ESTIMATE_WITH_OVERRIDES)
    if form == ESTIMATE_WITH_OVERRIDES:
        try:
            return int(
                _request(chain, "eth_estimateGas", [params, "latest", {}, block.overrides()]), 16
            )
        except Exception as exc:
            if not is_unsupported(exc):
                raise
            form = chain._cache[OVERRIDES_KEY] = CALL_WITH_OVERRIDES
    if form == CALL_WITH_OVERRIDES:
        try:
            _request(chain, "eth_call", [params, "latest", {}, block.overrides()])
        except Exception as exc:
            if not is_unsupported(exc):
                raise
            chain._cache[OVERRIDES_KEY] = PLAIN
    return int(chain.w3.eth.estimate_gas(tx))  # type: ignore[arg-type]


def mined_revert(
    chain: Chain, tx_hash: str, tx: dict[str, Any] | None, block: int
) -> DecodedError | None:
    """Why a mined transaction reverted, asked of the node (see the module docstring)."""
    decoded = _from_trace(chain, tx_hash)
    if decoded is None and tx is not None:
        decoded = _from_replay(chain, tx, block)
    return decoded


def _from_trace(chain: Chain, tx_hash: str) -> DecodedError | None:
    for options in ({"tracer": "callTracer"}, {"disableStorage": True, "disableStack": True}):
        try:
            trace = _request(chain, "debug_traceTransaction", [tx_hash, options])
        except Exception:  # noqa: BLE001 - no tracing on this node: try the next way
            continue
        data = trace.get("output") or trace.get("returnValue") if trace else None
        if isinstance(data, str) and data and data != "0x":
            decoded = decode_revert(data if data.startswith("0x") else "0x" + data)
            if decoded is not None:
                return decoded
    return None


def _from_replay(chain: Chain, tx: dict[str, Any], block: int) -> DecodedError | None:
    """The call run again on the state before ``block``, with that block's number and time
    where the node takes block overrides."""
    call = {k: v for k, v in tx.items() if k in ("from", "to", "data", "value")}
    params = rpc_transaction(call)
    attempts: list[list[Any]] = []
    try:
        mined = chain.w3.eth.get_block(block)
        at = NextBlock(block, int(mined["timestamp"]))
        attempts.append([params, hex(block - 1), {}, at.overrides()])
    except Exception:  # noqa: BLE001 - the block is gone (a reorg, a node restart)
        pass
    attempts.append([params, hex(block - 1)])
    for attempt in attempts:
        try:
            _request(chain, "eth_call", attempt)
        except Exception as exc:  # noqa: BLE001
            if len(attempt) > 2 and is_unsupported(exc):
                continue
            return decode_revert(revert_data(exc))
        return None  # the replay passed: the state it depended on is not reproducible here
    return None
