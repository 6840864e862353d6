"""The offering's secondary market on the session's anvil, driven straight through web3.

Deploys a SecondaryMarket and a test stablecoin next to the standard offering of tests/contracts,
signs orders with the dev keys (eth-account's EIP-712 encoder, the toolkit's typed data) and
funds and approves wallets. Misbehaving payment tokens come from tests/rounds/fixtures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from web3.contract import Contract

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering
from tests.rounds.round_chain import USD, Rounds
from toolkit.chain.accounts import dev_account
from toolkit.inputs import ZERO_ADDRESS
from toolkit.market.orders import BUY, SELL, Order, typed_data
from toolkit.market.trades import MAX_UINT256, sign_order

__all__ = ["BUY", "SELL", "USD", "MarketWorld", "Signed"]


@dataclass(frozen=True)
class Signed:
    order: Order
    signature: bytes

    def args(self, shares: int) -> tuple[Any, bytes, int]:
        return (self.order.as_tuple(), self.signature, shares)


class MarketWorld:
    """With ``rofr_days`` (class id -> days), the market comes with a RightOfFirstRefusal
    (admin and exerciser: the timelock; second exerciser: the issuer) registered in the registry
    as the company's investor id, as ``equity deploy`` wires it."""

    def __init__(
        self,
        chain: Chain,
        offering: Offering,
        actors: Actors,
        load: Any,
        rofr_days: Mapping[str, int] | None = None,
    ) -> None:
        self.chain = chain
        self.w3 = chain.w3
        self.offering = offering
        self.actors = actors
        self.rounds = Rounds(chain, offering, load, actors.issuer)
        artifact = load("SecondaryMarket")
        chain._index_errors(artifact["abi"])
        self.rofr: Contract | None = None
        if rofr_days is not None:
            self.rofr = self._deploy_rofr(load, rofr_days)
        self.market = chain.deploy(
            "SecondaryMarket",
            self.rofr.address if self.rofr is not None else ZERO_ADDRESS,
            sender=actors.issuer,
            abi=artifact["abi"],
            bytecode=artifact["bytecode"],
        )
        if self.rofr is not None:
            assert self.rofr.functions.market().call() == self.market.address
            self.actors.register(self.rofr.address, "COMPANY", "XX")
        self.usdt = self.rounds.stablecoin()

    def _deploy_rofr(self, load: Any, rofr_days: Mapping[str, int]) -> Contract:
        from web3.types import Nonce
        from web3.utils.address import get_create_address

        issuer = self.actors.issuer
        artifact = load("RightOfFirstRefusal")
        self.chain._index_errors(artifact["abi"])
        nonce = self.w3.eth.get_transaction_count(self.w3.to_checksum_address(issuer))
        market = get_create_address(self.w3.to_checksum_address(issuer), Nonce(nonce + 1))
        rofr = self.chain.deploy(
            "RightOfFirstRefusal",
            market,
            self.offering.timelock.address,
            issuer,
            [self.offering.token(c).address for c in rofr_days],
            list(rofr_days.values()),
            sender=issuer,
            abi=artifact["abi"],
            bytecode=artifact["bytecode"],
        )
        return rofr

    def holder(self, wallet: str, investor: str, jurisdiction: str = "DE") -> str:
        self.actors.register(wallet, investor, jurisdiction)
        return wallet

    def seller(self, wallet: str, investor: str, shares: int, class_id: str = "COMMON") -> str:
        """A registered holder of `shares` who approved the market for the class once."""
        self.holder(wallet, investor)
        if shares:
            self.actors.issue(class_id, wallet, shares)
        token = self.offering.token(class_id)
        self.chain.send(token.functions.approve(self.market.address, MAX_UINT256), wallet)
        return wallet

    def buyer(self, wallet: str, investor: str, money: int, jurisdiction: str = "DE") -> str:
        """A registered wallet holding `money` (base units) that approved the market for it."""
        self.holder(wallet, investor, jurisdiction)
        self.rounds.fund(self.usdt, wallet, money, spender=self.market.address)
        return wallet

    def order(
        self,
        maker: str,
        shares: int,
        price: int,
        *,
        side: int = SELL,
        class_id: str = "COMMON",
        taker: str = ZERO_ADDRESS,
        expiry: int | None = None,
        nonce: int = 1,
        payment: Contract | None = None,
    ) -> Order:
        return Order(
            maker=maker,
            share_class=self.offering.token(class_id).address,
            side=side,
            shares=shares,
            price_per_unit=price,
            payment_token=(payment or self.usdt).address,
            expiry=expiry if expiry is not None else self.chain.now() + 86_400,
            taker=taker,
            nonce=nonce,
        )

    def sign(self, order: Order, signer: str | None = None) -> Signed:
        """Signed by the dev key of `signer` (default: the maker)."""
        wallet = signer or order.maker
        index = [a.lower() for a in self.dev_wallets()].index(wallet.lower())
        signature = sign_order(
            dev_account(index), order, chain_id=self.w3.eth.chain_id, market=self.market.address
        )
        return Signed(order, bytes.fromhex(signature[2:]))

    def signed(self, maker: str, shares: int, price: int, **fields: Any) -> Signed:
        return self.sign(self.order(maker, shares, price, **fields))

    def fill(self, signed: Signed, shares: int, taker: str, gas: int | None = None) -> Any:
        return self.chain.send(self.market.functions.fill(*signed.args(shares)), taker, gas=gas)

    def fill_error(self, signed: Signed, shares: int, taker: str) -> tuple[str, tuple[Any, ...]]:
        return self.chain.revert_of(self.market.functions.fill(*signed.args(shares)), taker)

    def money(self, wallet: str, coin: Contract | None = None) -> int:
        return int((coin or self.usdt).functions.balanceOf(wallet).call())

    @staticmethod
    def dev_wallets() -> list[str]:
        return [dev_account(i).address for i in range(10)]

    @staticmethod
    def but(order: Order, **changes: Any) -> Order:
        return replace(order, **changes)

    def typed(self, order: Order) -> dict[str, Any]:
        return typed_data(order, chain_id=self.w3.eth.chain_id, market=self.market.address)
