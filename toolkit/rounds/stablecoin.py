"""``equity stablecoin deploy``: a test stablecoin on a local chain (contracts/payment/
TestStablecoin.sol: ERC20 + ERC-2612 permit, owner mints), minted to the dev accounts and
recorded so a round file may say ``payment_token = "stablecoin"``. Never for real money."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import UsageError
from toolkit.offering.contracts import artifact
from toolkit.rounds.records import StablecoinRecord, record_stablecoin

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult

STABLECOIN_TEMPLATE = "TestStablecoin"
LOCAL_CHAIN_IDS = (31337, 1337)
MINT_PER_ACCOUNT = 1_000_000  # whole coins for each dev account


def deploy_stablecoin(
    transactor: Transactor, cwd: Path, wallets: Sequence[str], *, symbol: str, decimals: int
) -> tuple[StablecoinRecord, list[TxResult]]:
    """Deploy (owner: the signer), mint MINT_PER_ACCOUNT coins to each of ``wallets``, record."""
    chain = transactor.chain
    if chain.chain_id not in LOCAL_CHAIN_IDS:
        raise UsageError(
            f"stablecoin deploy is for local chains (31337, 1337), not chain {chain.chain_id}",
            hint="on a real chain, give the round file the payment token's address",
        )
    if not symbol.isascii() or not symbol.isalnum() or not 1 <= len(symbol) <= 11:
        raise UsageError(f"--symbol {symbol!r} must be 1 to 11 letters or digits", hint="e.g. USDT")
    if not 0 <= decimals <= 18:
        raise UsageError(f"--decimals {decimals} must be 0 to 18", hint="USDT and USDC have 6")
    template = artifact(STABLECOIN_TEMPLATE)
    deployed = transactor.deploy(template, f"Test {symbol}", symbol, decimals, transactor.address)
    assert deployed.contract_address is not None
    w3 = chain.w3
    coin = w3.eth.contract(
        address=w3.to_checksum_address(deployed.contract_address), abi=template["abi"]
    )
    sent = [deployed]
    for wallet in wallets:
        call = coin.functions.mint(wallet, MINT_PER_ACCOUNT * 10**decimals)
        sent.append(transactor.transact(call, label=f"mint {symbol} to {wallet}"))
    record = StablecoinRecord(str(coin.address), symbol, decimals, deployed.block)
    record_stablecoin(chain.chain_id, cwd, record)
    return record, sent
