"""Bare JSON-RPC to the tests' node, for the stateful property tests' thousands of steps.

web3's contract layer and its ``requests`` session cost some 3 ms of CPU a request (proxy
lookups in ``os.environ``, header parsing, result formatting), ten times what anvil spends
answering; the toolkit's ``JsonRpcClient`` keeps one ``http.client`` connection alive and sends
several reads as one batch. Calldata is encoded here from a signature (``"balanceOf(address)"``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector

from toolkit.chain.rpc import JsonRpcClient, RpcError

GAS = 8_000_000
Read = tuple[str, str, tuple[Any, ...]]  # (contract, signature, arguments)


def calldata(signature: str, args: Sequence[Any] = ()) -> str:
    types = signature[signature.index("(") + 1 : -1]
    encoded = abi_encode([t for t in types.split(",") if t], list(args))
    return "0x" + (function_signature_to_4byte_selector(signature) + encoded).hex()


class RawRpc:
    def __init__(self, url: str) -> None:
        self.rpc = JsonRpcClient(url)

    def uint(self, to: str, signature: str, *args: Any) -> int:
        (value,) = self.uints([(to, signature, args)])
        return value

    def uints(self, reads: Sequence[Read]) -> list[int]:
        """Each read's answer as an integer, all in one JSON-RPC batch (one round trip)."""
        answers = self.rpc.batch_or_raise(
            [("eth_call", [{"to": to, "data": calldata(s, a)}, "latest"]) for to, s, a in reads]
        )
        return [int(answer, 16) for answer in answers]

    def send(self, to: str, data: str, sender: str, gas: int = GAS) -> dict[str, Any]:
        """Send and return the (raw) receipt, once anvil shows it; a revert is mined too."""
        tx = {"from": sender, "to": to, "data": data, "gas": hex(gas)}
        tx_hash = self.rpc.call("eth_sendTransaction", [tx])
        for _ in range(2_000):  # anvil mines it at once; the receipt may take a moment to show
            receipt = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt:
                return dict(receipt)
            time.sleep(0.005)
        raise AssertionError(f"no receipt for {tx_hash}")

    def mined(self, to: str, signature: str, sender: str, *args: Any) -> bool:
        """Send ``signature(args)``; whether it succeeded (a reverted one is mined too)."""
        return bool(self.send(to, calldata(signature, args), sender)["status"] == "0x1")

    def succeeds(self, to: str, signature: str, sender: str, *args: Any) -> bool:
        """Whether ``signature(args)`` would succeed now (a dry run as ``eth_call``)."""
        call = {"from": sender, "to": to, "data": calldata(signature, args)}
        try:
            self.rpc.call("eth_call", [call, "latest"])
        except RpcError:
            return False
        return True

    def transact(
        self, to: str, data: str, sender: str, decode: Callable[[RpcError], Any], gas: int = GAS
    ) -> tuple[dict[str, Any] | None, Any]:
        """Estimate first, as the next block (its pinned time included): a refusal sends
        nothing and comes back decoded by ``decode``; else the transaction is mined and must
        succeed. Returns (receipt, refusal)."""
        try:
            self.rpc.call("eth_estimateGas", [{"from": sender, "to": to, "data": data}])
        except RpcError as error:
            return None, decode(error)
        receipt = self.send(to, data, sender, gas)
        assert receipt["status"] == "0x1", receipt
        return receipt, None

    def now(self) -> int:
        return int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def mine_at(self, timestamp: int) -> None:
        """Mine an empty block at ``timestamp`` (the next transactions come after it)."""
        self.rpc.call("evm_setNextBlockTimestamp", [timestamp])
        self.rpc.call("evm_mine", [])

    def snapshot(self) -> str:
        return str(self.rpc.call("evm_snapshot", []))

    def revert(self, snapshot: str) -> None:
        assert self.rpc.call("evm_revert", [snapshot]) is True
