"""``equity safe deploy``: a Safe 1.4.1 with owners and a threshold, on a local chain.

The shared contracts (the Safe singleton, SafeProxyFactory, MultiSendCallOnly and the
CompatibilityFallbackHandler) are deployed once per chain from the npm package's artifacts
and recorded; each Safe is then a proxy made by the factory (``createProxyWithNonce``) with
``setup(owners, threshold, ...)`` as its initializer, and recorded with its owners.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ChainError, UsageError
from toolkit.inputs import ZERO_ADDRESS
from toolkit.safe.contracts import (
    FALLBACK_HANDLER,
    MULTI_SEND_CALL_ONLY,
    PROXY_FACTORY,
    SINGLETON,
    read_safe_record,
    safe_artifact,
    write_safe_record,
)

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult

SHARED = (SINGLETON, PROXY_FACTORY, MULTI_SEND_CALL_ONLY, FALLBACK_HANDLER)


@dataclass(frozen=True)
class SafeDeployReport:
    safe: str
    owners: tuple[str, ...]
    threshold: int
    infrastructure: dict[str, str]
    transactions: tuple[TxResult, ...]
    record: Path


def check_owners(owners: list[str], threshold: int) -> None:
    """Refuse what Safe's ``setup`` would refuse, in words, before anything is sent."""
    if not owners:
        raise UsageError("--owners is empty", hint="give --owners A,B,C (addresses)")
    if len({o.lower() for o in owners}) != len(owners):
        raise UsageError("an owner is named twice in --owners", hint="name each owner once")
    if not 1 <= threshold <= len(owners):
        raise UsageError(
            f"--threshold {threshold} must be between 1 and the {len(owners)} owners",
            hint=f"e.g. --threshold {len(owners) // 2 + 1}",
        )


def deploy_safe(
    transactor: Transactor, owners: list[str], threshold: int, *, cwd: Path
) -> SafeDeployReport:
    """Deploy what this chain lacks of the shared contracts, then the Safe; record both."""
    check_owners(owners, threshold)
    chain = transactor.chain
    if not chain.is_local:
        raise UsageError(
            f"`safe deploy` deploys the Safe contracts on local chains only (chain "
            f"{chain.chain_id} is not one)",
            hint="create the Safe with the Safe app and use --account safe:ADDRESS",
        )
    from web3.logs import DISCARD

    w3 = chain.w3
    record = read_safe_record(chain.chain_id, cwd)
    results: list[TxResult] = []
    for name in SHARED:
        known = record.infrastructure.get(name)
        if known and bytes(w3.eth.get_code(w3.to_checksum_address(known))):
            continue
        result = transactor.deploy(safe_artifact(name), label=f"deploy {name} (Safe 1.4.1)")
        results.append(result)
        if result.contract_address is None:
            raise ChainError(f"deploy {name}: the receipt has no contract address")
        record.infrastructure[name] = str(w3.to_checksum_address(result.contract_address))
    infra = record.infrastructure
    singleton = w3.eth.contract(abi=safe_artifact(SINGLETON)["abi"])
    initializer = singleton.encode_abi(
        "setup",
        [
            [w3.to_checksum_address(o) for o in owners],
            threshold,
            ZERO_ADDRESS,
            b"",
            infra[FALLBACK_HANDLER],
            ZERO_ADDRESS,
            0,
            ZERO_ADDRESS,
        ],
    )
    factory = w3.eth.contract(
        address=w3.to_checksum_address(infra[PROXY_FACTORY]),
        abi=safe_artifact(PROXY_FACTORY)["abi"],
    )
    created = transactor.transact(
        factory.functions.createProxyWithNonce(infra[SINGLETON], initializer, time.time_ns()),
        label="create the Safe",
    )
    results.append(created)
    receipt = w3.eth.get_transaction_receipt(created.hash)  # type: ignore[arg-type]
    events = factory.events.ProxyCreation().process_receipt(receipt, errors=DISCARD)
    if not events:
        raise ChainError("create the Safe: the factory reported no ProxyCreation")
    safe = str(w3.to_checksum_address(events[0]["args"]["proxy"]))
    record.safes[safe] = {
        "owners": [str(w3.to_checksum_address(o)) for o in owners],
        "threshold": threshold,
        "block": created.block,
    }
    path = write_safe_record(record, cwd)
    return SafeDeployReport(
        safe, tuple(record.safes[safe]["owners"]), threshold, dict(infra), tuple(results), path
    )
