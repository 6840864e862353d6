"""The investor and issuer scripts, run as plain Python (``python scripts/NAME.py ARGS``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO
from tests.governance.conftest import DAY, Offering

SCRIPTS = REPO / "scripts"


def script(offering: Offering, name: str, *args: str, account: str = "dev1") -> tuple[int, Any, str]:
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args, "--account", account,
         "--rpc-url", offering.node.rpc_url, "--json"],
        cwd=offering.workdir,  # deployments/ is read from the working directory
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    data = json.loads(proc.stdout) if proc.stdout.strip() else None
    return proc.returncode, data, proc.stderr


def test_issuer_proposes_and_investors_vote_with_scripts(offering: Offering) -> None:
    code, proposed, err = script(offering, "propose_authorized.py", "COMMON", "15000000")
    assert code == 0, err
    pid = proposed["proposal_id"]
    offering.advance(DAY + 1)
    code, voted, err = script(offering, "vote.py", "latest", "for", "--reason", "ok", account="dev2")
    assert code == 0, err
    assert voted["weight"] == 1000 and voted["proposal_id"] == pid


def test_sign_offline_and_relay_with_scripts(offering: Offering, tmp_path: Path) -> None:
    code, proposed, err = script(offering, "propose_authorized.py", "FOUNDERS", "2500000")
    assert code == 0, err
    offering.advance(DAY + 1)
    ballot = tmp_path / "ballot.json"
    code, signed, err = script(
        offering, "sign_vote.py", proposed["proposal_id"], "against", "--out", str(ballot),
        "--governor", offering.deployment.governor, "--chain-id", "31337", account="dev4",
    )  # fmt: skip
    assert code == 0, err
    assert signed["voter"] == offering.address("dave")
    code, relayed, err = script(offering, "relay_vote.py", str(ballot), account="dev3")
    assert code == 0, err
    assert relayed["support"] == "against" and relayed["weight"] == 200
    code, error, _ = script(offering, "relay_vote.py", str(ballot), account="dev3")
    assert code == 3 and "replay" in error["error"]["message"]


def test_delegate_and_holdings_with_scripts(offering: Offering) -> None:
    code, _, err = script(offering, "delegate.py", offering.address("bob"), account="dev4")
    assert code == 0, err
    code, holdings, err = script(offering, "holdings.py", offering.address("bob"))
    assert code == 0, err
    assert holdings["voting_power"] == 100 * 10 + 200
    founders = next(c for c in holdings["classes"] if c["class"] == "FOUNDERS")
    assert founders["shares"] == 100 and founders["weighted_votes"] == 1000


def test_a_script_error_is_one_clear_line_and_an_exit_code(offering: Offering) -> None:
    code, error, err = script(offering, "propose_authorized.py", "COMMON", "5")
    assert code == 2
    assert "is no increase" in error["error"]["message"]
    assert "Traceback" not in err


def test_key_value_arguments_work_like_options() -> None:
    from toolkit.cli.scripting import normalize_args, script_parser

    parser = script_parser("x", "x")
    parser.add_argument("--out")
    assert normalize_args(["latest", "account=dev2", "json=true", "out=a=b.json"], parser) == [
        "latest", "--account", "dev2", "--json", "--out", "a=b.json",
    ]  # fmt: skip
    assert normalize_args(["unknown=1"], parser) == ["unknown=1"]


def test_sign_vote_script_and_command_sign_the_same_ballot_and_print_the_same_json(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Both call governance.signing.sign_vote: offline, the same inputs give the same ballot."""
    from tests.conftest import invoke_cli

    monkeypatch.chdir(tmp_path)
    governor = "0x" + "ab" * 20
    common = ["12345", "for", "--governor", governor, "--chain-id", "31337",
              "--governor-name", "Acme Robotics, Inc. Governor", "--nonce", "2"]  # fmt: skip
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / "sign_vote.py"), *common,
         "--out", str(tmp_path / "script.json"), "--account", "dev2", "--json"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    command = invoke_cli(
        "--json", "--account", "dev2", "gov", "sign-vote", *common, "--out", tmp_path / "cli.json"
    )
    assert command.code == 0, command.err
    from_script, from_command = json.loads(proc.stdout), command.json()
    assert from_script.pop("file").endswith("script.json")
    assert from_command.pop("file").endswith("cli.json")
    assert from_script == from_command
    assert from_script["offline"] is True and from_script["nonce"] == 2
    assert json.loads((tmp_path / "script.json").read_text()) == json.loads(
        (tmp_path / "cli.json").read_text()
    )
