"""The transaction layer: nonces, fees, receipts and decoded failures on a real node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningNode
from toolkit.chain.accounts import create_account, dev_account
from toolkit.chain.connection import connect_url
from toolkit.chain.node import start_node
from toolkit.chain.tx import Transactor
from toolkit.cli.context import AppContext, Options
from toolkit.errors import (
    InsufficientFundsError,
    KeystoreError,
    NodeUnreachableError,
    TransactionRevertedError,
    UsageError,
)

EQUITY = [sys.executable, "-m", "toolkit.cli.main"]


@pytest.fixture(params=["anvil", "ganache"])
def node(request: pytest.FixtureRequest) -> RunningNode:
    running: RunningNode = request.getfixturevalue(request.param)
    return running


@pytest.fixture
def probe(node: RunningNode, probe_artifact: dict[str, Any]) -> Any:
    chain = connect_url(node.rpc_url)
    deployed = Transactor(chain, dev_account(0)).deploy(probe_artifact)
    assert deployed.contract_address is not None
    return chain.w3.eth.contract(address=deployed.contract_address, abi=probe_artifact["abi"])


def test_several_transactions_in_a_row_never_collide(node: RunningNode, probe: Any) -> None:
    tx = Transactor(connect_url(node.rpc_url), dev_account(0))
    receiver = dev_account(1).address
    before = probe.functions.balanceOf(receiver).call()
    pending = [tx.submit(tx.build(probe.functions.transfer(receiver, 1))) for _ in range(5)]
    assert len({p.nonce for p in pending}) == 5
    results = [tx.wait(p) for p in pending]
    assert all(r.status == 1 and r.gas_used > 0 for r in results)
    assert probe.functions.balanceOf(receiver).call() == before + 5


def test_transactions_use_eip1559_fees(node: RunningNode, probe: Any) -> None:
    tx = Transactor(connect_url(node.rpc_url), dev_account(0))
    built = tx.build(probe.functions.transfer(dev_account(2).address, 1))
    assert built["type"] == 2 and built["maxFeePerGas"] >= built["maxPriorityFeePerGas"] > 0
    result = tx.wait(tx.submit(built))
    mined = node.w3.eth.get_transaction(result.hash)  # type: ignore[arg-type]
    assert mined["type"] == 2
    assert built["gas"] > result.gas_used  # estimated with headroom


def test_a_custom_error_is_decoded_with_its_arguments(node: RunningNode, probe: Any) -> None:
    tx = Transactor(connect_url(node.rpc_url), dev_account(0))
    with pytest.raises(TransactionRevertedError) as caught:
        tx.transact(probe.functions.transfer(dev_account(1).address, 10**9), label="transfer")
    error = caught.value
    assert error.exit_code == 3 and error.error_name == "ERC20InsufficientBalance"
    assert error.error_args["needed"] == 10**9
    assert error.message.startswith("transfer refused: ERC20InsufficientBalance(")


def test_nothing_is_sent_when_the_estimate_reverts(node: RunningNode, probe: Any) -> None:
    chain = connect_url(node.rpc_url)
    sender = dev_account(0).address
    nonce = chain.w3.eth.get_transaction_count(sender)
    with pytest.raises(TransactionRevertedError):
        Transactor(chain, dev_account(0)).transact(probe.functions.refuse(7))
    assert chain.w3.eth.get_transaction_count(sender) == nonce


def test_insufficient_funds_is_exit_3(
    anvil: RunningNode,
    probe_artifact: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EQUITY_KEYSTORE_DIR", str(tmp_path))
    create_account("pauper", "pw")
    from toolkit.chain.accounts import load_keystore

    tx = Transactor(connect_url(anvil.rpc_url), load_keystore("pauper", "pw"))
    with pytest.raises(InsufficientFundsError) as caught:
        tx.deploy(probe_artifact)
    assert caught.value.exit_code == 3


def test_an_unreachable_rpc_url_is_exit_3_naming_the_url() -> None:
    url = "http://127.0.0.1:9"
    proc = subprocess.run(
        [*EQUITY, "--rpc-url", url, "node", "status"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 3
    assert url in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(NodeUnreachableError):
        AppContext(Options(rpc_url=url)).chain()


def test_dev3_on_a_non_local_chain_is_exit_2() -> None:
    node = start_node("anvil")
    try:
        # the same node software, but a chain id that is not a local one
        node.stop()
        from toolkit.chain import node as node_module

        original = node_module.CHAIN_IDS["anvil"]
        node_module.CHAIN_IDS["anvil"] = 5
        try:
            remote = start_node("anvil")
        finally:
            node_module.CHAIN_IDS["anvil"] = original
        app = AppContext(Options(rpc_url=remote.rpc_url, account="dev3"))
        with pytest.raises(UsageError) as caught:
            app.signer()
        assert caught.value.exit_code == 2
        app_default = AppContext(Options(rpc_url=remote.rpc_url))
        with pytest.raises(UsageError, match="no --account"):
            app_default.signer()
        remote.stop()
    finally:
        node.stop()


def test_a_wrong_password_sends_nothing(
    anvil: RunningNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EQUITY_KEYSTORE_DIR", str(tmp_path))
    monkeypatch.setenv("EQUITY_PASSWORD", "wrong")
    entry = create_account("treasurer", "right")
    block = anvil.w3.eth.block_number
    app = AppContext(Options(rpc_url=anvil.rpc_url, account="treasurer"))
    with pytest.raises(KeystoreError):
        app.transactor()
    assert anvil.w3.eth.block_number == block
    assert anvil.w3.eth.get_transaction_count(entry.address) == 0


def test_help_does_not_import_web3() -> None:
    code = (
        "import sys\n"
        "from toolkit.cli.main import cli\n"
        "try:\n"
        "    cli.main(args=['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('web3','eth_account','solcx','rich'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_after_the_chain_goes_back_in_time_the_next_nonce_follows_it(
    anvil: RunningNode, probe_artifact: dict[str, Any]
) -> None:
    chain = connect_url(anvil.rpc_url)
    tx = Transactor(chain, dev_account(7))
    snapshot = anvil.snapshot()
    tx.deploy(probe_artifact)
    tx.deploy(probe_artifact)
    anvil.revert(snapshot)  # both deployments are forgotten
    result = tx.deploy(probe_artifact)  # must not leave a nonce gap that is never mined
    assert result.status == 1


def deployed_probe(node: RunningNode, artifact: dict[str, Any]) -> tuple[Any, Transactor, Any]:
    """A fresh Probe on ``node``: the chain, dev0's transaction layer, the contract."""
    chain = connect_url(node.rpc_url)
    tx = Transactor(chain, dev_account(0))
    deployed = tx.deploy(artifact)
    return chain, tx, chain.w3.eth.contract(address=deployed.contract_address, abi=artifact["abi"])


def test_a_rule_on_the_block_time_is_checked_at_the_next_blocks_time(
    anvil: RunningNode, probe_artifact: dict[str, Any]
) -> None:
    chain, tx, probe = deployed_probe(anvil, probe_artifact)
    latest = chain.w3.eth.get_block("latest")
    deadline = int(latest["timestamp"])  # passes at the latest block's time, not after it
    nonce = chain.w3.eth.get_transaction_count(dev_account(0).address)
    with pytest.raises(TransactionRevertedError) as caught:
        tx.transact(probe.functions.notAfter(deadline), label="late call")
    assert caught.value.error_name == "ProbeTooLate"
    assert caught.value.error_args["deadline"] == deadline
    assert caught.value.error_args["blockTime"] > deadline
    assert chain.w3.eth.get_transaction_count(dev_account(0).address) == nonce
    assert tx.transact(probe.functions.notAfter(deadline + 3600)).status == 1


def test_a_mined_revert_is_decoded_on_ganache_by_replaying_it(
    ganache: RunningNode, probe_artifact: dict[str, Any]
) -> None:
    _, tx, probe = deployed_probe(ganache, probe_artifact)
    built = tx.build(to=probe.address, data=probe.encode_abi("refuse", [9]), gas=100_000)
    pending = tx.submit(built, label="refuse")  # a fixed gas: no simulation stops it
    with pytest.raises(TransactionRevertedError) as caught:
        tx.wait(pending, tx=built)
    assert caught.value.error_name == "ProbeRefused"
    assert caught.value.error_args["code"] == 9
    assert "refuse reverted on chain" in caught.value.message
