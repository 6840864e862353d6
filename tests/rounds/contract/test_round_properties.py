"""Money is never lost or created (issue 12, point 2): random subscriptions, refunds, closes,
settlements and cancels, in rounds with and without a soft cap, paid in a normal token, a
fee-on-transfer token, a token that calls back into the round and one that returns false.

After every step: the round's balance of the payment token equals its escrow, which equals the
sum of the unsettled payments (pending shares x price); the proceeds address received exactly
issued shares x price; the class issued exactly the round's issued shares; the round's books
match the model. The rounds and funded wallets are set up once; each sequence starts from an EVM
snapshot taken after that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from web3.contract import Contract

from tests.conftest import RunningNode
from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering
from tests.raw_rpc import RawRpc, calldata
from tests.rounds.round_chain import Rounds, RoundTerms

PRICE = 1_234_567  # an odd price: any rounding would show
DAY = 86_400
KINDS = ("normal", "FeeOnTransferToken", "ReentrantToken", "FalseReturningToken")
WALLET_INVESTORS = ("ANNA", "ANNA", "BEN", "CLEO")  # ANNA has two wallets


@dataclass
class Setup:
    chain: Chain
    offering: Offering
    node: RunningNode
    issuer: str
    wallets: list[str]
    proceeds: str
    raw: RawRpc
    tokens: dict[str, Contract] = field(default_factory=dict)
    rounds: dict[tuple[str, bool], Contract] = field(default_factory=dict)
    closes: int = 0


class RoundMachine(RuleBasedStateMachine):
    setup: ClassVar[Setup]

    def __init__(self) -> None:
        super().__init__()
        self.raw = self.setup.raw
        self.snapshot = self.raw.snapshot()

    def teardown(self) -> None:
        self.raw.revert(self.snapshot)

    @initialize(kind=st.sampled_from(KINDS), escrow=st.booleans(), payload=st.integers(0, 2))
    def choose(self, kind: str, escrow: bool, payload: int) -> None:
        s = self.setup
        self.kind = kind
        self.escrow = escrow
        self.round = s.rounds[(kind, escrow)].address
        self.coin = s.tokens[kind].address
        self.class_token = s.offering.token("COMMON").address
        self.pending = dict.fromkeys(s.wallets, 0)
        self.rejected: set[str] = set()
        self.sold = self.issued = 0
        self.outcome = ""  # "", "Settled", "Failed", "Cancelled"
        self.proceeds_before, self.supply_before = self.raw.uints(
            [
                (self.coin, "balanceOf(address)", (s.proceeds,)),
                (self.class_token, "totalSupply()", ()),
            ]
        )
        if kind == "ReentrantToken":
            data = [
                calldata("subscribe(uint256)", (100,)),
                calldata("refund(address)", (s.wallets[0],)),
                calldata("settle(uint256)", (5,)),
            ][payload]
            self.raw.mined(
                self.coin, "arm(address,bytes)", s.issuer, self.round, bytes.fromhex(data[2:])
            )
        event(f"token {kind}, {'escrow' if escrow else 'atomic'}")

    def delivers(self) -> bool:
        return self.kind in ("normal", "ReentrantToken")

    @rule(wallet=st.integers(0, 3), shares=st.integers(0, 3_000))
    def subscribe(self, wallet: int, shares: int) -> None:
        buyer = self.setup.wallets[wallet]
        code = self.raw.uint(self.round, "restrictionOf(address,uint256)", buyer, shares)
        ok = self.raw.mined(self.round, "subscribe(uint256)", buyer, shares)
        assert ok == (code == 0 and self.delivers()), (code, self.kind)
        event(f"subscribe: code {code}, {'accepted' if ok else 'refused'}")
        if ok:
            self.sold += shares
            if self.escrow:
                self.pending[buyer] += shares
            else:
                self.issued += shares

    @rule(by_manager=st.booleans())
    def close(self, by_manager: bool) -> None:
        state = self.raw.uint(self.round, "state()")
        sender = self.setup.issuer if by_manager else self.setup.wallets[3]
        ok = self.raw.mined(self.round, "close()", sender)
        expected = state == 2 or (state == 1 and by_manager)
        assert ok == expected, state
        if ok:
            self.outcome = "Settled" if not self.escrow or self.sold >= 1_000 else "Failed"
        event(f"close: {'done' if ok else 'refused'}")

    @rule(count=st.integers(1, 4))
    def settle(self, count: int) -> None:
        ok = self.raw.mined(self.round, "settle(uint256)", self.setup.wallets[3], count)
        assert ok == (self.outcome == "Settled")
        if not ok:
            return
        waiting = [w for w in self.setup.wallets if self.pending[w]]
        on_chain = self.raw.uints([(self.round, "pendingOf(address)", (w,)) for w in waiting])
        for wallet, pending in zip(waiting, on_chain, strict=True):
            if not pending:
                self.issued += self.pending[wallet]
                self.pending[wallet] = 0
        self.rejected |= {
            w
            for w in self.setup.wallets
            if self.pending[w] and w not in self.rejected and self.rejected_on_chain(w)
        }
        event("settle")

    def rejected_on_chain(self, wallet: str) -> bool:
        # a rejected wallet can take its payment back (a dry run of refund says so)
        return self.raw.succeeds(self.round, "refund(address)", wallet, wallet)

    @rule(by_manager=st.booleans())
    def cancel(self, by_manager: bool) -> None:
        sender = self.setup.issuer if by_manager else self.setup.wallets[1]
        ok = self.raw.mined(self.round, "cancel()", sender)
        assert ok == (by_manager and self.outcome == "")
        if ok:
            self.outcome = "Cancelled"
        event(f"cancel: {'done' if ok else 'refused'}")

    @rule(wallet=st.integers(0, 3))
    def refund(self, wallet: int) -> None:
        target = self.setup.wallets[wallet]
        refundable = self.outcome in ("Cancelled", "Failed") or target in self.rejected
        ok = self.raw.mined(self.round, "refund(address)", self.setup.wallets[2], target)
        assert ok == (refundable and self.pending[target] > 0)
        if ok:
            if target in self.rejected:
                self.sold -= self.pending[target]  # it left `sold` at settlement
            self.pending[target] = 0
            self.rejected.discard(target)
        event(f"refund: {'paid' if ok else 'refused'}")

    @rule(wallet=st.integers(0, 3))
    def freeze(self, wallet: int) -> None:
        registry = self.setup.offering.registry.address
        wallet_ = self.setup.wallets[wallet]
        assert self.raw.mined(registry, "setFrozen(address,bool)", self.setup.issuer, wallet_, True)

    @rule()
    def time_passes(self) -> None:
        self.raw.mine_at(max(self.raw.now() + 1, self.setup.closes))

    @invariant()
    def money_is_never_lost_or_created(self) -> None:
        """One invariant, six reads in one batch: the round's balance is its escrow is the
        unsettled payments (the model's pending shares, which settle and refund check against
        the chain); proceeds are issued shares x price; the class issued what the round says;
        sold matches."""
        held, escrowed, issued, proceeds, supply, sold = self.raw.uints(
            [
                (self.coin, "balanceOf(address)", (self.round,)),
                (self.round, "escrowed()", ()),
                (self.round, "issued()", ()),
                (self.coin, "balanceOf(address)", (self.setup.proceeds,)),
                (self.class_token, "totalSupply()", ()),
                (self.round, "sold()", ()),
            ]
        )
        assert held == escrowed == sum(self.pending.values()) * PRICE
        proceeds -= self.proceeds_before
        supply -= self.supply_before
        assert issued == self.issued == supply
        assert proceeds == issued * PRICE
        rejected = sum(self.pending[w] for w in self.rejected)
        assert sold == self.sold - rejected


def test_money_is_never_lost_or_created_in_a_round(
    chain: Chain,
    offering: Offering,
    anvil: RunningNode,
    rounds: Rounds,
    actors: Actors,
    accounts: list[str],
    terms: RoundTerms,
) -> None:
    wallets = accounts[1:5]
    setup = Setup(
        chain, offering, anvil, rounds.issuer, wallets, accounts[9], RawRpc(anvil.rpc_url)
    )
    for wallet, investor in zip(wallets, WALLET_INVESTORS, strict=True):
        actors.register(wallet, investor)
    setup.tokens["normal"] = rounds.stablecoin()
    for kind in KINDS[1:]:
        setup.tokens[kind] = rounds.odd_token(kind)
    base = terms.but(
        price_per_unit=PRICE,
        hard_cap=8_000,
        min_ticket=10,
        max_ticket=4_000,
        max_per_transaction=2_500,
        proceeds_to=setup.proceeds,
        lock_start=0,
        lock_cliff=0,
        lock_end=0,
    )
    setup.closes = base.closes
    for kind, coin in setup.tokens.items():
        for escrow in (False, True):
            round_ = rounds.open(
                base.but(payment_token=coin.address, soft_cap=1_000 if escrow else 0)
            )
            setup.rounds[(kind, escrow)] = round_
            for wallet in wallets:
                rounds.fund(coin, wallet, 10**24, spender=round_.address)
    chain.mine_at(base.opens)
    RoundMachine.setup = setup
    run_state_machine_as_test(
        RoundMachine,
        settings=settings(
            max_examples=200,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            derandomize=True,
        ),
    )
