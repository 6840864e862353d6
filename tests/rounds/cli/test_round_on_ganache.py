"""A round on Ganache (issue 12, point 5): the demo's round story through the real CLI, the
round's issuing power granted by a real `approve-round` proposal (voted, queued, executed with
--advance-time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunningNode
from tests.issuer.conftest import DEV, EXAMPLES, Issuer
from toolkit.chain.connection import connect_url
from toolkit.chain.tx import Transactor
from toolkit.offering.deployments import find_deployment

ALICE, BOB = DEV[1], DEV[2]


@pytest.mark.ganache
def test_a_round_opens_is_approved_by_governance_and_sells_on_ganache(
    ganache: RunningNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EQUITY_RPC_URL", ganache.rpc_url)
    Transactor._next_nonce.clear()
    chain = connect_url(ganache.rpc_url)
    run = Issuer(node=ganache, chain=chain, deployment=None, cwd=tmp_path)  # type: ignore[arg-type]
    assert run.equity("deploy", EXAMPLES / "offering.toml", "--name", "acme").code == 0
    run.deployment = find_deployment(chain.chain_id, "acme", tmp_path)
    run.import_examples()
    assert run.equity("stablecoin", "deploy").code == 0
    opened = run.equity("--json", "round", "open", EXAMPLES / "round.toml", "--name", "seed")
    assert opened.code == 0, opened.err
    address = opened.json()["address"]

    ganache.advance_time(60)  # votes count from the second after they were received
    proposed = run.equity(
        "--json", "--account", "dev1", "gov", "propose", "--title", "Approve round seed",
        "--action", "approve-round seed",
    )  # fmt: skip
    assert proposed.code == 0, proposed.err
    proposal = str(proposed.json()["proposal_id"])
    ganache.advance_time(86_401)
    assert run.equity("--account", "dev1", "gov", "vote", proposal, "for").code == 0
    assert run.equity("--account", "dev2", "gov", "vote", proposal, "for").code == 0
    assert run.equity("gov", "queue", proposal, "--advance-time").code == 0
    assert run.equity("gov", "execute", proposal, "--advance-time").code == 0
    assert run.contracts.token("COMMON").functions.mintAllowance(address).call() == 100_000

    too_big = run.equity("--account", "dev1", "round", "subscribe", "seed", "6000")
    assert too_big.code == 3 and "ABOVE_TRANSACTION_LIMIT (24)" in too_big.err
    us = run.equity("--account", "dev3", "round", "subscribe", "seed", "1000")
    assert us.code == 3 and "JURISDICTION_BLOCKED (6)" in us.err
    assert (
        run.equity("--account", "dev1", "round", "subscribe", "seed", "1000", "--permit").code == 0
    )
    assert run.equity("--account", "dev2", "round", "subscribe", "seed", "2500").code == 0
    assert run.balance("COMMON", ALICE) == 51_000 and run.locked("COMMON", BOB) == 2_500
    status = run.equity("--json", "round", "status", "seed").json()
    assert (status["sold"], status["investors"], status["raised"]) == (3500, 2, 3500 * 12_500_000)
