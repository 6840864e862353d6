"""Revert data to a one-line reason, decoded against every ABI in ``build/``.

A custom error is a 4-byte selector and ABI-encoded arguments; the index maps each selector
of every compiled error (ours and OpenZeppelin's) to its name and inputs, so a revert reads
``AccessControlUnauthorizedAccount(account=0x..., neededRole=ISSUER_ROLE)`` rather than hex.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.compile import iter_artifact_files
from toolkit.restrictions import restriction_message, restriction_name

ERROR_STRING = "0x08c379a0"  # Error(string)
PANIC = "0x4e487b71"  # Panic(uint256)
PANIC_CODES = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division by zero",
    0x21: "invalid enum value",
    0x22: "bad storage byte array",
    0x31: "pop on empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised function",
}

# Role hashes shown by name, not as 32 bytes of hex.
ROLE_NAMES = (
    "DEFAULT_ADMIN_ROLE",
    "ISSUER_ROLE",
    "PAUSER_ROLE",
    "MINTER_ROLE",
    "REGISTRAR_ROLE",
    "PROPOSER_ROLE",
    "EXECUTOR_ROLE",
    "CANCELLER_ROLE",
)


@dataclass(frozen=True)
class DecodedError:
    name: str
    args: dict[str, Any]
    message: str


_EXTRA_BUILD_DIRS: list[Path] = []


def add_artifact_dir(project_root: Path) -> None:
    """Also decode errors of another project's artifacts (its ``build/contracts``)."""
    if project_root not in _EXTRA_BUILD_DIRS:
        _EXTRA_BUILD_DIRS.append(project_root)
        error_index.cache_clear()


@cache
def error_index() -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    """selector (0x + 8 hex) -> (error name, ((arg name, abi type), ...)) over all artifacts."""
    from eth_utils import function_signature_to_4byte_selector

    index: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
    paths = [*iter_artifact_files()]
    for root in _EXTRA_BUILD_DIRS:
        paths.extend(iter_artifact_files(root))
    for path in paths:
        try:
            abi = json.loads(path.read_text()).get("abi", [])
        except (OSError, ValueError):
            continue
        for item in abi:
            if item.get("type") != "error":
                continue
            inputs = tuple((i.get("name", ""), _abi_type(i)) for i in item.get("inputs", []))
            signature = f"{item['name']}({','.join(t for _, t in inputs)})"
            selector = "0x" + function_signature_to_4byte_selector(signature).hex()
            index.setdefault(selector, (item["name"], inputs))
    return index


def _abi_type(item: dict[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in item.get("components", []))
        return f"({inner}){kind[5:]}"
    return kind


@cache
def _role_by_hash() -> dict[bytes, str]:
    from eth_utils import keccak

    roles = {keccak(text=name): name for name in ROLE_NAMES}
    roles[b"\x00" * 32] = "DEFAULT_ADMIN_ROLE"
    return roles


def decode_revert(data: str | bytes | None) -> DecodedError | None:
    """Decode revert data; None when there is none or it matches no known error."""
    if data is None:
        return None
    hexdata = data.hex() if isinstance(data, bytes | bytearray) else str(data)
    hexdata = hexdata if hexdata.startswith("0x") else "0x" + hexdata
    if len(hexdata) < 10:
        return None
    selector, payload = hexdata[:10].lower(), bytes.fromhex(hexdata[10:])
    from eth_abi import decode

    try:
        if selector == ERROR_STRING:
            (reason,) = decode(["string"], payload)
            return DecodedError("Error", {"reason": reason}, str(reason))
        if selector == PANIC:
            (code,) = decode(["uint256"], payload)
            text = PANIC_CODES.get(int(code), f"code {int(code):#x}")
            return DecodedError("Panic", {"code": int(code)}, f"panic: {text}")
        known = error_index().get(selector)
        if known is None:
            return None
        name, inputs = known
        values = decode([t for _, t in inputs], payload) if inputs else ()
    except Exception:  # noqa: BLE001 - malformed revert data: report it undecoded
        return None
    args = {
        (n or f"arg{i}"): _plain(v, t)
        for i, ((n, t), v) in enumerate(zip(inputs, values, strict=True))
    }
    return DecodedError(name, args, _describe(name, args))


def _plain(value: Any, abi_type: str = "") -> Any:
    if abi_type == "address" and isinstance(value, str):
        from eth_utils import to_checksum_address

        return to_checksum_address(value)
    if isinstance(value, bytes):
        role = _role_by_hash().get(value) if len(value) == 32 else None
        if role:
            return role
        stripped = value.rstrip(b"\x00")
        if stripped and all(32 <= b < 127 for b in stripped):
            return stripped.decode()
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _describe(name: str, args: dict[str, Any]) -> str:
    """The one-line user message for a decoded error."""
    if name in ("TransferRestricted", "ConversionRestricted") and "code" in args:
        code = int(args["code"])
        return f"{restriction_name(code)}: {restriction_message(code)}"
    if name == "AccessControlUnauthorizedAccount":
        return f"account {args.get('account')} lacks the role {args.get('neededRole')}"
    rendered = ", ".join(f"{k}={v}" for k, v in args.items())
    return f"{name}({rendered})"


def revert_data(exc: BaseException) -> str | None:
    """The revert data of a web3/RPC exception, wherever this node put it."""
    response = getattr(exc, "rpc_response", None)
    error = response.get("error") if isinstance(response, dict) else None
    candidates: list[Any] = [error, getattr(exc, "data", None), *getattr(exc, "args", ())]
    while candidates:
        item = candidates.pop(0)
        if isinstance(item, str) and item.startswith("0x") and len(item) >= 10:
            return item
        if isinstance(item, dict):
            # anvil: {"data": "0x..."}; ganache: {"result": "0x...", "data": {...}}
            candidates.extend(item.get(key) for key in ("data", "result"))
        elif isinstance(item, tuple | list):
            candidates.extend(item)
    return None
