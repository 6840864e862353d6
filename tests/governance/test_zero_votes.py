"""A vote that would count 0 is refused before it is sent, saying why (issue 10.8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import invoke_cli
from tests.governance.conftest import DAY, Offering


def gov(offering: Offering, *args: str, account: str) -> tuple[int, dict[str, object], str]:
    result = invoke_cli(
        "--json", "--yes", "--account", account, "--rpc-url", offering.node.rpc_url, "gov", *args
    )
    return result.code, result.json() if result.out.strip() else {}, result.err


def test_a_holder_without_voting_power_at_the_snapshot_is_refused_before_sending(
    offering: Offering, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(offering.workdir)
    code, proposed, err = gov(offering, "propose", "--title", "Zero", "--action",
                              "set-max-holders COMMON 9", account="dev1")  # fmt: skip
    assert code == 0, err
    pid = str(proposed["proposal_id"])
    offering.advance(DAY + 60)  # voting is open
    carol = offering.address("carol")  # holds only non-voting PREFERRED
    nonce = offering.chain.w3.eth.get_transaction_count(carol)
    code, refused, _ = gov(offering, "vote", pid, "for", account="dev3")
    assert code == 3
    error = refused["error"]
    assert isinstance(error, dict) and error["kind"] == "no_votes"
    assert str(error["message"]).startswith(f"{carol} had no voting power at proposal {pid}'s record date")
    assert "its vote would count 0; nothing was sent" in str(error["message"])
    assert offering.chain.w3.eth.get_transaction_count(carol) == nonce
    # the same for her signed ballot, whoever relays it
    ballot = tmp_path / "carol.json"
    assert gov(offering, "sign-vote", pid, "for", "--out", str(ballot), account="dev3")[0] == 0
    code, relayed, _ = gov(offering, "relay-vote", str(ballot), account="dev4")
    assert code == 3 and "had no voting power" in str(relayed["error"])
    assert gov(offering, "vote", pid, "for", account="dev2")[0] == 0  # bob's 1000 votes count
