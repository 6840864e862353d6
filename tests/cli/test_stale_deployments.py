"""A deployment record must not outlive its chain silently."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO
from tests.conftest import run_cli as equity

OFFERING = str(REPO / "examples" / "offering.toml")


def test_deploy_to_a_throwaway_anvil_is_refused_and_records_nothing(tmp_path: Path) -> None:
    proc = equity("deploy", OFFERING, cwd=tmp_path)
    assert proc.returncode == 2
    assert "would vanish" in proc.stderr and "equity node start" in proc.stderr
    assert not (tmp_path / "deployments").exists()


def test_a_node_restarted_without_state_is_detected_and_the_name_can_be_reused(
    tmp_path: Path,
) -> None:
    assert equity("node", "start", cwd=tmp_path).returncode == 0
    try:
        first = equity("--json", "deploy", OFFERING, "--name", "acme", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
    finally:
        equity("node", "stop", cwd=tmp_path)
    assert equity("node", "start", cwd=tmp_path).returncode == 0  # a fresh, empty chain
    try:
        stale = equity("--json", "holders", "list", cwd=tmp_path)
        assert stale.returncode == 3
        assert "contracts are not on" in json.loads(stale.stdout)["error"]["message"]
        again = equity("deploy", OFFERING, "--name", "acme", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert "record will be replaced" in again.stdout + again.stderr
        assert equity("holders", "list", cwd=tmp_path).returncode == 0
    finally:
        equity("node", "stop", cwd=tmp_path)
