"""The issuer's path end to end on both local chains: deploy the example offering, qualify the
holders, issue in batches, see a transfer refused, recover a lost wallet."""

from __future__ import annotations

import pytest

from tests.conftest import RunningNode
from tests.issuer.conftest import DEV, EXAMPLES, Issuer
from toolkit.chain.connection import connect_url
from toolkit.chain.tx import Transactor
from toolkit.offering.deployments import find_deployment

ALICE, ERIN, DAVE, ALICE_NEW = DEV[1], DEV[5], DEV[4], DEV[7]


@pytest.mark.parametrize("kind", ["anvil", pytest.param("ganache", marks=pytest.mark.ganache)])
def test_deploy_issue_refuse_and_recover(
    kind: str,
    request: pytest.FixtureRequest,
    tmp_path: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    node: RunningNode = request.getfixturevalue(kind)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    monkeypatch.setenv("EQUITY_RPC_URL", node.rpc_url)
    Transactor._next_nonce.clear()
    chain = connect_url(node.rpc_url)
    expected_chain = {"anvil": 31337, "ganache": 1337}[kind]
    assert chain.chain_id == expected_chain
    run = Issuer(node=node, chain=chain, deployment=None, cwd=tmp_path)  # type: ignore[arg-type]

    deployed = run.equity("--json", "deploy", EXAMPLES / "offering.toml", "--name", f"e2e-{kind}")
    assert deployed.code == 0, deployed.err
    run.deployment = find_deployment(expected_chain, f"e2e-{kind}", tmp_path)  # type: ignore[arg-type]

    assert run.equity("holders", "import", EXAMPLES / "holders.csv", "--batch-size", "4").code == 0
    issued = run.equity("--json", "issue", "--csv", EXAMPLES / "issuances.csv", "--batch-size", "3")
    assert issued.code == 0, issued.err
    assert issued.json()["applied_now"] == 11
    assert run.balance("COMMON", ERIN) == 150_000

    refused = run.equity("--json", "--account", "dev5", "transfer", "COMMON", DAVE, "10")
    assert refused.code == 3
    assert "SHARES_LOCKED" in refused.err
    assert refused.json()["error"]["kind"] == "revert"
    assert run.balance("COMMON", ERIN) == 150_000

    # the founder's 800,000 vest over 1461 days from 2026-01-01 after a 365-day cliff: all
    # locked before 2027-01-01, less later; the lock goes with the shares to the new wallet
    locked = run.locked("FOUNDERS", ALICE)
    assert 0 < locked <= 800_000
    recovered = run.equity("--json", "--yes", "recover", ALICE, ALICE_NEW)
    assert recovered.code == 0, recovered.err
    assert run.balance("FOUNDERS", ALICE) == 0
    assert run.balance("FOUNDERS", ALICE_NEW) == 800_000
    a_minute_of_vesting = 800_000 * 60 // (1461 * 86_400) + 1
    assert locked - a_minute_of_vesting <= run.locked("FOUNDERS", ALICE_NEW) <= locked
    assert run.balance("COMMON", ALICE_NEW) == 50_000
