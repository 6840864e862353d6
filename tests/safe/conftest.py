"""One anvil for the module: the Safe 1.4.1 contracts, a 2-of-3 Safe of dev1..dev3, and the
example offering deployed by dev0 with that Safe as its issuer (``deploy --issuer``), all
through the command line. Each test starts from that state (an anvil snapshot) in a folder
of its own holding the deployment records, so Safe transaction files never leak between
tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from tests.conftest import REPO, CliResult, invoke_cli
from toolkit.chain.accounts import dev_account
from toolkit.chain.node import start_node
from toolkit.chain.tx import Transactor

DEV = [dev_account(i).address for i in range(10)]
OWNERS = DEV[1:4]  # dev1, dev2, dev3
OUTSIDER = DEV[5]


@dataclass
class SafeOffering:
    rpc_url: str
    w3: Web3
    home: Path  # deployments/ of the offering and the Safe
    safe: str
    deployment: dict[str, Any]
    snapshot: Any = None

    def equity(self, *args: str) -> CliResult:
        return invoke_cli("--rpc-url", self.rpc_url, *args)

    def as_safe(self, *args: str) -> CliResult:
        return self.equity("--account", f"safe:{self.safe}", *args)


@pytest.fixture(scope="module")
def safe_offering(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SafeOffering]:
    node = start_node("anvil")
    home = tmp_path_factory.mktemp("safe-home")
    try:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 60}))
        Transactor._next_nonce.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(home)
            made = invoke_cli(
                "--rpc-url", node.rpc_url, "--json", "safe", "deploy",
                "--owners", ",".join(OWNERS), "--threshold", "2",
            )  # fmt: skip
            assert made.code == 0, made.err
            safe = made.json()["safe"]
            deployed = invoke_cli(
                "--rpc-url", node.rpc_url, "--json", "deploy",
                str(REPO / "examples" / "offering.toml"), "--issuer", f"safe:{safe}",
            )  # fmt: skip
            assert deployed.code == 0, deployed.err
        offering = SafeOffering(node.rpc_url, w3, home, safe, deployed.json())
        offering.snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        yield offering
    finally:
        node.stop()


@pytest.fixture
def chain(
    safe_offering: SafeOffering, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> SafeOffering:
    """The module's Safe and offering as they were after the set-up, run from ``tmp_path``."""
    w3 = safe_offering.w3
    w3.provider.make_request("evm_revert", [safe_offering.snapshot])  # type: ignore[arg-type]
    safe_offering.snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    Transactor._next_nonce.clear()
    shutil.copytree(safe_offering.home / "deployments", tmp_path / "deployments")
    monkeypatch.chdir(tmp_path)
    return safe_offering
