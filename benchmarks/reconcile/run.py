"""Reconciliation benchmark: 10,000 holders and 100,000 transfers on anvil.

    .venv/bin/python benchmarks/reconcile/run.py [--holders N] [--transfers M] [--rebuild]

The chain is built once (``fixture.py``) and reloaded with ``--load-state``. In one run it
measures:

- a bare ``eth_getLogs`` of the offering's logs (one request over the whole range, JSON
  decoded, nothing else), before and after the reconciliations;
- a cold reconcile (empty cache: read every log, fold, journal, read locks, compare with the
  register);
- a warm reconcile with no new blocks (cache only: head check, lock reads, comparison);
- peak Python memory (tracemalloc) of a cold read of the whole history and of the first half
  of it: the same holders, half the events. Equal peaks mean memory follows holders, not
  history.

Goals: cold <= 1.5 x the bare fetch; warm < 1 s. Prints a table and writes RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

import fixture  # noqa: E402

from toolkit.captable.api import CapTableSession, open_session  # noqa: E402
from toolkit.captable.events import INDEXED_TOPICS  # noqa: E402
from toolkit.captable.rpc import JsonRpcClient  # noqa: E402

GOAL_COLD_RATIO = 1.5
GOAL_WARM_S = 1.0


def session(rpc_url: str, workdir: Path) -> CapTableSession:
    return open_session(rpc_url=rpc_url, chain_id=31337, is_local=True, cwd=workdir)


def bare_fetch(rpc_url: str, addresses: list[str], start: int, end: int) -> tuple[float, int]:
    client = JsonRpcClient(rpc_url, timeout=600)
    try:
        began = time.perf_counter()
        logs = client.call(
            "eth_getLogs",
            [{"fromBlock": hex(start), "toBlock": hex(end), "address": addresses, "topics": [list(INDEXED_TOPICS)]}],
        )
        elapsed = time.perf_counter() - began
    finally:
        client.close()
    return elapsed, len(logs)


def reconcile_once(rpc_url: str, workdir: Path, register: Path, as_of: int | None = None) -> tuple[float, int, bool, int]:
    """(seconds, logs read, clean, discrepancies)."""
    began = time.perf_counter()
    with session(rpc_url, workdir) as s:
        result = s.reconcile(register, as_of)
        logs = s.indexer.report.logs
    return time.perf_counter() - began, logs, result.clean, len(result.discrepancies)


def peak_memory(rpc_url: str, workdir: Path, as_of: int | None) -> int:
    """Peak Python memory of a cold read of the history up to ``as_of`` (the part of a
    reconcile that grows with history; anvil after --load-state keeps no past state to read
    locks at, so the locks and the comparison are left out here)."""
    shutil.rmtree(workdir / ".equity", ignore_errors=True)
    gc.collect()
    tracemalloc.start()
    try:
        with session(rpc_url, workdir) as s:
            s.indexer.sync(confirmations=0, as_of=as_of)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the fixture again")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()

    info = fixture.load()
    if args.rebuild or info is None or (info.holders, info.transfers) != (args.holders, args.transfers):
        if info is not None and (info.holders, info.transfers) != (args.holders, args.transfers):
            print(f"the fixture has {info.holders} holders / {info.transfers} transfers: rebuilding")
        info = fixture.build(args.holders, args.transfers)
    assert info is not None

    began = time.perf_counter()
    with fixture.anvil("--load-state", str(info.state_file)) as node:
        load_s = time.perf_counter() - began
        url = node.rpc_url
        work = Path(tempfile.mkdtemp(prefix="equity-bench-"))
        try:
            shutil.copytree(info.workdir / "deployments", work / "deployments")
            register = info.register
            with session(url, work) as s:
                deployment = s.deployment
            addresses = list(deployment.sources())
            head = int(JsonRpcClient(url).call("eth_blockNumber"), 16)
            assert head == info.head, f"the loaded chain is at {head}, the fixture at {info.head}"

            bare_1, logs = bare_fetch(url, addresses, deployment.deploy_block, head)
            cold_s, cold_logs, clean, found = reconcile_once(url, work, register)
            if not clean:
                raise SystemExit(f"the register does not reconcile clean ({found} discrepancies): the fixture is wrong")
            assert cold_logs == logs, (cold_logs, logs)
            warm_runs = [reconcile_once(url, work, register) for _ in range(3)]
            warm_s = min(r[0] for r in warm_runs)
            assert all(r[1] == 0 and r[2] for r in warm_runs)
            bare_2, _ = bare_fetch(url, addresses, deployment.deploy_block, head)
            bare_s = min(bare_1, bare_2)
            middle = deployment.deploy_block + (head - deployment.deploy_block) // 2
            peak_full = peak_memory(url, work, None)
            peak_half = peak_memory(url, work, middle)
            _, half_logs = bare_fetch(url, addresses, deployment.deploy_block, middle)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    ratio = cold_s / bare_s
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("holders", f"{info.holders:,}", ""),
        ("transfers", f"{info.transfers:,}", ""),
        ("blocks", f"{head - deployment.deploy_block + 1:,}", ""),
        ("logs read", f"{logs:,}", ""),
        ("anvil --load-state", f"{load_s:.2f} s", "(not measured below)"),
        ("bare eth_getLogs (min of 2)", f"{bare_s:.2f} s", f"runs: {bare_1:.2f} s, {bare_2:.2f} s"),
        ("cold reconcile", f"{cold_s:.2f} s", f"ratio to bare fetch {ratio:.2f} (goal <= {GOAL_COLD_RATIO})"),
        ("warm reconcile, no new blocks", f"{warm_s:.3f} s", f"best of 3 (goal < {GOAL_WARM_S:.0f} s)"),
        ("peak Python memory, cold read of full history", f"{peak_full / 2**20:.1f} MiB", f"{logs:,} logs"),
        ("peak Python memory, cold read of half history", f"{peak_half / 2**20:.1f} MiB", f"{half_logs:,} logs, same holders"),
        ("max RSS of the benchmark process", f"{rss_mb:.0f} MiB", "includes the tracemalloc runs"),
    ]
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print()
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>{value_width}}  {note}")
    verdict = [
        f"cold/bare {ratio:.2f} {'meets' if ratio <= GOAL_COLD_RATIO else 'MISSES'} the goal of {GOAL_COLD_RATIO}",
        f"warm {warm_s:.3f} s {'meets' if warm_s < GOAL_WARM_S else 'MISSES'} the goal of {GOAL_WARM_S:.0f} s",
    ]
    print("\n" + "\n".join(verdict))
    if not args.no_results:
        lines = [
            "# Reconciliation benchmark",
            "",
            f"`benchmarks/reconcile/run.py`, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, "
            f"Python {platform.python_version()}, {platform.machine()}, anvil (local, `--load-state`).",
            "",
            "| measure | value | note |",
            "|---|---:|---|",
            *[f"| {name} | {value} | {note} |" for name, value, note in rows],
            "",
            *[f"- {v}" for v in verdict],
            "",
            "Cold: empty cache; every log read in adaptive chunks, decoded, folded, journalled; locked",
            "shares read by one batch of `lockedBalanceOf` at the block; the register compared.",
            "Warm: the same with the cache of the cold run and no new blocks.",
            "Bare: one `eth_getLogs` over the whole range with the same filter, JSON decoded, nothing else.",
            "",
        ]
        (HERE / "RESULTS.md").write_text("\n".join(lines))
        print(f"\nwrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
