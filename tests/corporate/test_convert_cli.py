"""`equity convert`: a holder's own conversion and governance's of a whole class (SPEC §14)."""

from __future__ import annotations

from tests.corporate.conftest import as_timelock
from tests.corporate.records import ocf_documents, schema_errors, transactions
from tests.issuer.conftest import DEV, Issuer

DAVE, CAROL, ERIN, HEIDI = DEV[4], DEV[3], DEV[5], DEV[9]


def test_a_holder_converts_locked_preferred_into_common_still_locked_until_the_same_date(
    funded: Issuer,
) -> None:
    lots_before = funded.contracts.token("PREFERRED").functions.lockupLotsOf(DAVE).call()
    result = funded.equity(
        "--json", "--account", "dev4", "convert", "PREFERRED", "COMMON", "300000"
    )
    assert result.code == 0, result.err
    data = result.json()
    assert (data["shares"], data["converted"]) == (300_000, 300_000)
    assert funded.balance("PREFERRED", DAVE) == 0
    assert funded.balance("COMMON", DAVE) == 250_000 + 300_000
    assert funded.locked("COMMON", DAVE) == 300_000
    common_lots = funded.contracts.token("COMMON").functions.lockupLotsOf(DAVE).call()
    assert [lot[3] for lot in common_lots] == [lot[3] for lot in lots_before]  # same release date


def test_a_conversion_the_target_class_refuses_names_the_rule_and_sends_nothing(
    funded: Issuer,
) -> None:
    nonce = funded.nonce(3)
    result = funded.equity("--json", "--account", "dev3", "convert", "PREFERRED", "COMMON", "1000")
    assert result.code == 3
    error = result.json()["error"]
    assert "JURISDICTION_BLOCKED (6)" in error["message"]
    assert "nothing was sent" in error["hint"]
    assert funded.nonce(3) == nonce
    assert funded.balance("PREFERRED", CAROL) == 500_000


def test_a_mandated_conversion_converts_every_holder_in_resumable_batches_skipping_refused_ones(
    funded: Issuer,
) -> None:
    route = funded.deployment.class_by_id("PREFERRED")
    converter = funded.contracts.converter(route)
    refused = funded.equity("convert", "PREFERRED", "COMMON", "--all")
    assert refused.code == 3 and "not mandated" in refused.err
    common = funded.deployment.class_by_id("COMMON")
    assert route is not None and common is not None
    as_timelock(funded, converter.functions.mandate(route.address, common.address))

    first = funded.equity(
        "--json", "--yes", "convert", "PREFERRED", "COMMON", "--all", "--batch-size", "1"
    )
    assert first.code == 0, first.err
    data = first.json()
    assert sorted(data["converted"]) == sorted([DAVE, ERIN])
    assert len(data["transactions"]) == 2
    assert {s["wallet"]: s["code"] for s in data["skipped"]} == {CAROL: 6, HEIDI: 6}
    assert funded.balance("COMMON", ERIN) == 150_000 + 100_000
    assert funded.balance("PREFERRED", DAVE) == 0 and funded.locked("COMMON", DAVE) == 300_000

    again = funded.equity("--json", "--yes", "convert", "PREFERRED", "COMMON", "--all")
    assert again.code == 0, again.err
    assert again.json()["transactions"] == [] and again.json()["converted"] == []


def test_a_conversion_shows_in_the_cap_table_and_reconcile_and_as_an_ocf_stock_conversion(
    funded: Issuer,
) -> None:
    assert funded.equity("--account", "dev4", "convert", "PREFERRED", "COMMON", "300000").code == 0
    shown = funded.equity("--json", "captable", "show").json()
    rows = {
        (c["id"], h["wallet"]): (h["shares"], h["locked_shares"])
        for c in shown["classes"]
        for h in c["holders"]
    }
    assert rows[("COMMON", DAVE)] == (550_000, 300_000)
    assert ("PREFERRED", DAVE) not in rows
    out = funded.cwd / "acme.ocf.zip"
    assert funded.equity("captable", "export", "--format", "ocf", "--out", out).code == 0
    documents = ocf_documents(out)
    assert schema_errors(documents) == []
    (conversion,) = transactions(documents, "TX_STOCK_CONVERSION")
    assert conversion["quantity_converted"] == "300000"
    issued = {t["security_id"]: t for t in transactions(documents, "TX_STOCK_ISSUANCE")}
    (result,) = conversion["resulting_security_ids"]
    assert issued[result]["stock_class_id"] == "COMMON" and issued[result]["quantity"] == "300000"
    assert "converted from PREFERRED" in issued[result]["comments"]
    assert issued[conversion["security_id"]]["stock_class_id"] == "PREFERRED"
    assert funded.equity("captable", "reconcile", out).code == 0
