"""A CSV run stopped part-way (issue 10.8): by Ctrl-C, or by the node going away. Either way
the user reads how far it got, "N of M rows done; run the same command again to resume",
never a raw ConnectionResetError or HTTPConnectionPool text; and the same command resumes."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import invoke_cli
from tests.issuer.conftest import EXAMPLES, OFFERING_NAME, Issuer
from toolkit.batches.sender import BatchSender
from toolkit.chain.accounts import dev_account
from toolkit.chain.connection import connect_url
from toolkit.chain.node import start_node
from toolkit.chain.tx import Transactor
from toolkit.offering.deploy import deploy_offering
from toolkit.offering.offering_file import load_offering

ISSUANCES = EXAMPLES / "issuances.csv"  # 11 rows: FOUNDERS 2, COMMON 5, PREFERRED 4


def csv_totals(path: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    with path.open() as handle:
        for row in csv.DictReader(handle):
            totals[row["class"]] = totals.get(row["class"], 0) + int(row["shares"])
    return totals


def after_first_batch(monkeypatch: pytest.MonkeyPatch, then: Callable[[], None]) -> None:
    """Run ``then`` when the second batch is about to be sent (the first one is mined)."""
    original = BatchSender.send
    sent = []

    def send(self: BatchSender, batch: Any) -> Any:
        if sent:
            then()
        sent.append(batch)
        return original(self, batch)

    monkeypatch.setattr(BatchSender, "send", send)


def test_ctrl_c_during_issue_csv_says_how_far_it_got_and_a_rerun_finishes(
    issuer: Issuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert issuer.equity("holders", "import", EXAMPLES / "holders.csv").code == 0

    def ctrl_c() -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        after_first_batch(patch, ctrl_c)
        result = issuer.equity("--json", "issue", "--csv", ISSUANCES, "--batch-size", "2")
    assert result.code == 130
    error = result.json()["error"]
    assert error["kind"] == "interrupted"
    assert error["message"] == (
        "interrupted: 2 of 11 rows done; run the same command again to resume"
    )
    rerun = issuer.equity("--json", "issue", "--csv", ISSUANCES, "--batch-size", "2")
    assert rerun.code == 0, rerun.err
    assert (rerun.json()["applied_before"], rerun.json()["applied_now"]) == (2, 9)


def test_the_node_gone_during_issue_csv_says_how_far_it_got_and_a_rerun_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "chain.json"
    node = start_node("anvil", state_file=state)
    try:
        chain = connect_url(node.rpc_url)
        Transactor._next_nonce.clear()
        deploy_offering(
            Transactor(chain, dev_account(0)), load_offering(EXAMPLES / "offering.toml"),
            name=OFFERING_NAME, cwd=tmp_path,
        )  # fmt: skip
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("EQUITY_RPC_URL", node.rpc_url)
        assert invoke_cli("holders", "import", EXAMPLES / "holders.csv").code == 0
        with monkeypatch.context() as patch:
            after_first_batch(patch, node.stop)  # the node goes away (its state is saved)
            result = invoke_cli("--json", "issue", "--csv", ISSUANCES, "--batch-size", "2")
    finally:
        node.stop()
    assert result.code == 3, result.err
    error = result.json()["error"]
    assert error["kind"] == "unreachable"
    assert error["message"] == (
        f"lost the node at {node.rpc_url} (connection refused): "
        "2 of 11 rows done; run the same command again to resume"
    )
    for raw in ("ConnectionResetError", "HTTPConnectionPool", "Traceback", "unexpected"):
        assert raw not in result.err
    restarted = start_node("anvil", state_file=state)  # the same chain, back on another port
    try:
        monkeypatch.setenv("EQUITY_RPC_URL", restarted.rpc_url)
        rerun = invoke_cli("--json", "issue", "--csv", ISSUANCES, "--batch-size", "2")
        assert rerun.code == 0, rerun.err
        assert (rerun.json()["applied_before"], rerun.json()["applied_now"]) == (2, 9)
        shown = json.loads(invoke_cli("--json", "captable", "show").out)
        issued = {c["id"]: c["total_supply"] for c in shown["classes"]}
        assert issued == csv_totals(ISSUANCES)  # every row once: none lost, none twice
    finally:
        restarted.stop()
