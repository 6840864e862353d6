"""``equity dividend`` end to end on anvil, with the example offering, holders and issuances:
declare from a file, push in resumable batches (a crash never pays twice), claim, a frozen
wallet's reserved entitlement, transfers after the record date, status, statements, reclaim,
and the errors a user meets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.issuer.conftest import DEV, Issuer, SessionOffering
from toolkit.chain.accounts import dev_account
from toolkit.chain.tx import Transactor
from toolkit.dividends.distribution import ERC20_ABI
from toolkit.dividends.stablecoin import deploy_test_stablecoin
from toolkit.inputs import format_shares

ALICE, BOB, CAROL, DAVE, ERIN, FRANK = DEV[1:7]
HEIDI = DEV[9]
TAX = "0x" + "7a" * 20
DUST = "0x" + "d5" * 20
DAY = 86_400


def stablecoin(issuer: Issuer, amount: int = 10**15) -> str:
    address, _ = deploy_test_stablecoin(
        Transactor(issuer.chain, dev_account(0)), mint=[(DEV[0], amount)]
    )
    return address


def coin_balance(issuer: Issuer, token: str, wallet: str) -> int:
    w3 = issuer.chain.w3
    contract = w3.eth.contract(address=w3.to_checksum_address(token), abi=ERC20_ABI)
    return int(contract.functions.balanceOf(w3.to_checksum_address(wallet)).call())


def write_dividend(
    issuer: Issuer, token: str, *, deadline_days: int = 30, record_date: str | None = None
) -> Path:
    now = int(issuer.chain.w3.eth.get_block("latest")["timestamp"])
    from datetime import UTC, datetime

    deadline = datetime.fromtimestamp(now + deadline_days * DAY, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f'payment_token = "{token}"',
        f"record_date = {record_date or issuer.chain.w3.eth.block_number}",
        f'claim_deadline = "{deadline}"',
        f'tax_account = "{TAX}"',
        f'dust_account = "{DUST}"',
        "[[per_class]]",
        'class = "COMMON"',
        'amount_per_share = "0.125"',
        "[[per_class]]",
        'class = "PREFERRED"',
        'amount_per_share = "0.033333"',
        "[withholding]",
        'default = "0"',
        'US = "30"',
        'JP = "15.315"',
    ]
    path = issuer.cwd / "dividend.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(autouse=True)
def _leave_the_offering_as_deployed(session_offering: SessionOffering) -> Iterator[None]:
    """Back to the freshly deployed example offering after each test: the issuer tests, which
    share the anvil, count nonces from that state."""
    yield
    session_offering.restore(session_offering.home)  # type: ignore[attr-defined]


@pytest.fixture
def declared(funded: Issuer) -> tuple[Issuer, str, dict[str, Any]]:
    token = stablecoin(funded)
    result = funded.equity("--json", "dividend", "declare", write_dividend(funded, token))
    assert result.code == 0, result.err
    return funded, token, result.json()


def test_declare_funds_the_holders_of_record_and_the_totals_balance(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, token, data = declared
    assert data["id"] == 1
    assert coin_balance(issuer, token, data["address"]) == data["entitled"]
    assert coin_balance(issuer, token, DUST) == data["dust"]
    assert data["entitled"] + data["dust"] == data["funded"]
    # COMMON: 625,000 shares x 0.125; PREFERRED: 1,100,000 x 0.033333 (FOUNDERS pays nothing)
    assert data["funded"] == 625_000 * 125_000 + 1_100_000 * 33_333
    status = issuer.equity("--json", "dividend", "status", "1").json()
    assert set(status) >= {
        "id",
        "record_block",
        "funded",
        "paid",
        "withheld",
        "reserved",
        "unclaimed",
        "classes",
    }
    assert status["unclaimed"] == data["entitled"] and status["paid"] == 0
    assert [c["id"] for c in status["classes"]] == ["COMMON", "PREFERRED"]
    assert sum(c["entitled"] for c in status["classes"]) == data["entitled"]
    tree = issuer.cwd / "deployments/dividends/31337/acme/1.tree.json"
    assert tree.is_file()


def test_pay_pushes_everyone_reserves_the_frozen_and_a_rerun_pays_nothing(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, token, data = declared
    assert issuer.equity("holders", "freeze", FRANK).code == 0
    result = issuer.equity("--json", "dividend", "pay", "1", "--batch-size", "3")
    assert result.code == 0, result.err
    report = result.json()
    assert report["leaves_reserved"] == 1  # Frank's COMMON
    assert report["leaves_paid"] == report["rows"] - 1
    status = issuer.equity("--json", "dividend", "status", "1").json()
    frank = 100_000 * 125_000
    assert status["reserved"] == frank
    assert status["paid"] + status["withheld"] + status["reserved"] == data["entitled"]
    # Carol (US) had 30 % withheld; Heidi too
    carol = 500_000 * 33_333
    assert coin_balance(issuer, token, CAROL) == carol - carol * 30 // 100
    before = {w: coin_balance(issuer, token, w) for w in (ALICE, CAROL, DAVE, TAX)}
    again = issuer.equity("--json", "dividend", "pay", "1")
    assert again.code == 0 and again.json()["applied_now"] == 0
    assert {w: coin_balance(issuer, token, w) for w in before} == before
    # once unfrozen, the reserved entitlement is pushed too
    assert issuer.equity("holders", "unfreeze", FRANK).code == 0
    assert issuer.equity("dividend", "pay", "1").code == 0
    assert coin_balance(issuer, token, FRANK) == frank - frank * 15315 // 100000


def test_a_pay_killed_after_sending_resumes_without_paying_twice(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, token, data = declared
    crashed = issuer.spawn(
        "dividend", "pay", "1", "--batch-size", "2", env={"EQUITY_TEST_CRASH_AFTER_SEND": "2"}
    )
    assert crashed.code != 0
    resumed = issuer.spawn("--json", "dividend", "pay", "1", "--batch-size", "2")
    assert resumed.code == 0, resumed.err
    status = issuer.equity("--json", "dividend", "status", "1").json()
    assert status["paid"] + status["withheld"] == data["entitled"]
    assert coin_balance(issuer, token, data["address"]) == 0
    assert coin_balance(issuer, token, ALICE) == 50_000 * 125_000


def test_a_holder_claims_and_a_frozen_holder_is_reserved_until_unfrozen(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, token, _ = declared
    result = issuer.equity("--json", "--account", "dev4", "dividend", "claim", "1")
    assert result.code == 0, result.err
    claims = result.json()["claims"]
    assert {c["class"]: c["outcome"] for c in claims} == {"COMMON": "paid", "PREFERRED": "paid"}
    assert coin_balance(issuer, token, DAVE) == 250_000 * 125_000 + 300_000 * 33_333
    again = issuer.equity("--json", "--account", "dev4", "dividend", "claim", "1").json()
    assert {c["outcome"] for c in again["claims"]} == {"already paid"}
    assert issuer.equity("holders", "freeze", ALICE).code == 0
    frozen = issuer.equity("--json", "--account", "dev1", "dividend", "claim", "1")
    assert frozen.code == 0 and frozen.json()["claims"][0]["outcome"] == "reserved"
    assert coin_balance(issuer, token, ALICE) == 0
    assert issuer.equity("holders", "unfreeze", ALICE).code == 0
    paid = issuer.equity("--json", "--account", "dev1", "dividend", "claim", "1").json()
    assert paid["claims"][0]["outcome"] == "paid"


FRANK_NEW = "0xBcd4042DE499D14e55001CcbB24a551F3b954096"  # never used by the examples


def test_a_lost_wallet_reserved_dividend_is_paid_once_to_the_wallet_it_was_recovered_to(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, token, _ = declared
    assert issuer.equity("holders", "freeze", FRANK).code == 0
    assert issuer.equity("--account", "dev6", "dividend", "claim", "1").code == 0  # reserved
    added = issuer.equity(
        "holders", "add", FRANK_NEW, "--investor-id", "FRANK-006", "--jurisdiction", "JP",
        "--expires", "2036-12-31", "--accredited",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert issuer.equity("--yes", "recover", FRANK, FRANK_NEW).code == 0
    result = issuer.equity("--json", "dividend", "pay", "1")
    assert result.code == 0, result.err
    (paid,) = result.json()["recovered"]
    frank = 100_000 * 125_000  # JP: 15.315 % withheld
    assert (paid["lost_wallet"], paid["wallet"], paid["refused"]) == (FRANK, FRANK_NEW, None)
    assert paid["net"] == frank - frank * 15315 // 100000 == coin_balance(issuer, token, FRANK_NEW)
    assert coin_balance(issuer, token, FRANK) == 0
    status = issuer.equity("--json", "dividend", "status", "1").json()
    assert status["reserved"] == 0 and status["leaves_reserved"] == 0
    again = issuer.equity("--json", "dividend", "pay", "1").json()
    assert again["recovered"] == [] and again["transactions"] == []
    assert coin_balance(issuer, token, FRANK_NEW) == paid["net"]
    statement = issuer.equity("--json", "dividend", "statement", FRANK_NEW).json()
    (row,) = statement["payments"]
    assert (row["recovered_from"], row["status"], row["net"]) == (FRANK, "paid", paid["net"])
    assert statement["totals"]["USDT"]["net"] == paid["net"]
    lost = issuer.equity("--json", "dividend", "statement", FRANK).json()
    assert lost["payments"][0]["paid_to"] == FRANK_NEW and lost["totals"] == {}


def test_shares_moved_after_the_record_date_change_no_entitlement(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, token, _ = declared
    assert issuer.equity("--account", "dev4", "transfer", "COMMON", FRANK, "250000").code == 0
    assert issuer.equity("dividend", "pay", "1").code == 0
    assert coin_balance(issuer, token, DAVE) == 250_000 * 125_000 + 300_000 * 33_333
    frank = 100_000 * 125_000
    assert coin_balance(issuer, token, FRANK) == frank - frank * 15315 // 100000


def test_the_statement_lists_gross_withheld_net_and_payment(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, _, _ = declared
    assert issuer.equity("--account", "dev3", "dividend", "claim", "1").code == 0
    result = issuer.equity("--json", "--account", "dev3", "dividend", "statement")
    assert result.code == 0, result.err
    (row,) = result.json()["payments"]
    gross = 500_000 * 33_333
    assert (row["class"], row["jurisdiction"], row["withholding_rate"]) == (
        "PREFERRED",
        "US",
        "30%",
    )
    assert (row["gross"], row["withheld"], row["net"]) == (
        gross,
        gross * 30 // 100,
        gross - gross * 30 // 100,
    )
    assert row["status"] == "paid" and row["tx"] and row["paid_at"]
    other = issuer.equity("--json", "dividend", "statement", ERIN).json()
    assert {p["status"] for p in other["payments"]} == {"unpaid"}
    human = issuer.equity("dividend", "statement", CAROL)
    assert "PREFERRED" in human.out + human.err and "withheld" in human.out + human.err


def test_reclaim_waits_for_the_deadline_then_returns_the_unreserved_rest(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, token, data = declared
    early = issuer.equity("--json", "dividend", "reclaim", "1")
    assert (
        early.code == 3 and "ClaimPeriodOpen" in early.out + early.err
    ) or "claim period" in early.err
    assert issuer.equity("--account", "dev4", "dividend", "claim", "1").code == 0
    assert issuer.equity("holders", "freeze", ALICE).code == 0
    assert issuer.equity("--account", "dev1", "dividend", "claim", "1").code == 0  # reserved
    issuer.node.advance_time(31 * DAY)
    before = coin_balance(issuer, token, DEV[0])
    result = issuer.equity("--json", "dividend", "reclaim", "1")
    assert result.code == 0, result.err
    reclaimed = result.json()["reclaimed"]
    status = issuer.equity("--json", "dividend", "status", "1").json()
    assert coin_balance(issuer, token, DEV[0]) == before + reclaimed
    assert status["unclaimed"] == 0
    assert status["reserved"] == 50_000 * 125_000
    assert status["paid"] + status["withheld"] + status["reserved"] + reclaimed == data["entitled"]
    late = issuer.equity("--json", "--account", "dev5", "dividend", "claim", "1")
    assert late.code == 3 and "claim deadline passed" in late.json()["error"]["message"]


def test_a_bad_dividend_file_is_refused_whole_before_anything_is_sent(funded: Issuer) -> None:
    path = funded.cwd / "bad.toml"
    path.write_text(
        'payment_token = "0x12"\nrecord_date = "yesterday"\nclaim_deadline = "2027-13-01"\n'
        'tax_account = "0x'
        + "7a"
        * 20
        + '"\n[[per_class]]\nclass = "NOPE"\namount_per_share = "1"\n'
        '[withholding]\nus = "30"\n'
    )
    nonce = funded.nonce()
    result = funded.equity("--json", "dividend", "declare", path)
    assert result.code == 2
    error = result.json()["error"]
    for fragment in (
        "payment_token",
        "record_date",
        "claim_deadline",
        "dust_account",
        "NOPE",
        "withholding.us",
    ):
        assert fragment in error["message"], fragment
    assert funded.nonce() == nonce


def test_a_declaration_the_issuer_cannot_fund_sends_nothing(funded: Issuer) -> None:
    token = stablecoin(funded, amount=1)
    nonce = funded.nonce()
    result = funded.equity("dividend", "declare", write_dividend(funded, token))
    assert result.code == 2 and "needs" in result.err
    assert funded.nonce() == nonce


def test_claiming_a_dividend_the_wallet_is_not_entitled_to_is_a_clear_error(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    issuer, _, _ = declared
    result = issuer.equity("--account", "dev7", "dividend", "claim", "1")
    assert result.code == 2 and "not entitled" in result.err
    unknown = issuer.equity("dividend", "status", "7")
    assert unknown.code == 2 and "no dividend '7'" in unknown.err


def test_a_dividend_declared_through_governance_is_funded_by_the_timelock(funded: Issuer) -> None:
    token = stablecoin(funded)
    timelock = funded.deployment.timelock
    w3 = funded.chain.w3
    coin = w3.eth.contract(address=w3.to_checksum_address(token), abi=ERC20_ABI + MINT_ABI)
    Transactor(funded.chain, dev_account(0)).transact(coin.functions.mint(timelock, 10**12))
    path = write_dividend(funded, token, deadline_days=60)
    funded.node.advance_time(60)
    proposed = funded.equity(
        "--json",
        "--account",
        "dev1",
        "gov",
        "propose",
        "--title",
        "Dividend 2027",
        "--action",
        f"declare-dividend {path}",
    )
    assert proposed.code == 0, proposed.err
    data = proposed.json()
    assert data["dividends"] == [1]
    pid = data["proposal_id"]
    assert funded.equity("--json", "dividend", "status", "1").json()["state"] == "proposed"
    funded.node.advance_time(DAY + 1)
    for account in ("dev1", "dev2"):
        assert funded.equity("--account", account, "gov", "vote", pid, "for").code == 0
    assert funded.equity("gov", "queue", pid, "--advance-time").code == 0
    executed = funded.equity("gov", "execute", pid, "--advance-time")
    assert executed.code == 0, executed.err
    result = funded.equity("--json", "dividend", "status", "1")
    assert result.code == 0, result.err
    status = result.json()
    assert status["state"] == "declared" and status["address"]
    assert coin_balance(funded, token, status["address"]) == status["entitled"]
    assert coin_balance(funded, token, timelock) == 10**12 - status["funded"]
    assert funded.equity("dividend", "pay", "1").code == 0  # the issuer distributes
    assert coin_balance(funded, token, status["address"]) == 0


def test_declare_dividend_without_a_chain_is_a_clear_action_error() -> None:
    from toolkit.errors import InputError
    from toolkit.governance.actions import ActionTargets, parse_action

    targets = ActionTargets(
        "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20, "0x" + "44" * 20, ()
    )
    with pytest.raises(InputError, match="not prepared"):
        parse_action("declare-dividend dividend.toml", targets)


MINT_ABI = [
    {
        "type": "function",
        "name": "mint",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}],
        "outputs": [],
    }
]


def test_a_record_date_given_as_a_date_is_the_last_block_at_or_before_it(funded: Issuer) -> None:
    from datetime import UTC, datetime

    token = stablecoin(funded)
    latest = funded.chain.w3.eth.get_block("latest")
    moment = datetime.fromtimestamp(int(latest["timestamp"]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    funded.node.advance_time(3600)  # later blocks are after the record date
    assert funded.equity("--account", "dev4", "transfer", "COMMON", FRANK, "250000").code == 0
    path = write_dividend(funded, token, record_date=f'"{moment}"')
    result = funded.equity("--json", "dividend", "declare", path)
    assert result.code == 0, result.err
    data = result.json()
    assert data["record_block"] == int(latest["number"])
    assert funded.equity("--account", "dev4", "dividend", "claim", "1").code == 0
    assert coin_balance(funded, token, DAVE) == 250_000 * 125_000 + 300_000 * 33_333


def test_the_board_report_shows_each_dividend_as_its_status_does(
    declared: tuple[Issuer, str, dict[str, Any]],
) -> None:
    from tests.browser import Page

    issuer, _, data = declared
    before = data["transactions"][0]["block"] - 1
    assert issuer.equity("holders", "freeze", FRANK).code == 0
    assert issuer.equity("dividend", "pay", "1", "--batch-size", "4").code == 0
    status = issuer.equity("--json", "dividend", "status", "1").json()
    written = issuer.equity("--json", "captable", "report", "--out", "report.html").json()
    assert written["sections"][-1] == "dividends"
    [row] = Page.read((issuer.cwd / "report.html").read_text()).tables["dividends"][1:]

    def usdt(units: int) -> str:
        return f"{format_shares(units, 6, grouped=True)} USDT"

    assert row[0] == "1" and row[1] == f"{status['record_block']:,}"
    assert row[3:9] == [
        usdt(data["entitled"]),
        *(usdt(status[part]) for part in ("paid", "withheld", "reserved", "unclaimed", "reclaimed")),
    ]
    assert status["reserved"] == 100_000 * 125_000  # Frank's, frozen
    then = issuer.equity("--json", "captable", "report", "--out", "then.html", "--as-of", str(before)).json()
    assert "dividends" not in then["sections"]  # not declared yet at that block
