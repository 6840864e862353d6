"""scripts/subscribe.py under brownie for real (issue 12, point 5): `brownie run
scripts/subscribe.py main ROUND SHARES permit=true account=dev4 --network anvil`, attached to the
session's anvil, in a throwaway project holding the offering's and the round's deployments/
(the same set-up as tests/scripts/test_brownie.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.issuer.conftest import DEV, Issuer
from tests.rounds.cli.test_round_cli import open_seed
from tests.scripts.test_brownie import BROWNIE, brownie_project, brownie_run

pytestmark = [pytest.mark.xdist_group("brownie"), pytest.mark.skipif(
    not BROWNIE.exists(), reason=".venv-brownie is absent: run scripts/brownie-setup.sh"
)]


def test_an_investor_subscribes_with_a_permit_under_brownie(
    issuer: Issuer,
    round_file: Path,
    tmp_path: Path,
) -> None:
    open_seed(issuer, round_file)
    project = brownie_project(issuer.cwd / "deployments", issuer.node.rpc_url, tmp_path)
    result = brownie_run(project, "subscribe.py", "seed", "1000", "permit=true", "account=dev4")
    assert result["paid"] == 1000 * 12_500_000 and len(result["transactions"]) == 1
    assert issuer.locked("COMMON", DEV[4]) == 1000
