"""The market has no privileged function: every state-changing one is open to anyone and guarded
by its own rules (a maker's signature, a maker's own nonce), found by enumerating the ABI as
tests/contracts/test_access_control.py does for the offering, so a function added later fails here
until someone decides who may call it."""

from __future__ import annotations

from tests.contracts.test_access_control import state_changing
from tests.market.market_world import MarketWorld

PUBLIC = {"fill", "publish", "cancel", "permit", "multicall"}


def test_every_state_changing_function_of_the_market_is_classified(world: MarketWorld) -> None:
    assert state_changing(world.market) == PUBLIC


def test_a_cancel_only_ever_touches_the_callers_own_nonce(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller = world.seller(accounts[1], "ALICE", 100)
    buyer = world.buyer(accounts[2], "BOB", 100 * 12_500_000)
    offer = world.signed(seller, 100, 12_500_000, nonce=5)
    world.chain.send(world.market.functions.cancel(5), accounts[3])  # someone else's nonce 5
    world.fill(offer, 100, buyer)
    assert world.actors.balance("COMMON", buyer) == 100
