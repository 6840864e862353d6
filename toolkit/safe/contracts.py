"""The Safe 1.4.1 contracts: their compiled artifacts, and where they are on a chain.

The artifacts come from the npm package ``@safe-global/safe-contracts`` 1.4.1 (``build/
artifacts``, as the Safe team compiled them: the bytecode audited and deployed everywhere).
What ``equity safe deploy`` put on a chain is recorded in ``deployments/<chain_id>.safes.json``
beside the offerings' record: the shared contracts (singleton, proxy factory,
MultiSendCallOnly, fallback handler) and every Safe with its owners and threshold.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ToolchainError, UsageError

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract

SAFE_PACKAGE = "@safe-global/safe-contracts"
SAFE_VERSION = "1.4.1"
SINGLETON = "Safe"
PROXY_FACTORY = "SafeProxyFactory"
MULTI_SEND_CALL_ONLY = "MultiSendCallOnly"
FALLBACK_HANDLER = "CompatibilityFallbackHandler"
ARTIFACT_PATHS = {
    SINGLETON: "contracts/Safe.sol/Safe.json",
    PROXY_FACTORY: "contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json",
    MULTI_SEND_CALL_ONLY: "contracts/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json",
    FALLBACK_HANDLER: "contracts/handler/CompatibilityFallbackHandler.sol/"
    "CompatibilityFallbackHandler.json",
}
# Safe's canonical 1.4.1 deployment (the same address on every chain that has it)
CANONICAL_MULTI_SEND_CALL_ONLY = "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"
SAFES_SUFFIX = ".safes.json"


def require_safe_eth() -> None:
    """Refuse, in words, when the ``safe`` extra (safe-eth-py) is not installed."""
    import importlib.util

    if importlib.util.find_spec("safe_eth") is None:
        raise ToolchainError(
            "the Safe commands need safe-eth-py, which is not installed",
            hint="pip install 'equity[safe]' (it is in .[dev] too)",
        )


@cache
def safe_artifact(name: str) -> dict[str, Any]:
    """The compiled artifact (``abi``, ``bytecode``, ``deployedBytecode``) of a Safe contract."""
    from toolkit.compile import node_modules_dir

    path = node_modules_dir() / SAFE_PACKAGE / "build" / "artifacts" / ARTIFACT_PATHS[name]
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ToolchainError(
            f"the Safe {SAFE_VERSION} contracts are not installed ({path} is unreadable)",
            hint=f"run `npm ci` in the toolkit's checkout (package.json pins {SAFE_PACKAGE})",
        ) from exc
    return data


def safe_contract(w3: Web3, address: str) -> Contract:
    """A Safe (proxy) as a web3 contract, with the singleton's ABI."""
    return w3.eth.contract(
        address=w3.to_checksum_address(address), abi=safe_artifact(SINGLETON)["abi"]
    )


def is_multi_send_call_only(w3: Web3, address: str) -> bool:
    """Whether ``address`` runs exactly Safe 1.4.1's MultiSendCallOnly: the only contract a
    Safe transaction of ours may DELEGATECALL (anything else would run in the Safe's name)."""
    code = bytes(w3.eth.get_code(w3.to_checksum_address(address)))
    expected = bytes.fromhex(
        str(safe_artifact(MULTI_SEND_CALL_ONLY)["deployedBytecode"]).removeprefix("0x")
    )
    return len(code) > 0 and code == expected


@dataclass
class SafeRecord:
    """What ``equity safe deploy`` left on one chain: the shared contracts by name, and each
    Safe's owners and threshold (by checksummed address)."""

    chain_id: int
    infrastructure: dict[str, str] = field(default_factory=dict)
    safes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "safe_version": SAFE_VERSION,
            "infrastructure": self.infrastructure,
            "safes": self.safes,
        }


def safes_file(chain_id: int, cwd: Path) -> Path:
    from toolkit.offering.deployments import DEPLOYMENTS_DIR

    return cwd / DEPLOYMENTS_DIR / f"{chain_id}{SAFES_SUFFIX}"


def read_safe_record(chain_id: int, cwd: Path) -> SafeRecord:
    path = safes_file(chain_id, cwd)
    if not path.is_file():
        return SafeRecord(chain_id)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} is unreadable: {exc}", hint="restore it from a backup") from exc
    return SafeRecord(
        chain_id,
        dict(data.get("infrastructure", {})),
        {str(k): dict(v) for k, v in data.get("safes", {}).items()},
    )


def write_safe_record(record: SafeRecord, cwd: Path) -> Path:
    """Write the record atomically (a crash never leaves half a file)."""
    path = safes_file(record.chain_id, cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".safes-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(record.to_json(), handle, indent=2)
    os.replace(tmp, path)
    return path


def multi_send_address(w3: Web3, chain_id: int, cwd: Path) -> str | None:
    """The MultiSendCallOnly to batch through on this chain: the one ``safe deploy``
    recorded, else Safe's canonical 1.4.1 address; None when neither runs its code."""
    recorded = read_safe_record(chain_id, cwd).infrastructure.get(MULTI_SEND_CALL_ONLY)
    for candidate in (recorded, CANONICAL_MULTI_SEND_CALL_ONLY):
        if candidate and is_multi_send_call_only(w3, candidate):
            return str(w3.to_checksum_address(candidate))
    return None
