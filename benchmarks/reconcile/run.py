"""Reconciliation benchmark: 10,000 holders and 100,000 transfers over ~50,000 blocks.

    .venv/bin/python benchmarks/reconcile/run.py [--concurrency C] [--rebuild] [--no-results]

The chain is built once (``fixture.py``) and reloaded with ``--load-state``. In one run it
measures:

1. **Local node** (no limits, no latency), as before: a cold reconcile against one bare
   ``eth_getLogs`` over the whole range (goal: <= 1.5x), and a warm one with no new blocks.
2. **Through a hosted provider's limits** (``tests/captable/provider.py`` in a process of its
   own: at most 2,000 blocks and 10,000 logs per ``eth_getLogs``, 50 ms per request, a rate
   limit answered 429 + Retry-After, 1% of requests answered 5xx):
   - the reference: the best fetch a simple client can do under the same limits: the fewest
     ranges that fit both caps (computed beforehand from where the logs are), all fetched with
     the same concurrency, JSON decoded, nothing else (429 and 5xx retried as they come);
   - a cold reconcile (empty cache; goal: <= 1.3x the reference), twice, interleaved;
   - a warm reconcile after 100 new blocks (goal: < 1 s);
   - the ledger as of a past block from the warm cache (what entitlements at a record date need);
   - peak Python memory of a cold read of the whole history and of its first half.
3. **A tight rate limit** (3 requests/s): the same reference and cold reconcile, with 429s.
4. **The JSON-RPC client** (issue 20.6): the reference's ranges fetched by the toolkit's client,
   by web3's ``HTTPProvider.make_request`` and by ``w3.eth.get_logs``, and a batch of
   ``lockedBalanceOf`` calls by the client and by ``w3.batch_requests()``.

Prints tables and writes RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import fixture  # noqa: E402

from tests.captable.provider import ProviderLimits, provider_process  # noqa: E402
from toolkit.captable.api import CapTableSession, open_session  # noqa: E402
from toolkit.captable.events import INDEXED_TOPICS  # noqa: E402
from toolkit.captable.indexer import LOCKED_BALANCE_OF  # noqa: E402
from toolkit.captable.log_reader import DEFAULT_CONCURRENCY  # noqa: E402
from toolkit.chain.rpc import JsonRpcClient  # noqa: E402

GOAL_LOCAL_RATIO = 1.5
GOAL_PROVIDER_RATIO = 1.3
GOAL_WARM_S = 1.0
NEW_BLOCKS = 100
ROUNDS = 3  # cold runs (and references) per setting; the best of each is compared

PROVIDER = ProviderLimits(
    max_block_range=2_000, max_logs=10_000, latency=0.05, rate_limit=50, burst=10, error_rate=0.01, style="infura", seed=1
)
TIGHT = ProviderLimits(
    max_block_range=2_000, max_logs=10_000, latency=0.05, rate_limit=3, burst=2, error_rate=0.01, style="infura", seed=2
)
CLEAN = ProviderLimits(max_block_range=2_000, max_logs=10_000, latency=0.05, style="infura")


@dataclass
class Run:
    seconds: float
    logs: int = 0
    clean: bool = True
    note: str = ""
    cpu: float = 0.0  # CPU seconds of this process (all threads): does not depend on the load


def log_filter(addresses: list[str], start: int, end: int) -> dict[str, Any]:
    return {"fromBlock": hex(start), "toBlock": hex(end), "address": addresses, "topics": [list(INDEXED_TOPICS)]}


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


# --- the reference -------------------------------------------------------------------------


def fewest_ranges(blocks_of_logs: list[int], start: int, end: int, max_range: int, max_logs: int) -> list[tuple[int, int]]:
    """The fewest consecutive ranges covering [start, end] that each fit both caps (greedy)."""
    per_block = Counter(blocks_of_logs)
    ranges: list[tuple[int, int]] = []
    first, count = start, 0
    for block in range(start, end + 1):
        here = per_block.get(block, 0)
        if block - first + 1 > max_range or count + here > max_logs:
            ranges.append((first, block - 1))
            first, count = block, 0
        count += here
    ranges.append((first, end))
    return ranges


def fetch_ranges(fetch_one: Callable[[tuple[int, int]], int], ranges: list[tuple[int, int]], concurrency: int) -> tuple[float, int]:
    """All ranges fetched with ``concurrency`` workers: (seconds, logs)."""
    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        logs = sum(pool.map(fetch_one, ranges))
    return time.perf_counter() - began, logs


def reference(url: str, addresses: list[str], ranges: list[tuple[int, int]], concurrency: int) -> Run:
    client = JsonRpcClient(url, timeout=600)
    cpu = time.process_time()
    try:
        seconds, logs = fetch_ranges(lambda r: len(client.call("eth_getLogs", [log_filter(addresses, *r)])), ranges, concurrency)
    finally:
        client.close()
    return Run(seconds, logs, cpu=time.process_time() - cpu)


# --- reconciles ----------------------------------------------------------------------------


def session(url: str, workdir: Path, *, local: bool, concurrency: int) -> CapTableSession:
    return open_session(rpc_url=url, chain_id=31337, is_local=local, cwd=workdir, confirmations=0, concurrency=concurrency)


def reconcile_once(url: str, workdir: Path, register: Path, *, local: bool, concurrency: int, as_of: int | None = None) -> Run:
    began, cpu = time.perf_counter(), time.process_time()
    with session(url, workdir, local=local, concurrency=concurrency) as s:
        result = s.reconcile(register, as_of)
        report = s.indexer.report
    note = (
        f"{report.log_requests} getLogs requests, {report.refusals} refused, "
        f"{report.rate_limited} x 429, {report.retries} x 5xx"
        + (f"; paced down to {report.lowest_rate:.1f} requests/s" if report.lowest_rate is not None else "")
    )
    return Run(time.perf_counter() - began, report.logs, result.clean, note, time.process_time() - cpu)


def cold(url: str, workdir: Path, register: Path, *, local: bool, concurrency: int) -> Run:
    shutil.rmtree(workdir / ".equity", ignore_errors=True)
    return reconcile_once(url, workdir, register, local=local, concurrency=concurrency)


def peak_memory(url: str, workdir: Path, as_of: int | None, concurrency: int) -> int:
    """Peak Python memory of a cold read of the history up to ``as_of`` through the provider."""
    shutil.rmtree(workdir / ".equity", ignore_errors=True)
    gc.collect()
    tracemalloc.start()
    try:
        with session(url, workdir, local=False, concurrency=concurrency) as s:
            s.indexer.sync(confirmations=0, as_of=as_of)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def add_blocks(url: str, wallets: tuple[str, str], token: str, count: int) -> None:
    """``count`` new blocks, each with one transfer; they go back and forth, so the register
    still matches (the reconcile stays clean, which checks that they were all read)."""
    client = JsonRpcClient(url)
    transfer = "0xa9059cbb"
    for sender in wallets:
        client.call("anvil_impersonateAccount", [sender])
    for i in range(count):
        sender, receiver = wallets if i % 2 == 0 else wallets[::-1]
        data = transfer + receiver[2:].rjust(64, "0") + f"{1:064x}"
        tx = client.call("eth_sendTransaction", [{"from": sender, "to": token, "data": data, "gas": hex(300_000)}])
        receipt = None
        while receipt is None:  # a forked anvil mines on its own time
            receipt = client.call("eth_getTransactionReceipt", [tx])
        assert receipt["status"] == "0x1", receipt
    client.close()


# --- issue 20.6: the JSON-RPC client -------------------------------------------------------


def client_comparison(url: str, addresses: list[str], ranges: list[tuple[int, int]], concurrency: int, calls: list[tuple[str, list[Any]]]) -> list[tuple[str, str, str]]:
    from web3 import Web3

    rows: list[tuple[str, str, str]] = []
    mine_run = reference(url, addresses, ranges, concurrency)
    mine, mine_logs = mine_run.seconds, mine_run.logs
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 600}))

    def raw(r: tuple[int, int]) -> int:
        return len(w3.provider.make_request("eth_getLogs", [log_filter(addresses, *r)])["result"])  # type: ignore[arg-type]

    def formatted(r: tuple[int, int]) -> int:
        query = {"fromBlock": r[0], "toBlock": r[1], "address": [Web3.to_checksum_address(a) for a in addresses], "topics": [list(INDEXED_TOPICS)]}
        return len(w3.eth.get_logs(query))  # type: ignore[arg-type]

    web3_raw, raw_logs = fetch_ranges(raw, ranges, concurrency)
    web3_formatted, formatted_logs = fetch_ranges(formatted, ranges, concurrency)
    assert mine_logs == raw_logs == formatted_logs, (mine_logs, raw_logs, formatted_logs)
    rows += [
        ("eth_getLogs, reference ranges: toolkit client (JsonRpcClient)", f"{mine:.2f} s", f"{mine_logs:,} logs, 1.00x"),
        ("eth_getLogs, same: web3 HTTPProvider.make_request (raw dicts)", f"{web3_raw:.2f} s", f"{web3_raw / mine:.2f}x"),
        ("eth_getLogs, same: w3.eth.get_logs (formatted)", f"{web3_formatted:.2f} s", f"{web3_formatted / mine:.2f}x"),
    ]

    client = JsonRpcClient(url, timeout=600)
    mine_batch = min(timed(lambda: client.batch(calls))[0] for _ in range(3))
    client.close()

    def web3_batch() -> None:
        for start in range(0, len(calls), 500):
            with w3.batch_requests() as batch:
                for _method, params in calls[start : start + 500]:
                    batch.add(w3.eth.call(params[0], int(params[1], 16)))
                batch.execute()

    web3_batched = min(timed(web3_batch)[0] for _ in range(3))
    rows += [
        (f"{len(calls):,} lockedBalanceOf: toolkit client batch", f"{mine_batch:.3f} s", "batches of 500, sent concurrently, 1.00x"),
        (f"{len(calls):,} lockedBalanceOf: w3.batch_requests()", f"{web3_batched:.3f} s", f"batches of 500, one after the other, {web3_batched / mine_batch:.2f}x"),
    ]
    return rows


# --- the run -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--rebuild", action="store_true", help="build the fixture again")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    c = args.concurrency

    info = fixture.load()
    if args.rebuild or info is None or (info.holders, info.transfers) != (args.holders, args.transfers):
        print("building the fixture (once; about ten minutes)")
        info = fixture.build(args.holders, args.transfers)
    assert info is not None

    local: list[tuple[str, str, str]] = []
    provider: list[tuple[str, str, str]] = []
    tight: list[tuple[str, str, str]] = []
    verdicts: list[str] = []
    began = time.perf_counter()
    with fixture.loaded() as node:
        load_s = time.perf_counter() - began
        url = node.rpc_url
        work = Path(tempfile.mkdtemp(prefix="equity-bench-"))
        try:
            shutil.copytree(info.workdir / "deployments", work / "deployments")
            register = info.register
            with session(url, work, local=True, concurrency=c) as s:
                deployment = s.deployment
            addresses = list(deployment.sources())
            start = deployment.deploy_block
            head = int(JsonRpcClient(url).call("eth_blockNumber"), 16)
            assert head == info.head, f"the loaded chain is at {head}, the fixture at {info.head}"

            # 1. local node
            client = JsonRpcClient(url, timeout=600)
            bare_1, all_logs = timed(lambda: client.call("eth_getLogs", [log_filter(addresses, start, head)]))
            blocks_of_logs = [int(log["blockNumber"], 16) for log in all_logs]
            logs = len(all_logs)
            del all_logs
            local_cold = [cold(url, work, register, local=True, concurrency=c) for _ in range(ROUNDS)]
            bare_2, _ = timed(lambda: client.call("eth_getLogs", [log_filter(addresses, start, head)]))
            client.close()
            local_warm = [reconcile_once(url, work, register, local=True, concurrency=c) for _ in range(3)]
            assert all(r.clean and r.logs == logs for r in local_cold), local_cold
            bare = min(bare_1, bare_2)
            local_best = min(r.seconds for r in local_cold)
            local_ratio = local_best / bare
            local += [
                ("bare eth_getLogs, whole range in one request (min of 2)", f"{bare:.2f} s", f"runs {bare_1:.2f}, {bare_2:.2f} s"),
                (f"cold reconcile, concurrency {c} (min of {ROUNDS})", f"{local_best:.2f} s", f"runs {', '.join(f'{r.seconds:.2f}' for r in local_cold)} s; {local_ratio:.2f}x the bare fetch (goal <= {GOAL_LOCAL_RATIO})"),
                ("warm reconcile, no new blocks (best of 3)", f"{min(r.seconds for r in local_warm):.3f} s", ""),
            ]
            verdicts.append(f"local: cold/bare {local_ratio:.2f} {'meets' if local_ratio <= GOAL_LOCAL_RATIO else 'MISSES'} the goal of {GOAL_LOCAL_RATIO}")

            # 2. through the provider
            ranges = fewest_ranges(blocks_of_logs, start, head, PROVIDER.max_block_range or head, PROVIDER.max_logs or logs)
            with provider_process(url, PROVIDER) as proxied:
                refs, colds = [], []
                for _ in range(ROUNDS):
                    refs.append(reference(proxied, addresses, ranges, c))
                    colds.append(cold(proxied, work, register, local=False, concurrency=c))
                assert all(r.logs == logs for r in refs) and all(r.clean and r.logs == logs for r in colds), (refs, colds)
                ref_best = min(r.seconds for r in refs)
                cold_best = min(colds, key=lambda r: r.seconds)
                ratio = cold_best.seconds / ref_best
                provider += [
                    (f"reference: {len(ranges)} ranges, concurrency {c}, nothing else (min of {ROUNDS})", f"{ref_best:.2f} s", f"runs {', '.join(f'{r.seconds:.2f}' for r in refs)} s; CPU {min(r.cpu for r in refs):.2f} s"),
                    (f"cold reconcile, concurrency {c} (min of {ROUNDS})", f"{cold_best.seconds:.2f} s", f"runs {', '.join(f'{r.seconds:.2f}' for r in colds)} s; {ratio:.2f}x the reference (goal <= {GOAL_PROVIDER_RATIO}); CPU {min(r.cpu for r in colds):.2f} s; {cold_best.note}"),
                ]
                verdicts.append(f"provider: cold/reference {ratio:.2f} {'meets' if ratio <= GOAL_PROVIDER_RATIO else 'MISSES'} the goal of {GOAL_PROVIDER_RATIO}")

                token = deployment.class_by_id("COMMON").address  # type: ignore[union-attr]
                pair = (fixture.holder_wallet(0), fixture.holder_wallet(1))
                warm = []
                for _ in range(3):
                    add_blocks(url, pair, token, NEW_BLOCKS)
                    warm.append(reconcile_once(proxied, work, register, local=False, concurrency=c))
                assert all(r.clean and r.logs == NEW_BLOCKS for r in warm), warm
                warm_best = min(r.seconds for r in warm)
                provider.append((f"warm reconcile, {NEW_BLOCKS} new blocks (best of 3)", f"{warm_best:.3f} s", f"runs {', '.join(f'{r.seconds:.3f}' for r in warm)} s (goal < {GOAL_WARM_S:.0f} s)"))
                verdicts.append(f"provider: warm {warm_best:.3f} s {'meets' if warm_best < GOAL_WARM_S else 'MISSES'} the goal of {GOAL_WARM_S:.0f} s")

                middle = start + (head - start) // 2
                with session(proxied, work, local=False, concurrency=c) as s:
                    as_of_s, _ = timed(lambda: s.indexer.sync(confirmations=0, as_of=middle))
                    replayed = s.indexer.report.replayed
                provider.append((f"ledger as of block {middle:,} from the warm cache", f"{as_of_s:.2f} s", f"journal replayed: {replayed}, no logs read"))

                peak_full = peak_memory(proxied, work, None, c)
                peak_half = peak_memory(proxied, work, middle, c)
                half_logs = sum(1 for b in blocks_of_logs if b <= middle)
                provider += [
                    ("peak Python memory, cold read of the whole history", f"{peak_full / 2**20:.1f} MiB", f"{logs:,} logs"),
                    ("peak Python memory, cold read of the first half", f"{peak_half / 2**20:.1f} MiB", f"{half_logs:,} logs, the same holders"),
                ]
                ledger = None
                with session(proxied, work, local=False, concurrency=c) as s:
                    ledger, block, timestamp = s.indexer.sync(confirmations=0)
                positions = ledger.positions_possibly_locked_at(timestamp)
                address = {cl.id: cl.address for cl in deployment.classes}
                calls = [("eth_call", [{"to": address[cid], "data": LOCKED_BALANCE_OF + "0" * 24 + w[2:]}, hex(block)]) for cid, w in positions]

            # 3. a tight rate limit
            with provider_process(url, TIGHT) as proxied:
                ref_s = reference(proxied, addresses, ranges, c).seconds
                tight_cold = cold(proxied, work, register, local=False, concurrency=c)
                assert tight_cold.clean and tight_cold.logs == logs + 3 * NEW_BLOCKS
                tight += [
                    (f"reference, concurrency {c}", f"{ref_s:.2f} s", "429s answered after Retry-After"),
                    (f"cold reconcile, concurrency {c}", f"{tight_cold.seconds:.2f} s", f"{tight_cold.seconds / ref_s:.2f}x the reference; {tight_cold.note}"),
                ]

            # 4. the JSON-RPC client
            with provider_process(url, CLEAN) as proxied:
                clients = client_comparison(proxied, addresses, ranges, c, calls)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    history = [
        ("holders", f"{info.holders:,}", ""),
        ("transfers", f"{info.transfers:,}", ""),
        ("blocks", f"{head - start + 1:,}", f"{start} to {head}"),
        ("logs", f"{logs:,}", ""),
        ("anvil --load-state", f"{load_s:.1f} s", "not measured below"),
        ("max RSS of the benchmark process", f"{rss_mb:.0f} MiB", "includes the tracemalloc runs"),
    ]

    def limits_text(limits: ProviderLimits) -> str:
        return (
            f"at most {limits.max_block_range:,} blocks and {limits.max_logs:,} logs per eth_getLogs ({limits.style} errors), "
            f"{limits.latency * 1000:.0f} ms per request"
            + (f", {limits.rate_limit:g} requests/s (burst {limits.burst}) else 429 + Retry-After" if limits.rate_limit else "")
            + (f", {limits.error_rate:.0%} of requests 5xx" if limits.error_rate else "")
        )

    sections = [
        ("The history", "", history),
        ("1. Local anvil (no limits, no latency)", "", local),
        ("2. Through a provider", limits_text(PROVIDER), provider),
        ("3. A tight rate limit", limits_text(TIGHT), tight),
        ("4. The JSON-RPC client (issue 20.6)", limits_text(CLEAN), clients),
    ]
    for title, note, rows in sections:
        print(f"\n{title}" + (f" ({note})" if note else ""))
        width = max(len(r[0]) for r in rows)
        for name, value, extra in rows:
            print(f"  {name:<{width}}  {value:>10}  {extra}")
    print("\n" + "\n".join(verdicts))
    if not args.no_results:
        lines = [
            "# Reconciliation benchmark",
            "",
            f"`benchmarks/reconcile/run.py`, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, Python {platform.python_version()}, "
            f"{platform.machine()}, anvil (`--load-state`), concurrency {c}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
            "at the end. One run: every figure below comes from it.",
            "",
        ]
        for title, note, rows in sections:
            lines += [f"## {title}", ""] + ([note, ""] if note else [])
            lines += ["| measure | value | note |", "|---|---:|---|", *[f"| {a} | {b} | {n} |" for a, b, n in rows], ""]
        lines += ["## Verdicts", "", *[f"- {v}" for v in verdicts], ""]
        (HERE / "RESULTS.md").write_text("\n".join(lines))
        print(f"\nwrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
