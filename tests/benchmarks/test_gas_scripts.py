"""The gas benchmarks still run against today's contracts, and the figures they committed are
today's: each script runs here on its own anvil, writing to a temporary folder, and its exact
figures are compared with the committed ones (which README and RESULTS.md quote).

Signatures and expiry times differ from run to run, and with them a few bytes of calldata
(16 gas a non-zero byte, 4 a zero one): figures may differ by that much, not more. A change of
a contract that moves a figure further fails here until the benchmark is re-run and its
results committed. Marked slow: about 20 s in all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

GAS = Path(__file__).resolve().parents[2] / "benchmarks" / "gas"
CALLDATA_NOISE = 200  # gas: a signature's and a timestamp's bytes, zero or not

pytestmark = pytest.mark.slow


def run_script(name: str, out: Path, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(GAS / name), "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def differences(measured: dict[str, Any], committed: dict[str, Any]) -> dict[str, Any]:
    """Figures further apart than calldata noise (and keys one side lacks)."""
    far: dict[str, Any] = {}
    for key in measured.keys() | committed.keys():
        a, b = measured.get(key), committed.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            if inner := differences(a, b):
                far[key] = inner
        elif not (isinstance(a, int) and isinstance(b, int) and abs(a - b) <= CALLDATA_NOISE):
            far[key] = (a, b)
    return far


@pytest.mark.parametrize("script", ["market", "corporate", "rounds"])
def test_a_feature_benchmark_reproduces_its_committed_figures(script: str, tmp_path: Path) -> None:
    run_script(f"{script}.py", tmp_path)
    measured = json.loads((tmp_path / f"{script}.json").read_text())["raw"]
    committed = json.loads((GAS / f"{script}.json").read_text())["raw"]
    assert differences(measured, committed) == {}, f"re-run benchmarks/gas/{script}.py"


def test_the_main_benchmark_reproduces_its_committed_figures(tmp_path: Path) -> None:
    run_script("run.py", tmp_path)
    measured = json.loads((tmp_path / "results.json").read_text())
    committed = json.loads((GAS / "results.json").read_text())
    assert differences(measured["raw"], committed["raw"]) == {}, "re-run benchmarks/gas/run.py"
    assert measured["sizes"] == committed["sizes"], "re-run benchmarks/gas/run.py"


def test_the_split_and_dividend_benchmarks_run_at_a_smaller_scale(tmp_path: Path) -> None:
    """Their committed runs take minutes (hundreds of holders, 10,000 leaves): here they run
    small, to show they still work; their per-holder figures hold at any size."""
    run_script("split.py", tmp_path, "--holders", "20", "--batch-size", "10")
    run_script("split.py", tmp_path, "--holders", "20", "--batch-size", "10", "--consolidations")
    (split,) = json.loads((tmp_path / "split.json").read_text())
    (consolidation, with_cash) = json.loads((tmp_path / "consolidate.json").read_text())
    for run in (split, consolidation, with_cash):
        assert run["holders"] == 20 and run["total"] > 20 * 25_000, run
    run_script("dividends.py", tmp_path, "--holders", "2000")
    dividends = json.loads((tmp_path / "dividends-results.json").read_text())
    committed = json.loads((GAS / "dividends-results.json").read_text())
    for key in ("reclaim", "prepare_per_word"):  # the same at any size
        assert abs(dividends[key] - committed[key]) <= CALLDATA_NOISE, key
    for key in ("claim", "push_per_holder"):  # a smaller tree: shorter proofs, no dearer
        assert committed[key] - 5_000 < dividends[key] <= committed[key] + CALLDATA_NOISE, key
