"""Start-up benchmark: `equity --help` and a no-change `equity compile`, wall time.

Goals (issue 2): --help under 0.3 s (web3 is imported lazily), a no-change compile under
0.5 s. Prints a table with the median, best and worst of N runs and the ratio to the goal.
Run: .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def equity_executable() -> list[str]:
    script = Path(sys.executable).parent / "equity"
    return [str(script)] if script.exists() else [shutil.which("equity") or "equity"]


def measure(command: list[str], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        timings.append(time.perf_counter() - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    equity = equity_executable()
    subprocess.run([*equity, "compile"], cwd=ROOT, check=True, capture_output=True)  # warm
    cases = [
        ("equity --help", [*equity, "--help"], 0.3),
        ("equity compile (no change)", [*equity, "compile"], 0.5),
    ]
    print(f"{'command':<30} {'median s':>9} {'best s':>8} {'worst s':>8} {'goal s':>7} {'median/goal':>12}")
    for label, command, goal in cases:
        timings = measure(command, args.runs)
        median = statistics.median(timings)
        print(f"{label:<30} {median:>9.3f} {min(timings):>8.3f} {max(timings):>8.3f} "
              f"{goal:>7.2f} {median / goal:>11.2f}x")


if __name__ == "__main__":
    main()
