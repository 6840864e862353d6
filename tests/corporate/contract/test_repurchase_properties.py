"""Money is exact in repurchases (issue 15, point 3): random buybacks with the holders' signed
consent (some above a holder's balance, some expired), pro-rata programs opened at odd fractions
and prices, served in random batches, closed after their end.

After every step: the repurchase contract holds exactly what its open programs have not paid
(funded - paid, summed); every holder received exactly its repurchased shares x the price; the
buyer and the timelock paid exactly that, the timelock getting back what a closed program did not
pay; the class's supply fell by exactly the shares repurchased. The offering, the contract and
the funded accounts are set up once; each sequence starts from an EVM snapshot taken after that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from web3.contract import Contract

from tests.conftest import RunningNode, load_artifact
from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering, Reverted
from tests.corporate.corporate_chain import ISSUER_ROLE, as_timelock
from tests.raw_rpc import RawRpc, Read
from tests.rounds.round_chain import Rounds
from toolkit.chain.accounts import dev_account
from toolkit.corporate.repurchase import CONSENT_FIELDS, typed_data

HOLDINGS = (10_007, 3_331, 777)  # odd amounts: every fraction rounds
DAY = 86_400


@dataclass
class Program:
    id: int
    numerator: int
    denominator: int
    price: int
    funded: int
    closes: int
    paid: int = 0
    closed: bool = False
    served: set[str] = field(default_factory=set)


@dataclass
class Setup:
    chain: Chain
    node: RunningNode
    offering: Offering
    contract: Contract
    coin: Contract
    buyer: str
    timelock: str
    holders: list[str]
    keys: dict[str, Any]
    raw: RawRpc
    chain_id: int


class RepurchaseMachine(RuleBasedStateMachine):
    setup: ClassVar[Setup]

    def __init__(self) -> None:
        super().__init__()
        s = self.setup
        self.raw = s.raw
        self.snapshot = self.raw.snapshot()
        self.token = s.offering.token("PREFERRED")
        self.payers = [*s.holders, s.buyer, s.timelock]
        *coins, self.supply = self.raw.uints(
            [*self.coin_reads(self.payers), (self.token.address, "totalSupply()", ())]
        )
        self.start = dict(zip(self.payers, coins, strict=True))
        self.received = dict.fromkeys(s.holders, 0)
        self.bought_shares = 0
        self.buyer_paid = 0
        self.programs: list[Program] = []

    def teardown(self) -> None:
        self.raw.revert(self.snapshot)

    def coin_reads(self, wallets: list[str]) -> list[Read]:
        return [(self.setup.coin.address, "balanceOf(address)", (w,)) for w in wallets]

    def balance(self, holder: str) -> int:
        return self.raw.uint(self.token.address, "balanceOf(address)", holder)

    def send(self, call: Any, sender: str) -> None:
        """Send a web3 contract call over the bare client; a refusal raises ``Reverted``."""
        data = call._encode_transaction_data()
        _, refused = self.raw.transact(call.address, data, sender, self.setup.chain.decode_revert)
        if refused is not None:
            raise refused

    @rule(
        holder=st.integers(0, 2),
        extra=st.integers(-3, 2),
        price=st.integers(0, 10**7),
        late=st.booleans(),
    )
    def buyback(self, holder: int, extra: int, price: int, late: bool) -> None:
        s = self.setup
        wallet = s.holders[holder]
        held, nonce = self.raw.uints(
            [
                (self.token.address, "balanceOf(address)", (wallet,)),
                (s.contract.address, "nonces(address)", (wallet,)),
            ]
        )
        shares = max(1, held // 3 + extra * held)
        now = self.raw.now()
        message = {
            "shareClass": self.token.address,
            "holder": wallet,
            "shares": shares,
            "paymentToken": s.coin.address,
            "pricePerUnit": price,
            "nonce": nonce,
            "deadline": now - 1 if late else now + DAY,
        }
        signed = s.keys[wallet].sign_typed_data(
            full_message=typed_data(s.chain_id, s.contract.address, message)
        )
        consent = tuple(message[name] for name, _ in CONSENT_FIELDS)
        call = s.contract.functions.repurchase(consent, signed.signature)
        try:
            self.send(call, s.buyer)
        except Reverted as refused:
            assert late or shares > held, refused.name
            return
        assert not late and shares <= held
        self.received[wallet] += shares * price
        self.buyer_paid += shares * price
        self.bought_shares += shares

    @rule(numerator=st.integers(1, 7), denominator=st.integers(7, 13), price=st.integers(1, 10**7))
    def open_program(self, numerator: int, denominator: int, price: int) -> None:
        s = self.setup
        closes = self.raw.now() + DAY
        call = s.contract.functions.openProRata(
            self.token.address, s.coin.address, price, numerator, denominator, closes
        )
        self.send(call, s.timelock)
        supply = self.raw.uint(self.token.address, "totalSupply()")
        funded = supply * numerator // denominator * price
        self.programs.append(
            Program(len(self.programs) + 1, numerator, denominator, price, funded, closes)
        )

    @rule(which=st.integers(0, 3), chosen=st.lists(st.integers(0, 2), min_size=1, max_size=4))
    def serve(self, which: int, chosen: list[int]) -> None:
        if not self.programs:
            return
        s = self.setup
        program = self.programs[which % len(self.programs)]
        batch = [s.holders[i] for i in chosen]
        due = list(dict.fromkeys(w for w in batch if w not in program.served))
        held = self.raw.uints([(self.token.address, "balanceOf(address)", (w,)) for w in due])
        expected = {
            wallet: shares * program.numerator // program.denominator
            for wallet, shares in zip(due, held, strict=True)
        }
        call = s.contract.functions.repurchaseProRata(program.id, batch)
        try:
            self.send(call, s.holders[0])
        except Reverted as refused:
            open_ = not program.closed and self.raw.now() < program.closes
            assert not open_ or refused.name == "ProgramUnderfunded", refused.name
            return
        for wallet, shares in expected.items():
            if shares:
                program.served.add(wallet)
                program.paid += shares * program.price
                self.received[wallet] += shares * program.price
                self.bought_shares += shares

    @rule(which=st.integers(0, 3))
    def close_after_the_end(self, which: int) -> None:
        if not self.programs:
            return
        s = self.setup
        program = self.programs[which % len(self.programs)]
        if program.closed:
            return
        if self.raw.now() <= program.closes:
            self.raw.mine_at(program.closes + 1)
        self.send(s.contract.functions.closeProRata(program.id), s.holders[1])
        program.closed = True

    @invariant()
    def money_balances_to_the_unit(self) -> None:
        s = self.setup
        *coins, supply = self.raw.uints(  # one batch
            [
                *self.coin_reads([s.contract.address, *self.payers]),
                (self.token.address, "totalSupply()", ()),
            ]
        )
        in_contract, *paid_out = coins
        balance = dict(zip(self.payers, paid_out, strict=True))
        held = sum(p.funded - p.paid for p in self.programs if not p.closed)
        assert in_contract == held
        for wallet in s.holders:
            assert balance[wallet] == self.start[wallet] + self.received[wallet]
        assert balance[s.buyer] == self.start[s.buyer] - self.buyer_paid
        kept = sum(p.paid for p in self.programs) + held
        assert balance[s.timelock] == self.start[s.timelock] - kept
        assert supply == self.supply - self.bought_shares


def test_money_balances_to_the_unit_through_buybacks_and_pro_rata_programs(
    chain: Chain,
    offering: Offering,
    anvil: RunningNode,
    actors: Actors,
    accounts: list[str],
    issuer: str,
) -> None:
    holders = accounts[1:4]
    for i, (wallet, amount) in enumerate(zip(holders, HOLDINGS, strict=True)):
        actors.register(wallet, f"HOLDER{i}")
        actors.issue("PREFERRED", wallet, amount)
    code = load_artifact("ShareRepurchase")
    chain._index_errors(code["abi"])
    timelock = as_timelock(chain, offering)
    contract = chain.deploy(
        "ShareRepurchase",
        [t.address for t in offering.classes.values()],
        timelock,
        issuer,
        sender=issuer,
        abi=code["abi"],
        bytecode=code["bytecode"],
    )
    chain.send(
        offering.token("PREFERRED").functions.grantRole(ISSUER_ROLE, contract.address), timelock
    )
    rounds = Rounds(chain, offering, load_artifact, issuer)
    coin = rounds.stablecoin()
    for payer in (issuer, timelock):
        rounds.fund(coin, payer, 10**30, spender=contract.address)
    keys = {dev_account(i).address: dev_account(i) for i in range(1, 4)}
    RepurchaseMachine.setup = Setup(
        chain, anvil, offering, contract, coin, issuer, timelock, holders, keys,
        RawRpc(anvil.rpc_url), chain.w3.eth.chain_id,
    )  # fmt: skip
    run_state_machine_as_test(
        RepurchaseMachine,
        settings=settings(
            max_examples=200,
            stateful_step_count=5,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            derandomize=True,
        ),
    )
