"""The indexer: an offering's events, read incrementally and reorg-safely into a ledger.

A run:

1. asks for the chain head and checks that the cached head block still has the hash it had
   (one batch request). If not, a reorg replaced blocks the cache holds: the newest stored
   block hash that still matches is the fork point, the journal is cut there and the
   ledger re-folded from it (or, when no stored hash matches, everything is re-read);
2. reads the logs of the blocks after the cached head up to the newest *final* block
   (``head - confirmations``), folds them into the ledger as they arrive and appends them to
   the journal; the state is saved only after that, so a killed run costs nothing;
3. reads blocks after the final head up to the requested one (if any) without caching them;
4. for an ``--as-of`` block before the cached head, re-folds the journal up to that block.

Locked shares at the block are read by batches of ``lockedBalanceOf`` calls at that block,
for only the positions whose lock horizon has not passed (``Ledger``): halfway through a long
read for the positions locked so far, in the background (the answers are in when the fold
ends, instead of one more round trip after it), then for any position locked later.

Logs are read by ``LogReader``: concurrent range requests within the provider's limits, each
block folded once and in order. Every other read is a batch where it can be (the head check,
the locked balances, the block search of ``--as-of DATE``), and every request is retried on
a transient failure (``RetryPolicy``).

Memory holds the ledger (bounded by holders) and a few chunks of logs at a time.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from eth_hash.auto import keccak

from toolkit.captable.cache import CacheState, IndexCache
from toolkit.captable.deployment import OfferingDeployment
from toolkit.captable.events import INDEXED_TOPICS, Event, LogDecoder, from_record
from toolkit.captable.ledger import Ledger
from toolkit.captable.log_fold import fold_logs, fold_records
from toolkit.captable.log_reader import LogReader, RangePolicy
from toolkit.chain.rpc import JsonRpcClient, RetryPolicy, RpcError
from toolkit.errors import ChainError, UsageError

LOCKED_BALANCE_OF = "0x" + keccak(b"lockedBalanceOf(address)").hex()[:8]
CATEGORY_OF = "0x" + keccak(b"categoryOf(address)").hex()[:8]
AUTHORIZED = "0x" + keccak(b"authorized()").hex()[:8]
NAME = "0x" + keccak(b"name()").hex()[:8]
SYMBOL = "0x" + keccak(b"symbol()").hex()[:8]


@dataclass(frozen=True)
class IndexedState:
    """The offering as of one block: the ledger, the block's time, and locked shares."""

    deployment: OfferingDeployment
    chain_id: int
    block: int
    timestamp: int
    ledger: Ledger
    locked: dict[tuple[str, str], int]
    class_info: dict[str, Any] = field(default_factory=dict)


@dataclass
class SyncReport:
    """What a run did (for tests, benchmarks and ``--verbose`` output)."""

    from_block: int = 0
    to_block: int = -1
    logs: int = 0
    reorg_at: int | None = None
    rebuilt: bool = False
    replayed: bool = False
    log_requests: int = 0  # eth_getLogs requests sent (retries and refused ones included)
    refusals: int = 0  # ranges the provider refused as too big
    rate_limited: int = 0  # answers 429
    retries: int = 0  # other transient failures sent again
    lowest_rate: float | None = None  # requests a second, where 429s made the reader pace
    locked_early: int = 0  # lockedBalanceOf answers asked while the last ranges were read


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause the cycle collector while logs are read and folded.

    A cold read allocates a few hundred thousand short-lived containers (the JSON of each
    chunk, a journal record per log) that reference counting frees on its own; none of them
    form cycles. Left on, the collector would walk them, and the ledger, over and over:
    about a third of the fold's time at 100,000 transfers.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _hash_of(block: Any) -> str | None:
    return str(block["hash"]) if isinstance(block, dict) else None


class Indexer:
    def __init__(
        self,
        client: JsonRpcClient,
        deployment: OfferingDeployment,
        cache: IndexCache,
        *,
        policy: RangePolicy | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.client = client
        self.deployment = deployment
        self.cache = cache
        self.policy = policy or RangePolicy()
        self.decoder = LogDecoder(deployment.sources())
        self.on_progress = on_progress
        self.report = SyncReport()
        self.unconfirmed: list[Event] = []  # events of the last sync's non-final blocks
        # called once before the first chunk is folded, while the first requests are out:
        # e.g. to wait for a register parsed meanwhile, whose errors then stop the read
        self.before_fold: Callable[[], object] | None = None
        # lockedBalanceOf at the target block, asked halfway through a long read for the
        # positions locked so far (see _ask_locked_early); locked_at asks only for the rest
        self._early_at: tuple[int, int] | None = None  # (block, timestamp) to ask at
        self._early: tuple[int, list[tuple[str, str]], Future[list[Any]]] | None = None
        self._early_pool: ThreadPoolExecutor | None = None

    @classmethod
    def for_offering(
        cls,
        rpc_url: str,
        deployment: OfferingDeployment,
        cwd: Path,
        *,
        retry: RetryPolicy | None = None,
        **kwargs: Any,
    ) -> Indexer:
        cache = IndexCache.for_offering(cwd, deployment.chain_id, deployment.name)
        return cls(JsonRpcClient(rpc_url, retry=retry), deployment, cache, **kwargs)

    def close(self) -> None:
        if self._early_pool is not None:
            self._early_pool.shutdown(wait=True, cancel_futures=True)
        self.cache.close()
        self.client.close()

    # --- state --------------------------------------------------------------------------

    def _fresh(self) -> CacheState:
        ids = self.deployment.class_ids()
        return CacheState(
            self.deployment.fingerprint(), self.deployment.deploy_block - 1, None, Ledger.empty(ids)
        )

    def _load(self) -> CacheState:
        state = self.cache.load(self.deployment.fingerprint())
        if state is None:
            self.cache.reset()
            self.report.rebuilt = True
            return self._fresh()
        return state

    def _rewind(self, state: CacheState) -> CacheState:
        """The cached head is no longer canonical: fall back to the newest block that is."""
        candidates = [b for b, _ in state.checkpoints if b < state.head]
        answers = self.client.batch([("eth_getBlockByNumber", [hex(b), False]) for b in candidates])
        current = {b: _hash_of(a) for b, a in zip(candidates, answers, strict=True)}
        for block, stored in reversed(state.checkpoints):
            if block < state.head and current.get(block) == stored:
                self.report.reorg_at = block
                self.cache.cut_after(block)
                ledger = fold_records(
                    self.cache.records(), Ledger.empty(self.deployment.class_ids())
                )
                rewound = CacheState(
                    state.fingerprint,
                    block,
                    stored,
                    ledger,
                    [c for c in state.checkpoints if c[0] <= block],
                    class_info=state.class_info,
                )
                self.cache.save(rewound)
                return rewound
        self.report.reorg_at = self.deployment.deploy_block
        self.report.rebuilt = True
        self.cache.reset()
        return self._fresh()

    # --- reading ------------------------------------------------------------------------

    def _fold_range(
        self, ledger: Ledger, start: int, end: int, *, journal: bool, state: CacheState | None
    ) -> None:
        reader = LogReader(
            self.client, list(self.deployment.sources()), INDEXED_TOPICS, self.policy
        )
        try:
            self._fold_chunks(reader, ledger, start, end, journal=journal, state=state)
        finally:
            report, stats = self.report, reader.stats
            report.log_requests += stats.requests
            report.refusals += stats.refusals
            report.rate_limited += stats.rate_limited
            report.retries += stats.retries
            if stats.lowest_rate is not None:
                lowest = report.lowest_rate
                report.lowest_rate = min(lowest or stats.lowest_rate, stats.lowest_rate)
        ledger.block = max(ledger.block, end)

    def _fold_chunks(
        self,
        reader: LogReader,
        ledger: Ledger,
        start: int,
        end: int,
        *,
        journal: bool,
        state: CacheState | None,
    ) -> None:
        with _cycle_collection_paused():
            for chunk in reader.chunks(start, end):
                if self.before_fold is not None:
                    gate, self.before_fold = self.before_fold, None
                    gate()
                records = fold_logs(chunk.logs, ledger, self.decoder)
                if not journal:
                    self.unconfirmed.extend(map(from_record, records))
                else:
                    self.cache.append(records)
                    if state is not None and records:
                        last = next(log for log in reversed(chunk.logs) if log.block_hash)
                        state.remember(int(last.block_number, 16), str(last.block_hash))
                self.report.logs += len(chunk.logs)
                if self.on_progress is not None:
                    self.on_progress(chunk.end - start + 1, end - start + 1)
                if chunk.end < end and 2 * (chunk.end - start + 1) >= end - start + 1:
                    self._ask_locked_early(ledger)

    def sync(self, *, confirmations: int, as_of: int | None = None) -> tuple[Ledger, int, int]:
        """Bring the cache up to the final head; the ledger at ``as_of`` (default: the final head).

        Returns (ledger, block, block timestamp).
        """
        if confirmations < 0:
            raise UsageError("--confirmations must be 0 or more", hint="e.g. --confirmations 12")
        self.report = SyncReport()
        self.unconfirmed = []
        state = self._load()
        # the head block itself (not just its number): with no confirmations it is the block
        # the run ends at, so its hash and time cost no second round trip
        head_check: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", ["latest", False])]
        if state.head_hash is not None:
            head_check.append(("eth_getBlockByNumber", [hex(state.head), False]))
        answers = self.client.batch_or_raise(head_check)
        if not isinstance(answers[0], dict):
            raise ChainError("the node has no latest block", hint="is the node synced?")
        latest = int(answers[0]["number"], 16)
        known = {latest: answers[0]}
        if state.head_hash is not None and _hash_of(answers[1]) != state.head_hash:
            state = self._rewind(state)
        final = latest - confirmations
        target = final if as_of is None else as_of
        if target > latest:
            raise UsageError(
                f"block {target} is in the future (the chain is at block {latest})",
                hint="give a block at or below the chain head",
            )
        if target < 0:
            raise UsageError(f"block {target} does not exist", hint="the first block is 0")

        block_data: Any = None
        self._early, self._early_at = None, None
        if target in known:  # its time is known: locks at it can be asked during the read
            self._early_at = (target, int(known[target]["timestamp"], 16))
        if target < state.head:
            self.report.replayed = True
            ledger = fold_records(
                self.cache.records(target), Ledger.empty(self.deployment.class_ids())
            )
            ledger.block = target
        else:
            ledger = state.ledger
            commit_to = min(target, final)
            if commit_to > state.head:
                self.report.from_block, self.report.to_block = state.head + 1, commit_to
                head_block = known.get(commit_to) or self.client.call(
                    "eth_getBlockByNumber", [hex(commit_to), False]
                )
                self._fold_range(ledger, state.head + 1, commit_to, journal=True, state=state)
                state.head = commit_to
                state.head_hash = _hash_of(head_block)
                if state.head_hash is not None:
                    state.remember(commit_to, state.head_hash)
                self.cache.save(state)
                if commit_to == target:
                    block_data = head_block
            if target > commit_to:  # not final yet: read, never cached
                self._fold_range(ledger, commit_to + 1, target, journal=False, state=None)
        if block_data is None:
            block_data = known.get(target) or self.client.call(
                "eth_getBlockByNumber", [hex(target), False]
            )
        if not isinstance(block_data, dict):
            raise ChainError(f"the node has no block {target}", hint="is the node synced?")
        self._state = state
        return ledger, target, int(block_data["timestamp"], 16)

    # --- reads at a block ---------------------------------------------------------------

    def _locked_calls(
        self, positions: list[tuple[str, str]], block: int
    ) -> list[tuple[str, list[Any]]]:
        address = {c.id: c.address for c in self.deployment.classes}
        return [
            (
                "eth_call",
                [
                    {"to": address[cid], "data": LOCKED_BALANCE_OF + "0" * 24 + wallet[2:]},
                    hex(block),
                ],
            )
            for cid, wallet in positions
        ]

    def _ask_locked_early(self, ledger: Ledger) -> None:
        """Once per read, halfway through: ask ``lockedBalanceOf`` at the target block for the
        positions a lock covers so far, in the background, so that the answers are in when
        the fold ends (grants come early in a history; a position locked later is asked for
        at the end, a position asked for that is not locked at the end is left out). Through
        a provider this saves the round trip of the batch after the last range."""
        if self._early_at is None:
            return
        (block, timestamp), self._early_at = self._early_at, None  # once
        positions = ledger.positions_possibly_locked_at(timestamp)
        if not positions:
            return
        if self._early_pool is None:
            self._early_pool = ThreadPoolExecutor(1, thread_name_prefix="locked")
        calls = self._locked_calls(positions, block)
        self._early = (block, positions, self._early_pool.submit(self.client.batch, calls))

    def _locked_asked_early(self, block: int) -> dict[tuple[str, str], Any]:
        """The answers asked for during the read at ``block`` (none if that failed: the
        positions are then asked again, and a real problem shows there)."""
        early, self._early = self._early, None
        if early is None or early[0] != block:
            return {}
        try:
            results = early[2].result()
        except Exception:  # noqa: BLE001 - asked again below, where an error is reported
            return {}
        answers = {
            key: result
            for key, result in zip(early[1], results, strict=True)
            if not isinstance(result, RpcError)  # asked again, and reported, at the end
        }
        self.report.locked_early = len(answers)
        return answers

    def locked_at(self, ledger: Ledger, block: int, timestamp: int) -> dict[tuple[str, str], int]:
        """``lockedBalanceOf`` at ``block`` for every position a lock may still cover."""
        positions = ledger.positions_possibly_locked_at(timestamp)
        asked = self._locked_asked_early(block)
        if not positions:
            return {}
        rest = [key for key in positions if key not in asked]
        if rest:
            asked.update(zip(rest, self.client.batch(self._locked_calls(rest, block)), strict=True))
        locked: dict[tuple[str, str], int] = {}
        for key in positions:
            result = asked[key]
            if isinstance(result, RpcError):
                raise ChainError(
                    f"lockedBalanceOf failed for {key[1]} in class {key[0]} at block {block}: {result.message}",
                    hint="the node may not keep state that old; use an archive node for --as-of",
                )
            value = int(result, 16) if result and result != "0x" else 0
            if value:
                locked[key] = value
        return locked

    def categories_at(self, wallets: list[str], block: int, timestamp: int) -> dict[str, int]:
        """The investor category (SPEC §15) of each wallet at ``block``, 0 when it has none or
        its category had lapsed by the block's time; wallets without one are left out."""
        if not wallets:
            return {}
        registry = self.deployment.registry
        calls = [
            ("eth_call", [{"to": registry, "data": CATEGORY_OF + "0" * 24 + w[2:]}, hex(block)])
            for w in wallets
        ]
        categories: dict[str, int] = {}
        for wallet, result in zip(wallets, self.client.batch(calls), strict=True):
            if isinstance(result, RpcError) or not result or len(result) < 130:
                continue  # a registry without categories (or state the node no longer keeps)
            category, until = int(result[2:66], 16), int(result[66:130], 16)
            if category and (until == 0 or timestamp < until):
                categories[wallet] = category
        return categories

    def class_info(self, block: int) -> dict[str, dict[str, Any]]:
        """Name and symbol of each class token (cached), and authorized shares at ``block``."""
        state = getattr(self, "_state", None)
        cached: dict[str, Any] = state.class_info if state is not None else {}
        calls: list[tuple[str, list[Any]]] = []
        wanted: list[tuple[str, str]] = []
        for cls in self.deployment.classes:
            if cls.id not in cached:
                for field_name, selector in (("name", NAME), ("symbol", SYMBOL)):
                    calls.append(("eth_call", [{"to": cls.address, "data": selector}, hex(block)]))
                    wanted.append((cls.id, field_name))
        if calls:
            from eth_abi import decode

            for (cid, field_name), result in zip(wanted, self.client.batch(calls), strict=True):
                text = ""
                if isinstance(result, str) and len(result) > 2:
                    text = str(decode(["string"], bytes.fromhex(result[2:]))[0])
                cached.setdefault(cid, {})[field_name] = text
            if state is not None:
                self.cache.save(state)
        return {cid: dict(info) for cid, info in cached.items()}

    def state_at(self, *, confirmations: int, as_of: int | None = None) -> IndexedState:
        ledger, block, timestamp = self.sync(confirmations=confirmations, as_of=as_of)
        locked = self.locked_at(ledger, block, timestamp)
        return IndexedState(
            self.deployment,
            self.deployment.chain_id,
            block,
            timestamp,
            ledger,
            locked,
        )

    # --- dates --------------------------------------------------------------------------

    def block_at_time(self, moment: datetime, *, fan_out: int = 16) -> int:
        """The last block with a timestamp at or before ``moment``.

        A search that asks for ``fan_out - 1`` blocks of the remaining interval in one batch
        per round: four round trips for 50,000 blocks instead of a binary search's sixteen.
        """
        target = int(moment.timestamp())
        latest = int(self.client.call("eth_blockNumber"), 16)
        low, high = 0, latest  # the answer is in [low, high] once block 0 is at or before target
        probes = self._probes(low, high, fan_out) | {0}
        while True:
            ordered = sorted(probes)
            answers = self.client.batch_or_raise(
                [("eth_getBlockByNumber", [hex(b), False]) for b in ordered]
            )
            times = {b: int(a["timestamp"], 16) for b, a in zip(ordered, answers, strict=True)}
            if 0 in times and times[0] > target:
                raise UsageError(
                    f"{moment.isoformat()} is before the chain's first block",
                    hint="give a later date",
                )
            for block, time in times.items():
                if time <= target:
                    low = max(low, block)
                else:
                    high = min(high, block - 1)
            if low >= high:
                return low
            probes = self._probes(low, high, fan_out)

    @staticmethod
    def _probes(low: int, high: int, fan_out: int) -> set[int]:
        """Blocks in ``(low, high]`` that cut it into ``fan_out`` parts (every one when fewer)."""
        step = max(1, (high - low) // fan_out)
        return {min(high, low + step * i) for i in range(1, fan_out)}
