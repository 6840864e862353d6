"""The concurrent log reader against fake providers that refuse, rate-limit and fail in their
own ways (pure: no network). ``test_provider_faults.py`` does the same through a real proxy
in front of a real anvil."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

from toolkit.captable.log_reader import (
    WINDOW_PER_WORKER,
    LogReader,
    RangePolicy,
    is_range_refusal,
    stated_range_limit,
    stated_result_limit,
    suggested_end,
)
from toolkit.chain.rpc import (
    JsonRpcClient,
    ProviderUnavailable,
    RateLimited,
    RetryPolicy,
    RpcError,
    RpcTimeout,
    TransientRpcError,
)
from toolkit.errors import ChainError

LOGS_PER_BLOCK = 3
QUICK = RetryPolicy(attempts=6, backoff=0.001, max_backoff=0.002, max_retry_after=0.002)


class FakeProvider(JsonRpcClient):
    """Three logs per block; refuses ranges wider than ``max_blocks`` or answers above
    ``max_logs`` (in the ``style`` of a provider), and can answer out of order, 429 or 5xx."""

    def __init__(
        self,
        *,
        max_blocks: int = 10**9,
        max_logs: int = 10**9,
        style: str = "range",
        jitter: float = 0.0,
        faults: Sequence[type[Exception] | None] = (),
    ) -> None:
        super().__init__("http://fake.invalid", retry=QUICK)
        self.max_blocks = max_blocks
        self.max_logs = max_logs
        self.style = style
        self.jitter = jitter
        self.faults = list(faults)  # raised by the first requests, in order (None: answer)
        self.spans: list[int] = []  # widths answered, in answer order
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def call_once(self, method: str, params: Sequence[Any] = (), *, result: Any = None) -> Any:
        assert method == "eth_getLogs"
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            fault = self.faults.pop(0) if self.faults else None
        try:
            if self.jitter:
                time.sleep(random.uniform(0, self.jitter))
            if fault is RateLimited:
                raise RateLimited("HTTP 429", http_status=429, retry_after=1)
            if fault is not None:
                raise TransientRpcError("HTTP 503", http_status=503)
            return self._answer(int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16))
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, start: int, end: int) -> list[dict[str, Any]]:
        width = end - start + 1
        if width > self.max_blocks:
            if self.style == "infura":
                raise RpcError(f"eth_getLogs: range {width} exceeds limit of {self.max_blocks}", code=-32602)
            raise RpcError("eth_getLogs: block range is too wide", code=-32600)
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
        with self._lock:
            self.spans.append(width)
        return [{"blockNumber": hex(b), "logIndex": hex(i)} for b in range(start, end + 1) for i in range(LOGS_PER_BLOCK)]


def reader(provider: FakeProvider, **policy: Any) -> LogReader:
    return LogReader(provider, ["0x" + "11" * 20], ["0x" + "22" * 32], RangePolicy(**policy))


def positions(logs: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return [(int(log["blockNumber"], 16), int(log["logIndex"], 16)) for log in logs]


def every_log(start: int, end: int) -> list[tuple[int, int]]:
    return [(b, i) for b in range(start, end + 1) for i in range(LOGS_PER_BLOCK)]


@pytest.mark.parametrize("style", ["range", "infura", "suggest", "timeout", "size"])
def test_every_log_is_read_once_and_in_order_whatever_the_provider_refuses(style: str) -> None:
    provider = FakeProvider(max_blocks=100, max_logs=150, style=style, jitter=0.002)
    r = reader(provider, initial_span=1000, concurrency=4)
    assert positions(r.fetch_all(5, 1004)) == every_log(5, 1004)
    assert r.refusals > 0


def test_chunks_are_consecutive_even_when_answers_come_back_out_of_order() -> None:
    provider = FakeProvider(max_blocks=7, jitter=0.005)
    chunks = list(reader(provider, initial_span=7, concurrency=6).chunks(0, 300))
    assert chunks[0].start == 0 and chunks[-1].end == 300
    assert all(later.start == earlier.end + 1 for earlier, later in itertools.pairwise(chunks))
    assert provider.most_in_flight > 1


def test_requests_in_flight_never_exceed_the_concurrency() -> None:
    provider = FakeProvider(max_blocks=10, jitter=0.003)
    reader(provider, initial_span=10, concurrency=3).fetch_all(0, 400)
    assert 1 < provider.most_in_flight <= 3


def test_the_suggested_range_is_taken_at_once() -> None:
    provider = FakeProvider(max_logs=30, style="suggest")
    r = reader(provider, initial_span=1000, target_logs=10**6, concurrency=1)
    r.fetch_all(0, 9)
    assert provider.spans == [10]
    r = reader(FakeProvider(max_logs=30, style="suggest"), initial_span=1000, target_logs=10**6, concurrency=1)
    chunks = r.chunks(0, 999)
    assert next(chunks).end == 9  # the first answer is the suggested range
    assert r.refusals == 1


def test_a_stated_range_limit_caps_every_later_range_without_a_second_refusal() -> None:
    provider = FakeProvider(max_blocks=100, style="infura")
    r = reader(provider, initial_span=10_000, target_logs=10**6, concurrency=4)
    assert positions(r.fetch_all(0, 9_999)) == every_log(0, 9_999)
    assert r.refusals == 1  # the first request, sent alone
    assert r.ceiling == 100
    # the first 100 blocks spread over the workers (their density is not known yet), then 100
    assert provider.spans[:4] == [25] * 4 and set(provider.spans[4:]) == {100}


def test_a_stated_result_limit_lowers_the_logs_aimed_at() -> None:
    provider = FakeProvider(max_logs=300, style="suggest")
    r = reader(provider, initial_span=10_000, target_logs=10_000, concurrency=1)
    r.fetch_all(0, 9_999)
    assert r.target == 225  # three quarters of the stated 300: no refusal at every density wobble
    assert r.refusals == 1


def test_the_range_grows_after_sparse_answers_at_most_eightfold() -> None:
    provider = FakeProvider()
    reader(provider, initial_span=4, target_logs=10**6, max_span=2048, concurrency=1).fetch_all(0, 9_999)
    assert provider.spans[:5] == [4, 32, 256, 2048, 2048]


def test_the_range_is_aimed_at_the_target_number_of_logs() -> None:
    provider = FakeProvider()  # three logs per block
    reader(provider, initial_span=100, target_logs=30, concurrency=1).fetch_all(0, 299)
    assert provider.spans[:3] == [100, 10, 10]


def test_the_first_request_goes_alone_and_a_small_range_takes_one_request() -> None:
    provider = FakeProvider()
    reader(provider, initial_span=256, concurrency=4).fetch_all(0, 99)
    assert provider.spans == [100]
    provider = FakeProvider(max_blocks=10, jitter=0.002)
    reader(provider, initial_span=10, concurrency=4).fetch_all(0, 999)
    assert provider.spans[0] == 10 and provider.most_in_flight > 1


def test_requests_go_on_while_the_caller_works_on_a_chunk() -> None:
    provider = FakeProvider()  # three logs per block: ten blocks a request
    r = reader(provider, initial_span=10, target_logs=30, max_span=10, concurrency=2)
    chunks = r.chunks(0, 999)
    next(chunks)  # the caller holds the first chunk (folding it, say) and asks for no other
    window = WINDOW_PER_WORKER * 2
    deadline = time.monotonic() + 10
    while r.stats.requests <= window and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    # the window filled meanwhile (not only the requests in flight when the chunk was handed
    # over), and no further: memory stays bounded while the caller is busy
    assert r.stats.requests == 1 + window
    chunks.close()
    assert not any(t.name == "getLogs-scheduler" for t in threading.enumerate())


def test_a_single_block_the_node_refuses_is_a_chain_error() -> None:
    provider = FakeProvider(max_logs=1)
    with pytest.raises(ChainError, match="refuses to return the logs of block 0"):
        reader(provider, initial_span=8, concurrency=1).fetch_all(0, 10)


def test_errors_that_are_not_about_size_are_not_retried() -> None:
    class Broken(FakeProvider):
        def call_once(self, method: str, params: Sequence[Any] = (), *, result: Any = None) -> Any:
            raise RpcError("eth_getLogs: invalid params", code=-32602)

    r = reader(Broken(), initial_span=8)
    with pytest.raises(RpcError, match="invalid params"):
        r.fetch_all(0, 10)
    assert r.refusals == 0


def test_a_429_sends_the_range_again_later_and_paces_the_requests_from_then_on() -> None:
    provider = FakeProvider(max_blocks=10, faults=[None, None, RateLimited, RateLimited])
    r = reader(provider, initial_span=10, concurrency=8)
    r.retry = QUICK
    assert r.rate is None  # no pacing before a 429
    assert positions(r.fetch_all(0, 999)) == every_log(0, 999)
    assert r.stats.rate_limited == 2
    assert r.rate is not None and r.stats.lowest_rate is not None
    assert r.rate > r.stats.lowest_rate  # grown again with the answers that followed


class TokenBucketProvider(FakeProvider):
    """Answers ``rate`` requests a second (``burst`` at once) and 429s the rest, as a hosted
    provider's rate limit does."""

    def __init__(self, rate: float, burst: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = float(burst), time.monotonic()
        self.answered = 0

    def call_once(self, method: str, params: Sequence[Any] = (), *, result: Any = None) -> Any:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens < 1:
                raise RateLimited("HTTP 429", http_status=429, retry_after=1)
            self.tokens -= 1
            self.answered += 1
        return super().call_once(method, params)


def test_paced_requests_meet_a_rate_limit_with_few_429s() -> None:
    provider = TokenBucketProvider(rate=100, burst=2, max_blocks=2)
    r = reader(provider, initial_span=2, concurrency=4)
    r.retry = QUICK
    assert positions(r.fetch_all(0, 299)) == every_log(0, 299)
    # 150 ranges; unpaced, four workers that answer at once would meet an empty bucket
    # on most requests: paced below the observed rate, few of them are refused
    assert 0 < r.stats.rate_limited <= 20, r.stats
    assert r.stats.lowest_rate is not None and r.stats.lowest_rate < 100


def test_server_errors_are_retried_without_skipping_or_doubling_a_block() -> None:
    provider = FakeProvider(max_blocks=10, faults=[TransientRpcError, None, TransientRpcError] * 5, jitter=0.001)
    r = reader(provider, initial_span=10, concurrency=4)
    assert positions(r.fetch_all(0, 499)) == every_log(0, 499)
    assert r.stats.retries == 10


def test_a_provider_that_keeps_failing_ends_in_a_clear_error() -> None:
    provider = FakeProvider(faults=[TransientRpcError] * 100)
    with pytest.raises(ProviderUnavailable, match="failed 6 times in a row") as raised:
        reader(provider, initial_span=10, concurrency=2).fetch_all(0, 99)
    assert raised.value.hint is not None and "--concurrency" in raised.value.hint


def test_refusals_are_recognised_by_message_code_and_status() -> None:
    assert is_range_refusal(RpcError("query returned more than 10000 results"))
    assert is_range_refusal(RpcError("block range is too wide"))
    assert is_range_refusal(RpcError("x", code=-32005))
    assert is_range_refusal(RpcError("x", http_status=413))
    assert is_range_refusal(RpcTimeout("slow"))
    assert not is_range_refusal(RpcError("execution reverted"))
    assert not is_range_refusal(RateLimited("rate limit exceeded", http_status=429))
    assert not is_range_refusal(TransientRpcError("HTTP 503", http_status=503))


def test_a_suggested_range_is_parsed_from_the_message() -> None:
    error = RpcError("Try with this block range [0x10, 0x1f].")
    assert suggested_end(error, 0x10) == 0x1F
    assert suggested_end(error, 0x100) == 0x10F  # another start: same width
    assert suggested_end(RpcError("no hint"), 0) is None


@pytest.mark.parametrize(
    ("message", "limit"),
    [
        ("range 52000 exceeds limit of 2000", 2_000),  # Infura
        ("range 9009594 is bigger than range limit 2000", 2_000),  # Tenderly
        ("eth_getLogs is limited to a 10,000 range", 10_000),  # QuickNode
        ("You can make eth_getLogs requests with up to a 2K block range and no limit", 2_000),  # Alchemy
        ("query returned more than 10000 results", None),
    ],
)
def test_a_stated_range_limit_is_parsed_from_the_message(message: str, limit: int | None) -> None:
    assert stated_range_limit(RpcError(message)) == limit


def test_a_stated_result_limit_is_parsed_from_the_message() -> None:
    assert stated_result_limit(RpcError("query returned more than 10000 results")) == 10_000
    assert stated_result_limit(RpcError("query exceeds max results 20000, retry with the range 1-2")) == 20_000
    assert stated_result_limit(RpcError("range 52000 exceeds limit of 2000")) is None
