"""`equity stablecoin deploy` and `equity round ...` on a real anvil (issue 12, point 3)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.browser import Page
from tests.issuer.conftest import DEV, Issuer
from tests.rounds.cli.conftest import approve_by_vote, grant_issuing_power

ALICE, BOB, CAROL_US, ERIN_NOT_ACCREDITED = DEV[1], DEV[2], DEV[3], DEV[5]
STATUS_KEYS = {
    "round",
    "class",
    "state",
    "price",
    "payment_token",
    "sold",
    "raised",
    "investors",
    "hard_cap",
    "soft_cap",
    "opens",
    "closes",
}


def open_seed(issuer: Issuer, round_file: Path, *, approve: bool = True) -> str:
    issuer.import_examples()
    assert issuer.equity("stablecoin", "deploy").code == 0
    opened = issuer.equity("--json", "round", "open", round_file, "--name", "seed")
    assert opened.code == 0, opened.err
    address = str(opened.json()["address"])
    if approve:
        grant_issuing_power(issuer.chain.w3, issuer, "COMMON", address, 100_000)
    return address


def test_a_round_sells_shares_for_the_stablecoin_and_refuses_with_the_reason_before_sending(
    issuer: Issuer, round_file: Path
) -> None:
    address = open_seed(issuer, round_file, approve=False)
    before = issuer.nonce(1)
    waiting = issuer.equity("--account", "dev1", "round", "subscribe", "seed", "1000")
    assert waiting.code == 3 and "ROUND_NOT_APPROVED (27)" in waiting.err, waiting.err
    assert issuer.nonce(1) == before  # nothing sent
    approve_by_vote(issuer, "seed")
    common = issuer.contracts.token("COMMON").functions
    assert common.mintAllowance(address).call() == 100_000  # the hard cap, as the proposal set
    before, us_before = issuer.nonce(1), issuer.nonce(3)
    refused = issuer.equity("--account", "dev1", "round", "subscribe", "seed", "6000")
    assert refused.code == 3
    assert "ABOVE_TRANSACTION_LIMIT (24)" in refused.err and "nothing was sent" in refused.err
    assert "75,000 USDT" in refused.out  # the cost, said before
    us = issuer.equity("--account", "dev3", "--json", "round", "subscribe", "seed", "1000")
    assert us.code == 3 and us.json()["error"]["kind"] == "revert"
    assert "JURISDICTION_BLOCKED (6)" in us.json()["error"]["message"]
    assert issuer.nonce(1) == before and issuer.nonce(3) == us_before

    permit = issuer.equity(
        "--account", "dev1", "--json", "round", "subscribe", "seed", "1000", "--permit"
    )
    assert permit.code == 0, permit.err
    assert len(permit.json()["transactions"]) == 1  # no approve: the permit rides along
    approved = issuer.equity("--account", "dev2", "--json", "round", "subscribe", "seed", "2500")
    assert approved.code == 0 and len(approved.json()["transactions"]) == 2
    assert approved.json()["paid"] == 2500 * 12_500_000
    assert issuer.balance("COMMON", ALICE) == 50_000 + 1000  # the examples gave ALICE 50,000
    assert issuer.locked("COMMON", BOB) == 2500  # the round's lock-up until 2028

    status = issuer.equity("--json", "round", "status", "seed").json()
    assert set(status) == STATUS_KEYS
    assert (status["state"], status["sold"], status["raised"], status["investors"]) == (
        "Open",
        3500,
        3500 * 12_500_000,
        2,
    )
    assert status["price"] == 12_500_000 and status["opens"] == "2026-01-01T00:00:00Z"
    listed = issuer.equity("--json", "round", "list").json()["rounds"]
    assert [r["round"] for r in listed] == ["seed"]
    record = json.loads((issuer.cwd / "deployments" / "31337.rounds.json").read_text())
    assert record["rounds"]["seed"]["address"] == address

    # the board's report shows the round as `round status` does, and not before it opened
    written = issuer.equity("--json", "captable", "report", "--out", "report.html").json()
    assert "rounds" in written["sections"]
    [row] = Page.read((issuer.cwd / "report.html").read_text()).tables["rounds"][1:]
    assert row[:7] == ["seed", "COMMON", "Open", "12.5 USDT", "3,500", "43,750 USDT", "2"]
    assert row[9] == status["opens"][:10]
    earlier = str(record["rounds"]["seed"]["block"] - 1)
    then = issuer.equity("--json", "captable", "report", "--out", "then.html", "--as-of", earlier)
    assert "rounds" not in then.json()["sections"]


def test_a_cancelled_soft_cap_round_refunds_each_subscriber_once(
    issuer: Issuer, round_file: Path
) -> None:
    round_file.write_text(
        round_file.read_text().replace("# soft_cap = 20_000", "soft_cap = 20_000")
    )
    open_seed(issuer, round_file)
    assert issuer.equity("--account", "dev1", "round", "subscribe", "seed", "1000").code == 0
    assert issuer.balance("COMMON", ALICE) == 50_000  # waiting in escrow
    assert issuer.equity("--json", "round", "status", "seed").json()["soft_cap"] == 20_000
    assert issuer.equity("--account", "dev1", "round", "cancel", "seed", "--yes").code == 3
    assert issuer.equity("round", "cancel", "seed", "--yes").code == 0
    refund = issuer.equity("--account", "dev1", "--json", "round", "refund", "seed")
    assert refund.code == 0 and refund.json()["refunded"] == 1000 * 12_500_000
    again = issuer.equity("--account", "dev1", "round", "refund", "seed")
    assert again.code == 2 and "no payment held" in again.err
    assert issuer.equity("--json", "round", "status", "seed").json()["state"] == "Cancelled"


def test_every_problem_of_a_round_file_is_listed_with_its_line(
    issuer: Issuer, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'class = "COMMON"\n'
        'payment_token = "0x1234"\n'
        "price = 12.5\n"
        'opens = "2027-13-01"\n'
        'closes = "2026-01-01"\n'
        "hard_cap = -5\n"
        "colour = 1\n"
    )
    result = issuer.equity("round", "open", bad)
    assert result.code == 2
    for line in (
        "bad.toml:2: payment_token",
        "bad.toml:3: price",
        "bad.toml:4: opens",
        "bad.toml:6: hard_cap",
        "bad.toml:7: colour",
    ):
        assert line in result.err, result.err
    assert not (issuer.cwd / "deployments" / "31337.rounds.json").exists()  # nothing sent


def test_a_price_finer_than_the_payment_token_is_refused_on_its_line(
    issuer: Issuer, round_file: Path
) -> None:
    issuer.import_examples()
    assert issuer.equity("stablecoin", "deploy", "--decimals", "2").code == 0
    round_file.write_text(round_file.read_text().replace('"12.50"', '"12.505"'))
    result = issuer.equity("round", "open", round_file)
    assert result.code == 2
    assert "seed.toml:4: price" in result.err and "USDT has 2" in result.err
