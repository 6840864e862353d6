"""`equity market sell|bid|fill|list|cancel` on a real anvil (issue 13, points 1 and 4)."""

from __future__ import annotations

from pathlib import Path

from tests.issuer.conftest import DEV, Issuer
from toolkit.rounds.records import recorded_stablecoin

ALICE, CAROL_US, DAVE, FRANK = DEV[1], DEV[3], DEV[4], DEV[6]
USD = 10**6
EXPIRES = "2030-01-01"


def usdt_balance(issuer: Issuer, wallet: str) -> int:
    from toolkit.rounds.rounds import payment_contract

    coin = recorded_stablecoin(issuer.chain.chain_id, issuer.cwd)
    assert coin is not None
    return int(payment_contract(issuer.chain.w3, coin.address).functions.balanceOf(wallet).call())


def ready(issuer: Issuer) -> None:
    issuer.import_examples()
    assert issuer.equity("stablecoin", "deploy").code == 0


def daves_offer(issuer: Issuer, tmp_path: Path) -> Path:
    """The examples, the stablecoin, and Dave's offer file: 1,000 COMMON at 12.50 USDT."""
    ready(issuer)
    offer = tmp_path / "offer.json"
    made = issuer.equity(
        "--account", "dev4", "market", "sell", "COMMON", "1000", "--price", "12.50",
        "--expires", EXPIRES, "--out", offer,
    )  # fmt: skip
    assert made.code == 0, made.err
    assert "sell 1,000 COMMON at 12.5 USDT a share" in made.out
    return offer


def test_an_offer_file_settles_in_parts_and_a_refused_buyer_is_told_why_before_anything_is_sent(
    issuer: Issuer, tmp_path: Path
) -> None:
    offer = daves_offer(issuer, tmp_path)
    dave_usdt, frank_usdt = usdt_balance(issuer, DAVE), usdt_balance(issuer, FRANK)

    before = issuer.nonce(3)
    us = issuer.equity("--account", "dev3", "--json", "market", "fill", offer)
    assert us.code == 3, us.err
    assert "JURISDICTION_BLOCKED (6)" in us.err  # said before sending
    assert "JURISDICTION_BLOCKED (6)" in us.json()["error"]["message"]
    assert "nothing was sent" in us.json()["error"]["hint"]
    assert issuer.nonce(3) == before

    part = issuer.equity("--account", "dev6", "--json", "market", "fill", offer, "400", "--permit")
    assert part.code == 0, part.err
    assert len(part.json()["transactions"]) == 1  # the permit rode along: no approve
    assert "restriction (seller and buyer): OK (0)" in part.err
    assert "for 5,000 USDT" in part.err
    assert part.json()["cost"] == 5_000 * USD and part.json()["shares"] == 400
    assert issuer.balance("COMMON", FRANK) == 100_000 + 400
    assert issuer.balance("COMMON", DAVE) == 250_000 - 400
    assert usdt_balance(issuer, DAVE) - dave_usdt == 5_000 * USD
    assert frank_usdt - usdt_balance(issuer, FRANK) == 5_000 * USD

    rest = issuer.equity("--account", "dev6", "--json", "market", "fill", offer)
    assert rest.code == 0 and rest.json()["shares"] == 600
    assert len(rest.json()["transactions"]) == 2  # approve, then fill
    again = issuer.equity("--account", "dev6", "market", "fill", offer, "1")
    assert again.code == 3 and "nothing of the order is left" in again.err
    assert issuer.balance("COMMON", FRANK) == 101_000


def test_a_published_bid_is_listed_filled_by_a_seller_and_a_cancelled_offer_is_gone(
    issuer: Issuer,
) -> None:
    ready(issuer)
    bid = issuer.equity(
        "--account", "dev6", "--json", "market", "bid", "COMMON", "300", "--price", "11",
        "--expires", EXPIRES,
    )  # fmt: skip
    assert bid.code == 0, bid.err
    offer = issuer.equity(
        "--account", "dev1", "--json", "market", "sell", "COMMON", "50", "--price", "20",
        "--expires", EXPIRES, "--to", FRANK,
    )  # fmt: skip
    assert offer.code == 0, offer.err
    listed = issuer.equity("--json", "market", "list", "--class", "COMMON").json()["orders"]
    assert [(o["side"], o["remaining"], o["price"]) for o in listed] == [
        ("bid", 300, 11 * USD),
        ("sell", 50, 20 * USD),
    ]
    assert listed[1]["taker"] == FRANK
    bid_hash, offer_hash = listed[0]["hash"], listed[1]["hash"]

    dave_usdt = usdt_balance(issuer, DAVE)
    sold = issuer.equity(
        "--account", "dev4", "--json", "market", "fill", bid_hash, "100", "--permit"
    )  # fmt: skip
    assert sold.code == 0, sold.err
    assert len(sold.json()["transactions"]) == 1  # the class token's permit rode along
    assert (sold.json()["seller"], sold.json()["buyer"]) == (DAVE, FRANK)
    assert usdt_balance(issuer, DAVE) - dave_usdt == 1_100 * USD
    assert issuer.balance("COMMON", FRANK) == 100_100

    stranger = issuer.equity("--account", "dev4", "market", "fill", offer_hash)
    assert stranger.code == 3 and f"the order is for {FRANK} only" in stranger.err
    not_maker = issuer.equity("--account", "dev6", "market", "cancel", offer_hash)
    assert not_maker.code == 2 and "nothing was sent" in not_maker.err
    assert issuer.equity("--account", "dev1", "market", "cancel", offer_hash).code == 0
    left = issuer.equity("--json", "market", "list").json()["orders"]
    assert [(o["hash"], o["remaining"]) for o in left] == [(bid_hash, 200)]
    gone = issuer.equity("--account", "dev6", "market", "fill", offer_hash)
    assert gone.code == 3 and "nothing of the order is left" in gone.err


def test_an_offer_beyond_the_unlocked_shares_or_with_a_bad_price_is_refused_unsigned(
    issuer: Issuer,
) -> None:
    ready(issuer)
    before = (issuer.nonce(4), issuer.nonce(5))  # the session anvil is shared: not from 0
    locked = issuer.equity(  # ERIN's 150,000 COMMON are locked until 2028-06-30
        "--account", "dev5", "market", "sell", "COMMON", "10", "--price", "1", "--expires", EXPIRES,
    )  # fmt: skip
    assert locked.code == 3 and "0 COMMON unlocked" in locked.err
    price = issuer.equity(
        "--account", "dev4", "market", "sell", "COMMON", "10", "--price", "0.0000001",
        "--expires", EXPIRES,
    )  # fmt: skip
    assert price.code == 2 and "--price" in price.err
    past = issuer.equity(
        "--account", "dev4", "market", "sell", "COMMON", "10", "--price", "1", "--expires", "2020-01-01",
    )  # fmt: skip
    assert past.code == 2 and "in the past" in past.err
    assert (issuer.nonce(4), issuer.nonce(5)) == before
