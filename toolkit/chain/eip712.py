"""The EIP-712 document every signature of the toolkit is made over (``eth_signTypedData_v4``
form, as eth-account's ``encode_typed_data(full_message=)`` reads it): one domain shape for
all, the contract's name, version, chain and address."""

from __future__ import annotations

from typing import Any

DOMAIN_FIELDS: list[dict[str, str]] = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def typed_document(
    primary_type: str,
    fields: list[dict[str, str]],
    *,
    name: str,
    version: str,
    chain_id: int,
    contract: str,
    message: dict[str, Any],
) -> dict[str, Any]:
    """The whole document: ``primary_type`` with its ``fields``, in the contract's domain."""
    return {
        "types": {"EIP712Domain": list(DOMAIN_FIELDS), primary_type: list(fields)},
        "primaryType": primary_type,
        "domain": {
            "name": name,
            "version": version,
            "chainId": chain_id,
            "verifyingContract": contract,
        },
        "message": message,
    }
