"""A test stablecoin on a local chain (contracts/payment/TestStablecoin.sol): for the demo, the
tests and local trials of dividends. Never for real money: its owner mints at will."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from toolkit.dividends.distribution import STABLECOIN, artifact

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult


def deploy_test_stablecoin(
    transactor: Transactor,
    *,
    symbol: str = "USDT",
    decimals: int = 6,
    mint: Iterable[tuple[str, int]] = (),
) -> tuple[str, list[TxResult]]:
    """Deploy (owner: the transactor's account) and mint ``(wallet, base units)`` pairs."""
    deployed = transactor.deploy(
        artifact(STABLECOIN), f"Test {symbol}", symbol, decimals, transactor.address
    )
    address = deployed.contract_address
    assert address is not None
    w3 = transactor.chain.w3
    coin = w3.eth.contract(address=w3.to_checksum_address(address), abi=artifact(STABLECOIN)["abi"])
    txs = [deployed]
    for wallet, amount in mint:
        txs.append(transactor.transact(coin.functions.mint(wallet, amount), label=f"mint {symbol}"))
    return address, txs
