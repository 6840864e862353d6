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
- **429**: the tile is sent again after ``Retry-After``, and from then on requests are
  *paced*: sent at most ``rate`` a second, a rate set below what the provider accepted in
  the last second and grown a little with every answer until the next 429 (as TCP's
  congestion control probes a link). A provider's limit is a rate, so a rate (not fewer
  requests in flight) is what meets it without wasting requests on refusals.
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
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from toolkit.captable.events import RawLog
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
MAX_IDLE_WAIT = 0.25  # the scheduler looks up at least this often (to notice a caller gone)
# pacing after a 429: the rate drops below what the provider accepted in the last second
# (or since the first request, if that is less), then grows a tenth of a request a second with
# every answer (by a tenth a second), until the next 429
RATE_WINDOW_S = 1.0
RATE_DECREASE = 0.8
RATE_GROWTH = 0.1
MIN_RATE = 0.2  # requests a second, at the slowest

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
    logs: list[RawLog]


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
    lowest_rate: float | None = None  # requests a second, when 429s made the reader pace itself


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
        self.limit = self.policy.concurrency  # requests in flight at most
        self._answered = False  # has any range been answered (so the density is known)?
        # pacing, from the first 429 on: requests a second, and no request before _paced_until
        self.rate: float | None = None
        self._paced_until = 0.0
        self._first_sent: float | None = None
        self._last_decrease = 0.0
        self._accepted: deque[float] = deque()  # when the provider answered other than 429
        self._lock = threading.Lock()
        self.stats = ReadStats()

    @property
    def refusals(self) -> int:
        return self.stats.refusals

    # --- one request (on a worker thread) -----------------------------------------------

    def _query(self, start: int, end: int) -> list[RawLog]:
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
            result=list[RawLog],
        )
        if not isinstance(result, list):
            raise ChainError(
                f"eth_getLogs answered {str(result)[:100]}", hint="check the RPC endpoint"
            )
        return result

    def _attempt(self, tile: _Tile) -> list[RawLog] | RpcError:
        try:
            return self._query(tile.start, tile.end)
        except RpcError as exc:  # settled on the scheduling thread
            return exc

    # --- outcomes (on the scheduler's thread) -------------------------------------------

    def _sent(self, now: float) -> None:
        if self._first_sent is None:
            self._first_sent = now
        if self.rate is not None:
            self._paced_until = max(self._paced_until, now) + 1.0 / self.rate

    def _succeeded(self, tile: _Tile, found: int) -> None:
        self._answered = True
        policy = self.policy
        estimate = tile.width * self.target // max(found, 1)
        self.span = max(
            policy.min_span, min(self.ceiling, tile.width * policy.max_growth, estimate)
        )
        if self.rate is not None:
            self.rate += RATE_GROWTH

    def _accepted_at(self, now: float) -> None:
        """The provider answered (other than 429): counted for a second."""
        accepted = self._accepted
        accepted.append(now)
        while accepted[0] < now - RATE_WINDOW_S:
            accepted.popleft()

    def _rate_limited(self, tile: _Tile, now: float) -> None:
        """Pace the requests below the rate the provider accepted in the last second.

        Once per round (a 429 to a request sent before the last decrease says nothing new).
        The range itself waits for the ``Retry-After`` the provider asked for.
        """
        self.stats.rate_limited += 1
        if tile.sent_at < self._last_decrease:
            return
        accepted = self._accepted
        while accepted and accepted[0] < now - RATE_WINDOW_S:
            accepted.popleft()
        window = min(RATE_WINDOW_S, now - (self._first_sent or now))
        observed = max(1, len(accepted)) / max(window, 0.001)
        rate = min(self.rate or observed, observed) * RATE_DECREASE
        self.rate = max(MIN_RATE, rate)
        lowest = self.stats.lowest_rate
        self.stats.lowest_rate = self.rate if lowest is None else min(lowest, self.rate)
        self._paced_until = now + 1.0 / self.rate
        self._last_decrease = now

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
            self._rate_limited(tile, now)
        else:
            self.stats.retries += 1
        tile.not_before = now + self.retry.wait(tile.failures, error)
        return tile

    # --- the read -----------------------------------------------------------------------

    def chunks(self, start: int, end: int) -> Iterator[LogChunk]:
        """Every log in ``[start, end]``, in order, as consecutive chunks, each block once.

        The requests are scheduled on a thread of their own, so they go on while the caller
        works on a chunk (a caller that folds a burst of dense chunks would otherwise leave
        the provider idle); the chunks wait for the caller in a hand-off queue that counts
        toward the window.
        """
        if start > end:
            return
        handoff: queue.SimpleQueue[LogChunk | Exception | None] = queue.SimpleQueue()
        taken = threading.Event()  # the caller took a chunk: the window has room again
        stop = threading.Event()  # the caller is gone: stop scheduling
        pending = [0]  # chunks handed off and not yet taken

        def schedule() -> None:
            try:
                for chunk in self._schedule(start, end, pending, taken, stop):
                    with self._lock:
                        pending[0] += 1
                    handoff.put(chunk)
                handoff.put(None)
            except Exception as exc:  # noqa: BLE001 - raised again on the caller's thread
                handoff.put(exc)

        scheduler = threading.Thread(target=schedule, name="getLogs-scheduler", daemon=True)
        scheduler.start()
        try:
            while (item := handoff.get()) is not None:
                if isinstance(item, Exception):
                    raise item
                with self._lock:
                    pending[0] -= 1
                taken.set()
                yield item
        finally:
            stop.set()
            scheduler.join()

    def _schedule(
        self,
        start: int,
        end: int,
        pending: list[int],
        taken: threading.Event,
        stop: threading.Event,
    ) -> Iterator[LogChunk]:
        """The chunks of ``[start, end]`` in order, as their requests are answered (on the
        scheduler thread)."""
        policy = self.policy
        window = WINDOW_PER_WORKER * policy.concurrency
        probing = True  # one request alone until an answer says what the provider allows
        cursor = start  # the first block not yet in any tile
        expected = start  # the first block not yet handed to the caller
        # tiles to send (again), by start block: pieces of refused or failed tiles, all
        # before ``cursor``, so they are sent first and regardless of the window
        retry: list[_Tile] = []
        ready: dict[int, LogChunk] = {}
        in_flight: dict[Future[list[RawLog] | RpcError], _Tile] = {}
        pool = ThreadPoolExecutor(max_workers=policy.concurrency, thread_name_prefix="getLogs")
        try:
            while expected <= end and not stop.is_set():
                taken.clear()
                now = time.monotonic()
                wake = retry[0].not_before if retry else None  # when to look again
                while len(in_flight) < (1 if probing else self.limit):
                    if self._paced_until > now:  # a rate limit was met: one request per pace
                        wake = min(wake or self._paced_until, self._paced_until)
                        break
                    width = max(policy.min_span, min(self.span, self.ceiling))
                    if retry and retry[0].not_before <= now:
                        tile = heapq.heappop(retry)
                        if tile.width > width:  # what is known now says: smaller
                            heapq.heappush(
                                retry, _Tile(tile.start + width, tile.end, tile.failures)
                            )
                            tile = _Tile(tile.start, tile.start + width - 1, tile.failures)
                    elif cursor <= end and len(in_flight) + len(ready) + pending[0] < window:
                        tile = _Tile(cursor, min(end, cursor + width - 1))
                        cursor = tile.end + 1
                    else:  # nothing to send, or far enough ahead: memory stays bounded
                        break
                    tile.sent_at = now
                    self.stats.requests += 1
                    self._sent(now)
                    in_flight[pool.submit(self._attempt, tile)] = tile
                if expected in ready:  # one chunk to the caller, then top up the requests
                    chunk = ready.pop(expected)
                    expected = chunk.end + 1
                    yield chunk
                    continue
                timeout = MAX_IDLE_WAIT if wake is None else min(MAX_IDLE_WAIT, wake - now)
                if not in_flight:  # waiting for the caller to take a chunk, or for a time
                    taken.wait(max(0.0, timeout))
                    continue
                done, _ = wait(in_flight, timeout=max(0.0, timeout), return_when=FIRST_COMPLETED)
                now = time.monotonic()
                for future in done:
                    tile = in_flight.pop(future)
                    outcome = future.result()
                    if not isinstance(outcome, RateLimited):
                        self._accepted_at(now)
                    if isinstance(outcome, list):
                        self._succeeded(tile, len(outcome))
                        ready[tile.start] = LogChunk(tile.start, tile.end, outcome)
                        probing = False
                    elif isinstance(outcome, TransientRpcError) and not isinstance(
                        outcome, RpcTimeout
                    ):
                        heapq.heappush(retry, self._failed(tile, outcome, now))
                    elif is_range_refusal(outcome):
                        pieces = self._refused(tile, outcome)
                        if tile.end + 1 == cursor:  # the newest tile: the rest is cut anew
                            cursor, pieces = pieces[1].start, pieces[:1]
                        for piece in pieces:
                            heapq.heappush(retry, piece)
                        probing = False
                    else:
                        raise outcome
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def fetch_all(self, start: int, end: int) -> list[RawLog]:
        out: list[RawLog] = []
        for chunk in self.chunks(start, end):
            out.extend(chunk.logs)
        return out
