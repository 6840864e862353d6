"""Trades in the records (issue 13, point 5): the traded volume per class in `captable show`,
each secondary transfer's consideration in the OCF export (valid against the official OCF 1.2.0
schemas), and reconcile naming what the market moved for a register that lags behind."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from tests.captable.test_ocf import official_schemas
from tests.issuer.conftest import DEV, EXAMPLES, Issuer
from tests.market.cli.test_market_cli import daves_offer

DAVE, FRANK = DEV[4], DEV[6]
USD = 10**6


def trade(issuer: Issuer, tmp_path: Path) -> None:
    """Dave sells Frank 400 COMMON at 12.50 USDT (5,000 USDT) through the market."""
    offer = daves_offer(issuer, tmp_path)
    assert issuer.equity("--account", "dev6", "market", "fill", offer, "400").code == 0


def schema_errors(documents: dict[str, Any]) -> list[str]:
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

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
    return [
        f"{name}: {error.message}"
        for name, document in documents.items()
        for error in Draft7Validator(by_type[document["file_type"]], registry=registry).iter_errors(
            document
        )
    ]


def test_trades_show_in_the_cap_table_the_ocf_export_and_reconcile(
    issuer: Issuer, tmp_path: Path
) -> None:
    trade(issuer, tmp_path)
    shown = issuer.equity("--json", "captable", "show")
    assert shown.code == 0, shown.err
    classes = {c["id"]: c for c in shown.json()["classes"]}
    [traded] = classes["COMMON"]["traded"]
    assert (traded["symbol"], traded["shares"], traded["amount"], traded["trades"]) == (
        "USDT",
        400,
        5_000 * USD,
        1,
    )
    assert classes["FOUNDERS"]["traded"] == []
    human = issuer.equity("captable", "show")
    assert "COMMON: 400 shares traded on the market for 5,000 USDT (1 trade(s))" in human.out

    out = tmp_path / "acme.ocf.zip"
    assert issuer.equity("captable", "export", "--format", "ocf", "--out", out).code == 0
    with zipfile.ZipFile(out) as archive:
        documents = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    items = documents["Transactions.ocf.json"]["items"]
    [transfer] = [t for t in items if t["object_type"] == "TX_STOCK_TRANSFER"]
    assert transfer["quantity"] == "400"
    assert transfer["consideration_text"].startswith(
        "5,000 USDT (12.5 per share), paid by the buyer"
    )
    [received] = [
        i for i in items if i["id"] == f"issuance-{transfer['resulting_security_ids'][0]}"
    ]
    assert received["share_price"] == {"amount": "12.5", "currency": "USD"}
    assert schema_errors(documents) == []

    found = issuer.equity("--json", "captable", "reconcile", EXAMPLES / "register.csv")
    assert found.code == 1
    details = {(d["kind"], d["wallet"]): d.get("detail") for d in found.json()["discrepancies"]}
    assert details[("balance_mismatch", DAVE)] == (
        "the market moved -400 COMMON in 1 trade(s) up to this block"
    )
    assert details[("balance_mismatch", FRANK)] == (
        "the market moved +400 COMMON in 1 trade(s) up to this block"
    )
