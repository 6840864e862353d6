"""The holder registry on chain: qualify, remove, freeze, look up and list wallets.

Every sending function reads the wallet's record first and refuses, in a sentence, what its
state makes pointless or impossible (adding a registered wallet, removing one twice, freezing
a frozen one): nothing is sent (``StateConflictError``). The Transactor then simulates, so any
other refusal (a missing REGISTRAR_ROLE) raises a decoded error and nothing is sent either.
``holders import`` lives in ``csv_import.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.chain.reads import batched_calls
from toolkit.errors import StateConflictError
from toolkit.holders.holder import Holder, HolderState
from toolkit.inputs import NO_CATEGORY, format_time

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.contracts import OfferingContracts

HOLDER_ADDED = "HolderAdded(address,bytes16,bytes2,uint40,bool)"
LOG_RANGE = 10_000  # blocks per eth_getLogs request


def add_holder(transactor: Transactor, contracts: OfferingContracts, holder: Holder) -> TxResult:
    """Register a holder; with a category, ``addHolder`` and ``setCategory`` go in one multicall
    (one transaction: both or neither)."""
    state = holder_state(contracts, holder.wallet)
    if state.registered:
        same = " (the same investor)" if state.investor_id == holder.investor_id else ""
        raise StateConflictError(
            f"{holder.wallet} is already registered to investor {state.investor_id}{same}, "
            f"{state.jurisdiction}, until {format_time(state.expires_at)}; nothing was sent",
            hint=f"to change its record: `equity holders remove {holder.wallet}`, then add it again",
        )
    registry = contracts.registry
    if holder.category == NO_CATEGORY:
        call = registry.functions.addHolder(*holder.call_args())
    else:
        call = registry.functions.multicall(
            [
                registry.encode_abi("addHolder", list(holder.call_args())),
                registry.encode_abi("setCategory", list(holder.category_args())),
            ]
        )
    return transactor.transact(call, label=f"add holder {holder.wallet}")


def remove_holder(transactor: Transactor, contracts: OfferingContracts, wallet: str) -> TxResult:
    if not holder_state(contracts, wallet).registered:
        raise StateConflictError(
            f"{wallet} is not registered (never added, or removed already); nothing was sent",
            hint=f"check the address: `equity holders show {wallet}`",
        )
    return transactor.transact(
        contracts.registry.functions.removeHolder(wallet), label=f"remove holder {wallet}"
    )


def set_frozen(
    transactor: Transactor, contracts: OfferingContracts, wallet: str, frozen: bool
) -> TxResult:
    verb = "freeze" if frozen else "unfreeze"
    if holder_state(contracts, wallet).frozen == frozen:
        raise StateConflictError(
            f"{wallet} is {'frozen already' if frozen else 'not frozen'}; nothing was sent",
            hint=f"`equity holders {'unfreeze' if frozen else 'freeze'} {wallet}` does the opposite",
        )
    return transactor.transact(
        contracts.registry.functions.setFrozen(wallet, frozen), label=f"{verb} {wallet}"
    )


def holder_state(contracts: OfferingContracts, wallet: str) -> HolderState:
    return read_holders(contracts, [wallet])[wallet]


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
    """The registry record and category of each wallet, read in JSON-RPC batches."""
    functions = contracts.registry.functions
    calls = [f(w) for w in wallets for f in (functions.holderOf, functions.categoryOf)]
    answers = batched_calls(contracts.w3, calls)
    return {
        wallet: HolderState.from_chain(
            wallet, tuple(answers[2 * i]), (int(answers[2 * i + 1][0]), int(answers[2 * i + 1][1]))
        )
        for i, wallet in enumerate(wallets)
    }
