"""No share or payment is created or lost by the right of first refusal (issue 13, points 2 and 6):
random fills in a ROFR class (each opens a notice), exercises, waivers, completions, unwinds,
freezes and the passing of time, against a model of every balance and every notice.

Checked at each step: each call succeeds exactly when the model says it may (the notice's status,
the window, the grace period, the receiver's and the sender's frozen flags, the payer's money),
and otherwise reverts with nothing moved, so no notice is settled twice; every wallet's balances
of both tokens equal the model's, their sums never change, and the escrow holds exactly the sum
of the shares and of the payments of its open and waived notices.
The wallets are funded once; each sequence starts from an EVM snapshot taken after that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import RunningNode, load_artifact
from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering
from tests.market.contract.test_market_properties import ORDER, Raw
from tests.market.market_world import MarketWorld

NOTICE = "(address,address,address,address,uint256,uint256,uint64,uint64)"
SHARES = 1_000  # shares of each holder at the start
MONEY = 400_000  # payment base units of each holder and of the company at the start
DAY = 86_400
WINDOW = DAY  # COMMON's rofr_days = 1
GRACE = 30 * DAY
# a wait (32 days) takes every open notice past its window and its grace at once, never near
# either end, so the model's "now" and the next block's agree on either side of them
WAIT = 32 * DAY
OPEN, WAIVED, EXERCISED, COMPLETED, UNWOUND = 1, 2, 3, 4, 5


@dataclass
class Setup:
    world: MarketWorld
    node: RunningNode
    wallets: list[str]  # the holders
    company: str  # the issuer: exerciser, payer and receiver of exercised shares


@dataclass
class Held:
    id: int
    seller: str
    buyer: str
    shares: int
    payment: int
    window_end: int
    status: int = OPEN
    terms: tuple[Any, ...] = field(default=())


class RofrMachine(RuleBasedStateMachine):
    setup: ClassVar[Setup]
    done: ClassVar[dict[str, int]] = {}  # successful calls per verb, over all sequences

    def __init__(self) -> None:
        super().__init__()
        s = self.setup
        self.snapshot = s.node.snapshot()
        self.raw = Raw(s.node)
        assert s.world.rofr is not None
        self.rofr = s.world.rofr.address
        self.market = s.world.market.address
        self.token = s.world.offering.token("COMMON").address
        self.coin = s.world.usdt.address
        self.wallets = s.wallets
        self.company = s.company
        self.everyone = [*s.wallets, s.company]
        self.shares = dict.fromkeys(s.wallets, SHARES) | {s.company: 0}
        self.money = dict.fromkeys(self.everyone, MONEY)
        self.frozen: set[str] = set()
        self.notices: list[Held] = []
        self.nonce = 0
        self.now = s.world.chain.now()

    def teardown(self) -> None:
        self.setup.node.revert(self.snapshot)

    def latest(self) -> int:
        return int(
            self.raw.request("eth_getBlockByNumber", ["latest", False])["result"]["timestamp"], 16
        )  # type: ignore[arg-type]

    def settle(self, verb: str, held: Held, sender: str, *extra: Any) -> bool:
        types = ["uint256", NOTICE] + (["address"] if extra else [])
        signature = f"{verb}(uint256,{NOTICE}{',address' if extra else ''})"
        done = self.raw.send(self.rofr, sender, signature, types, held.id, held.terms, *extra)
        self.done[verb] = self.done.get(verb, 0) + done
        return done

    # --- rules ----------------------------------------------------------------------------

    @rule(
        seller=st.integers(0, 2),
        buyer=st.integers(0, 2),
        shares=st.integers(1, 700),
        price=st.integers(1, 400),
    )
    def fill(self, seller: int, buyer: int, shares: int, price: int) -> None:
        """A fresh offer of `seller`, filled whole by `buyer`: a notice, or nothing at all."""
        world = self.setup.world
        maker, taker = self.wallets[seller], self.wallets[buyer]
        self.nonce += 1
        signed = world.signed(maker, shares, price, nonce=self.nonce, expiry=self.now + 10**8)
        cost = shares * price
        expected = (
            maker != taker
            and maker not in self.frozen
            and taker not in self.frozen
            and self.shares[maker] >= shares
            and self.money[taker] >= cost
        )
        done = self.raw.send(
            self.market, taker, f"fill({ORDER},bytes,uint256)", [ORDER, "bytes", "uint256"],
            signed.order.as_tuple(), signed.signature, shares,
        )  # fmt: skip
        assert done == expected, (maker, taker, shares, cost)
        if done:
            self.now = self.latest()
            held = Held(len(self.notices) + 1, maker, taker, shares, cost, self.now + WINDOW)
            held.terms = (
                maker,
                taker,
                self.token,
                self.coin,
                shares,
                cost,
                held.window_end,
                held.window_end + GRACE,
            )
            self.notices.append(held)
            self.shares[maker] -= shares
            self.money[taker] -= cost

    @precondition(lambda self: self.notices)
    @rule(data=st.data())
    def exercise(self, data: st.DataObject) -> None:
        held = data.draw(st.sampled_from(self.notices[-3:]))  # recent: likelier held
        expected = (
            held.status == OPEN
            and self.now < held.window_end
            and self.money[self.company] >= held.payment
            and self.company not in self.frozen
        )
        assert self.settle("exercise", held, self.company, self.company) == expected
        if expected:
            held.status = EXERCISED
            self.money[self.company] -= held.payment
            self.money[held.seller] += held.payment
            self.money[held.buyer] += held.payment
            self.shares[self.company] += held.shares

    @precondition(lambda self: self.notices)
    @rule(data=st.data())
    def waive(self, data: st.DataObject) -> None:
        held = data.draw(st.sampled_from(self.notices[-3:]))  # recent: likelier held
        expected = held.status == OPEN and self.now < held.window_end
        assert self.settle("waive", held, self.company) == expected
        if expected:
            held.status = WAIVED

    @precondition(lambda self: self.notices)
    @rule(data=st.data(), sender=st.integers(0, 2))
    def complete(self, data: st.DataObject, sender: int) -> None:
        held = data.draw(st.sampled_from(self.notices[-3:]))  # recent: likelier held
        expected = (
            held.status == WAIVED or (held.status == OPEN and self.now >= held.window_end)
        ) and held.buyer not in self.frozen
        assert self.settle("complete", held, self.wallets[sender]) == expected
        if expected:
            held.status = COMPLETED
            self.shares[held.buyer] += held.shares
            self.money[held.seller] += held.payment

    @precondition(lambda self: self.notices)
    @rule(data=st.data(), sender=st.integers(0, 2))
    def unwind(self, data: st.DataObject, sender: int) -> None:
        held = data.draw(st.sampled_from(self.notices[-3:]))  # recent: likelier held
        expected = (
            held.status in (OPEN, WAIVED)
            and self.now >= held.window_end + GRACE
            and held.seller not in self.frozen
        )
        assert self.settle("unwind", held, self.wallets[sender]) == expected
        if expected:
            held.status = UNWOUND
            self.shares[held.seller] += held.shares
            self.money[held.buyer] += held.payment

    @rule(wallet=st.integers(0, 2))
    def freeze(self, wallet: int) -> None:
        """The registrar freezes a holder, or unfreezes a frozen one."""
        target = self.wallets[wallet]
        frozen = target not in self.frozen
        registry = self.setup.world.offering.registry.address
        signature = "setFrozen(address,bool)"
        assert self.raw.send(registry, self.company, signature, ["address", "bool"], target, frozen)
        self.frozen ^= {target}

    @rule()
    def wait(self) -> None:
        self.setup.node.advance_time(WAIT)
        self.now = self.latest()

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def balances_are_the_models_and_the_escrow_holds_exactly_the_held_notices(self) -> None:
        holders = [*self.everyone, self.rofr, self.market]
        found = self.raw.balances([(t, w) for t in (self.token, self.coin) for w in holders])
        shares, money = found[: len(holders)], found[len(holders) :]
        held = [n for n in self.notices if n.status in (OPEN, WAIVED)]
        assert shares == [*(self.shares[w] for w in self.everyone), sum(n.shares for n in held), 0]
        assert money == [*(self.money[w] for w in self.everyone), sum(n.payment for n in held), 0]
        assert sum(shares) == SHARES * len(self.wallets)
        assert sum(money) == MONEY * len(self.everyone)


def test_random_notices_never_create_or_lose_a_share_or_a_payment_nor_settle_twice(
    chain: Chain, offering: Offering, actors: Actors, accounts: list[str], anvil: RunningNode
) -> None:
    world = MarketWorld(chain, offering, actors, load_artifact, rofr_days={"COMMON": 1})
    assert world.rofr is not None
    wallets = [accounts[1], accounts[2], accounts[3]]
    for wallet, investor in zip(wallets, ("ANNA", "BEN", "CLEO"), strict=True):
        world.seller(wallet, investor, SHARES)
        world.rounds.fund(world.usdt, wallet, MONEY, spender=world.market.address)
    company = actors.issuer  # the offering names the issuer an exerciser
    world.holder(company, "COMPANY")
    world.rounds.fund(world.usdt, company, MONEY, spender=world.rofr.address)
    RofrMachine.setup = Setup(world, anvil, wallets, company)
    run_state_machine_as_test(
        RofrMachine,
        settings=settings(
            max_examples=200,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            derandomize=True,
        ),
    )
    # the sequences reached every way a notice ends, not only refusals
    done = RofrMachine.done
    assert all(done.get(verb) for verb in ("exercise", "waive", "complete", "unwind")), done
