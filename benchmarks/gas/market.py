"""Gas of secondary trades (issue 13) against what a trade must do anyway.

    .venv/bin/python benchmarks/gas/market.py [--out DIR]

Starts one anvil, deploys an offering as SPEC §10 wires it (COMMON: holder cap, a blocked
jurisdiction), the SecondaryMarket and the shipped TestStablecoin (6 decimals). Seller and buyer
are registered, self-delegated holders of COMMON and of the stablecoin, and each approved the
market once (the seller's share approval is unlimited, so the token skips the allowance write).
Every operation runs in its own block at a later timestamp; figures are exact `gasUsed` of whole
transactions (21,000 intrinsic and calldata included). In the same run: the class token's plain
`transfer` between the same kind of holders and the stablecoin's `transferFrom` with an
allowance: a fill does both, so their sum less one intrinsic 21,000 is its floor; the rest is
the order's signature, its hash and its fill word. Writes `market.md` and `market.json` here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from run import Bench, anvil_chain, write_results  # noqa: E402

from tests.contracts.conftest import Actors  # noqa: E402
from tests.contracts.offering_chain import Chain, ClassSpec, GovernanceSpec  # noqa: E402
from tests.market.market_world import BUY, MarketWorld  # noqa: E402

CLASSES = (
    ClassSpec("COMMON", votes_per_share=1, authorized=10**12, max_holders=2000, blocked=("US",)),
)
PRICE = 12_500_000  # 12.50 USDT (6 decimals) per share
INTRINSIC = 21_000
GOALS = {"fill_offer_existing_holders": 190_000, "rofr_notice_plus_complete": 300_000}
LABELS = {
    "fill_offer_existing_holders": "fill of a signed offer, whole, between existing self-delegated holders",
    "fill_bid_existing_holders": "fill of a signed bid by a seller, same holders",
    "fill_second_part": "a second partial fill of the same offer (signature not checked again)",
    "fill_new_buyer": "fill of a signed offer by a buyer new to the class",
    "publish": "publish a signed order on chain",
    "cancel": "cancel an order (its nonce)",
    "rofr_notice": "ROFR class: a fill that opens a notice (shares and payment into escrow), existing holders",
    "rofr_complete": "ROFR class: the buyer completes a notice after the window",
    "rofr_notice_plus_complete": "ROFR class: a notice plus its completion, together",
    "rofr_exercise": "ROFR class: the company exercises a notice (pays, takes the shares, repays the buyer)",
    "rofr_waive": "ROFR class: the company waives a notice",
    "fill_offer_other_class_rofr_market": "fill of an offer in a class without ROFR, in an offering with one",
    "share_transfer": "for comparison: the class token's `transfer` between existing holders",
    "stablecoin_transfer_from": "for comparison: the stablecoin's `transferFrom` with an allowance",
}


def measure(chain: Chain, accounts: list[str]) -> dict[str, int]:
    from tests.conftest import load_artifact

    bench = Bench(chain)
    issuer = accounts[0]
    offering = chain.deploy_offering(issuer, CLASSES, GovernanceSpec())
    world = MarketWorld(chain, offering, Actors(chain, offering, issuer), load_artifact)
    seller = world.seller(accounts[1], "SELLER", 1_000_000)
    buyer = world.buyer(accounts[2], "BUYER", 10**15)
    world.actors.issue("COMMON", buyer, 1)  # the buyer holds the class already
    world.rounds.fund(world.usdt, seller, 1)  # and the seller the stablecoin
    newcomer = world.buyer(accounts[3], "NEWCOMER", 10**15)
    market = world.market.functions
    out: dict[str, int] = {}

    fills = []
    for nonce in range(10, 15):
        offer = world.signed(seller, 100, PRICE, nonce=nonce)
        fills.append(bench.gas(market.fill(*offer.args(100)), buyer))
    out["fill_offer_existing_holders"] = bench.same("fill", fills)
    world.chain.send(
        offering.token("COMMON").functions.approve(world.market.address, 2**256 - 1), buyer
    )
    bids = []
    for nonce in range(20, 23):
        bid = world.signed(buyer, 100, PRICE, side=BUY, nonce=nonce)
        bids.append(bench.gas(market.fill(*bid.args(100)), seller))
    out["fill_bid_existing_holders"] = bench.same("bid fill", bids)
    parted = world.signed(seller, 300, PRICE, nonce=30)
    bench.gas(market.fill(*parted.args(100)), buyer)
    out["fill_second_part"] = bench.gas(market.fill(*parted.args(100)), buyer)
    out["fill_new_buyer"] = bench.gas(
        market.fill(*world.signed(seller, 100, PRICE, nonce=31).args(100)), newcomer
    )
    published = world.signed(seller, 100, PRICE, nonce=40)
    out["publish"] = bench.gas(market.publish(*published.args(0)[:2]), seller)
    out["cancel"] = bench.gas(market.cancel(40), seller)

    token = offering.token("COMMON").functions
    out["share_transfer"] = bench.same(
        "transfer", [bench.gas(token.transfer(buyer, 10), seller) for _ in range(3)]
    )
    usdt = world.usdt.functions
    world.chain.send(usdt.approve(accounts[5], 2**255), buyer)
    out["stablecoin_transfer_from"] = bench.same(
        "transferFrom",
        [bench.gas(usdt.transferFrom(buyer, seller, 10), accounts[5]) for _ in range(3)],
    )
    out["floor"] = out["share_transfer"] + out["stablecoin_transfer_from"] - INTRINSIC
    out.update(measure_rofr(chain, accounts))
    return out


ROFR_CLASSES = (
    ClassSpec("COMMON", votes_per_share=1, authorized=10**12, max_holders=2000, blocked=("US",)),
    ClassSpec("OTHER", votes_per_share=1, authorized=10**12, max_holders=2000),
)
NOTICE_KEYS = ("seller", "buyer", "shareClass", "paymentToken", "shares", "payment")


def measure_rofr(chain: Chain, accounts: list[str]) -> dict[str, int]:
    """A second offering whose COMMON has a 1-day right of first refusal: the same holders; one
    notice stays open throughout, so the escrow is a steady holder (never emptied)."""
    from tests.conftest import load_artifact
    from tests.contracts.offering_chain import events

    bench = Bench(chain)
    issuer = accounts[0]
    offering = chain.deploy_offering(issuer, ROFR_CLASSES, GovernanceSpec())
    actors = Actors(chain, offering, issuer)
    world = MarketWorld(chain, offering, actors, load_artifact, rofr_days={"COMMON": 1})
    rofr = world.rofr
    assert rofr is not None
    seller = world.seller(accounts[1], "SELLER", 1_000_000)
    world.actors.issue("OTHER", seller, 1_000_000)
    chain.send(offering.token("OTHER").functions.approve(world.market.address, 2**256 - 1), seller)
    buyer = world.buyer(accounts[2], "BUYER", 10**15)
    world.actors.issue("COMMON", buyer, 1)
    world.actors.issue("OTHER", buyer, 1)
    world.rounds.fund(world.usdt, seller, 1)
    company = accounts[4]
    world.holder(company, "COMPANY")
    world.actors.issue("COMMON", company, 1)
    world.rounds.fund(world.usdt, issuer, 10**15, spender=rofr.address)  # the exerciser pays
    market = world.market.functions
    out: dict[str, int] = {}

    def notice(nonce: int) -> tuple[int, int, tuple[object, ...]]:
        receipt = chain.send(
            market.fill(*world.signed(seller, 100, PRICE, nonce=nonce).args(100)), buyer
        )
        (opened,) = events(rofr, "NoticeOpened", receipt)
        t = opened["notice"]
        terms = (*(t[k] for k in NOTICE_KEYS), t["windowEnd"], t["unwindAfter"])
        return int(opened["id"]), int(receipt["gasUsed"]), terms

    notice(100)  # stays open: the escrow holds shares and money from here on
    opened = []
    for nonce in range(101, 107):
        bench.tick()
        opened.append(notice(nonce))
    out["rofr_notice"] = bench.same("notice", [gas for _, gas, _ in opened])
    exercised = [
        bench.gas(rofr.functions.exercise(i, t, company), issuer) for i, _, t in opened[:3]
    ]
    out["rofr_exercise"] = bench.same("exercise", exercised)
    out["rofr_waive"] = bench.gas(rofr.functions.waive(*opened[3][::2]), issuer)
    chain.next_block_at(chain.now() + 2 * 86_400)
    chain.send(world.usdt.functions.approve(accounts[5], 1), accounts[5])  # mines that block
    completed = [bench.gas(rofr.functions.complete(i, t), buyer) for i, _, t in opened[4:]]
    out["rofr_complete"] = bench.same("complete", completed)
    out["rofr_notice_plus_complete"] = out["rofr_notice"] + out["rofr_complete"]
    others = [
        bench.gas(
            market.fill(*world.signed(seller, 100, PRICE, class_id="OTHER", nonce=n).args(100)),
            buyer,
        )
        for n in range(200, 203)
    ]
    out["fill_offer_other_class_rofr_market"] = bench.same("other class fill", others)
    return out


def render(out: dict[str, int]) -> str:
    floor = out["floor"]
    lines = [
        "# Gas of secondary trades (generated by `benchmarks/gas/market.py`; do not edit)",
        "",
        "Exact `gasUsed` of whole transactions on anvil (solc 0.8.28, shanghai, optimizer 200 runs,",
        "OpenZeppelin 5.3.0). Floor: the class token's `transfer` "
        f"({out['share_transfer']:,}) + the stablecoin's `transferFrom` "
        f"({out['stablecoin_transfer_from']:,}) - one intrinsic 21,000 = {floor:,}, same run.",
        "",
        "| operation | ours | floor | ours / floor | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for key, label in LABELS.items():
        goal = GOALS.get(key)
        verdict = (
            "" if goal is None else f"≤ {goal:,} " + ("✅" if out[key] <= goal else "❌ missed")
        )
        trade = key.startswith("fill") or key in ("rofr_notice", "rofr_notice_plus_complete")
        ratio = f"{out[key] / floor:.2f}x" if trade else "–"
        shown = f"{floor:,}" if trade else "–"
        lines.append(f"| {label} | {out[key]:,} | {shown} | {ratio} | {verdict} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=HERE, help="folder for market.md and market.json"
    )
    args = parser.parse_args(argv)
    with anvil_chain() as (chain, accounts):
        out = measure(chain, accounts)
    write_results(args.out, "market", out, GOALS, render(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
