"""An offering deployed by the real deployer on the session's anvil, and helpers to act on it.

Each test gets the chain as the deployment left it (evm_snapshot/evm_revert around the test)
and its own working directory holding the deployments record, so caches never leak between
tests. Holders are anvil's unlocked dev accounts 1..9, so they can send their own transfers.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, RunningNode
from toolkit.captable.deployment import OfferingDeployment, from_record

DAY = 86_400


@dataclass
class Offering:
    """The deployed example offering (COMMON, FOUNDERS, PREFERRED) and ways to change it."""

    node: RunningNode
    record: Any  # toolkit.offering.deployments.Deployment
    contracts: Any  # toolkit.offering.contracts.OfferingContracts
    deployments_dir: Path

    @property
    def w3(self) -> Any:
        return self.node.w3

    @property
    def issuer(self) -> str:
        return str(self.node.accounts[0])

    @property
    def holders(self) -> list[str]:
        return [str(a) for a in self.node.accounts[1:]]

    @property
    def view(self) -> OfferingDeployment:
        return from_record(self.record)

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def head(self) -> int:
        return int(self.w3.eth.block_number)

    def _send(self, call: Any, sender: str | None = None) -> Any:
        tx_hash = call.transact({"from": sender or self.issuer})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        return receipt

    def qualify(self, wallet: str, investor: str, *, expires_at: int | None = None, jurisdiction: str = "DE") -> None:
        expiry = expires_at if expires_at is not None else self.now() + 365 * DAY
        self._send(
            self.contracts.registry.functions.addHolder(
                wallet, investor.encode().ljust(16, b"\0"), jurisdiction.encode(), expiry, True
            )
        )

    def update(self, wallet: str, *, expires_at: int, jurisdiction: str = "DE") -> None:
        self._send(self.contracts.registry.functions.updateHolder(wallet, jurisdiction.encode(), expires_at, True))

    def remove(self, wallet: str) -> None:
        self._send(self.contracts.registry.functions.removeHolder(wallet))

    def issue(self, class_id: str, wallet: str, shares: int, *, locked_until: int = 0) -> None:
        self._send(self.contracts.token(class_id).functions.issue(wallet, shares, locked_until))

    def issue_vested(self, class_id: str, wallet: str, shares: int, start: int, cliff: int, end: int) -> None:
        self._send(self.contracts.token(class_id).functions.issueVested(wallet, shares, start, cliff, end))

    def transfer(self, class_id: str, sender: str, receiver: str, shares: int) -> None:
        self._send(self.contracts.token(class_id).functions.transfer(receiver, shares), sender)

    def force_transfer(self, class_id: str, sender: str, receiver: str, shares: int) -> None:
        self._send(self.contracts.token(class_id).functions.forceTransfer(sender, receiver, shares, "court order"))

    def redeem(self, class_id: str, wallet: str, shares: int) -> None:
        self._send(self.contracts.token(class_id).functions.redeem(wallet, shares))

    def recover(self, class_id: str, lost: str, new: str) -> None:
        self._send(self.contracts.token(class_id).functions.recover(lost, new))

    def balance(self, class_id: str, wallet: str, block: int | str = "latest") -> int:
        return int(self.contracts.token(class_id).functions.balanceOf(wallet).call(block_identifier=block))

    def locked(self, class_id: str, wallet: str, block: int | str = "latest") -> int:
        return int(self.contracts.token(class_id).functions.lockedBalanceOf(wallet).call(block_identifier=block))

    def total_supply(self, class_id: str, block: int | str = "latest") -> int:
        return int(self.contracts.token(class_id).functions.totalSupply().call(block_identifier=block))

    def workdir(self, path: Path) -> Path:
        """A working directory holding this offering's deployments record."""
        shutil.copytree(self.deployments_dir, path / "deployments", dirs_exist_ok=True)
        return path


def _contracts_fit_eip170() -> bool:
    import json

    from toolkit.compile import build_dir, compile_project

    compile_project()
    artifact = json.loads((build_dir() / "ShareClassToken.json").read_text())
    return len(artifact["deployedBytecode"]) // 2 <= 24_576


@pytest.fixture(scope="session")
def anvil() -> Iterator[RunningNode]:
    """The session anvil of tests/conftest.py, except while the class token is over the
    EIP-170 size limit: then an anvil of our own without the limit (so that the cap table can
    be tested against the real contracts meanwhile)."""
    import subprocess
    import time

    from web3 import Web3

    from toolkit.chain.node import LocalNode, free_port, is_responding, node_command

    if _contracts_fit_eip170():
        yield from _shared_anvil()
        return
    port = free_port()
    command = [*node_command("anvil", port, None), "--disable-code-size-limit"]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    node = LocalNode("anvil", port, process)
    try:
        deadline = time.monotonic() + 30
        while not is_responding(node.rpc_url) and time.monotonic() < deadline:
            time.sleep(0.05)
        w3 = Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 60}))
        yield RunningNode(node, w3, list(w3.eth.accounts))
    finally:
        node.stop()


def _shared_anvil() -> Iterator[RunningNode]:
    from tests.conftest import _running

    yield from _running("anvil")


@pytest.fixture(scope="session")
def deployed_offering(anvil: RunningNode, tmp_path_factory: pytest.TempPathFactory) -> Offering:
    from toolkit.chain.accounts import resolve_signer
    from toolkit.chain.connection import connect_url
    from toolkit.chain.tx import Transactor
    from toolkit.offering.contracts import OfferingContracts
    from toolkit.offering.deploy import deploy_offering
    from toolkit.offering.offering_file import load_offering

    cwd = tmp_path_factory.mktemp("captable-deploy")
    chain = connect_url(anvil.rpc_url)
    transactor = Transactor(chain, resolve_signer("dev0", is_local_chain=True, password=None))
    report = deploy_offering(transactor, load_offering(REPO / "examples" / "offering.toml"), name="acme", cwd=cwd)
    return Offering(anvil, report.deployment, OfferingContracts(chain.w3, report.deployment), cwd / "deployments")


@pytest.fixture
def offering(deployed_offering: Offering) -> Iterator[Offering]:
    """The deployed offering, with every change a test makes undone afterwards."""
    snapshot = deployed_offering.node.snapshot()
    try:
        yield deployed_offering
    finally:
        deployed_offering.node.revert(snapshot)


@pytest.fixture
def workdir(offering: Offering, tmp_path: Path) -> Path:
    return offering.workdir(tmp_path)
