"""The indexer through a hosted provider's limits and faults (``provider.ProviderProxy`` in
front of the session's real anvil): concurrent reads end in the cap table of a plain
sequential read, or in a clear error, never in another cap table."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.captable.conftest import DAY, Offering
from tests.captable.provider import ProviderLimits, ProviderProxy
from toolkit.captable.events import INDEXED_TOPICS
from toolkit.captable.indexer import IndexedState, Indexer
from toolkit.captable.log_reader import RangePolicy
from toolkit.chain.rpc import JsonRpcClient, ProviderUnavailable, RetryPolicy
from toolkit.cli.main import main
from toolkit.errors import ChainError

# retries scaled down for tests: a provider's Retry-After (whole seconds) is honoured up to 20 ms
QUICK = RetryPolicy(attempts=8, backoff=0.001, max_backoff=0.01, max_retry_after=0.02)


def spread_history(offering: Offering) -> None:
    """Every event the cap table reads, with runs of empty blocks between them."""
    a, b, c, d = offering.holders[:4]

    def gap(blocks: int) -> None:
        offering.w3.provider.make_request("anvil_mine", [hex(blocks), hex(12)])

    for wallet, investor in ((a, "INV-A"), (b, "INV-B"), (c, "INV-C"), (d, "INV-C")):
        offering.qualify(wallet, investor)
    gap(20)
    now = offering.now()
    offering.issue("COMMON", a, 1_000, locked_until=now + 30 * DAY)
    offering.issue("COMMON", b, 500)
    gap(7)
    offering.issue_vested("FOUNDERS", c, 400, now, now + 10 * DAY, now + 100 * DAY)
    offering.issue("PREFERRED", b, 70)
    for i in range(12):
        sender, receiver, shares = (b, c, 20) if i % 2 == 0 else (c, b, 5)
        offering.transfer("COMMON", sender, receiver, shares)
        gap(i * 3)
    offering.force_transfer("COMMON", a, b, 300)
    gap(31)
    offering.redeem("PREFERRED", b, 20)
    offering.recover("FOUNDERS", c, d)
    gap(5)


@dataclass
class Expected:
    """What a plain sequential read straight from the node gives."""

    block: int
    ledger: dict[str, Any]
    journal: list[Any]
    locked: dict[tuple[str, str], int]
    most_logs_in_a_block: int


@dataclass
class History:
    offering: Offering
    expected: Expected
    workdir: Path


def read(offering: Offering, workdir: Path, url: str, policy: RangePolicy, retry: RetryPolicy = QUICK) -> tuple[IndexedState, Indexer]:
    ix = Indexer.for_offering(url, offering.view, workdir, policy=policy, retry=retry)
    try:
        return ix.state_at(confirmations=0), ix
    finally:
        ix.close()


def snapshot(state: IndexedState, ix: Indexer) -> tuple[int, dict[str, Any], list[Any], dict[tuple[str, str], int]]:
    return state.block, state.ledger.to_json(), list(ix.cache.replay()), state.locked


@pytest.fixture(scope="module")
def history(deployed_offering: Offering, tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    offering = deployed_offering
    before = offering.node.snapshot()
    try:
        spread_history(offering)
        workdir = offering.workdir(tmp_path_factory.mktemp("faults"))
        sequential = RangePolicy(initial_span=1, concurrency=1, target_logs=10**9)
        state, ix = read(offering, workdir / "sequential", offering.node.rpc_url, sequential)
        client = JsonRpcClient(offering.node.rpc_url)
        logs = client.call(
            "eth_getLogs",
            [{"fromBlock": hex(offering.view.deploy_block), "toBlock": hex(state.block),
              "address": list(offering.view.sources()), "topics": [list(INDEXED_TOPICS)]}],
        )
        client.close()
        per_block = Counter(log["blockNumber"] for log in logs)
        block, ledger, journal, locked = snapshot(state, ix)
        assert journal and locked  # the history has events and lock-ups to get right
        yield History(offering, Expected(block, ledger, journal, locked, max(per_block.values())), workdir)
    finally:
        offering.node.revert(before)


@pytest.fixture(scope="module")
def proxy(history: History) -> Iterator[ProviderProxy]:
    with ProviderProxy(history.offering.node.rpc_url) as running:
        yield running


def fresh(history: History, name: str) -> Path:
    path = history.workdir / name
    shutil.rmtree(path, ignore_errors=True)
    return path


def assert_exact(history: History, state: IndexedState, ix: Indexer) -> None:
    block, ledger, journal, locked = snapshot(state, ix)
    assert block == history.expected.block
    assert ledger == history.expected.ledger
    assert journal == history.expected.journal  # every event once, in chain order
    assert locked == history.expected.locked


@pytest.mark.parametrize("style", ["infura", "alchemy"])
def test_a_concurrent_read_within_a_providers_limits_is_the_sequential_one(history: History, proxy: ProviderProxy, style: str) -> None:
    proxy.configure(ProviderLimits(max_block_range=16, max_logs=4, style=style, latency=0.002))
    state, ix = read(history.offering, fresh(history, style), proxy.url, RangePolicy(concurrency=4))
    assert_exact(history, state, ix)
    assert proxy.stats.range_refusals + proxy.stats.size_refusals == ix.report.refusals > 0
    assert ix.report.log_requests == proxy.stats.by_method["eth_getLogs"]


def test_429s_pace_the_requests_below_the_limit_and_lose_nothing(history: History, proxy: ProviderProxy) -> None:
    proxy.configure(ProviderLimits(max_block_range=8, rate_limit=400, burst=2, latency=0.002))
    state, ix = read(history.offering, fresh(history, "429"), proxy.url, RangePolicy(concurrency=6))
    assert_exact(history, state, ix)
    assert proxy.stats.rate_limited > 0
    assert ix.report.rate_limited > 0 and ix.report.lowest_rate is not None
    assert ix.report.lowest_rate < 400  # paced below what the provider accepts


def test_server_errors_on_every_kind_of_request_are_retried(history: History, proxy: ProviderProxy) -> None:
    proxy.configure(ProviderLimits(max_block_range=32, error_rate=0.3, seed=7))
    state, ix = read(history.offering, fresh(history, "5xx"), proxy.url, RangePolicy(concurrency=3))
    assert_exact(history, state, ix)
    assert proxy.stats.server_errors > 0


def test_a_provider_that_keeps_failing_is_a_clear_error_and_the_next_run_recovers(history: History, proxy: ProviderProxy) -> None:
    workdir = fresh(history, "down")
    proxy.configure(ProviderLimits(error_rate=1.0))
    with pytest.raises(ProviderUnavailable, match="failed 8 times in a row"):
        read(history.offering, workdir, proxy.url, RangePolicy(concurrency=2))
    proxy.configure(ProviderLimits(max_block_range=64))
    state, ix = read(history.offering, workdir, proxy.url, RangePolicy(concurrency=2))
    assert_exact(history, state, ix)


FAULTS = st.builds(
    ProviderLimits,
    max_block_range=st.one_of(st.none(), st.integers(4, 80)),
    max_logs=st.one_of(st.none(), st.integers(1, 12)),
    rate_limit=st.one_of(st.none(), st.sampled_from([200.0, 1000.0])),
    burst=st.integers(1, 4),
    error_rate=st.sampled_from([0.0, 0.05, 0.2, 0.5]),
    style=st.sampled_from(["infura", "alchemy"]),
    seed=st.integers(0, 2**16),
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(limits=FAULTS, concurrency=st.integers(1, 6), initial_span=st.sampled_from([1, 4, 256]))
def test_every_fault_ends_in_the_exact_cap_table_or_a_clear_error(
    history: History, proxy: ProviderProxy, limits: ProviderLimits, concurrency: int, initial_span: int
) -> None:
    proxy.configure(limits)
    workdir = fresh(history, "property")
    policy = RangePolicy(concurrency=concurrency, initial_span=initial_span, target_logs=6)
    try:
        state, ix = read(history.offering, workdir, proxy.url, policy)
    except ProviderUnavailable as error:  # only when the provider kept failing
        assert limits.error_rate or limits.rate_limit, error
        assert error.hint and "--concurrency" in error.hint
    except ChainError as error:  # only when one block holds more logs than the provider sends
        assert limits.max_logs is not None and limits.max_logs < history.expected.most_logs_in_a_block, error
        assert "refuses to return the logs of block" in error.message
    else:
        assert_exact(history, state, ix)
        return
    # whatever the fault left in the cache, a run without faults gives the exact table
    proxy.configure(ProviderLimits(max_block_range=None, max_logs=None))
    state, ix = read(history.offering, workdir, proxy.url, policy)
    assert_exact(history, state, ix)


def equity(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_the_cli_reads_through_a_limited_provider_with_concurrency(
    history: History, proxy: ProviderProxy, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    direct_dir, proxied_dir = fresh(history, "cli-direct"), fresh(history, "cli-proxied")
    monkeypatch.chdir(history.offering.workdir(direct_dir))
    code, direct, err = equity(["--rpc-url", history.offering.node.rpc_url, "--json", "captable", "show"], capsys)
    assert code == 0, err
    monkeypatch.chdir(history.offering.workdir(proxied_dir))
    proxy.configure(ProviderLimits(max_block_range=16, max_logs=4, latency=0.002))
    code, proxied, err = equity(["--rpc-url", proxy.url, "--json", "captable", "show", "--concurrency", "3"], capsys)
    assert code == 0, err
    assert json.loads(proxied) == json.loads(direct)
    assert json.loads(proxied)["block"] == history.expected.block
    assert proxy.stats.range_refusals + proxy.stats.size_refusals > 0


def test_a_block_the_provider_cannot_return_is_exit_3_with_the_reason(
    history: History, proxy: ProviderProxy, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    here = fresh(history, "cli-refused")
    history.offering.workdir(here)
    monkeypatch.chdir(here)
    proxy.configure(ProviderLimits(max_logs=history.expected.most_logs_in_a_block - 1))
    code, out, err = equity(["--rpc-url", proxy.url, "--json", "captable", "show"], capsys)
    assert code == 3
    error = json.loads(out)["error"]
    assert "refuses to return the logs of block" in error["message"]
    assert "Traceback" not in err


def test_concurrency_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = equity(["captable", "show", "--concurrency", "0"], capsys)
    assert code == 2 and "--concurrency" in err


def test_a_date_is_found_in_a_few_batched_round_trips(history: History, proxy: ProviderProxy) -> None:
    from datetime import UTC, datetime

    offering = history.offering
    proxy.configure(ProviderLimits(latency=0.001))
    head = history.expected.block
    ix = Indexer.for_offering(proxy.url, offering.view, fresh(history, "dates"), retry=QUICK)
    try:
        for block in (1, head // 3, head - 1, head):
            moment = datetime.fromtimestamp(offering.w3.eth.get_block(block)["timestamp"], UTC)
            before = ix.client.requests
            found = ix.block_at_time(moment)
            assert offering.w3.eth.get_block(found)["timestamp"] == moment.timestamp()
            assert found == head or offering.w3.eth.get_block(found + 1)["timestamp"] > moment.timestamp()
            assert ix.client.requests - before <= 4  # a binary search over this history takes 8
    finally:
        ix.close()
