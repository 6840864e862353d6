"""The scripts under brownie for real: `brownie run scripts/NAME.py main ARGS --network anvil`.

brownie (in .venv-brownie, made by scripts/brownie-setup.sh, which `make test` runs first)
compiles this repo with the repo's brownie-config.yaml and solc shim, attaches to the test
session's anvil and runs the scripts on the same offering the governance tests use. A
throwaway project directory links the repo's sources and holds the offering's deployments/
(the scripts read it from the working directory); brownie's settings live in a throwaway
HOME, where `brownie networks modify anvil port=N` points `--network anvil` at the node.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.conftest import REPO
from tests.governance.conftest import DAY, Offering

BROWNIE = REPO / ".venv-brownie" / "bin" / "brownie"

pytestmark = [pytest.mark.xdist_group("brownie"), pytest.mark.skipif(
    not BROWNIE.exists(), reason=".venv-brownie is absent: run scripts/brownie-setup.sh"
)]


# brownie's settings folder per node port, made once a session (a module global, not a
# fixture, so that every test file that imports brownie_project shares it): `brownie networks
# modify` is a brownie start-up of its own, seconds of CPU, the same for every test
HOMES: dict[int, Path] = {}


def brownie_project(deployments: Path, rpc_url: str, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A throwaway project linking the repo's sources, with a copy of ``deployments``, and the
    environment that points `--network anvil` at the node of ``rpc_url``."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("brownie-config.yaml", "contracts", "scripts", "tools", "node_modules"):
        (root / name).symlink_to(REPO / name)  # tools/: brownie's build cache is shared
    shutil.copytree(deployments, root / "deployments")
    port = urlparse(rpc_url).port
    assert port is not None
    home = HOMES.get(port)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("EQUITY_RPC_URL", None)
    if home is None:
        home = tmp_path / "home"
        home.mkdir()
        subprocess.run(
            [str(BROWNIE), "networks", "modify", "anvil", f"port={port}"],
            cwd=root, env={**env, "HOME": str(home)}, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        HOMES[port] = home
    return root, {**env, "HOME": str(home)}


@pytest.fixture
def project(offering: Offering, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    return brownie_project(offering.workdir / "deployments", offering.node.rpc_url, tmp_path)


def brownie_run(project: tuple[Path, dict[str, str]], name: str, *args: str) -> Any:
    root, env = project
    proc = subprocess.run(
        [str(BROWNIE), "run", f"scripts/{name}", "main", *args, "json=true", "--network", "anvil"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    start = lines.index("{")
    end = len(lines) - lines[::-1].index("}")
    return json.loads("\n".join(lines[start:end]))


def test_issuer_proposes_and_an_investor_votes_under_brownie(
    offering: Offering, project: tuple[Path, dict[str, str]]
) -> None:
    proposed = brownie_run(project, "propose_authorized.py", "COMMON", "30000000", "account=dev1")
    pid = int(proposed["proposal_id"])
    gov = offering.governance
    assert gov.record(pid).title == "Increase COMMON authorized shares to 30000000"
    offering.advance(DAY + 1)
    voted = brownie_run(project, "vote.py", str(pid), "for", "account=dev2")
    assert voted["weight"] == 1000
    holdings = brownie_run(project, "holdings.py", "account=dev2")
    assert holdings["voting_power"] == 1000
    assert gov.status(pid).tally.for_votes == 1000  # brownie left the chain as it found it
