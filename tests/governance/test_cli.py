"""``equity gov ...`` end to end in-process: SPEC §9 JSON, exit codes of SPEC §6."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import invoke_cli
from tests.governance.conftest import DAY, Offering


class Run:
    def __init__(self, offering: Offering) -> None:
        self.offering = offering

    def __call__(
        self, *args: str, account: str = "dev1", rpc: bool = True, json_output: bool = True
    ) -> tuple[int, Any, str]:
        argv = ["--json"] if json_output else []
        argv += ["--yes", "--account", account]
        if rpc:
            argv += ["--rpc-url", self.offering.node.rpc_url]
        result = invoke_cli(*argv, *args)
        if not json_output:
            return result.code, result.out, result.err
        return result.code, result.json() if result.out.strip() else None, result.err


@pytest.fixture
def run(offering: Offering, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.chdir(offering.workdir)
    return Run(offering)


def test_propose_vote_queue_execute_from_the_command_line(run: Run, offering: Offering) -> None:
    code, proposed, _ = run(
        "gov", "propose", "--title", "Raise COMMON", "--action", "set-authorized COMMON 12000000"
    )
    assert code == 0
    pid = proposed["proposal_id"]
    assert isinstance(pid, str) and pid.isdigit()
    assert {"hash", "block", "gas_used", "status"} <= set(proposed["transactions"][0])
    offering.advance(DAY + 1)
    assert run("gov", "vote", pid, "for", "--reason", "growth")[0] == 0
    assert run("gov", "vote", pid, "for", account="dev2")[0] == 0
    code, queued, _ = run("gov", "queue", pid, "--advance-time")
    assert code == 0 and queued["state"] == "Queued"
    code, executed, _ = run("gov", "execute", "latest", "--advance-time")
    assert code == 0 and executed["state"] == "Executed"
    assert offering.token("COMMON").functions.authorized().call() == 12_000_000

    code, status, _ = run("gov", "status", pid)
    assert code == 0
    assert status["id"] == pid and status["state"] == "Executed"
    assert (status["for"], status["against"], status["abstain"]) == (2000, 0, 0)
    assert status["quorum"] == 1100 and status["snapshot"] < status["deadline"]
    assert status["votes"][0]["reason"] == "growth"
    code, listed, _ = run("gov", "list")
    assert [(p["id"], p["state"]) for p in listed["proposals"]] == [(pid, "Executed")]


def test_a_bad_action_exits_2_with_one_clear_line(run: Run) -> None:
    code, error, err = run("gov", "propose", "--title", "X", "--action", "set-authorized NOPE 5")
    assert code == 2
    assert error["error"]["code"] == 2
    assert "unknown class 'NOPE'" in error["error"]["message"]
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_voting_before_the_delay_exits_3(run: Run) -> None:
    _, proposed, _ = run(
        "gov", "propose", "--title", "Soon", "--action", "set-max-holders COMMON 9"
    )
    code, error, _ = run("gov", "vote", proposed["proposal_id"], "for", account="dev2")
    assert code == 3
    assert "has not started" in error["error"]["message"]


def test_a_proposal_below_the_threshold_exits_3(run: Run) -> None:
    code, error, _ = run(
        "gov",
        "propose",
        "--title",
        "Issuer",
        "--action",
        "set-max-holders COMMON 9",
        account="dev0",
    )
    assert code == 3
    assert "below the proposal threshold" in error["error"]["message"]


def test_sign_offline_then_relay_once(run: Run, offering: Offering, tmp_path: Path) -> None:
    _, proposed, _ = run(
        "gov", "propose", "--title", "Ballot", "--action", "set-max-holders COMMON 9"
    )
    pid = proposed["proposal_id"]
    offering.advance(DAY + 1)
    ballot = tmp_path / "bob.json"
    code, signed, _ = run(
        "--rpc-url", "http://127.0.0.1:9",  # a dead node: offline signing must not need one
        "gov", "sign-vote", pid, "for", "--out", str(ballot),
        "--governor", offering.deployment.governor, "--chain-id", "31337",
        account="dev2", rpc=False,
    )  # fmt: skip
    assert code == 0, signed
    assert signed["offline"] is True and signed["voter"] == offering.address("bob")
    assert json.loads(ballot.read_text())["signature"].startswith("0x")

    code, relayed, _ = run("gov", "relay-vote", str(ballot), account="dev5")
    assert code == 0
    assert relayed["weight"] == 1000 and relayed["relayer"] == offering.address("erin")
    code, error, _ = run("gov", "relay-vote", str(ballot), account="dev5")
    assert code == 3
    assert "replay" in error["error"]["message"]


def test_sign_online_reads_domain_and_nonce(run: Run, offering: Offering, tmp_path: Path) -> None:
    _, proposed, _ = run(
        "gov", "propose", "--title", "Online", "--action", "set-max-holders COMMON 9"
    )
    offering.advance(DAY + 1)
    ballot = tmp_path / "alice.json"
    code, signed, _ = run("gov", "sign-vote", "latest", "against", "--out", str(ballot))
    assert code == 0 and signed["offline"] is False and signed["nonce"] == 0
    assert run("gov", "relay-vote", str(ballot), account="dev3")[0] == 0
    _, status, _ = run("gov", "status", proposed["proposal_id"])
    assert status["against"] == 1000


def test_a_tampered_ballot_file_exits_2(run: Run, offering: Offering, tmp_path: Path) -> None:
    _, proposed, _ = run(
        "gov", "propose", "--title", "Tamper", "--action", "set-max-holders COMMON 9"
    )
    offering.advance(DAY + 1)
    ballot = tmp_path / "bob.json"
    run("gov", "sign-vote", proposed["proposal_id"], "for", "--out", str(ballot), account="dev2")
    data = json.loads(ballot.read_text())
    data["message"]["support"] = 0
    data["support"] = "against"
    ballot.write_text(json.dumps(data))
    code, error, _ = run("gov", "relay-vote", str(ballot), account="dev3")
    assert code == 2
    assert "altered after signing" in error["error"]["message"]


def test_offline_signing_needs_both_governor_and_chain_id(run: Run, tmp_path: Path) -> None:
    code, error, _ = run(
        "gov",
        "sign-vote",
        "1",
        "for",
        "--out",
        str(tmp_path / "b.json"),
        "--chain-id",
        "1",
        rpc=False,
    )
    assert code == 2
    assert "both --governor and --chain-id" in error["error"]["message"]


def test_delegate_and_power(run: Run, offering: Offering) -> None:
    code, delegated, _ = run("gov", "delegate", offering.address("alice"), account="dev4")
    assert code == 0
    assert delegated["classes"] == ["COMMON"] and delegated["voting_power"] == 1200
    code, power, _ = run("gov", "power", offering.address("dave"))
    assert code == 0 and power["voting_power"] == 0
    assert power["classes"][0]["delegate"] == offering.address("alice")


def test_a_bad_checksum_is_refused(run: Run, offering: Offering) -> None:
    good = offering.address("alice")
    at = next(i for i, c in enumerate(good) if i > 1 and c.isalpha())
    bad = good[:at] + good[at].swapcase() + good[at + 1 :]
    code, error, _ = run("gov", "delegate", bad)
    assert code == 2
    assert "checksum" in error["error"]["message"]


def test_human_output_names_what_happened(run: Run, offering: Offering, tmp_path: Path) -> None:
    code, out, _ = run(
        "gov", "propose", "--title", "Readable", "--action", "set-max-holders COMMON 9",
        json_output=False,
    )  # fmt: skip
    assert code == 0 and "proposed" in out and "voting opens at" in out
    offering.advance(DAY + 1)
    code, out, _ = run("gov", "vote", "latest", "for", account="dev2", json_output=False)
    assert code == 0 and "voted for" in out and "1,000 votes" in out
    code, out, _ = run("gov", "status", "latest", json_output=False)
    assert code == 0 and "state     Active" in out and "quorum    1,100" in out
    code, out, _ = run("gov", "list", json_output=False)
    assert code == 0 and "Readable" in out
    code, out, _ = run("gov", "power", json_output=False)
    assert code == 0 and "voting power 1,000" in out
    code, out, _ = run("gov", "queue", "latest", json_output=False)
    assert code == 3  # still Active
    assert run("gov", "vote", "latest", "abstain", account="dev4", json_output=False)[0] == 0
    code, out, _ = run("gov", "queue", "latest", "--advance-time", json_output=False)
    assert code == 0 and "queued" in out
    code, out, _ = run("gov", "execute", "latest", "--advance-time", json_output=False)
    assert code == 0 and "executed" in out
    code, out, _ = run("gov", "delegate", "self", account="dev4", json_output=False)
    assert code == 0 and "delegated nothing to change" in out


def test_gov_list_off_a_terminal_prints_whole_proposal_ids(run: Run) -> None:
    _, proposed, _ = run("gov", "propose", "--title", "Raise COMMON", "--action", "set-authorized COMMON 12000000")
    code, out, _ = run("gov", "list", json_output=False)
    assert code == 0
    [line] = [line for line in out.splitlines() if "Raise COMMON" in line]
    assert line.startswith(proposed["proposal_id"])  # all 70-odd digits, never cut


def test_every_date_of_the_governance_json_is_iso_8601_utc(run: Run, offering: Offering) -> None:
    import re

    iso = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    _, proposed, _ = run("gov", "propose", "--title", "Raise COMMON", "--action", "set-authorized COMMON 12000000")
    assert iso.fullmatch(proposed["snapshot"]) and iso.fullmatch(proposed["deadline"])
    offering.advance(DAY + 1)
    run("gov", "vote", "latest", "for")
    run("gov", "vote", "latest", "for", account="dev2")
    _, queued, _ = run("gov", "queue", "latest", "--advance-time")
    assert iso.fullmatch(queued["eta"]) and iso.fullmatch(queued["advanced_time_to"])
    _, status, _ = run("gov", "status", "latest")
    assert all(iso.fullmatch(status[key]) for key in ("snapshot", "deadline", "eta", "now", "record_date"))
    _, listed, _ = run("gov", "list")
    assert iso.fullmatch(listed["proposals"][0]["deadline"])


def test_lock_up_lots_in_the_voting_power_json_are_iso_8601_utc() -> None:
    from toolkit.governance.governor import ClassPower, VotingPower

    lot = (100, 1_767_225_600, 1_798_761_600, 1_893_456_000)  # 2026-01-01, 2027-01-01, 2030-01-01
    power = VotingPower("0x" + "11" * 20, (ClassPower("FOUNDERS", 10, 100, 100, "0x" + "11" * 20, 100, (lot,)),), 1000)
    [json_lot] = power.to_json()["classes"][0]["lockups"]
    assert json_lot == {
        "amount": 100, "start": "2026-01-01T00:00:00Z", "cliff": "2027-01-01T00:00:00Z", "end": "2030-01-01T00:00:00Z",
    }


def test_vote_advance_time_skips_the_voting_delay_on_a_local_chain(
    run: Run, offering: Offering
) -> None:
    """Issue 11, point 4: a proposal that opens in a day is voted at once with --advance-time;
    without it the refusal says when voting opens and names the flag (exit 3, as for queue)."""
    code, proposed, _ = run(
        "gov", "propose", "--title", "Cap", "--action", "set-max-holders COMMON 2500"
    )
    assert code == 0
    pid = proposed["proposal_id"]
    code, _, err = run("gov", "vote", pid, "for")
    assert code == 3
    assert "has not started" in err and "--advance-time" in err
    before = offering.node.w3.eth.get_block("latest")["timestamp"]
    code, voted, _ = run("gov", "vote", pid, "for", "--advance-time")
    assert code == 0
    assert voted["weight"] == 1000
    advanced = datetime.fromisoformat(voted["advanced_time_to"].replace("Z", "+00:00"))
    assert advanced.timestamp() >= before + DAY
    code, status, _ = run("gov", "status", pid)
    assert status["state"] == "Active" and status["for"] == 1000
