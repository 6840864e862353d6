"""``eth_getLogs`` over a block range as fast as the provider allows, and never a log twice
or a log missed.

A hosted provider caps each query's block range and result size, answers after a round trip
of tens of milliseconds, and sometimes answers 429 (too many requests) or 5xx. So the range
is cut into *tiles* fetched concurrently by a few worker threads, and handed to the caller in
block order, each block exactly once:

- **Refused as too big** (a range cap such as "range 52000 exceeds limit of 2000", a result
  cap such as "query returned more than 10000 results" or Alchemy's "Log response size
  exceeded ... this block range should work: [a, b]", HTTP 413, a timeout): the tile is cut
  into pieces the refusal allows (the suggested range, the stated limit, else halves) and
  they go back to the front of the queue. A stated range limit caps every later tile.
- **429**: the tile is sent again after ``Retry-After``, and the number of requests in flight
  is halved; after as many successes as requests in flight it grows by one again, up to
  ``concurrency`` (additive increase, multiplicative decrease, as TCP does).
- **5xx, a dropped connection, an answer cut short**: the tile is sent again after an
  exponential backoff. After ``RetryPolicy.attempts`` failures of the same request in a row
  (429s included) the read stops with a clear error.
- **Anything else** (a bad filter, a dead node) stops the read at once.

The first request goes alone, over ``initial_span`` blocks: its refusal tells the provider's
limits, its answer the density of logs. Then tile sizes follow the logs found: each answer
re-aims the next tiles at ``target_logs`` (growing at most ``max_growth`` times per answer),
never above a learned range cap; a tile waiting in the queue is cut to what is known when it
is sent, not when it was queued.

Memory: at most ``WINDOW_PER_WORKER x concurrency`` new tiles are fetched or waiting ahead of
the one the caller needs next, so a slow tile holds the others back instead of letting them
pile up (pieces of a refused tile, which lie behind, are always sent).
"""

from __future__ import annotations

import heapq
import re
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from toolkit.chain.rpc import (
    JsonRpcClient,
    RateLimited,
    RetryPolicy,
    RpcError,
    RpcTimeout,
    TransientRpcError,
)
from toolkit.errors import ChainError

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 32
# tiles fetched or waiting ahead of the caller, per worker: enough for the fetches to go on
# while the caller folds a burst of answers (dense blocks come back together), few enough
# that memory stays a constant (about 4,000 logs a tile, 4.5 MB of parsed JSON)
WINDOW_PER_WORKER = 4

_TOO_MUCH = re.compile(
    r"range|too many|too large|limit|exceed|more than|response size|size exceeded|timeout|timed out"
    r"|query returned|max results|block range",
    re.IGNORECASE,
)
_SUGGESTED = re.compile(r"\[\s*(0x[0-9a-fA-F]+)\s*,\s*(0x[0-9a-fA-F]+)\s*\]")
# a block-range cap stated in the refusal: Infura "range 52000 exceeds limit of 2000", Tenderly
# "range 9009594 is bigger than range limit 2000", QuickNode "limited to a 10,000 range",
# Alchemy "up to a 2K block range"
_RANGE_LIMIT = re.compile(
    r"(?:exceeds limit of|range limit(?: of)?|limited to an? |up to an? )\s*([\d,]+)\s*(k?)\b(?: block)?(?: range)?",
    re.IGNORECASE,
)
# a result cap stated in the refusal: "query returned more than 10000 results", "max results 20000"
_RESULT_LIMIT = re.compile(r"(?:more than|max results)\s*([\d,]+)\s*(?:results|logs)?", re.I)


@dataclass
class RangePolicy:
    # the first request, sent alone: a refusal states the provider's limits, an answer the
    # density of logs; either way the requests that follow it are cut to fit
    initial_span: int = 100_000
    min_span: int = 1
    max_span: int = 1_000_000
    target_logs: int = 10_000  # logs per answer aimed at: bounds memory, amortises round trips
    concurrency: int = DEFAULT_CONCURRENCY  # requests in flight at most
    max_growth: int = 8  # a tile at most this many times wider than the answer it follows

    def __post_init__(self) -> None:
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be 1 to {MAX_CONCURRENCY}")

    @classmethod
    def for_local_node(cls, concurrency: int = DEFAULT_CONCURRENCY) -> RangePolicy:
        """Smaller answers for a node on this machine: a round trip costs next to nothing
        there, and smaller tiles let folding overlap more of the node's work."""
        return cls(initial_span=4, target_logs=2_500, concurrency=concurrency)


def is_range_refusal(error: RpcError) -> bool:
    """Does the error say the query was too big (rather than wrong, or the node down)?"""
    if isinstance(error, RpcTimeout):
        return True
    if isinstance(error, TransientRpcError):
        return False
    if error.http_status == 413:
        return True
    if error.code in (-32005,):
        return True
    return bool(_TOO_MUCH.search(str(error.message)))


def suggested_end(error: RpcError, start: int) -> int | None:
    """The end of the range a provider suggests in its refusal, if it suggests one we can use."""
    match = _SUGGESTED.search(str(error.message)) or _SUGGESTED.search(str(error.data or ""))
    if not match:
        return None
    begin, end = int(match.group(1), 16), int(match.group(2), 16)
    if begin <= start <= end:
        return end
    if begin < end:  # a range of another start: keep its width
        return start + (end - begin)
    return None


def _stated(pattern: re.Pattern[str], error: RpcError) -> int | None:
    match = pattern.search(f"{error.message} {error.data or ''}")
    if not match:
        return None
    value = int(match.group(1).replace(",", ""))
    if match.lastindex and match.lastindex >= 2 and match.group(2).lower() == "k":
        value *= 1_000
    return value or None


def stated_range_limit(error: RpcError) -> int | None:
    """The block-range cap a refusal states, if it states one."""
    return _stated(_RANGE_LIMIT, error)


def stated_result_limit(error: RpcError) -> int | None:
    """The result cap (logs per answer) a refusal states, if it states one."""
    return _stated(_RESULT_LIMIT, error)


@dataclass(frozen=True)
class LogChunk:
    start: int
    end: int
    logs: list[dict[str, Any]]


@dataclass(order=True)
class _Tile:
    start: int
    end: int = field(compare=False)
    failures: int = field(default=0, compare=False)  # transient failures in a row
    not_before: float = field(default=0.0, compare=False)
    sent_at: float = field(default=0.0, compare=False)

    @property
    def width(self) -> int:
        return self.end - self.start + 1


@dataclass
class ReadStats:
    """What a read met (for tests, benchmarks and reports)."""

    requests: int = 0
    refusals: int = 0  # answers refused as too big
    rate_limited: int = 0  # 429s
    retries: int = 0  # transient failures sent again
    lowest_concurrency: int = 0


class LogReader:
    """Reads all logs of some contracts and topics over a block range, in adaptive tiles."""

    def __init__(
        self,
        client: JsonRpcClient,
        addresses: Sequence[str],
        topics: Sequence[str],
        policy: RangePolicy | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.client = client
        self.addresses = list(addresses)
        self.topics = list(topics)
        self.policy = policy or RangePolicy()
        self.retry = retry or client.retry
        self.span = self.policy.initial_span
        self.ceiling = self.policy.max_span  # the widest range the provider accepts, as learned
        self.target = self.policy.target_logs
        self.limit = self.policy.concurrency  # requests in flight now (lowered on 429)
        self._successes = 0
        self._answered = False  # has any range been answered (so the density is known)?
        self._last_decrease = 0.0
        self.stats = ReadStats(lowest_concurrency=self.limit)

    @property
    def refusals(self) -> int:
        return self.stats.refusals

    # --- one request (on a worker thread) -----------------------------------------------

    def _query(self, start: int, end: int) -> list[dict[str, Any]]:
        result = self.client.call_once(
            "eth_getLogs",
            [
                {
                    "fromBlock": hex(start),
                    "toBlock": hex(end),
                    "address": self.addresses,
                    "topics": [self.topics],
                }
            ],
        )
        if not isinstance(result, list):
            raise ChainError(
                f"eth_getLogs answered {str(result)[:100]}", hint="check the RPC endpoint"
            )
        return result

    def _attempt(self, tile: _Tile) -> list[dict[str, Any]] | RpcError:
        try:
            return self._query(tile.start, tile.end)
        except RpcError as exc:  # settled on the scheduling thread
            return exc

    # --- outcomes (on the caller's thread) ----------------------------------------------

    def _succeeded(self, tile: _Tile, found: int) -> None:
        self._answered = True
        policy = self.policy
        estimate = tile.width * self.target // max(found, 1)
        self.span = max(
            policy.min_span, min(self.ceiling, tile.width * policy.max_growth, estimate)
        )
        self._successes += 1
        if self._successes >= self.limit and self.limit < policy.concurrency:
            self.limit += 1
            self._successes = 0

    def _refused(self, tile: _Tile, error: RpcError) -> list[_Tile]:
        """The pieces to send instead of a tile the provider refused as too big."""
        self.stats.refusals += 1
        if tile.width <= self.policy.min_span:
            raise ChainError(
                f"the node refuses to return the logs of block {tile.start} ({error.message})",
                hint="use an RPC endpoint without a log-size limit (an archive node)",
            ) from error
        range_limit = stated_range_limit(error)
        if range_limit is not None and range_limit < tile.width:
            self.ceiling = max(self.policy.min_span, min(self.ceiling, range_limit))
        result_limit = stated_result_limit(error)
        if result_limit is not None:
            self.target = max(1, min(self.target, result_limit * 3 // 4))
        suggestion = suggested_end(error, tile.start)
        if range_limit is None and result_limit is None and suggestion is None:
            # a refusal that says nothing: never ask for this width again (a stated limit
            # is learned exactly above; a stated result cap says the density was the cause)
            self.ceiling = max(self.policy.min_span, min(self.ceiling, tile.width - 1))
        if suggestion is not None and tile.start <= suggestion < tile.end:
            width = suggestion - tile.start + 1  # what the provider says fits
        elif range_limit is not None and range_limit < tile.width:
            width = range_limit
        else:  # too many logs, or no reason given: equal pieces, fetched side by side
            pieces = max(2, min(self.policy.concurrency, tile.width))
            width = max(self.policy.min_span, -(-tile.width // pieces))
        width = max(self.policy.min_span, min(width, tile.width - 1))
        self.span = max(self.policy.min_span, min(self.span, width))
        if not self._answered:  # the width fits, but how many logs it holds is unknown:
            # spread it over the workers rather than risk a refusal of a dense range (which
            # costs the provider the whole query)
            self.span = max(self.policy.min_span, -(-width // self.policy.concurrency))
        return [
            _Tile(start, min(start + width - 1, tile.end))
            for start in range(tile.start, tile.end + 1, width)
        ]

    def _failed(self, tile: _Tile, error: TransientRpcError, now: float) -> _Tile:
        """The tile to send again after a transient failure, and when."""
        tile.failures += 1
        if tile.failures >= self.retry.attempts:
            raise self.retry.give_up(error, f"eth_getLogs of blocks {tile.start}-{tile.end}")
        if isinstance(error, RateLimited):
            self.stats.rate_limited += 1
            if tile.sent_at >= self._last_decrease:  # once per round of requests
                self.limit = max(1, self.limit // 2)
                self.stats.lowest_concurrency = min(self.stats.lowest_concurrency, self.limit)
                self._last_decrease = now
                self._successes = 0
        else:
            self.stats.retries += 1
        tile.not_before = now + self.retry.wait(tile.failures, error)
        return tile

    # --- the read -----------------------------------------------------------------------

    def chunks(self, start: int, end: int) -> Iterator[LogChunk]:
        """Every log in ``[start, end]``, in order, as consecutive chunks, each block once.

        While the caller works on one chunk, the next ones are being fetched.
        """
        if start > end:
            return
        policy = self.policy
        window = WINDOW_PER_WORKER * policy.concurrency
        probing = True  # one request alone until an answer says what the provider allows
        cursor = start  # the first block not yet in any tile
        expected = start  # the first block not yet handed to the caller
        # tiles to send (again), by start block: pieces of refused or failed tiles, all
        # before ``cursor``, so they are sent first and regardless of the window
        queue: list[_Tile] = []
        ready: dict[int, LogChunk] = {}
        in_flight: dict[Future[list[dict[str, Any]] | RpcError], _Tile] = {}
        pool = ThreadPoolExecutor(max_workers=policy.concurrency, thread_name_prefix="getLogs")
        try:
            while expected <= end:
                now = time.monotonic()
                while len(in_flight) < (1 if probing else self.limit):
                    width = max(policy.min_span, min(self.span, self.ceiling))
                    if queue and queue[0].not_before <= now:
                        tile = heapq.heappop(queue)
                        if tile.width > width:  # what is known now says: smaller
                            heapq.heappush(
                                queue, _Tile(tile.start + width, tile.end, tile.failures)
                            )
                            tile = _Tile(tile.start, tile.start + width - 1, tile.failures)
                    elif cursor <= end and len(in_flight) + len(ready) < window:
                        tile = _Tile(cursor, min(end, cursor + width - 1))
                        cursor = tile.end + 1
                    else:  # nothing to send, or far enough ahead: memory stays bounded
                        break
                    tile.sent_at = now
                    self.stats.requests += 1
                    in_flight[pool.submit(self._attempt, tile)] = tile
                if expected in ready:  # one chunk to the caller, then top up the requests
                    chunk = ready.pop(expected)
                    expected = chunk.end + 1
                    yield chunk
                    continue
                timeout = max(0.0, queue[0].not_before - now) if queue else None
                if not in_flight:
                    time.sleep(timeout or 0.0)
                    continue
                done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
                now = time.monotonic()
                for future in done:
                    tile = in_flight.pop(future)
                    outcome = future.result()
                    if isinstance(outcome, list):
                        self._succeeded(tile, len(outcome))
                        ready[tile.start] = LogChunk(tile.start, tile.end, outcome)
                        probing = False
                    elif isinstance(outcome, TransientRpcError) and not isinstance(
                        outcome, RpcTimeout
                    ):
                        heapq.heappush(queue, self._failed(tile, outcome, now))
                    elif is_range_refusal(outcome):
                        pieces = self._refused(tile, outcome)
                        if tile.end + 1 == cursor:  # the newest tile: the rest is cut anew
                            cursor, pieces = pieces[1].start, pieces[:1]
                        for piece in pieces:
                            heapq.heappush(queue, piece)
                        probing = False
                    else:
                        raise outcome
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def fetch_all(self, start: int, end: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for chunk in self.chunks(start, end):
            out.extend(chunk.logs)
        return out
