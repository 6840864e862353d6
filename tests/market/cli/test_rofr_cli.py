"""`equity market rofr list|exercise|waive|complete|unwind` and `market fill` in a class with the
company's right of first refusal (issue 13, point 2), on a real anvil: the example offering with
``rofr_days = 30`` on COMMON and ``rofr_exerciser = "issuer"``, deployed by `deploy_offering`."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_utils import to_checksum_address

from tests.conftest import RunningNode, invoke_cli
from tests.issuer.conftest import DEV, EXAMPLES, Issuer, SessionOffering
from tests.market.cli.test_market_cli import EXPIRES, USD, usdt_balance
from toolkit.chain.accounts import dev_account
from toolkit.chain.connection import connect_url
from toolkit.chain.tx import Transactor
from toolkit.offering.deploy import deploy_offering
from toolkit.offering.deployments import deployments_file
from toolkit.offering.offering_file import load_offering

DAVE, FRANK = DEV[4], DEV[6]
TREASURY = to_checksum_address("0x00000000000000000000000000000000c0ffee01")  # the company's
DAY = 86_400


class RofrOffering(SessionOffering):
    def deploy(self, home: Path) -> None:
        text = (EXAMPLES / "offering.toml").read_text()
        text = text.replace("reserved = 1_000_000", "rofr_days = 30\nreserved = 1_000_000", 1)
        text = text.replace("[governance]", '[governance]\nrofr_exerciser = "issuer"', 1)
        path = home / "offering-rofr.toml"
        path.write_text(text)
        Transactor._next_nonce.clear()
        report = deploy_offering(
            Transactor(self.chain, dev_account(0)), load_offering(path), name="acme", cwd=home
        )
        self.deployment = report.deployment
        # the example holders, issuances and the stablecoin, once: each test starts from here
        before = (Path.cwd(), os.environ.get("EQUITY_RPC_URL"))
        os.chdir(home)
        os.environ["EQUITY_RPC_URL"] = self.node.rpc_url
        try:
            Issuer(self.node, self.chain, self.deployment, home).import_examples()
            assert invoke_cli("stablecoin", "deploy").code == 0
        finally:
            os.chdir(before[0])
            if before[1] is None:
                del os.environ["EQUITY_RPC_URL"]
            else:
                os.environ["EQUITY_RPC_URL"] = before[1]
        self.snapshot = self.node.snapshot()


@pytest.fixture(scope="module")
def rofr_offering(
    anvil: RunningNode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RofrOffering]:
    """Deployed once for the module; afterwards the chain goes back to where it was, so that
    the session's example offering (deployed later, perhaps) never sees this module's wallets'
    transactions."""
    before = anvil.snapshot()
    home = tmp_path_factory.mktemp("rofr-offering")
    offering = RofrOffering(node=anvil, chain=connect_url(anvil.rpc_url), deployment=None)  # type: ignore[arg-type]
    offering.deploy(home)
    offering.home = home  # type: ignore[attr-defined]
    yield offering
    anvil.revert(before)
    Transactor._next_nonce.clear()  # the nonces it counted are gone with the state


@pytest.fixture
def issuer(
    rofr_offering: RofrOffering, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Issuer]:
    rofr_offering.restore(rofr_offering.home)  # type: ignore[attr-defined]
    deployment = rofr_offering.deployment
    records = deployments_file(deployment.chain_id, rofr_offering.home).parent  # type: ignore[attr-defined]
    shutil.copytree(records, tmp_path / records.name)  # the offering and the stablecoin
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EQUITY_RPC_URL", rofr_offering.node.rpc_url)
    for variable in ("EQUITY_NETWORK", "EQUITY_ACCOUNT", "EQUITY_DEPLOYMENT", "EQUITY_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    yield Issuer(rofr_offering.node, rofr_offering.chain, deployment, tmp_path)


def daves_offer(issuer: Issuer, offer: Path, shares: str, price: str) -> Path:
    made = issuer.equity(
        "--account", "dev4", "market", "sell", "COMMON", shares, "--price", price,
        "--expires", EXPIRES, "--out", offer,
    )  # fmt: skip
    assert made.code == 0, made.err
    return offer


def register_treasury(issuer: Issuer) -> None:
    """The company's own wallet, registered under its investor id."""
    assert issuer.equity(
        "holders", "add", TREASURY, "--investor-id", "COMPANY", "--jurisdiction", "DE",
        "--expires", "2036-12-31",
    ).code == 0  # fmt: skip


def held_fill(issuer: Issuer, tmp_path: Path, shares: str = "1000") -> dict[str, object]:
    """Dave offers 1,000 COMMON at 12.50 USDT; Frank fills: a notice, nothing settled."""
    offer = daves_offer(issuer, tmp_path / "offer.json", shares, "12.50")
    filled = issuer.equity("--account", "dev6", "--json", "market", "fill", offer)
    assert filled.code == 0, filled.err
    assert "right of first refusal: the fill opens a notice" in filled.err
    notice = filled.json()["notice"]
    assert isinstance(notice, dict)
    return notice


def test_deploy_wires_the_right_and_a_fill_opens_a_notice_listed_with_its_window(
    issuer: Issuer, tmp_path: Path
) -> None:
    deployment = issuer.deployment
    assert deployment.rofr and deployment.class_by_id("COMMON").rofr_days == 30
    w3 = issuer.chain.w3
    from toolkit.market.trades import market_contract

    market = market_contract(w3, deployment)
    assert market.functions.rightOfFirstRefusal().call() == deployment.rofr
    registry = issuer.contracts.registry
    assert registry.functions.isQualified(deployment.rofr).call()

    dave_usdt, frank_usdt = usdt_balance(issuer, DAVE), usdt_balance(issuer, FRANK)
    notice = held_fill(issuer, tmp_path)
    assert notice["status"] == "open" and notice["shares"] == 1_000
    assert issuer.balance("COMMON", deployment.rofr) == 1_000
    assert issuer.balance("COMMON", FRANK) == 100_000  # nothing delivered yet
    assert usdt_balance(issuer, DAVE) == dave_usdt  # nor paid
    assert frank_usdt - usdt_balance(issuer, FRANK) == 12_500 * USD
    listed = issuer.equity("--json", "market", "rofr", "list").json()["notices"]
    assert [(n["id"], n["status"], n["seller"], n["buyer"]) for n in listed] == [
        (1, "open", DAVE, FRANK)
    ]
    early = issuer.equity("--account", "dev6", "--json", "market", "rofr", "complete", "1")
    assert early.code == 3 and "still open until" in early.json()["error"]["message"]
    assert "nothing was sent" in early.json()["error"]["hint"]


def test_the_issuer_exercises_into_the_companys_wallet_and_the_buyer_is_repaid(
    issuer: Issuer, tmp_path: Path
) -> None:
    held_fill(issuer, tmp_path)
    dave_usdt, frank_usdt = usdt_balance(issuer, DAVE), usdt_balance(issuer, FRANK)
    unregistered = issuer.equity("market", "rofr", "exercise", "1", "--to", TREASURY)
    assert unregistered.code == 3 and "RECEIVER_NOT_QUALIFIED (4)" in unregistered.err
    stranger = issuer.equity("--account", "dev6", "market", "rofr", "exercise", "1")
    assert stranger.code == 3 and "may not exercise" in stranger.err
    register_treasury(issuer)
    done = issuer.equity("--json", "market", "rofr", "exercise", "1", "--to", TREASURY)
    assert done.code == 0, done.err
    assert issuer.balance("COMMON", TREASURY) == 1_000
    assert usdt_balance(issuer, DAVE) - dave_usdt == 12_500 * USD  # paid by the company
    assert usdt_balance(issuer, FRANK) - frank_usdt == 12_500 * USD  # the buyer's money back
    again = issuer.equity("--json", "market", "rofr", "waive", "1")
    assert again.code == 3 and "was exercised" in again.json()["error"]["message"]
    status = issuer.equity("--json", "market", "rofr", "list").json()["notices"][0]["status"]
    assert status == "exercised"


def test_a_waiver_lets_the_buyer_complete_and_a_late_notice_is_unwound(
    issuer: Issuer, tmp_path: Path
) -> None:
    held_fill(issuer, tmp_path, "400")
    assert issuer.equity("market", "rofr", "waive", "1").code == 0
    done = issuer.equity("--account", "dev6", "market", "rofr", "complete", "1")
    assert done.code == 0, done.err
    assert issuer.balance("COMMON", FRANK) == 100_400

    offer = daves_offer(issuer, tmp_path / "offer2.json", "100", "1")
    filled = issuer.equity("--account", "dev6", "market", "fill", offer)
    assert filled.code == 0, filled.err
    assert "held: notice 2:" in filled.out and "the company may exercise until" in filled.out
    early = issuer.equity("market", "rofr", "unwind", "2")
    assert early.code == 3 and "can be unwound from" in early.err
    w3 = issuer.chain.w3
    w3.provider.make_request("evm_increaseTime", [60 * DAY])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    late = issuer.equity("--account", "dev2", "market", "rofr", "exercise", "2")
    assert late.code == 3
    back = issuer.equity("--account", "dev2", "--json", "market", "rofr", "unwind", "2")
    assert back.code == 0, back.err
    assert issuer.balance("COMMON", DAVE) == 250_000 - 400
    bad = issuer.equity("--json", "market", "rofr", "complete", "x")
    assert bad.code == 2 and "NOTICE must be a notice's number" in bad.json()["error"]["message"]


def test_governance_exercises_by_a_proposal_the_timelock_paying_the_seller(
    issuer: Issuer, tmp_path: Path
) -> None:
    held_fill(issuer, tmp_path)
    dave_usdt = usdt_balance(issuer, DAVE)
    from toolkit.rounds.records import recorded_stablecoin
    from toolkit.rounds.rounds import payment_contract

    coin = recorded_stablecoin(issuer.chain.chain_id, issuer.cwd)
    assert coin is not None
    usdt = payment_contract(issuer.chain.w3, coin.address)
    timelock = issuer.deployment.timelock
    usdt.functions.transfer(timelock, 12_500 * USD).transact({"from": DEV[0]})
    register_treasury(issuer)
    unknown = issuer.equity(
        "--account", "dev1", "gov", "propose", "--title", "Buy", "--action", f"rofr-exercise 7 {TREASURY}"
    )  # fmt: skip
    assert unknown.code == 2 and "no notice 7" in unknown.err
    proposed = issuer.equity(
        "--account", "dev1", "--json", "gov", "propose", "--title", "Buy Dave's 1,000 COMMON",
        "--action", f"rofr-exercise 1 {TREASURY}",
    )  # fmt: skip
    assert proposed.code == 0, proposed.err
    pid = str(proposed.json()["proposal_id"])
    assert issuer.equity("--account", "dev1", "gov", "vote", pid, "for", "--advance-time").code == 0
    assert issuer.equity("gov", "queue", pid, "--advance-time").code == 0
    executed = issuer.equity("gov", "execute", pid, "--advance-time")
    assert executed.code == 0, executed.err
    assert issuer.balance("COMMON", TREASURY) == 1_000
    assert usdt_balance(issuer, DAVE) - dave_usdt == 12_500 * USD  # the timelock paid
    assert usdt_balance(issuer, timelock) == 0
    listed = issuer.equity("--json", "market", "rofr", "list").json()["notices"]
    assert listed[0]["status"] == "exercised"


def test_a_completed_and_an_exercised_notice_are_trades_in_the_cap_table_and_the_ocf_export(
    issuer: Issuer, tmp_path: Path
) -> None:
    import zipfile

    from tests.market.cli.test_trade_records import schema_errors

    held_fill(issuer, tmp_path, "400")  # notice 1: Frank completes it after a waiver
    assert issuer.equity("market", "rofr", "waive", "1").code == 0
    assert issuer.equity("--account", "dev6", "market", "rofr", "complete", "1").code == 0
    offer = daves_offer(issuer, tmp_path / "offer2.json", "100", "10")
    assert issuer.equity("--account", "dev6", "market", "fill", offer).code == 0  # notice 2
    register_treasury(issuer)
    assert issuer.equity("market", "rofr", "exercise", "2", "--to", TREASURY).code == 0

    shown = issuer.equity("--json", "captable", "show")
    assert shown.code == 0, shown.err
    [traded] = {c["id"]: c for c in shown.json()["classes"]}["COMMON"]["traded"]
    assert (traded["shares"], traded["amount"], traded["trades"]) == (500, 6_000 * USD, 2)

    out = tmp_path / "acme.ocf.zip"
    exported = issuer.equity("captable", "export", "--format", "ocf", "--out", out)
    assert exported.code == 0, exported.err
    with zipfile.ZipFile(out) as archive:
        documents = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    assert schema_errors(documents) == []
    transfers = [
        t
        for t in documents["Transactions.ocf.json"]["items"]
        if t["object_type"] == "TX_STOCK_TRANSFER" and t.get("consideration_text")
    ]
    texts = sorted(t["consideration_text"] for t in transfers)
    assert len(texts) == 2
    assert texts[0].startswith("1,000 USDT (10 per share) to the seller")
    assert "paid by the company" in texts[0] and "notice 2" in texts[0]
    assert texts[1].startswith("5,000 USDT (12.5 per share) to the seller")
    assert "right of first refusal not exercised (notice 1" in texts[1]
