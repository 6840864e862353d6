"""The holder registry on chain: qualify, remove, freeze, look up and list wallets.

Every sending function estimates first (the Transactor does), so a refusal such as a wallet
already registered or a missing REGISTRAR_ROLE raises a decoded error and nothing is sent.
``holders import`` lives in ``csv_import.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.chain.reads import batched_calls
from toolkit.holders.holder import Holder, HolderState

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.contracts import OfferingContracts

HOLDER_ADDED = "HolderAdded(address,bytes16,bytes2,uint40,bool)"
LOG_RANGE = 10_000  # blocks per eth_getLogs request


def add_holder(transactor: Transactor, contracts: OfferingContracts, holder: Holder) -> TxResult:
    return transactor.transact(
        contracts.registry.functions.addHolder(*holder.call_args()),
        label=f"add holder {holder.wallet}",
    )


def remove_holder(transactor: Transactor, contracts: OfferingContracts, wallet: str) -> TxResult:
    return transactor.transact(
        contracts.registry.functions.removeHolder(wallet), label=f"remove holder {wallet}"
    )


def set_frozen(
    transactor: Transactor, contracts: OfferingContracts, wallet: str, frozen: bool
) -> TxResult:
    verb = "freeze" if frozen else "unfreeze"
    return transactor.transact(
        contracts.registry.functions.setFrozen(wallet, frozen), label=f"{verb} {wallet}"
    )


def holder_state(contracts: OfferingContracts, wallet: str) -> HolderState:
    record = contracts.registry.functions.holderOf(wallet).call()
    return HolderState.from_chain(wallet, tuple(record))


def registered_wallets(contracts: OfferingContracts) -> list[str]:
    """Every wallet ever added to the registry, in order of first registration (from the
    ``HolderAdded`` events since the offering's deploy block)."""
    from eth_utils import keccak, to_checksum_address

    w3 = contracts.w3
    topic = "0x" + keccak(text=HOLDER_ADDED).hex()
    latest = int(w3.eth.block_number)
    seen: dict[str, None] = {}
    start = contracts.deployment.block
    while start <= latest:
        end = min(start + LOG_RANGE - 1, latest)
        logs = w3.eth.get_logs(
            {
                "address": to_checksum_address(contracts.deployment.registry),
                "topics": [topic],
                "fromBlock": start,
                "toBlock": end,
            }
        )
        for log in logs:
            wallet = to_checksum_address("0x" + bytes(log["topics"][1])[-20:].hex())
            seen.setdefault(wallet, None)
        start = end + 1
    return list(seen)


def list_holders(contracts: OfferingContracts) -> list[HolderState]:
    """The current record of every wallet the registry ever had (removed ones included)."""
    wallets = registered_wallets(contracts)
    records = read_holders(contracts, wallets)
    return [records[w] for w in wallets]


def read_holders(contracts: OfferingContracts, wallets: list[str]) -> dict[str, HolderState]:
    """The registry record of each wallet, read in JSON-RPC batches."""
    registry = contracts.registry
    records = batched_calls(contracts.w3, [registry.functions.holderOf(w) for w in wallets])
    return {
        wallet: HolderState.from_chain(wallet, tuple(record))
        for wallet, record in zip(wallets, records, strict=True)
    }
