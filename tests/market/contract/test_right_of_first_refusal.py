"""The company's right of first refusal (issue 13, point 2) on a real anvil: a fill in a ROFR
class holds the shares and the payment in the RightOfFirstRefusal contract as a notice, which the
company exercises or waives within the window, the buyer completes after it, or anyone unwinds."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from tests.conftest import load_artifact
from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import DEFAULT_ADMIN_ROLE, Chain, Offering, events
from tests.contracts.test_access_control import state_changing
from tests.market.market_world import BUY, MarketWorld, Signed

PRICE = 12_500_000  # 12.50 USDT per share
DAY = 86_400
WINDOW = 30  # COMMON's window in days
GRACE = 30 * DAY  # the contract's COMPLETION_PERIOD
GAS = 1_000_000  # sent with a set next-block time (no estimate before that block)
EXERCISER_ROLE = keccak(text="EXERCISER_ROLE")
OPEN, WAIVED, EXERCISED, COMPLETED, UNWOUND = 1, 2, 3, 4, 5


@pytest.fixture
def world(chain: Chain, offering: Offering, actors: Actors) -> MarketWorld:
    return MarketWorld(chain, offering, actors, load_artifact, rofr_days={"COMMON": WINDOW})


class Notice:
    """A notice opened by a fill: its id and terms, read back from the NoticeOpened event."""

    def __init__(self, world: MarketWorld, receipt: Any) -> None:
        assert world.rofr is not None
        (opened,) = events(world.rofr, "NoticeOpened", receipt)
        self.world = world
        self.rofr = world.rofr
        self.id = int(opened["id"])
        self.order_hash = opened["orderHash"]
        self.terms = dict(opened["notice"])

    @property
    def args(self) -> tuple[int, tuple[Any, ...]]:
        keys = ("seller", "buyer", "shareClass", "paymentToken", "shares", "payment")
        t = self.terms
        return self.id, (*(t[k] for k in keys), t["windowEnd"], t["unwindAfter"])

    def status(self) -> int:
        return int(self.rofr.functions.status(self.id).call())

    def send(self, verb: str, sender: str, *extra: Any) -> Any:
        call = getattr(self.rofr.functions, verb)(*self.args, *extra)
        return self.world.chain.send(call, sender, gas=GAS)

    def error(self, verb: str, sender: str, *extra: Any) -> tuple[str, tuple[Any, ...]]:
        call = getattr(self.rofr.functions, verb)(*self.args, *extra)
        return self.world.chain.revert_of(call, sender)


def _trade(world: MarketWorld, accounts: list[str], shares: int = 100) -> tuple[str, str, Signed]:
    seller = world.seller(accounts[1], "ALICE", 1_000)
    buyer = world.buyer(accounts[2], "BOB", 1_000 * PRICE)
    return seller, buyer, world.signed(seller, shares, PRICE)


def _company(world: MarketWorld, wallet: str, money: int) -> str:
    """The company's treasury wallet: registered under its investor id, funded, approving the
    right of first refusal for its payments."""
    assert world.rofr is not None
    world.holder(wallet, "COMPANY")
    world.rounds.fund(world.usdt, wallet, money, spender=world.rofr.address)
    return wallet


def treasury_issuer(world: MarketWorld) -> str:
    """The issuer (dev0): the offering named it a second exerciser; it pays from its own wallet,
    which the tests fund as the company's treasury here."""
    issuer = world.actors.issuer
    if world.money(issuer) < 10_000 * PRICE:
        world.rounds.fund(world.usdt, issuer, 10_000 * PRICE, spender=world.rofr.address)  # type: ignore[union-attr]
    return issuer


def _held(world: MarketWorld) -> tuple[int, int]:
    assert world.rofr is not None
    return world.actors.balance("COMMON", world.rofr.address), world.money(world.rofr.address)


def test_a_fill_in_a_rofr_class_holds_shares_and_payment_as_a_notice_and_trades_nothing(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller, buyer, offer = _trade(world, accounts)
    receipt = world.fill(offer, 60, buyer)
    notice = Notice(world, receipt)
    assert events(world.market, "Trade", receipt) == []
    assert notice.id == 1 and notice.status() == OPEN
    assert notice.order_hash == world.market.functions.hashOrder(offer.order.as_tuple()).call()
    opened_at = world.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert notice.terms["windowEnd"] == opened_at + WINDOW * DAY
    assert notice.terms["unwindAfter"] == opened_at + WINDOW * DAY + GRACE
    assert (notice.terms["shares"], notice.terms["payment"]) == (60, 60 * PRICE)
    assert _held(world) == (60, 60 * PRICE)
    assert world.actors.balance("COMMON", seller) == 940 and world.money(buyer) == 940 * PRICE
    assert world.actors.balance("COMMON", buyer) == 0 and world.money(seller) == 0
    # the fill counted like any other: the order cannot be refilled past its size
    assert world.market.functions.remaining(offer.order.as_tuple()).call() == 40
    assert world.market.functions.rightOfFirstRefusal().call() == world.rofr.address  # type: ignore[union-attr]


def test_the_company_exercises_at_the_same_terms_and_the_buyer_gets_the_payment_back(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller, buyer, offer = _trade(world, accounts)
    notice = Notice(world, world.fill(offer, 100, buyer))
    treasury = _company(world, accounts[5], 100 * PRICE)
    assert notice.error("exercise", accounts[6], treasury)[0] == "AccessControlUnauthorizedAccount"
    receipt = notice.send("exercise", treasury_issuer(world), treasury)
    assert events(world.rofr, "NoticeExercised", receipt) == [  # type: ignore[arg-type]
        {"id": 1, "payer": treasury_issuer(world), "to": treasury}
    ]
    assert notice.status() == EXERCISED
    assert world.actors.balance("COMMON", treasury) == 100
    assert world.money(seller) == 100 * PRICE  # paid by the company
    assert world.money(buyer) == 1_000 * PRICE  # the buyer's payment came back
    assert _held(world) == (0, 0)
    # settled once: nothing else can happen to it
    for verb, extra in (("exercise", (treasury,)), ("waive", ()), ("complete", ())):
        assert notice.error(verb, treasury_issuer(world), *extra) == (
            "NoticeNotOpen",
            (1, EXERCISED),
        )


def test_the_window_decides_who_may_act_exercise_within_complete_after(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller, buyer, offer = _trade(world, accounts)
    notice = Notice(world, world.fill(offer, 100, buyer))
    window_end = notice.terms["windowEnd"]
    assert notice.error("complete", buyer) == ("WindowOpen", (1, window_end))
    world.chain.next_block_at(window_end)
    assert notice.error("exercise", treasury_issuer(world), accounts[5])[0] == "WindowClosed"
    world.chain.next_block_at(window_end + 1)
    notice.send("complete", buyer)
    assert notice.status() == COMPLETED
    assert world.actors.balance("COMMON", buyer) == 100 and world.money(seller) == 100 * PRICE
    assert _held(world) == (0, 0)
    assert notice.error("unwind", buyer) == ("NoticeNotOpen", (1, COMPLETED))


def test_a_waiver_lets_the_buyer_complete_at_once_and_only_an_exerciser_may_waive(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller, buyer, offer = _trade(world, accounts)
    notice = Notice(world, world.fill(offer, 100, buyer))
    assert notice.error("waive", buyer)[0] == "AccessControlUnauthorizedAccount"
    notice.send("waive", world.actors.issuer)
    assert notice.status() == WAIVED
    assert notice.error("exercise", treasury_issuer(world), accounts[5]) == (
        "NoticeNotOpen",
        (1, WAIVED),
    )
    notice.send("complete", buyer)
    assert world.actors.balance("COMMON", buyer) == 100 and world.money(seller) == 100 * PRICE


def test_completion_applies_the_transfer_rules_then_and_a_refusal_leaves_the_notice_open(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller, buyer, offer = _trade(world, accounts)
    notice = Notice(world, world.fill(offer, 100, buyer))
    notice.send("waive", world.actors.issuer)
    world.actors.freeze(buyer)
    assert notice.error("complete", buyer) == (
        "TransferRestricted",
        (3, world.rofr.address, buyer, 100),  # type: ignore[union-attr]
    )
    assert notice.status() == WAIVED and _held(world) == (100, 100 * PRICE)
    world.actors.freeze(buyer, False)
    notice.send("complete", seller)  # anyone may complete: the terms are fixed
    assert world.actors.balance("COMMON", buyer) == 100


def test_a_notice_nobody_completes_is_unwound_by_anyone_after_the_grace_period(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller, buyer, offer = _trade(world, accounts)
    notice = Notice(world, world.fill(offer, 100, buyer))
    unwind_after = notice.terms["unwindAfter"]
    world.chain.next_block_at(unwind_after - 1)
    assert notice.error("unwind", accounts[7]) == ("NotYetUnwindable", (1, unwind_after))
    world.chain.next_block_at(unwind_after)
    notice.send("unwind", accounts[7])
    assert notice.status() == UNWOUND
    assert world.actors.balance("COMMON", seller) == 1_000 and world.money(buyer) == 1_000 * PRICE
    assert _held(world) == (0, 0)
    assert notice.error("complete", buyer) == ("NoticeNotOpen", (1, UNWOUND))


def test_a_buyer_the_token_would_refuse_is_refused_at_the_fill_and_nothing_is_held(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller = world.seller(accounts[1], "ALICE", 100)
    american = world.buyer(accounts[3], "SAM", 100 * PRICE, jurisdiction="US")  # COMMON blocks US
    offer = world.signed(seller, 100, PRICE)
    assert world.fill_error(offer, 100, american) == (
        "TransferRestricted",
        (6, seller, american, 100),
    )
    assert _held(world) == (0, 0)


def test_a_bid_in_a_rofr_class_opens_a_notice_too_and_other_classes_settle_at_once(
    world: MarketWorld, accounts: list[str]
) -> None:
    bidder = world.buyer(accounts[2], "BOB", 150 * PRICE)
    seller = world.seller(accounts[1], "ALICE", 100)
    notice = Notice(world, world.fill(world.signed(bidder, 100, PRICE, side=BUY), 100, seller))
    assert (notice.terms["seller"], notice.terms["buyer"]) == (seller, bidder)
    world.actors.issue("PREFERRED", seller, 50)
    preferred = world.offering.token("PREFERRED")
    world.chain.send(preferred.functions.approve(world.market.address, 50), seller)
    receipt = world.fill(world.signed(seller, 50, PRICE, class_id="PREFERRED", nonce=2), 50, bidder)
    assert len(events(world.market, "Trade", receipt)) == 1
    assert world.actors.balance("PREFERRED", bidder) == 50


def test_only_the_market_opens_and_the_terms_must_be_the_notices_own(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller, buyer, offer = _trade(world, accounts)
    notice = Notice(world, world.fill(offer, 100, buyer))
    rofr = world.rofr
    assert rofr is not None
    fake = rofr.functions.open(b"\x00" * 32, seller, buyer, offer.order.share_class, 1, seller, 1)
    assert world.chain.revert_of(fake, buyer) == ("OnlyMarket", (buyer,))
    notice.terms["payment"] = 1  # a cheaper price for the company
    assert notice.error("exercise", treasury_issuer(world), accounts[5]) == (
        "WrongNoticeTerms",
        (1,),
    )
    assert notice.error("unwind", buyer)[0] in {"WrongNoticeTerms", "NotYetUnwindable"}


def test_governance_sets_the_windows_within_ten_years_and_every_function_is_classified(
    world: MarketWorld, accounts: list[str], timelock: str
) -> None:
    rofr = world.rofr
    assert rofr is not None
    token = world.offering.token("PREFERRED").address
    assert state_changing(rofr) == {
        "open",  # only the market (OnlyMarket)
        "complete",  # anyone, after the window or a waiver: the terms are fixed
        "unwind",  # anyone, after the grace period: everything goes back
        "exercise",
        "waive",
        "setRofrDays",
        "grantRole",
        "revokeRole",
        "renounceRole",
    }
    assert rofr.functions.hasRole(EXERCISER_ROLE, timelock).call()
    assert rofr.functions.hasRole(DEFAULT_ADMIN_ROLE, timelock).call()
    for caller in (world.actors.issuer, accounts[3]):  # the issuer exercises, but sets nothing
        name, _ = world.chain.revert_of(rofr.functions.setRofrDays(token, 5), caller)
        assert name == "AccessControlUnauthorizedAccount"
        name, _ = world.chain.revert_of(rofr.functions.grantRole(EXERCISER_ROLE, caller), caller)
        assert name == "AccessControlUnauthorizedAccount"
    assert world.chain.revert_of(rofr.functions.setRofrDays(token, 3651), timelock) == (
        "InvalidRofrDays",
        (3651,),
    )
    world.chain.send(rofr.functions.setRofrDays(token, 3650), timelock)
    assert rofr.functions.rofrDays(token).call() == 3650
