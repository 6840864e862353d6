"""No share or payment is created or lost by the market (issue 13, point 6): random offers and
bids (some reusing a nonce for another order), fills of any size by anyone, cancels, plain
transfers and the passing of time, against a model of every balance and every order.

Checked at each step: a fill settles exactly when the model says it may (live, signed, its nonce
its own and not cancelled, no more than is left, the named taker, a seller with the unlocked shares,
a buyer the class accepts and who can pay), and otherwise reverts with nothing moved; the balances
of both tokens equal the model's, so their sums never change and the market never keeps anything;
no order is filled beyond its shares; the US wallet (COMMON blocks the US) never receives a share.
The wallets are funded once; each sequence starts from an EVM snapshot taken after that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar

from eth_abi import encode as abi_encode
from eth_account.messages import encode_typed_data
from eth_utils import function_signature_to_4byte_selector, keccak
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.conftest import RunningNode
from tests.market.market_world import BUY, SELL, MarketWorld, Signed
from toolkit.inputs import ZERO_ADDRESS

ORDER = "(address,address,uint8,uint256,uint256,address,uint64,address,uint256)"
LOCKED = 300  # ANNA's shares locked for good (SHARES_LOCKED)
SHARES = 1_000  # unlocked shares of each holder at the start
MONEY = 400_000  # payment base units of every wallet at the start
FAR = 2**40


class Raw:
    """Bare JSON-RPC (web3's contract layer costs more CPU than anvil does)."""

    def __init__(self, node: RunningNode) -> None:
        import requests

        self.request = node.w3.provider.make_request
        self.url = node.rpc_url
        self.session = requests.Session()

    @staticmethod
    def data(signature: str, types: list[str], args: list[Any]) -> str:
        selector = function_signature_to_4byte_selector(signature)
        return "0x" + (selector + abi_encode(types, args)).hex()

    def balances(self, pairs: list[tuple[str, str]]) -> list[int]:
        """``balanceOf`` of each (token, wallet), in one JSON-RPC batch."""
        batch = [
            {
                "jsonrpc": "2.0",
                "id": i,
                "method": "eth_call",
                "params": [
                    {"to": token, "data": self.data("balanceOf(address)", ["address"], [wallet])},
                    "latest",
                ],
            }
            for i, (token, wallet) in enumerate(pairs)
        ]
        answers = sorted(
            self.session.post(self.url, json=batch, timeout=60).json(), key=lambda a: a["id"]
        )
        return [int(a["result"], 16) for a in answers]

    def send(self, to: str, sender: str, signature: str, types: list[str], *args: Any) -> bool:
        """True when mined successfully; False when it would revert (then nothing is sent)."""
        tx = {"from": sender, "to": to, "data": self.data(signature, types, list(args))}
        if "error" in self.request("eth_call", [tx, "latest"]):  # type: ignore[arg-type]
            return False
        sent = self.request("eth_sendTransaction", [{**tx, "gas": hex(1_000_000)}])  # type: ignore[arg-type]
        for _ in range(2_000):
            receipt = self.request("eth_getTransactionReceipt", [sent["result"]])["result"]  # type: ignore[arg-type]
            if receipt:
                assert receipt["status"] == "0x1", receipt
                return True
            time.sleep(0.005)
        raise AssertionError(f"no receipt for {sent}")


@dataclass
class Setup:
    world: MarketWorld
    node: RunningNode
    wallets: list[str]  # ANNA (some shares locked), BEN, CLEO, SAM (US: refused as a receiver)


@dataclass
class Made:
    signed: Signed
    digest: bytes


class MarketMachine(RuleBasedStateMachine):
    setup: ClassVar[Setup]

    def __init__(self) -> None:
        super().__init__()
        s = self.setup
        self.snapshot = s.node.snapshot()
        self.raw = Raw(s.node)
        self.market = s.world.market.address
        self.token = s.world.offering.token("COMMON").address
        self.coin = s.world.usdt.address
        self.wallets = s.wallets
        self.shares = {w: (0 if w == s.wallets[3] else SHARES) for w in s.wallets}
        self.shares[s.wallets[0]] += LOCKED
        self.money = dict.fromkeys(s.wallets, MONEY)
        self.orders: list[Made] = []
        self.nonces: dict[tuple[str, int], dict[str, Any]] = {}  # (maker, nonce) -> state
        self.now = s.world.chain.now()
        self.total_shares = sum(self.shares.values())

    def teardown(self) -> None:
        self.setup.node.revert(self.snapshot)

    # --- the model's rules ----------------------------------------------------------------

    def unlocked(self, wallet: str) -> int:
        return self.shares[wallet] - (LOCKED if wallet == self.wallets[0] else 0)

    def state(self, made: Made) -> dict[str, Any]:
        order = made.signed.order
        return self.nonces.setdefault(
            (order.maker, order.nonce), {"bound": None, "filled": 0, "cancelled": False}
        )

    def may_fill(self, made: Made, taker: str, shares: int) -> bool:
        order = made.signed.order
        state = self.state(made)
        seller, buyer = (order.maker, taker) if order.side == SELL else (taker, order.maker)
        left = order.shares - (state["filled"] if state["bound"] == made.digest else 0)
        return (
            taker != order.maker
            and order.taker in (ZERO_ADDRESS, taker)
            and order.expiry > self.now
            and not state["cancelled"]
            and state["bound"] in (None, made.digest)
            and 0 < shares <= left
            and self.unlocked(seller) >= shares
            and buyer != self.wallets[3]
            and self.money[buyer] >= shares * order.price_per_unit
        )

    # --- rules ----------------------------------------------------------------------------

    @rule(
        maker=st.integers(0, 3),
        bid=st.booleans(),
        shares=st.integers(1, 600),
        price=st.integers(1, 1_000),
        taker=st.integers(-1, 3),
        short=st.booleans(),
        nonce=st.integers(0, 3),
    )
    def make(
        self, maker: int, bid: bool, shares: int, price: int, taker: int, short: bool, nonce: int
    ) -> None:
        """Sign an order; nonces come from a small range, so some orders share one."""
        world = self.setup.world
        order = world.order(
            self.wallets[maker],
            shares,
            price,
            side=BUY if bid else SELL,
            taker=self.wallets[taker] if taker >= 0 else ZERO_ADDRESS,
            expiry=self.now + (30 if short else 10**6),
            nonce=nonce,
        )
        signed = world.sign(order)
        signable = encode_typed_data(full_message=world.typed(order))
        digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
        self.orders.append(Made(signed, digest))

    @rule(data=st.data(), taker=st.integers(0, 3), shares=st.integers(0, 700))
    def fill(self, data: st.DataObject, taker: int, shares: int) -> None:
        if not self.orders:
            return
        made = data.draw(st.sampled_from(self.orders))
        wallet = self.wallets[taker]
        expected = self.may_fill(made, wallet, shares)
        order = made.signed.order
        done = self.raw.send(
            self.market,
            wallet,
            f"fill({ORDER},bytes,uint256)",
            [ORDER, "bytes", "uint256"],
            order.as_tuple(),
            made.signed.signature,
            shares,
        )
        assert done == expected, (made, wallet, shares)
        if done:
            state = self.state(made)
            state["bound"] = made.digest
            state["filled"] += shares
            seller, buyer = (order.maker, wallet) if order.side == SELL else (wallet, order.maker)
            self.shares[seller] -= shares
            self.shares[buyer] += shares
            self.money[buyer] -= shares * order.price_per_unit
            self.money[seller] += shares * order.price_per_unit

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        if not self.orders:
            return
        made = data.draw(st.sampled_from(self.orders))
        state = self.state(made)
        order = made.signed.order
        done = self.raw.send(self.market, order.maker, "cancel(uint256)", ["uint256"], order.nonce)
        assert done == (not state["cancelled"])
        state["cancelled"] = True

    @rule(sender=st.integers(0, 3), receiver=st.integers(0, 3), amount=st.integers(1, 700))
    def transfer(self, sender: int, receiver: int, amount: int) -> None:
        source, target = self.wallets[sender], self.wallets[receiver]
        expected = self.unlocked(source) >= amount and target != self.wallets[3]
        done = self.raw.send(
            self.token, source, "transfer(address,uint256)", ["address", "uint256"], target, amount
        )
        assert done == expected
        if done:
            self.shares[source] -= amount
            self.shares[target] += amount

    @rule()
    def wait(self) -> None:
        """Time passes: the short-lived orders expire."""
        self.setup.node.advance_time(60)
        self.now = self.setup.world.chain.now()

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def balances_are_the_models_and_nothing_is_created_or_lost(self) -> None:
        holders = [*self.wallets, self.market]
        shares = self.raw.balances([(self.token, w) for w in holders])
        money = self.raw.balances([(self.coin, w) for w in holders])
        assert shares == [*(self.shares[w] for w in self.wallets), 0]  # the market keeps none
        assert money == [*(self.money[w] for w in self.wallets), 0]
        assert sum(self.shares.values()) == self.total_shares
        assert sum(self.money.values()) == MONEY * len(self.wallets)
        assert self.shares[self.wallets[3]] == 0  # never settled to a refused receiver

    @invariant()
    def no_order_is_filled_beyond_its_shares(self) -> None:
        for made in self.orders:
            state = self.state(made)
            if state["bound"] == made.digest:
                assert state["filled"] <= made.signed.order.shares


def test_random_trades_never_create_or_lose_a_share_or_a_payment(
    world: MarketWorld, accounts: list[str], anvil: RunningNode
) -> None:
    wallets = [accounts[1], accounts[2], accounts[3], accounts[4]]
    for wallet, investor in zip(wallets[:3], ("ANNA", "BEN", "CLEO"), strict=True):
        world.seller(wallet, investor, SHARES)
        world.rounds.fund(world.usdt, wallet, MONEY, spender=world.market.address)
    world.actors.issue("COMMON", wallets[0], LOCKED, locked_until=FAR)
    world.buyer(wallets[3], "SAM", MONEY, jurisdiction="US")
    MarketMachine.setup = Setup(world, anvil, wallets)
    run_state_machine_as_test(
        MarketMachine,
        settings=settings(
            max_examples=200,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            derandomize=True,
        ),
    )
