"""Issue 11, point 3: a proposal is run as the timelock would run it before it is made, and
shown afterwards in the words it was proposed with.

`gov propose` simulates the calls in order from the timelock's address (an eth_call whose state
override gives that address a loop of calls) and refuses, exit 2, the first action that would
revert, naming it as typed with the decoded reason; nothing is sent. `gov status` and
`gov list` read each call back into action words, and print proposal ids in full.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import invoke_cli
from tests.governance.conftest import Offering
from toolkit.errors import InputError

WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"


def refusal(offering: Offering, *actions: str) -> str:
    gov = offering.governance
    plan = gov.plan(list(actions), "checked")
    alice = offering.transactor("alice")
    nonce = offering.chain.w3.eth.get_transaction_count(alice.address)
    with pytest.raises(InputError) as refused:
        gov.propose(alice, plan)
    assert offering.chain.w3.eth.get_transaction_count(alice.address) == nonce  # nothing sent
    assert refused.value.exit_code == 2
    return refused.value.message


def test_set_authorized_below_the_supply_is_refused_with_the_decoded_reason(
    offering: Offering,
) -> None:
    message = refusal(offering, "set-authorized COMMON 10")
    assert message.startswith("'set-authorized COMMON 10' would fail when the timelock runs it")
    assert "1200" in message  # the decoded AuthorizedBelowSupply: the supply it is below


def test_a_raw_call_that_reverts_is_refused_and_named_by_its_position(
    offering: Offering,
) -> None:
    message = refusal(
        offering, "set-max-holders COMMON 50", 'call COMMON "setMaxHolders(uint32)" 1'
    )
    assert message.startswith("action 2 ('call COMMON \"setMaxHolders(uint32)\" 1') would fail")
    assert "holder" in message.lower()  # the decoded MaxHoldersBelowHolderCount
    message = refusal(offering, 'call registry "noSuchFunction()"')
    assert "reverts without a reason" in message


def test_calls_are_simulated_in_order_each_seeing_the_effects_of_the_last(
    offering: Offering,
) -> None:
    """The timelock gives up COMMON's admin role in action 1, so action 2 would fail."""
    timelock = offering.deployment.timelock
    message = refusal(offering, f"revoke-role admin {timelock} COMMON", "set-max-holders COMMON 50")
    assert message.startswith("action 2 ('set-max-holders COMMON 50') would fail")
    assert f"{timelock} lacks the role DEFAULT_ADMIN_ROLE" in message
    # in the other order both succeed
    gov = offering.governance
    plan = gov.plan(["set-max-holders COMMON 50", f"revoke-role admin {timelock} COMMON"], "ok")
    gov.propose(offering.transactor("alice"), plan)


def test_an_unknown_role_is_refused_before_any_simulation(offering: Offering) -> None:
    with pytest.raises(InputError, match="unknown role 'WIZARD'"):
        offering.governance.plan([f"grant-role WIZARD {WALLET}"], "x")


def test_status_and_list_show_the_actions_in_words_and_ids_in_full(
    offering: Offering, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(offering.workdir)
    base = ["--yes", "--account", "dev1", "--rpc-url", offering.node.rpc_url]
    actions = [
        "set-authorized COMMON 12000000",
        f"grant-role issuer {WALLET} FOUNDERS",
        "block-jurisdiction PREFERRED FR",
        "approve-issuance COMMON 5000",
        'call COMMON "setMaxHolders(uint32)" 2500',
    ]
    argv = ["gov", "propose", "--title", "Words"]
    for action in actions:
        argv += ["--action", action]
    proposed = invoke_cli("--json", *base, *argv)
    assert proposed.code == 0, proposed.err
    pid = proposed.json()["proposal_id"]
    words = [
        "set-authorized COMMON 12000000",
        f"grant-role ISSUER_ROLE {WALLET} FOUNDERS",
        "block-jurisdiction PREFERRED FR",
        "approve-issuance COMMON 5000",
        "set-max-holders COMMON 2500",  # a raw call of a known setter reads as its action
    ]
    status = invoke_cli("--json", *base, "gov", "status", pid).json()
    assert status["actions"] == words
    assert [c["action"] for c in status["calls"]] == words
    listed = invoke_cli("--json", *base, "gov", "list").json()["proposals"]
    assert listed[-1]["id"] == pid and listed[-1]["actions"] == words
    text = invoke_cli(*base, "gov", "list")
    assert pid in text.out  # the whole 70-odd digits
    assert "approve-issuance COMMON 5000" in text.out
    shown = invoke_cli(*base, "gov", "status", pid)
    assert f"action    grant-role ISSUER_ROLE {WALLET} FOUNDERS" in shown.out


def test_the_refusal_from_the_command_line_exits_2_and_names_the_action(
    offering: Offering, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(offering.workdir)
    base = ["--yes", "--account", "dev1", "--rpc-url", offering.node.rpc_url]
    result = invoke_cli(
        "--json", *base, "gov", "propose", "--title", "Low", "--action", "set-authorized COMMON 10"
    )
    assert result.code == 2
    error = result.json()["error"]
    assert error["kind"] == "proposal_would_revert"
    assert "'set-authorized COMMON 10'" in error["message"]
    assert "Traceback" not in result.err
