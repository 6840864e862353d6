"""A subscription round on the session's anvil, driven straight through web3.

Deploys the payment tokens (the shipped TestStablecoin with permit, and the misbehaving ones of
`fixtures/`), a round with given terms, and gives the round the class's issuing power the way
`approve-round` does (the impersonated timelock grants MINTER_ROLE and a mint allowance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eth_utils import keccak
from web3.contract import Contract

from tests.contracts.offering_chain import Chain, Offering
from toolkit.compile import build_dir, compile_project

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ODD_TOKENS = ("FeeOnTransferToken", "FalseReturningToken", "ReentrantToken")
USD = 10**6  # the payment tokens have 6 decimals
MANAGER_ROLE = keccak(text="MANAGER_ROLE")
MINTER_ROLE = keccak(text="MINTER_ROLE")
ISSUER_ROLE = keccak(text="ISSUER_ROLE")
GAS = 3_000_000


def odd_token_artifacts() -> dict[str, dict[str, Any]]:
    """The misbehaving payment tokens (compiled from tests/, never shipped)."""
    compile_project(FIXTURES)
    folder = build_dir(FIXTURES)
    return {name: json.loads((folder / f"{name}.json").read_text()) for name in ODD_TOKENS}


@dataclass(frozen=True)
class RoundTerms:
    """A round's terms as the contract takes them (times and amounts raw)."""

    share_class: str
    payment_token: str
    price_per_unit: int
    opens: int
    closes: int
    hard_cap: int
    soft_cap: int = 0
    min_ticket: int = 0
    max_ticket: int = 0
    max_per_transaction: int = 0
    accredited_only: bool = False
    lock_start: int = 0
    lock_cliff: int = 0
    lock_end: int = 0
    proceeds_to: str = ""

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.share_class,
            self.payment_token,
            self.price_per_unit,
            self.opens,
            self.closes,
            self.hard_cap,
            self.soft_cap,
            self.min_ticket,
            self.max_ticket,
            self.max_per_transaction,
            self.accredited_only,
            self.lock_start,
            self.lock_cliff,
            self.lock_end,
            self.proceeds_to,
        )

    def but(self, **changes: Any) -> RoundTerms:
        return replace(self, **changes)


class Rounds:
    """Deploy payment tokens and rounds next to an offering."""

    def __init__(self, chain: Chain, offering: Offering, load: Any, issuer: str) -> None:
        self.chain = chain
        self.w3 = chain.w3
        self.offering = offering
        self.issuer = issuer
        self.artifacts = {name: load(name) for name in ("SubscriptionRound", "TestStablecoin")}
        self.artifacts.update(odd_token_artifacts())
        for artifact in self.artifacts.values():
            chain._index_errors(artifact["abi"])

    def deploy(self, name: str, *args: Any) -> Contract:
        artifact = self.artifacts[name]
        return self.chain.deploy(
            name, *args, sender=self.issuer, abi=artifact["abi"], bytecode=artifact["bytecode"]
        )

    def stablecoin(self) -> Contract:
        return self.deploy("TestStablecoin", "Test Tether USD", "USDT", 6, self.issuer)

    def odd_token(self, name: str) -> Contract:
        return self.deploy(name)

    def open(self, terms: RoundTerms, *, approve: bool = True) -> Contract:
        """Deploy a round (admin: the timelock, manager: the issuer); with ``approve``, give it the
        class's issuing power as `approve-round` does (MINTER_ROLE, its hard cap as allowance)."""
        if not terms.proceeds_to:
            terms = terms.but(proceeds_to=self.offering.timelock.address)
        round_ = self.deploy(
            "SubscriptionRound", terms.as_tuple(), self.offering.timelock.address, self.issuer
        )
        if approve:
            self.grant_issuing_power(terms.share_class, round_.address, terms.hard_cap)
        return round_

    def as_timelock(self) -> str:
        timelock = self.offering.timelock.address
        self.w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
        self.w3.provider.make_request("anvil_setBalance", [timelock, hex(10**20)])  # type: ignore[arg-type]
        return str(timelock)

    def class_token(self, token_address: str) -> Contract:
        return next(t for t in self.offering.classes.values() if t.address == token_address)

    def grant_issuing_power(self, token_address: str, round_address: str, shares: int) -> None:
        """What the passed `approve-round` proposal makes the timelock do: MINTER_ROLE and a
        mint allowance of ``shares`` (setting it again replaces what was left)."""
        token, timelock = self.class_token(token_address), self.as_timelock()
        self.chain.send(token.functions.grantRole(MINTER_ROLE, round_address), timelock)
        self.chain.send(token.functions.setMintAllowance(round_address, shares), timelock)

    def grant_role(self, token_address: str, role: bytes, account: str) -> None:
        """The timelock grants ``role`` on the class token (any role, e.g. ISSUER_ROLE)."""
        token, timelock = self.class_token(token_address), self.as_timelock()
        self.chain.send(token.functions.grantRole(role, account), timelock)

    def fund(self, coin: Contract, wallet: str, amount: int, spender: str | None = None) -> None:
        """Mint `amount` to `wallet` and (with `spender`) approve it all."""
        minter = self.issuer
        self.chain.send(coin.functions.mint(wallet, amount), minter)
        if spender is not None:
            self.chain.send(coin.functions.approve(spender, amount), wallet)
