"""Stateful property test: random declarations, claims, pushes, payments of reserved leaves to
another wallet of the same investor, freezes, expiries, transfers after the record date, forged
claims, time and reclaims against the real contracts on anvil.

The test keeps its own model of the shares (every issue and transfer it makes) and of each
distribution (the leaves' states, the reserved total, what each wallet and the tax account were
paid, what was reclaimed). After every step it checks, for every distribution:

* the chain's leaf states equal the model's, so no leaf is ever paid twice;
* every leaf names a wallet that held exactly that many shares of that class at the record
  date (the model's copy taken then): nobody is paid who did not hold, and transfers after the
  record date change nothing;
* each wallet's stablecoin balance is the sum of the net amounts of its paid leaves, the tax
  account's the sum of the withheld amounts, the company's what was reclaimed;
* sum(paid) + sum(withheld) + reserved + unpaid + reclaimed + dust == funded, to the unit, where
  the contract's balance is the unpaid-and-reserved part.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from web3.logs import DISCARD

from tests.conftest import RunningNode
from tests.contracts.offering_chain import NEVER
from tests.dividends.world import (
    DAY,
    DUST,
    RESERVED_SELECTOR,
    STATE_WORDS_SELECTOR,
    TAX,
    USD,
    Declared,
    DividendWorld,
)
from toolkit.dividends.distribution import decode_states, word_count
from toolkit.dividends.entitlements import Withholding

HOLDERS = {1: ("A", "DE"), 2: ("B", "US"), 3: ("C", "FR"), 4: ("A", "DE"), 5: ("D", "GB")}
EXPIRING = 5  # wallet 5's qualification expires 20 days after the start
LATE = 6  # registered, but receives shares only after the first record date
CLASSES = ("COMMON", "PREFERRED")
UNPAID, PAID, RESERVED = 0, 1, 2
EXAMPLES = int(os.environ.get("DIVIDEND_EXAMPLES", "200"))
STEPS = 10


@dataclass
class Dividend:
    declared: Declared
    holdings: dict[str, dict[str, int]]  # the model's shares at the record date
    states: list[int] = field(default_factory=list)
    reserved: int = 0
    reclaimed: int = 0


class DistributionMachine(RuleBasedStateMachine):
    world: DividendWorld
    node: RunningNode
    base: Any = None

    dividends = Bundle("dividends")

    runs = 0

    def __init__(self) -> None:
        super().__init__()
        DistributionMachine.runs += 1
        world = self.world
        if DistributionMachine.base is None:
            self._prepare()
        else:
            self.node.revert(DistributionMachine.base)
        DistributionMachine.base = self.node.snapshot()
        self.issuer = world.issuer
        self.wallets = {i: world.accounts[i] for i in (*HOLDERS, LATE)}
        self.investor = {world.accounts[i]: HOLDERS.get(i, ("E",))[0] for i in (*HOLDERS, LATE)}
        self.jurisdiction = {w.lower(): j for w, j in world.jurisdiction.items()}
        self.frozen: set[str] = set()
        self.shares = {c: dict(s) for c, s in self.start_shares.items()}
        self.expires_at = self.start_expiry
        self.paid: dict[str, int] = {}
        self.withheld = 0
        self.all: list[Dividend] = []
        self.t = world.raw.now()
        self.issuer_coin = 0  # the issuer's stablecoin: it mints what it lacks to fund

    def _prepare(self) -> None:
        """Once per session: register the holders and issue the first shares."""
        world = self.world
        DistributionMachine.start_expiry = world.raw.now() + 20 * DAY
        for index, (investor, jurisdiction) in HOLDERS.items():
            expiry = DistributionMachine.start_expiry if index == EXPIRING else NEVER
            world.register(world.accounts[index], investor, jurisdiction, expiry)
        world.register(world.accounts[LATE], "E", "SG")
        shares: dict[str, dict[str, int]] = {c: {} for c in CLASSES}
        for index, (common, preferred) in {
            1: (1_000, 150),
            2: (2_500, 0),
            3: (7, 99),
            4: (0, 1),
            5: (333, 0),
        }.items():
            wallet = world.accounts[index]
            for class_id, amount in (("COMMON", common), ("PREFERRED", preferred)):
                if amount:
                    world.issue(class_id, wallet, amount)
                    shares[class_id][wallet] = amount
        DistributionMachine.start_shares = shares

    # --- helpers --------------------------------------------------------------------------

    def pin_time(self) -> None:
        """The next transaction's block gets the next second: predictions use that time."""
        rpc = self.world.rpc
        self.t = int(rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16) + 1
        rpc.call("evm_setNextBlockTimestamp", [self.t])

    def blocked(self, wallet: str) -> bool:
        expired = wallet == self.wallets[EXPIRING] and self.t >= self.expires_at
        return wallet in self.frozen or expired

    def tx(self, call: Any, sender: str) -> tuple[str | None, tuple[str, tuple[Any, ...]] | None]:
        """Send at the pinned time; a refusal (decoded from the estimate) sends nothing.
        Returns the hash of the mined transaction, or the refusal. Over the bare JSON-RPC
        client (tests/raw_rpc.py): this test sends some 2,000 transactions."""
        world = self.world
        data = call._encode_transaction_data()
        receipt, refused = world.raw.transact(call.address, data, sender, world.chain.decode_revert)
        if refused is not None:
            return None, (refused.name, refused.args_)
        assert receipt is not None
        return str(receipt["transactionHash"]), None

    def settle(self, dividend: Dividend, index: int, deadline_passed: bool, via_push: bool) -> str:
        """What the model expects a claim (or a push) of one leaf to do, applied to the model."""
        leaf = dividend.declared.leaf(index)
        state = dividend.states[index]
        if state == PAID:
            return "skip" if via_push else "AlreadyPaid"
        if state == UNPAID and deadline_passed:
            return "skip" if via_push else "ClaimDeadlinePassed"
        if self.blocked(leaf.wallet):
            if state == RESERVED:
                return "skip" if via_push else "WalletBlocked"
            dividend.states[index] = RESERVED
            dividend.reserved += leaf.amount
            return "reserved"
        if state == RESERVED:
            dividend.reserved -= leaf.amount
        dividend.states[index] = PAID
        self.paid[leaf.wallet] = self.paid.get(leaf.wallet, 0) + leaf.net
        self.withheld += leaf.withheld
        return "paid"

    def settle_recovered(self, dividend: Dividend, index: int, target: str) -> str:
        """What ``payRecovered`` of one leaf to ``target`` should do, applied to the model."""
        leaf = dividend.declared.leaf(index)
        state = dividend.states[index]
        if state == PAID:
            return "AlreadyPaid"
        if state != RESERVED:
            return "NotReserved"
        if target == leaf.wallet or self.investor[target] != self.investor[leaf.wallet]:
            return "NotSameInvestor"
        if self.blocked(target):
            return "WalletBlocked"
        dividend.states[index] = PAID
        dividend.reserved -= leaf.amount
        self.paid[target] = self.paid.get(target, 0) + leaf.net
        self.withheld += leaf.withheld
        return "paid"

    def deadline_passed(self, dividend: Dividend) -> bool:
        return self.t >= dividend.declared.deadline

    # --- rules ----------------------------------------------------------------------------

    @rule(
        target=dividends,
        common=st.fractions(
            min_value=Fraction(1, 7), max_value=Fraction(5 * USD), max_denominator=7
        ),
        preferred=st.fractions(
            min_value=Fraction(0), max_value=Fraction(3 * USD), max_denominator=3
        ),
        us_rate=st.sampled_from([Fraction(0), Fraction(30, 100), Fraction(1, 3), Fraction(1)]),
        default_rate=st.sampled_from([Fraction(0), Fraction(15, 100)]),
        days=st.integers(min_value=1, max_value=15),
    )
    def declare(
        self,
        common: Fraction,
        preferred: Fraction,
        us_rate: Fraction,
        default_rate: Fraction,
        days: int,
    ) -> Any:
        if sum(self.shares["COMMON"].values()) * common < 1:
            common = Fraction(1)
        declared = self.world.declare(
            {"COMMON": common, "PREFERRED": preferred},
            Withholding(default_rate, {"US": us_rate}),
            deadline_in=days * DAY,
        )
        funded = declared.entitlements.funded
        self.issuer_coin = (
            self.issuer_coin if self.issuer_coin < funded else self.issuer_coin - funded
        )
        holdings = {c: {w: s for w, s in shares.items() if s} for c, shares in self.shares.items()}
        dividend = Dividend(declared, holdings, [UNPAID] * len(declared.tree))
        self.all.append(dividend)
        return dividend

    @rule(dividend=dividends, pick=st.integers(min_value=0, max_value=10**6), relay=st.booleans())
    def claim(self, dividend: Dividend, pick: int, relay: bool) -> None:
        self.pin_time()
        index = pick % len(dividend.declared.tree)
        leaf = dividend.declared.leaf(index)
        expected = self.settle(dividend, index, self.deadline_passed(dividend), via_push=False)
        call = dividend.declared.contract.functions.claim(
            leaf.leaf(), dividend.declared.proof(index)
        )
        _receipt, error = self.tx(call, self.wallets[LATE] if relay else leaf.wallet)
        if expected in ("paid", "reserved"):
            assert error is None, (expected, error)
        else:
            assert error is not None and error[0] == expected, (expected, error)

    @rule(
        dividend=dividends,
        start=st.integers(min_value=0, max_value=10**6),
        size=st.integers(min_value=1, max_value=12),
    )
    def push(self, dividend: Dividend, start: int, size: int) -> None:
        count = len(dividend.declared.tree)
        first = start % count
        self.push_leaves(dividend, list(range(first, min(count, first + size))))

    def push_leaves(self, dividend: Dividend, indices: list[int]) -> None:
        self.pin_time()
        passed = self.deadline_passed(dividend)
        expected = {i: self.settle(dividend, i, passed, via_push=True) for i in indices}
        tx_hash, error = self.tx(self.world.pay_call(dividend.declared, indices), self.issuer)
        assert tx_hash is not None, error
        receipt = self.world.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        events = dividend.declared.contract.events
        paid = {e["args"]["index"] for e in events.Paid().process_receipt(receipt, errors=DISCARD)}
        reserved = {
            e["args"]["index"] for e in events.Reserved().process_receipt(receipt, errors=DISCARD)
        }
        assert paid == {i for i, what in expected.items() if what == "paid"}
        assert reserved == {i for i, what in expected.items() if what == "reserved"}

    @rule(
        dividend=dividends,
        pick=st.integers(min_value=0, max_value=10**6),
        to=st.sampled_from([*sorted(HOLDERS), LATE]),
        reserved_only=st.booleans(),
    )
    def pay_to_another_wallet(
        self, dividend: Dividend, pick: int, to: int, reserved_only: bool
    ) -> None:
        """The issuer pays a leaf (a reserved one, if ``reserved_only`` and there is one) to
        any wallet: only a reserved leaf to another wallet of its investor that may receive
        is paid."""
        reserved = [i for i, state in enumerate(dividend.states) if state == RESERVED]
        pool = reserved if reserved_only and reserved else range(len(dividend.states))
        self.pay_recovered(dividend, pool[pick % len(pool)], self.wallets[to])

    @rule(dividend=dividends, lost=st.sampled_from([1, 4]))
    def a_wallet_is_lost_and_recovered(self, dividend: Dividend, lost: int) -> None:
        """Investor A (wallets 1 and 4) loses one wallet: it is frozen, its leaves pushed
        (reserved, before the deadline), then paid to the other wallet."""
        wallet, other = self.wallets[lost], self.wallets[5 - lost]
        self.freeze(lost, True)
        mine = [
            i for i, e in enumerate(dividend.declared.entitlements.leaves) if e.wallet == wallet
        ]
        if mine:
            self.push_leaves(dividend, mine)
        for index in mine:
            self.pay_recovered(dividend, index, other)

    def pay_recovered(self, dividend: Dividend, index: int, target: str) -> None:
        self.pin_time()
        leaf = dividend.declared.leaf(index)
        expected = self.settle_recovered(dividend, index, target)
        event(f"payRecovered: {expected}")
        call = dividend.declared.contract.functions.payRecovered(
            leaf.leaf(), dividend.declared.proof(index), target
        )
        _receipt, error = self.tx(call, self.issuer)
        if expected == "paid":
            assert error is None, error
        else:
            assert error is not None and error[0] == expected, (expected, error)

    @rule(
        dividend=dividends,
        pick=st.integers(min_value=0, max_value=10**6),
        extra=st.integers(min_value=1, max_value=10**6),
    )
    def forged_claim(self, dividend: Dividend, pick: int, extra: int) -> None:
        self.pin_time()
        index = pick % len(dividend.declared.tree)
        value = list(dividend.declared.leaf(index).leaf())
        value[3] += extra
        call = dividend.declared.contract.functions.claim(
            tuple(value), dividend.declared.proof(index)
        )
        _, error = self.tx(call, self.issuer)
        assert error == ("InvalidProof", ())

    @rule(dividend=dividends)
    def reclaim(self, dividend: Dividend) -> None:
        self.pin_time()
        contract = dividend.declared.contract
        (balance,) = self.world.read(
            self.world.balance_calls(self.world.stablecoin.address, [contract.address])
        )
        _receipt, error = self.tx(contract.functions.reclaim(), self.issuer)
        if not self.deadline_passed(dividend):
            assert error is not None and error[0] == "ClaimPeriodOpen"
        elif balance == dividend.reserved:
            assert error == ("NothingToReclaim", ())
        else:
            assert error is None
            dividend.reclaimed += balance - dividend.reserved
            self.issuer_coin += balance - dividend.reserved

    @rule(who=st.sampled_from(sorted(HOLDERS)), frozen=st.booleans())
    def freeze(self, who: int, frozen: bool) -> None:
        wallet = self.wallets[who]
        self.world.freeze(wallet, frozen)
        (self.frozen.add if frozen else self.frozen.discard)(wallet)

    @rule(
        sender=st.sampled_from(sorted(HOLDERS)),
        receiver=st.sampled_from([*sorted(HOLDERS), LATE]),
        class_id=st.sampled_from(CLASSES),
        part=st.fractions(min_value=0, max_value=1),
    )
    def transfer_after_the_record_date(
        self, sender: int, receiver: int, class_id: str, part: Fraction
    ) -> None:
        self.pin_time()
        source, target = self.wallets[sender], self.wallets[receiver]
        amount = int(self.shares[class_id].get(source, 0) * part)
        if amount == 0 or source == target or self.blocked(source) or self.blocked(target):
            return
        self.world.transfer(class_id, source, target, amount)
        self.shares[class_id][source] -= amount
        self.shares[class_id][target] = self.shares[class_id].get(target, 0) + amount

    @rule(days=st.integers(min_value=1, max_value=8))
    def time_passes(self, days: int) -> None:
        raw = self.world.raw
        raw.mine_at(raw.now() + days * DAY)

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def every_unit_is_accounted_for(self) -> None:
        world = self.world
        coin = world.stablecoin.address
        owners = [*self.wallets.values(), TAX, DUST, self.issuer]
        calls: list[tuple[str, str]] = []
        for dividend in self.all:
            address = dividend.declared.contract.address
            words = word_count(len(dividend.states))
            calls.append((address, STATE_WORDS_SELECTOR + f"{0:064x}{words:064x}"))
            calls.append((address, RESERVED_SELECTOR))
            calls += world.balance_calls(coin, [address])
        calls += world.balance_calls(coin, owners)
        raw = world.rpc.batch_or_raise(
            [("eth_call", [{"to": t, "data": d}, "latest"]) for t, d in calls]
        )
        answers: list[Any] = []
        for (_, data), answer in zip(calls, raw, strict=True):
            if data.startswith(STATE_WORDS_SELECTOR):  # a dynamic uint256[]: offset, length, words
                body = bytes.fromhex(answer[2:])
                count = int.from_bytes(body[32:64], "big")
                answers.append(
                    [int.from_bytes(body[64 + 32 * i : 96 + 32 * i], "big") for i in range(count)]
                )
            else:
                answers.append(int(answer, 16))
        for dividend in self.all:
            words, reserved, balance = answers[:3]
            del answers[:3]
            ent = dividend.declared.entitlements
            chain_states = decode_states(words, len(dividend.states))
            assert chain_states == dividend.states  # so no leaf was paid twice
            assert reserved == dividend.reserved
            paid = sum(
                e.amount for e, s in zip(ent.leaves, dividend.states, strict=True) if s == PAID
            )
            assert balance == ent.entitled - paid - dividend.reclaimed
            assert balance >= dividend.reserved
            assert paid + balance + dividend.reclaimed + ent.dust == ent.funded
            for leaf in ent.leaves:  # who held at the record date, and only they
                assert dividend.holdings[leaf.class_id].get(leaf.wallet, 0) == leaf.shares > 0
        balances = dict(zip(owners, answers, strict=True))
        for wallet in self.wallets.values():
            assert balances[wallet] == self.paid.get(wallet, 0), wallet
        assert balances[TAX] == self.withheld
        assert balances[DUST] == sum(d.declared.entitlements.dust for d in self.all)
        assert balances[self.issuer] == self.issuer_coin


def test_no_leaf_is_paid_twice_or_to_a_non_holder_and_every_unit_balances(
    world: DividendWorld, anvil: RunningNode
) -> None:
    DistributionMachine.world = world
    DistributionMachine.node = anvil
    DistributionMachine.base = None
    DistributionMachine.runs = 0
    try:
        run_state_machine_as_test(
            DistributionMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            ),
        )
        assert DistributionMachine.runs >= EXAMPLES  # every sequence ran against the chain
    finally:
        if DistributionMachine.base is not None:
            anvil.revert(DistributionMachine.base)
            DistributionMachine.base = None
