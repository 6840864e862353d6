"""scripts/subscribe.py with plain python, on the round the CLI opened (issue 12, point 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.issuer.conftest import DEV, Issuer
from tests.rounds.cli.test_round_cli import open_seed


def script(issuer: Issuer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "subscribe.py"), *args],
        cwd=issuer.cwd,
        env={**os.environ, "EQUITY_RPC_URL": issuer.node.rpc_url},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_subscribe_script_pays_and_issues_and_refuses_like_the_command(
    issuer: Issuer, round_file: Path
) -> None:
    open_seed(issuer, round_file)
    done = script(issuer, "seed", "1000", "permit=true", "account=dev4", "json=true")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["paid"] == 1000 * 12_500_000
    assert issuer.locked("COMMON", DEV[4]) == 1000  # the round's lock-up
    before = issuer.nonce(4)
    refused = script(issuer, "seed", "6000", "--account", "dev4")
    assert refused.returncode == 3
    assert "ABOVE_TRANSACTION_LIMIT (24)" in refused.stderr
    assert "nothing was sent" in refused.stderr
    assert issuer.nonce(4) == before
