"""``equity split`` end to end: proposed, voted and executed through ``equity gov``, then run
by the issuer from the command line (SPEC §14)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.captable.test_ocf import assert_valid_against_official_schemas
from tests.conftest import invoke_cli
from tests.governance.conftest import DAY, Offering


def run(offering: Offering, *args: str, account: str = "dev0") -> tuple[int, Any, str]:
    result = invoke_cli(
        "--json", "--yes", "--account", account, "--rpc-url", offering.node.rpc_url, *args
    )
    return result.code, result.json() if result.out.strip() else None, result.err


def pass_proposal(offering: Offering, *actions: str) -> None:
    argv = ["gov", "propose", "--title", "split"]
    for action in actions:
        argv += ["--action", action]
    code, proposed, err = run(offering, *argv, account="dev1")
    assert code == 0, err
    offering.advance(DAY + 1)
    assert run(offering, "gov", "vote", proposed["proposal_id"], "for", account="dev1")[0] == 0
    assert run(offering, "gov", "vote", proposed["proposal_id"], "for", account="dev2")[0] == 0
    assert run(offering, "gov", "queue", proposed["proposal_id"], "--advance-time")[0] == 0
    code, executed, err = run(offering, "gov", "execute", proposed["proposal_id"], "--advance-time")
    assert code == 0 and executed["state"] == "Executed", err


def test_a_two_for_one_split_voted_by_governance_doubles_every_holding(
    offering: Offering, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(offering.workdir)
    token = offering.token("COMMON")
    alice, dave = offering.address("alice"), offering.address("dave")
    authorized = token.functions.authorized().call()

    code, _, err = run(offering, "split", "COMMON", "2:1")
    assert code == 2 and "governance action" in err  # nothing proposed yet: nothing sent

    pass_proposal(offering, "split COMMON 2:1")
    assert token.functions.paused().call()  # transfers stop while the batches run
    assert token.functions.authorized().call() == 2 * authorized

    code, done, err = run(offering, "split", "COMMON", "2:1", "--batch-size", "1")
    assert code == 0, err
    assert (done["holders"], done["supply_before"], done["supply_after"]) == (2, 1200, 2400)
    assert len(done["transactions"]) == 3  # two batches of one holder, then finish
    assert token.functions.balanceOf(alice).call() == 2000
    assert token.functions.balanceOf(dave).call() == 400
    assert token.functions.getVotes(alice).call() == 2000
    assert not token.functions.paused().call()
    assert token.functions.holderCount().call() == 2

    code, _, err = run(offering, "split", "COMMON", "2:1")
    assert code == 2 and "is complete" in err  # a rerun never doubles

    # the records: a transfer after the split, then the OCF export shows the class split and
    # reads back as a register that matches the chain
    assert run(offering, "transfer", "COMMON", dave, "500", account="dev1")[0] == 0
    exported = offering.workdir / "after-split.ocf.zip"
    code, _, err = run(offering, "captable", "export", "--format", "ocf", "--out", str(exported))
    assert code == 0, err
    with zipfile.ZipFile(exported) as archive:
        items = json.loads(archive.read("Transactions.ocf.json"))["items"]
    splits = [t for t in items if t["object_type"] == "TX_STOCK_CLASS_SPLIT"]
    assert [(s["stock_class_id"], s["split_ratio"]) for s in splits] == [
        ("COMMON", {"numerator": "2", "denominator": "1"})
    ]
    # the batches' issuances are the split itself, not new securities
    assert (
        sum(
            t["object_type"] == "TX_STOCK_ISSUANCE" and t["stock_class_id"] == "COMMON"
            for t in items
        )
        == 4
    )
    code, shown, _ = run(offering, "captable", "show", "--class", "COMMON")
    assert code == 0 and shown["classes"][0]["splits"][0]["ratio"] == "2:1"
    code, report, err = run(offering, "captable", "reconcile", str(exported))
    assert code == 0 and report["clean"], (err, report)
    assert_valid_against_official_schemas(exported)


def test_a_one_for_three_consolidation_pays_each_fraction_in_cash_or_is_refused_without_a_price(
    offering: Offering, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.rounds.rounds import payment_contract

    monkeypatch.chdir(offering.workdir)
    token = offering.token("COMMON")
    alice, dave = offering.address("alice"), offering.address("dave")  # 1000 and 200 COMMON
    w3 = offering.chain.w3
    # alice also 4 locked for a year: after her fraction (2) is bought back, neither of her
    # securities divides by 3 (the OCF export reissues them as one after the split)
    year = w3.eth.get_block("latest")["timestamp"] + 365 * DAY
    token.functions.issue(alice, 4, year).transact({"from": offering.address("issuer")})
    authorized = token.functions.authorized().call()
    records = offering.workdir / "deployments"
    saved = {p: p.read_text() for p in records.glob("*.json")}
    try:
        # no cash_in_lieu_price in the offering file: 1000 and 200 leave fractions of 3 shares
        nonce = w3.eth.get_transaction_count(offering.address("alice"))
        argv = ("gov", "propose", "--title", "consolidate", "--action", "split COMMON 1:3")
        code, _, err = run(offering, *argv, account="dev1")
        assert code == 2 and "2 holder(s) of COMMON with a fraction" in err, err
        assert alice in err and dave in err and "cash_in_lieu_price" in err
        assert w3.eth.get_transaction_count(offering.address("alice")) == nonce  # nothing sent

        # with a price (0.40 per old share, in the recorded stablecoin) the fractions are paid
        code, _, err = run(offering, "stablecoin", "deploy")
        assert code == 0, err
        rounds = json.loads((records / "31337.rounds.json").read_text())
        coin = payment_contract(w3, rounds["stablecoin"]["address"])
        timelock = offering.deployment.timelock
        coin.functions.transfer(timelock, 2 * 10**6).transact({"from": offering.address("issuer")})
        # the deployment record points at a priced copy of the offering file
        path = records / "31337.json"
        record = json.loads(saved[path])
        acme = record["offerings"]["acme"]
        priced = offering.workdir / "offering-priced.toml"
        priced.write_text(
            Path(acme["offering_file"])
            .read_text()
            .replace(
                'id = "COMMON"',
                'id = "COMMON"\ncash_in_lieu_price = "0.40"\ncash_in_lieu_token = "stablecoin"',
                1,
            )
        )
        acme["offering_file"] = str(priced)
        path.write_text(json.dumps(record))
        pass_proposal(offering, "split COMMON 1:3")
        assert token.functions.paused().call()

        code, done, err = run(offering, "split", "COMMON", "1:3", "--batch-size", "1")
        assert code == 0, err
        assert (done["holders"], done["supply_before"], done["supply_after"]) == (2, 1204, 400)
        assert done["cash_paid"] == 2 * 400_000 + 2 * 400_000  # 2 and 2 old shares at 0.40
        assert token.functions.balanceOf(alice).call() == 334
        assert token.functions.lockedBalanceOf(alice).call() == 2  # 4 / 3 rounded up
        assert token.functions.balanceOf(dave).call() == 66
        assert token.functions.getVotes(alice).call() == 334
        assert coin.functions.balanceOf(timelock).call() == 2 * 10**6 - 1_600_000  # to the unit
        assert token.functions.authorized().call() == authorized // 3
        assert not token.functions.paused().call()

        # the OCF export: the fractions bought back at the price, then the class split 1:3,
        # valid against the official schemas and matching the chain
        exported = offering.workdir / "after-consolidation.ocf.zip"
        code, _, err = run(
            offering, "captable", "export", "--format", "ocf", "--out", str(exported)
        )
        assert code == 0, err
        with zipfile.ZipFile(exported) as archive:
            items = json.loads(archive.read("Transactions.ocf.json"))["items"]
        kinds = [t["object_type"] for t in items]
        bought = [t for t in items if t["id"].startswith("cash-in-lieu-")]
        assert sorted((t["quantity"], t["price"]["amount"]) for t in bought) == [
            ("2", "0.4"),
            ("2", "0.4"),
        ]
        split = kinds.index("TX_STOCK_CLASS_SPLIT")
        assert items[split]["split_ratio"] == {"numerator": "1", "denominator": "3"}
        assert all(items.index(t) < split for t in bought)
        reissued = [t for t in items if t["object_type"] == "TX_STOCK_REISSUANCE"]
        assert len(reissued) == 2 and {t["split_transaction_id"] for t in reissued} == {
            items[split]["id"]
        }
        code, report, err = run(offering, "captable", "reconcile", str(exported))
        assert code == 0 and report["clean"], (err, report)
        assert_valid_against_official_schemas(exported)
    finally:
        for path, text in saved.items():
            path.write_text(text)
        (records / "31337.rounds.json").unlink(missing_ok=True)
