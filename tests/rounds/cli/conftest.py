"""The example offering (tests/issuer's session deployment) with its holders and issuances, a
test stablecoin and a round, driven through the real CLI in a working directory of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from web3 import Web3

from tests.issuer import conftest as issuer_fixtures
from tests.issuer.conftest import EXAMPLES, Issuer

session_offering = issuer_fixtures.session_offering
issuer = issuer_fixtures.issuer


def grant_issuing_power(node_w3: Web3, issuer_: Issuer, class_id: str, round_address: str) -> None:
    """What the passed proposal `grant-role ISSUER_ROLE ROUND CLASS` makes the timelock do (the
    governance path itself is tested in tests/governance; here the timelock is impersonated)."""
    timelock = issuer_.deployment.timelock
    node_w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
    node_w3.provider.make_request("anvil_setBalance", [timelock, hex(10**20)])  # type: ignore[arg-type]
    token = issuer_.contracts.token(class_id)
    role = Web3.keccak(text="ISSUER_ROLE")
    tx = token.functions.grantRole(role, round_address).transact({"from": timelock})
    assert node_w3.eth.wait_for_transaction_receipt(tx)["status"] == 1


@pytest.fixture
def round_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.toml"
    path.write_text((EXAMPLES / "round.toml").read_text())
    return path
