"""`equity repurchase`: a buyback with the holder's signed consent, and governance's pro-rata
repurchase served in batches (SPEC §14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.corporate.conftest import as_timelock
from tests.corporate.records import ocf_documents, schema_errors, transactions
from tests.issuer.conftest import DEV, Issuer

DAVE, ERIN, CAROL = DEV[4], DEV[5], DEV[3]
PRICE_PER_UNIT = 2_500_000  # 2.50 USDT (6 decimals) per share


def stablecoin(issuer: Issuer) -> Any:
    assert issuer.equity("stablecoin", "deploy").code == 0
    record = json.loads((issuer.cwd / "deployments" / "31337.rounds.json").read_text())
    from toolkit.rounds.rounds import payment_contract

    return payment_contract(issuer.chain.w3, record["stablecoin"]["address"])


def consent(issuer: Issuer, *terms: str, out: str = "dave.json") -> str:
    signed = issuer.equity(
        "--account", "dev4", "repurchase", "PREFERRED", DAVE, *terms, "--sign-consent", out
    )
    assert signed.code == 0, signed.err
    return str(issuer.cwd / out)


def test_a_buyback_with_the_holders_consent_cancels_the_shares_and_pays_to_the_unit(
    funded: Issuer,
) -> None:
    coin = stablecoin(funded)
    path = consent(funded, "100000", "--price", "2.50")
    before = [int(coin.functions.balanceOf(w).call()) for w in (DAVE, DEV[0])]
    bought = funded.equity(
        "--json", "repurchase", "PREFERRED", DAVE, "100000", "--price", "2.50", "--consent", path
    )
    assert bought.code == 0, bought.err
    assert bought.json()["paid"] == 100_000 * PRICE_PER_UNIT
    after = [int(coin.functions.balanceOf(w).call()) for w in (DAVE, DEV[0])]
    assert after[0] - before[0] == 100_000 * PRICE_PER_UNIT == before[1] - after[1]
    assert funded.balance("PREFERRED", DAVE) == 200_000

    nonce = funded.nonce(0)
    again = funded.equity(
        "repurchase", "PREFERRED", DAVE, "100000", "--price", "2.50", "--consent", path
    )
    assert again.code == 3 and "used or replaced" in again.err and funded.nonce(0) == nonce


def test_a_consent_altered_after_signing_or_for_other_terms_is_refused_before_sending(
    funded: Issuer,
) -> None:
    stablecoin(funded)
    path = consent(funded, "1000", "--price", "2.50")
    nonce = funded.nonce(0)
    other = funded.equity(
        "repurchase", "PREFERRED", DAVE, "2000", "--price", "2.50", "--consent", path
    )
    assert other.code == 2 and "its shares differ" in other.err
    data = json.loads(Path(path).read_text())
    data["shares"] = 2000
    Path(path).write_text(json.dumps(data))
    altered = funded.equity(
        "repurchase", "PREFERRED", DAVE, "2000", "--price", "2.50", "--consent", path
    )
    assert altered.code == 2 and "not the holder's" in altered.err
    assert funded.nonce(0) == nonce and funded.balance("PREFERRED", DAVE) == 300_000


def test_a_buyback_shows_in_the_ocf_export_as_a_stock_repurchase_at_its_price(
    funded: Issuer,
) -> None:
    stablecoin(funded)
    path = consent(funded, "100000", "--price", "2.50")
    assert (
        funded.equity(
            "repurchase", "PREFERRED", DAVE, "100000", "--price", "2.50", "--consent", path
        ).code
        == 0
    )
    out = funded.cwd / "acme.ocf.zip"
    assert funded.equity("captable", "export", "--format", "ocf", "--out", out).code == 0
    documents = ocf_documents(out)
    assert schema_errors(documents) == []
    (bought,) = transactions(documents, "TX_STOCK_REPURCHASE")
    assert bought["quantity"] == "100000"
    assert bought["price"] == {"amount": "2.5", "currency": "USD"}
    assert funded.equity("captable", "reconcile", out).code == 0


def test_a_pro_rata_repurchase_serves_every_holder_in_batches_and_returns_the_rest_at_close(
    funded: Issuer,
) -> None:
    coin = stablecoin(funded)
    repurchase = funded.contracts.repurchase()
    timelock = funded.deployment.timelock
    preferred = funded.deployment.class_by_id("PREFERRED").address
    w3 = funded.chain.w3
    closes = int(w3.eth.get_block("latest")["timestamp"]) + 86_400
    funding = 366_666 * PRICE_PER_UNIT  # a third of the 1,100,000 outstanding, rounded down
    assert coin.functions.mint(timelock, funding).transact({"from": DEV[0]})
    as_timelock(funded, coin.functions.approve(repurchase.address, funding))
    as_timelock(
        funded,
        repurchase.functions.openProRata(preferred, coin.address, PRICE_PER_UNIT, 1, 3, closes),
    )
    before = {w: int(coin.functions.balanceOf(w).call()) for w in (DAVE, ERIN, CAROL)}
    assert int(coin.functions.balanceOf(timelock).call()) == 0  # all of it went into the program
    served = funded.equity(
        "--json", "repurchase", "PREFERRED", "--pro-rata", "1", "--batch-size", "2"
    )
    assert served.code == 0, served.err
    assert len(served.json()["served"]) == 4 and len(served.json()["transactions"]) == 2
    assert (
        funded.balance("PREFERRED", DAVE) == 200_000 and funded.balance("PREFERRED", ERIN) == 66_667
    )
    assert int(coin.functions.balanceOf(CAROL).call()) - before[CAROL] == 166_666 * PRICE_PER_UNIT
    # each holding's third rounds down: 366,665 shares paid, one share's price left over
    assert int(coin.functions.balanceOf(repurchase.address).call()) == PRICE_PER_UNIT
    again = funded.equity("--json", "repurchase", "PREFERRED", "--pro-rata", "1")
    assert again.code == 0 and again.json()["transactions"] == []

    funded.node.advance_time(86_401)
    closed = funded.equity("--json", "repurchase", "PREFERRED", "--pro-rata", "1")
    assert closed.code == 0 and closed.json()["closed"] is True
    assert int(coin.functions.balanceOf(timelock).call()) == PRICE_PER_UNIT
    assert int(coin.functions.balanceOf(repurchase.address).call()) == 0
