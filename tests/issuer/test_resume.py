"""Resumable batches, tested with real processes killed at chosen points (SIGKILL through the
EQUITY_TEST_CRASH_* hooks) and a real anvil killed and restarted from its --state file: a rerun
of the same command always ends with the chain exactly as the CSV says, no row twice, none lost.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.issuer.conftest import DEV, EXAMPLES, Issuer
from toolkit.batches.journal import read_journal
from toolkit.chain.accounts import dev_account
from toolkit.chain.connection import connect_url
from toolkit.chain.node import start_node
from toolkit.chain.tx import Transactor
from toolkit.offering.contracts import OfferingContracts
from toolkit.offering.deploy import deploy_offering
from toolkit.offering.offering_file import load_offering

ISSUANCES = EXAMPLES / "issuances.csv"
KILLED = -signal.SIGKILL


def expected_balances() -> Counter[tuple[str, str]]:
    totals: Counter[tuple[str, str]] = Counter()
    for line in ISSUANCES.read_text().splitlines()[1:]:
        class_id, wallet, shares, *_ = line.split(",")
        totals[(class_id, wallet)] += int(shares)
    return totals


def assert_chain_matches_csv(contracts: OfferingContracts) -> None:
    expected = expected_balances()
    for share_class, token in contracts.all_tokens():
        supply = int(token.functions.totalSupply().call())
        assert supply == sum(v for (c, _), v in expected.items() if c == share_class.id)
        for wallet in DEV[1:10]:
            assert (
                int(token.functions.balanceOf(wallet).call()) == expected[(share_class.id, wallet)]
            )


def journal_of(cwd: Path, kind: str) -> Path:
    (path,) = (cwd / ".equity" / "journals").glob(f"*/*/{kind}-*.jsonl")
    return path


def test_a_kill_between_sending_and_recording_does_not_issue_twice(issuer: Issuer) -> None:
    assert issuer.equity("holders", "import", EXAMPLES / "holders.csv").code == 0
    crashed = issuer.spawn(
        "issue", "--csv", ISSUANCES, "--batch-size", "2", env={"EQUITY_TEST_CRASH_AFTER_SEND": "2"}
    )
    assert crashed.code == KILLED
    journal = read_journal(journal_of(issuer.cwd, "issue"))
    assert [i.status for i in journal.intents] == [1, None]  # sent, but its receipt unrecorded
    rerun = issuer.spawn("--json", "issue", "--csv", ISSUANCES, "--batch-size", "2")
    assert rerun.code == 0, rerun.err
    assert json.loads(rerun.out)["rows"] == 11
    assert_chain_matches_csv(issuer.contracts)


def test_a_kill_after_recording_the_intent_but_before_sending_resends_it(issuer: Issuer) -> None:
    assert issuer.equity("holders", "import", EXAMPLES / "holders.csv").code == 0
    crashed = issuer.spawn(
        "issue", "--csv", ISSUANCES, "--batch-size", "2", env={"EQUITY_TEST_CRASH_BEFORE_SEND": "3"}
    )
    assert crashed.code == KILLED
    nonce = issuer.nonce()
    rerun = issuer.spawn("--json", "issue", "--csv", ISSUANCES, "--batch-size", "2")
    assert rerun.code == 0, rerun.err
    report = json.loads(rerun.out)
    assert report["resent"] == 1  # the very transaction signed before the kill, same nonce
    journal = read_journal(journal_of(issuer.cwd, "issue"))
    assert journal.intents[2].nonce == nonce and journal.intents[2].status == 1
    assert_chain_matches_csv(issuer.contracts)


def test_several_kills_then_reruns_end_exactly_as_the_csv_says(issuer: Issuer) -> None:
    assert issuer.equity("holders", "import", EXAMPLES / "holders.csv").code == 0
    for crash in ("1", "1", "2"):
        result = issuer.spawn(
            "issue",
            "--csv",
            ISSUANCES,
            "--batch-size",
            "1",
            env={"EQUITY_TEST_CRASH_AFTER_SEND": crash},
        )
        assert result.code == KILLED
    assert issuer.spawn("issue", "--csv", ISSUANCES, "--batch-size", "3").code == 0
    assert_chain_matches_csv(issuer.contracts)
    nonce = issuer.nonce()
    again = issuer.spawn("--json", "issue", "--csv", ISSUANCES)
    assert again.code == 0
    assert json.loads(again.out)["applied_now"] == 0
    assert issuer.nonce() == nonce


def test_a_killed_holder_import_resumes_without_registering_twice(issuer: Issuer) -> None:
    crashed = issuer.spawn(
        "holders",
        "import",
        EXAMPLES / "holders.csv",
        "--batch-size",
        "2",
        env={"EQUITY_TEST_CRASH_AFTER_SEND": "2"},
    )
    assert crashed.code == KILLED
    rerun = issuer.spawn(
        "--json", "holders", "import", EXAMPLES / "holders.csv", "--batch-size", "2"
    )
    assert rerun.code == 0, rerun.err  # a wallet registered twice would have reverted
    listed = issuer.equity("--json", "holders", "list").json()["holders"]
    assert [h["wallet"] for h in listed] == DEV[1:10]


@pytest.fixture
def anvil_with_state(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An anvil of the test's own, saving its state every second; killed however the test ends."""
    nodes = []

    def start(state: Path):  # type: ignore[no-untyped-def]
        node = start_node("anvil", state_file=state)
        nodes.append(node)
        return node

    yield start
    for node in nodes:
        node.stop(timeout=2)


def test_a_node_restarted_from_an_older_state_file_gets_the_forgotten_batches_again(
    issuer: Issuer,
    tmp_path: Path,
    anvil_with_state,  # type: ignore[no-untyped-def]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    state = tmp_path / "state.json"
    node = anvil_with_state(state)
    chain = connect_url(node.rpc_url)
    Transactor._next_nonce.clear()
    deployment = deploy_offering(
        Transactor(chain, dev_account(0)),
        load_offering(EXAMPLES / "offering.toml"),
        name="acme",
        cwd=work,
    ).deployment
    local = Issuer(
        node=issuer.node, chain=chain, deployment=deployment, cwd=work
    )

    def run(*args: str | Path, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return local.spawn("--rpc-url", current_url[0], *args, env=env)

    current_url = [node.rpc_url]
    assert run("holders", "import", EXAMPLES / "holders.csv").code == 0
    assert (
        run(
            "issue",
            "--csv",
            ISSUANCES,
            "--batch-size",
            "2",
            env={"EQUITY_TEST_CRASH_AFTER_SEND": "2"},
        ).code
        == KILLED
    )
    time.sleep(2.5)  # anvil dumps its state every second: the first two batches are in the file
    older = tmp_path / "older-state.json"
    shutil.copy(state, older)
    finished = run("--json", "issue", "--csv", ISSUANCES, "--batch-size", "2")
    assert finished.code == 0, finished.err
    assert all(i.status == 1 for i in read_journal(journal_of(work, "issue")).intents)

    os.kill(node.pid, signal.SIGKILL)  # the node dies; its latest blocks were never saved
    node.process.wait()
    restarted = anvil_with_state(older)
    current_url[0] = restarted.rpc_url
    restarted_chain = connect_url(restarted.rpc_url)
    contracts = OfferingContracts(restarted_chain.w3, deployment)
    assert int(contracts.token("PREFERRED").functions.totalSupply().call()) == 0  # forgotten

    resumed = run("--json", "issue", "--csv", ISSUANCES, "--batch-size", "2")
    assert resumed.code == 0, resumed.err
    report = json.loads(resumed.out)
    assert report["forgotten_by_chain"] >= 1
    assert "no longer knows" in resumed.err
    assert_chain_matches_csv(contracts)
