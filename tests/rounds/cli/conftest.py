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


def grant_issuing_power(
    node_w3: Web3, issuer_: Issuer, class_id: str, round_address: str, shares: int
) -> None:
    """What a passed `approve-round ROUND` proposal makes the timelock do (MINTER_ROLE and a mint
    allowance; the proposal itself is in test_round_cli and the ganache test): the timelock is
    impersonated."""
    timelock = issuer_.deployment.timelock
    node_w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
    node_w3.provider.make_request("anvil_setBalance", [timelock, hex(10**20)])  # type: ignore[arg-type]
    token = issuer_.contracts.token(class_id).functions
    for call in (
        token.grantRole(Web3.keccak(text="MINTER_ROLE"), round_address),
        token.setMintAllowance(round_address, shares),
    ):
        assert node_w3.eth.wait_for_transaction_receipt(call.transact({"from": timelock}))["status"]


def approve_by_vote(issuer_: Issuer, round_name: str) -> None:
    """`approve-round ROUND` through a real proposal: proposed, voted, queued and executed."""
    issuer_.node.advance_time(60)  # votes count from the second after they were received
    proposed = issuer_.equity(
        "--json", "--account", "dev1", "gov", "propose", "--title", f"Approve round {round_name}",
        "--action", f"approve-round {round_name}",
    )  # fmt: skip
    assert proposed.code == 0, proposed.err
    pid = str(proposed.json()["proposal_id"])
    vote = issuer_.equity("--account", "dev1", "gov", "vote", pid, "for", "--advance-time")
    assert vote.code == 0, vote.err
    assert issuer_.equity("--account", "dev2", "gov", "vote", pid, "for").code == 0
    assert issuer_.equity("gov", "queue", pid, "--advance-time").code == 0
    executed = issuer_.equity("gov", "execute", pid, "--advance-time")
    assert executed.code == 0, executed.err


@pytest.fixture
def round_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.toml"
    path.write_text((EXAMPLES / "round.toml").read_text())
    return path
