"""The example offering deployed once per session on the session's anvil, and a fresh copy of
that state for every test (a snapshot taken right after the deployment, reverted to before
each test). Each test runs the CLI in its own working directory holding the deployment
record, so journals never leak between tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, CliResult, RunningNode, invoke_cli
from toolkit.chain.accounts import dev_account
from toolkit.chain.connection import Chain, connect_url
from toolkit.chain.tx import Transactor
from toolkit.offering.contracts import OfferingContracts
from toolkit.offering.deploy import deploy_offering
from toolkit.offering.deployments import Deployment, deployments_file
from toolkit.offering.offering_file import load_offering

EXAMPLES = REPO / "examples"
OFFERING_NAME = "acme"
DEV = [dev_account(i).address for i in range(10)]


@dataclass
class SessionOffering:
    """The example offering on the session anvil, and the snapshot of its fresh state."""

    node: RunningNode
    chain: Chain
    deployment: Deployment
    snapshot: Any = None

    def deploy(self, home: Path) -> None:
        Transactor._next_nonce.clear()
        report = deploy_offering(
            Transactor(self.chain, dev_account(0)),
            load_offering(EXAMPLES / "offering.toml"),
            name=OFFERING_NAME,
            cwd=home,
        )
        self.deployment = report.deployment
        self.snapshot = self.node.snapshot()

    def restore(self, home: Path) -> None:
        """Back to the state right after the deployment (redeploying if another test file
        reverted past it)."""
        reverted = self.node.w3.provider.make_request("evm_revert", [self.snapshot])  # type: ignore[arg-type]
        Transactor._next_nonce.clear()
        if not reverted.get("result"):
            for path in home.glob("deployments/*.json"):
                path.unlink()
            self.deploy(home)
            return
        self.snapshot = self.node.snapshot()


@pytest.fixture(scope="session")
def session_offering(
    anvil: RunningNode, tmp_path_factory: pytest.TempPathFactory
) -> SessionOffering:
    home = tmp_path_factory.mktemp("session-offering")
    chain = connect_url(anvil.rpc_url)
    offering = SessionOffering(node=anvil, chain=chain, deployment=None)  # type: ignore[arg-type]
    offering.deploy(home)
    offering.home = home  # type: ignore[attr-defined]
    return offering


@dataclass
class Issuer:
    """One test's view: a working directory with the deployment record, the CLI in-process
    through click's CliRunner (``equity``) or as a process (``spawn``), and web3 handles on
    the contracts."""

    node: RunningNode
    chain: Chain
    deployment: Deployment
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def contracts(self) -> OfferingContracts:
        return OfferingContracts(self.chain.w3, self.deployment)

    def equity(self, *args: str | Path) -> CliResult:
        return invoke_cli(*args)

    def spawn(self, *args: str | Path, env: dict[str, str] | None = None) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "toolkit.cli.main", *[str(a) for a in args]],
            cwd=self.cwd,
            env={**os.environ, "EQUITY_RPC_URL": self.node.rpc_url, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    def nonce(self, index: int = 0) -> int:
        return int(self.chain.w3.eth.get_transaction_count(DEV[index]))

    def balance(self, class_id: str, wallet: str) -> int:
        return int(self.contracts.token(class_id).functions.balanceOf(wallet).call())

    def locked(self, class_id: str, wallet: str) -> int:
        return int(self.contracts.token(class_id).functions.lockedBalanceOf(wallet).call())

    def import_examples(self) -> None:
        """The example holders and issuances, through the CLI."""
        assert self.equity("holders", "import", EXAMPLES / "holders.csv").code == 0
        assert self.equity("issue", "--csv", EXAMPLES / "issuances.csv").code == 0


@pytest.fixture
def issuer(
    session_offering: SessionOffering,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Issuer]:
    """The freshly deployed example offering, in a working directory of the test's own."""
    session_offering.restore(session_offering.home)  # type: ignore[attr-defined]
    deployment = session_offering.deployment
    record = deployments_file(deployment.chain_id, tmp_path)
    record.parent.mkdir(parents=True)
    record.write_text(
        json.dumps(
            {"chain_id": deployment.chain_id, "offerings": {deployment.name: deployment.to_json()}}
        )
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EQUITY_RPC_URL", session_offering.node.rpc_url)
    for variable in ("EQUITY_NETWORK", "EQUITY_ACCOUNT", "EQUITY_DEPLOYMENT", "EQUITY_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    yield Issuer(
        node=session_offering.node,
        chain=session_offering.chain,
        deployment=deployment,
        cwd=tmp_path,
    )


@pytest.fixture
def funded(issuer: Issuer) -> Issuer:
    """The example offering with the example holders registered and shares issued."""
    issuer.import_examples()
    return issuer
