"""Issue 11, point 2, through the CLI: a class's protective provisions from the offering file.

The sample offering with PREFERRED (non-voting, carol's 5000 shares) protected: its consent
(over 50 % of its outstanding shares) is needed to change its authorized shares or holder cap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REPO, RunningNode, invoke_cli
from tests.governance.conftest import DAY, Offering, forget_nonces, register_and_issue
from toolkit.chain.accounts import dev_account
from toolkit.chain.connection import connect_url
from toolkit.chain.tx import Transactor

PROVISIONS = 'consent = ["set-authorized", "set-max-holders"]\nconsent_threshold_percent = 50\n'


@pytest.fixture(scope="module")
def offering_module(
    anvil: RunningNode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Offering]:
    """The sample offering, PREFERRED with protective provisions (overrides the conftest's)."""
    from toolkit.offering.deploy import deploy_offering
    from toolkit.offering.offering_file import load_offering

    forget_nonces()
    before = anvil.snapshot()
    workdir = tmp_path_factory.mktemp("consent")
    text = (REPO / "examples" / "offering.toml").read_text()
    text = text.replace("conversion_ratio = 1\n", "conversion_ratio = 1\n" + PROVISIONS)
    (workdir / "offering.toml").write_text(text)
    chain = connect_url(anvil.rpc_url)
    report = deploy_offering(
        Transactor(chain, dev_account(0)),
        load_offering(workdir / "offering.toml"),
        name="acme",
        cwd=workdir,
    )
    register_and_issue(chain, report.deployment)
    anvil.advance_time(60)
    try:
        yield Offering(chain, report.deployment, workdir, anvil)
    finally:
        anvil.revert(before)
        forget_nonces()


def gov(offering: Offering, *args: str, account: str = "dev1", json_output: bool = True) -> Any:
    argv = ["--json"] if json_output else []
    result = invoke_cli(*argv, "--yes", "--account", account, "--rpc-url", offering.node.rpc_url, "gov", *args)
    assert result.code == 0, result.err
    return result.json() if json_output else result.out


@pytest.fixture
def raise_preferred(offering: Offering, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(offering.workdir)
    proposed = gov(offering, "propose", "--title", "More preferred", "--action", "set-authorized PREFERRED 6000000")
    return str(proposed["proposal_id"])


def test_a_proposal_the_general_vote_passes_and_the_class_refuses_is_defeated(
    offering: Offering, raise_preferred: str
) -> None:
    pid = raise_preferred
    gov(offering, "vote", pid, "for", "--advance-time")  # alice
    gov(offering, "vote", pid, "for", account="dev2")  # bob
    voted = gov(offering, "vote", pid, "against", account="dev3")  # carol: non-voting, votes as a class
    assert (voted["weight"], voted["class_weights"]) == (0, {"PREFERRED": 5000})
    offering.advance(7 * DAY)
    status = gov(offering, "status", pid)
    assert (status["state"], status["for"], status["against"]) == ("Defeated", 2000, 0)
    assert status["class_votes"] == [
        {
            "class": "PREFERRED",
            "for": 0,
            "against": 5000,
            "abstain": 0,
            "outstanding": 5000,
            "threshold_percent": 50,
            "needed": 2501,
            "consented": False,
        }
    ]
    assert status["next_step"] == "defeated: class PREFERRED did not consent"
    text = gov(offering, "status", pid, json_output=False)
    assert "class     PREFERRED must consent: for 0, against 5,000, abstain 0 of 5,000 shares" in text
    [listed] = [p for p in gov(offering, "list")["proposals"] if p["id"] == pid]
    assert listed["state"] == "Defeated" and listed["class_votes"][0]["consented"] is False


def test_a_proposal_both_votes_pass_executes_and_an_ordinary_one_needs_no_class_vote(
    offering: Offering, raise_preferred: str
) -> None:
    pid = raise_preferred
    ordinary = gov(offering, "propose", "--title", "More common", "--action", "set-authorized COMMON 12000000")
    voted = gov(offering, "vote", pid, "for", "--advance-time", account="dev3")  # carol consents
    assert (voted["weight"], voted["class_weights"]) == (0, {"PREFERRED": 5000})
    for who in ("dev1", "dev2"):
        gov(offering, "vote", pid, "for", account=who)
        gov(offering, "vote", ordinary["proposal_id"], "for", "--advance-time", account=who)
    status = gov(offering, "status", ordinary["proposal_id"])
    assert status["class_votes"] == []
    gov(offering, "queue", pid, "--advance-time")
    executed = gov(offering, "execute", pid, "--advance-time")
    assert executed["state"] == "Executed"
    assert offering.token("PREFERRED").functions.authorized().call() == 6_000_000
    assert gov(offering, "status", pid)["class_votes"][0]["consented"] is True
