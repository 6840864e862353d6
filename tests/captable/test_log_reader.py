"""Chunked eth_getLogs against fake providers that refuse big queries in their own ways."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from toolkit.captable.log_reader import LogReader, RangePolicy, is_range_refusal, suggested_end
from toolkit.captable.rpc import JsonRpcClient, RpcError, RpcTimeout
from toolkit.errors import ChainError

LOGS_PER_BLOCK = 3


class FakeProvider(JsonRpcClient):
    """Three logs per block; refuses ranges wider than ``max_blocks`` or answers above ``max_logs``."""

    def __init__(self, *, max_blocks: int = 10**9, max_logs: int = 10**9, style: str = "range") -> None:
        super().__init__("http://fake.invalid")
        self.max_blocks = max_blocks
        self.max_logs = max_logs
        self.style = style
        self.spans: list[int] = []

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        assert method == "eth_getLogs"
        start, end = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
        width = end - start + 1
        if width > self.max_blocks:
            raise RpcError("eth_getLogs: exceed maximum block range: 100", code=-32600)
        if width * LOGS_PER_BLOCK > self.max_logs:
            if self.style == "suggest":
                good_end = start + self.max_logs // LOGS_PER_BLOCK - 1
                raise RpcError(
                    f"eth_getLogs: query returned more than {self.max_logs} results. "
                    f"Try with this block range [{hex(start)}, {hex(good_end)}].",
                    code=-32005,
                )
            if self.style == "timeout":
                raise RpcTimeout("no answer")
            raise RpcError("HTTP 413 from fake: payload too large", http_status=413)
        self.spans.append(width)
        return [
            {"blockNumber": hex(b), "logIndex": hex(i)} for b in range(start, end + 1) for i in range(LOGS_PER_BLOCK)
        ]


def blocks_read(logs: list[dict[str, Any]]) -> list[int]:
    return sorted({int(log["blockNumber"], 16) for log in logs})


@pytest.mark.parametrize("style", ["range", "suggest", "timeout", "size"])
def test_every_log_is_read_exactly_once_whatever_the_provider_refuses(style: str) -> None:
    provider = FakeProvider(max_blocks=100, max_logs=150, style=style)
    reader = LogReader(provider, ["0x" + "11" * 20], ["0x" + "22" * 32], RangePolicy(initial_span=1000))
    logs = reader.fetch_all(5, 1004)
    assert blocks_read(logs) == list(range(5, 1005))
    assert len(logs) == 1000 * LOGS_PER_BLOCK
    assert reader.refusals > 0


def test_the_suggested_range_is_taken_at_once() -> None:
    provider = FakeProvider(max_logs=30, style="suggest")
    reader = LogReader(provider, [], [], RangePolicy(initial_span=1000, target_logs=10**6))
    reader.fetch(0)
    assert provider.spans == [10]
    assert reader.refusals == 1


def test_the_range_grows_back_after_sparse_answers_at_most_fourfold() -> None:
    provider = FakeProvider()
    reader = LogReader(provider, [], [], RangePolicy(initial_span=4, target_logs=10**6, max_span=256))
    reader.fetch_all(0, 999)
    assert provider.spans[:4] == [4, 16, 64, 256]
    assert max(provider.spans) == 256


def test_the_range_is_aimed_at_the_target_number_of_logs() -> None:
    provider = FakeProvider()  # three logs per block
    reader = LogReader(provider, [], [], RangePolicy(initial_span=100, target_logs=30))
    reader.fetch_all(0, 299)
    assert provider.spans[:3] == [100, 10, 10]


def test_a_single_block_the_node_refuses_is_a_chain_error() -> None:
    provider = FakeProvider(max_logs=1)
    reader = LogReader(provider, [], [], RangePolicy(initial_span=8))
    with pytest.raises(ChainError, match="refuses to return the logs of block 0"):
        reader.fetch_all(0, 10)


def test_errors_that_are_not_about_size_are_not_retried() -> None:
    class Broken(FakeProvider):
        def call(self, method: str, params: Sequence[Any] = ()) -> Any:
            raise RpcError("eth_getLogs: invalid params", code=-32602)

    reader = LogReader(Broken(), [], [], RangePolicy(initial_span=8))
    with pytest.raises(RpcError, match="invalid params"):
        reader.fetch_all(0, 10)
    assert reader.refusals == 0


def test_refusals_are_recognised_by_message_code_and_status() -> None:
    assert is_range_refusal(RpcError("query returned more than 10000 results"))
    assert is_range_refusal(RpcError("block range is too wide"))
    assert is_range_refusal(RpcError("x", code=-32005))
    assert is_range_refusal(RpcError("x", http_status=413))
    assert is_range_refusal(RpcTimeout("slow"))
    assert not is_range_refusal(RpcError("execution reverted"))


def test_a_suggested_range_is_parsed_from_the_message() -> None:
    error = RpcError("Try with this block range [0x10, 0x1f].")
    assert suggested_end(error, 0x10) == 0x1F
    assert suggested_end(error, 0x100) == 0x10F  # another start: same width
    assert suggested_end(RpcError("no hint"), 0) is None
