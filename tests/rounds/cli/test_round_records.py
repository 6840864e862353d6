"""Round issuances in the records (issue 12, point 4): paid-in capital per class in
`captable show --json`, the price as OCF `share_price` (valid against the official OCF 1.2.0
schemas), and reconcile counting the shares a round issued."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.captable.test_ocf import official_schemas
from tests.issuer.conftest import EXAMPLES, Issuer
from tests.rounds.cli.test_round_cli import open_seed

PRICE = 12_500_000


def sell(issuer: Issuer, round_file: Path) -> None:
    open_seed(issuer, round_file)
    assert (
        issuer.equity("--account", "dev1", "round", "subscribe", "seed", "1000", "--permit").code
        == 0
    )
    assert issuer.equity("--account", "dev2", "round", "subscribe", "seed", "2500").code == 0


def test_captable_show_adds_the_capital_paid_in_through_rounds_per_class(
    issuer: Issuer, round_file: Path
) -> None:
    sell(issuer, round_file)
    shown = issuer.equity("--json", "captable", "show")
    assert shown.code == 0, shown.err
    classes = {c["id"]: c for c in shown.json()["classes"]}
    coin = json.loads((issuer.cwd / "deployments" / "31337.rounds.json").read_text())["stablecoin"]
    assert classes["COMMON"]["paid_in_capital"] == [
        {"payment_token": coin["address"], "symbol": "USDT", "decimals": 6, "amount": 3500 * PRICE}
    ]
    assert classes["FOUNDERS"]["paid_in_capital"] == []
    human = issuer.equity("captable", "show")
    assert "COMMON: paid-in capital 43,750 USDT through rounds" in human.out


def test_the_ocf_export_records_the_round_price_and_validates_against_the_official_schemas(
    issuer: Issuer, round_file: Path
) -> None:
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    sell(issuer, round_file)
    out = issuer.cwd / "acme.ocf.zip"
    assert issuer.equity("captable", "export", "--format", "ocf", "--out", out).code == 0
    with zipfile.ZipFile(out) as archive:
        documents = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    issuances = [
        t
        for t in documents["Transactions.ocf.json"]["items"]
        if t["object_type"] == "TX_STOCK_ISSUANCE"
    ]
    sold = [t for t in issuances if t["share_price"]["amount"] != "0"]
    assert sorted(
        (t["quantity"], t["share_price"]["amount"], t["share_price"]["currency"]) for t in sold
    ) == [("1000", "12.5", "USD"), ("2500", "12.5", "USD")]
    assert all(any("sold in round seed" in c for c in t["comments"]) for t in sold)
    store = {}
    for path in official_schemas().rglob("*.schema.json"):
        schema = json.loads(path.read_text())
        store[schema["$id"]] = schema
    registry = Registry().with_resources((k, Resource.from_contents(v)) for k, v in store.items())
    by_type = {
        s["properties"]["file_type"]["const"]: s
        for i, s in store.items()
        if "/files/" in i and s.get("properties", {}).get("file_type", {}).get("const")
    }
    for name, document in documents.items():
        errors = list(
            Draft7Validator(by_type[document["file_type"]], registry=registry).iter_errors(document)
        )
        assert errors == [], f"{name}: {errors[0].message if errors else ''}"


def test_reconcile_counts_the_shares_a_round_issued(issuer: Issuer, round_file: Path) -> None:
    sell(issuer, round_file)
    before = issuer.equity("--json", "captable", "reconcile", EXAMPLES / "register.csv")
    assert before.code == 1
    found = {(d["kind"], d["class"], d["investor_id"]) for d in before.json()["discrepancies"]}
    assert ("balance_mismatch", "COMMON", "ALICE-001") in found
    assert ("missing_in_register", "COMMON", "BOB-002") in found
    exported = issuer.cwd / "register-now.csv"
    assert issuer.equity("captable", "export", "--format", "csv", "--out", exported).code == 0
    assert issuer.equity("captable", "reconcile", exported).code == 0
