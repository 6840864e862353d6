"""The chain's clock: "now" for every rule that depends on time, and time travel on local
chains (``--advance-time``).

"Now" is the latest block's timestamp, never the wall clock: a local chain may have moved its
clock ahead, and lock-ups, expiries, votes (ERC-6372 timestamp clock) and the timelock all
count in block time. On anvil and ganache ``evm_increaseTime`` + ``evm_mine`` moves it; any
other chain refuses (exit 2: nothing was sent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.errors import ChainError, UsageError

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.chain.connection import Chain


def latest_timestamp(w3: Web3) -> int:
    """The latest block's timestamp: "now" for lock-ups, expiries and votes."""
    return int(w3.eth.get_block("latest")["timestamp"])


def require_local(chain: Chain, what: str = "--advance-time") -> None:
    if not chain.is_local:
        raise UsageError(
            f"{what} works only on a local anvil or ganache chain; chain {chain.chain_id} "
            "keeps real time",
            hint="wait until the time has come and run the command again without it",
        )


def advance_to(chain: Chain, timestamp: int) -> int:
    """Mine a block at or after ``timestamp``; returns the new latest block time."""
    require_local(chain)
    now = latest_timestamp(chain.w3)
    for _ in range(3):  # the node's own clock keeps running: check and top up if needed
        if now >= timestamp:
            return now
        _rpc(chain, "evm_increaseTime", [timestamp - now])
        _rpc(chain, "evm_mine", [])
        now = latest_timestamp(chain.w3)
    if now < timestamp:
        raise ChainError(
            f"the node's clock did not move to {timestamp} (it is at {now})",
            hint="the node may not support evm_increaseTime",
        )
    return now


def _rpc(chain: Chain, method: str, params: list[object]) -> None:
    response = chain.w3.provider.make_request(method, params)  # type: ignore[arg-type]
    error = response.get("error") if isinstance(response, dict) else None
    if error:
        message = error.get("message", error) if isinstance(error, dict) else error
        raise ChainError(f"{method} failed: {message}", hint="is this an anvil or ganache node?")
