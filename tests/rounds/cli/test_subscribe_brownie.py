"""scripts/subscribe.py under brownie for real (issue 12, point 5): `brownie run
scripts/subscribe.py main ROUND SHARES permit=true account=dev4 --network anvil`, attached to the
session's anvil, in a throwaway project holding the offering's and the round's deployments/
(the same set-up as tests/scripts/test_brownie.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import REPO
from tests.issuer.conftest import DEV, Issuer
from tests.rounds.cli.test_round_cli import open_seed

BROWNIE = REPO / ".venv-brownie" / "bin" / "brownie"

pytestmark = pytest.mark.skipif(
    not BROWNIE.exists(), reason=".venv-brownie is absent: run scripts/brownie-setup.sh"
)


def test_an_investor_subscribes_with_a_permit_under_brownie(
    issuer: Issuer, round_file: Path, tmp_path: Path
) -> None:
    open_seed(issuer, round_file)
    root = tmp_path / "project"
    root.mkdir()
    for name in ("brownie-config.yaml", "contracts", "scripts", "tools", "node_modules"):
        (root / name).symlink_to(REPO / name)
    shutil.copytree(issuer.cwd / "deployments", root / "deployments")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "NO_COLOR": "1"}
    env.pop("EQUITY_RPC_URL", None)
    port = str(urlparse(issuer.node.rpc_url).port)
    subprocess.run(
        [str(BROWNIE), "networks", "modify", "anvil", f"port={port}"],
        cwd=root, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    proc = subprocess.run(
        [str(BROWNIE), "run", "scripts/subscribe.py", "main", "seed", "1000", "permit=true",
         "account=dev4", "json=true", "--network", "anvil"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    start = lines.index("{")
    end = len(lines) - lines[::-1].index("}")
    result = json.loads("\n".join(lines[start:end]))
    assert result["paid"] == 1000 * 12_500_000 and len(result["transactions"]) == 1
    assert issuer.locked("COMMON", DEV[4]) == 1000
