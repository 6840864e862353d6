"""`equity demo` tells the whole story on its own anvil and never leaves it running."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import default_sigint, wait_dead

EQUITY = [sys.executable, "-m", "toolkit.cli.main"]


def node_pid(line: str) -> int:
    match = re.search(r"\(pid (\d+)\)", line)
    assert match, line
    return int(match.group(1))


def test_the_demo_runs_every_step_and_stops_its_node(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*EQUITY, "--json", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout)
    assert summary["steps"] >= 15
    log = proc.stderr
    for proof in (
        "JURISDICTION_BLOCKED",
        "SHARES_LOCKED",
        "RECEIVER_NOT_QUALIFIED",
        "Executed",
        "IssuerBoundExceeded",  # issue 11: the issuer's bound refuses a block beyond 20 %
        "clean:",
        "balance_mismatch",
        "acme.ocf.zip",
        "ROUND_NOT_APPROVED (27)",  # issue 12: a round issues once approve-round has passed
        "ABOVE_TRANSACTION_LIMIT (24)",
        "subscribed 2,500 COMMON in seed for 31,250 USDT",
        "right of first refusal: the fill opens a notice",  # issue 13: the company exercises
        "exercised",
    ):
        assert proof in log, proof
    assert (Path(summary["workdir"]) / "acme.ocf.zip").is_file()
    assert wait_dead(node_pid(log.splitlines()[0]))


def test_ctrl_c_during_the_demo_stops_its_node(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*EQUITY, "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        preexec_fn=default_sigint,  # SIGINT stops it even when the suite runs in the background
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    pid = node_pid(first)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert wait_dead(pid), "the demo's anvil outlived Ctrl-C"
