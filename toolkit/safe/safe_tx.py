"""A Safe transaction in a file (``TX.json``): what a command built for the Safe, the words
that describe its calls, its SafeTx hash and the owners' signatures collected so far.

The file is the unit that travels between owners, so nothing in it is trusted as written:
``check_fields`` recomputes the SafeTx hash (EIP-712, safe-eth-py) from the fields and the
batch from the described calls, and ``verified_signers`` recovers each signature's owner from
the hash. A pure core: no node here (``safe.sign``/``safe.execute`` bring the chain's facts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from toolkit.errors import InputError
from toolkit.inputs import ZERO_ADDRESS
from toolkit.safe.contracts import SAFE_VERSION

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

FORMAT = "equity-safe-tx/1"
CALL, DELEGATECALL = 0, 1


@dataclass(frozen=True)
class SafeCall:
    """One call the Safe will make, and the words a command gave it."""

    label: str
    to: str
    data: str
    value: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "to": self.to, "value": self.value, "data": self.data}


@dataclass(frozen=True)
class SafeTransaction:
    """SafeTx fields (Safe 1.4.1's ``execTransaction`` arguments and nonce) and what travels
    with them. ``signatures``: owner address -> 65-byte signature (0x hex)."""

    chain_id: int
    safe: str
    nonce: int
    to: str
    value: int
    data: str
    operation: int
    calls: tuple[SafeCall, ...]
    safe_tx_hash: str = ""
    signatures: dict[str, str] = field(default_factory=dict)
    safe_tx_gas: int = 0
    base_gas: int = 0
    gas_price: int = 0
    gas_token: str = ZERO_ADDRESS
    refund_receiver: str = ZERO_ADDRESS
    safe_version: str = SAFE_VERSION

    # --- the hash and the batch ------------------------------------------------------------

    def computed_hash(self) -> str:
        """The SafeTx hash of these fields (EIP-712, Safe 1.4.1's domain: chain id, Safe)."""
        return "0x" + bytes(self._safe_eth_tx().safe_tx_hash).hex()

    def _safe_eth_tx(self, signatures: bytes = b"") -> Any:
        from hexbytes import HexBytes
        from safe_eth.eth import EthereumClient
        from safe_eth.safe.safe_tx import SafeTx
        from web3 import Web3

        return SafeTx(
            cast(EthereumClient, None),  # unused: nonce, version and chain id are given
            Web3.to_checksum_address(self.safe),
            Web3.to_checksum_address(self.to),
            self.value,
            HexBytes(self.data),
            self.operation,
            self.safe_tx_gas,
            self.base_gas,
            self.gas_price,
            Web3.to_checksum_address(self.gas_token),
            Web3.to_checksum_address(self.refund_receiver),
            signatures=signatures,
            safe_nonce=self.nonce,
            safe_version=self.safe_version,
            chain_id=self.chain_id,
        )

    def with_hash(self) -> SafeTransaction:
        return replace(self, safe_tx_hash=self.computed_hash())

    def check_fields(self, multi_send: str | None) -> None:
        """Refuse a file changed after it was built: fields that no longer give the recorded
        hash, or calls described otherwise than the data does (an owner signs what the words
        say only if the words are the data). ``multi_send``: the batch contract of this chain."""
        if self.computed_hash().lower() != self.safe_tx_hash.lower():
            raise InputError(
                f"the file was changed after it was built: its fields hash to "
                f"{self.computed_hash()}, not to the recorded safe_tx_hash {self.safe_tx_hash}",
                hint="build the transaction again from the command (`--account safe:ADDRESS`)",
                kind="tampered",
            )
        expected = batch(self.calls, multi_send if self.operation == DELEGATECALL else None)
        if expected != (self.to.lower(), self.value, self.data.lower(), self.operation):
            raise InputError(
                "the file was changed after it was built: its calls do not match its data "
                f"(to {self.to}, operation {self.operation})",
                hint="build the transaction again from the command (`--account safe:ADDRESS`)",
                kind="tampered",
            )

    # --- signatures ------------------------------------------------------------------------

    def sign(self, account: LocalAccount) -> SafeTransaction:
        """This transaction with ``account``'s EIP-712 signature of the SafeTx hash added."""
        signature = self._safe_eth_tx().sign("0x" + bytes(account.key).hex())
        signatures = {**self.signatures, str(account.address): "0x" + bytes(signature).hex()}
        return replace(self, signatures=signatures)

    def verified_signers(self) -> dict[str, str]:
        """Owner address -> signature, for every signature that recovers to the address it
        is filed under (a copied or forged entry is left out)."""
        from safe_eth.safe.safe_signature import SafeSignature

        valid: dict[str, str] = {}
        for owner, signature in self.signatures.items():
            try:
                parsed = SafeSignature.parse_signature(
                    bytes.fromhex(signature[2:]), self.safe_tx_hash
                )
            except (ValueError, TypeError):
                continue
            if len(parsed) == 1 and str(parsed[0].owner).lower() == owner.lower():
                valid[str(parsed[0].owner)] = signature
        return valid

    def packed_signatures(self, owners: set[str]) -> bytes:
        """The signatures of ``owners`` as ``execTransaction`` takes them: sorted by owner."""
        chosen = [
            (int(owner, 16), bytes.fromhex(sig[2:]))
            for owner, sig in self.verified_signers().items()
            if owner.lower() in {o.lower() for o in owners}
        ]
        return b"".join(sig for _, sig in sorted(chosen))

    # --- the file --------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "chain_id": self.chain_id,
            "safe": self.safe,
            "safe_version": self.safe_version,
            "nonce": self.nonce,
            "to": self.to,
            "value": str(self.value),
            "data": self.data,
            "operation": self.operation,
            "safe_tx_gas": str(self.safe_tx_gas),
            "base_gas": str(self.base_gas),
            "gas_price": str(self.gas_price),
            "gas_token": self.gas_token,
            "refund_receiver": self.refund_receiver,
            "calls": [c.to_json() for c in self.calls],
            "safe_tx_hash": self.safe_tx_hash,
            "signatures": dict(self.signatures),
        }

    @staticmethod
    def from_json(data: Any, source: str = "the file") -> SafeTransaction:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputError(
                f"{source} is not a Safe transaction of this toolkit (format {FORMAT})",
                hint="give the TX.json that `--account safe:ADDRESS` wrote",
            )
        try:
            return SafeTransaction(
                chain_id=int(data["chain_id"]),
                safe=_address(data["safe"]),
                nonce=int(data["nonce"]),
                to=_address(data["to"]),
                value=int(data["value"]),
                data=_hex(data["data"]),
                operation=int(data["operation"]),
                calls=tuple(
                    SafeCall(str(c["label"]), _address(c["to"]), _hex(c["data"]), int(c["value"]))
                    for c in data["calls"]
                ),
                safe_tx_hash=_hex(data["safe_tx_hash"]),
                signatures={_address(k): _hex(v) for k, v in dict(data["signatures"]).items()},
                safe_tx_gas=int(data["safe_tx_gas"]),
                base_gas=int(data["base_gas"]),
                gas_price=int(data["gas_price"]),
                gas_token=_address(data["gas_token"]),
                refund_receiver=_address(data["refund_receiver"]),
                safe_version=str(data["safe_version"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{source} is not a complete Safe transaction: {exc!s} is missing or malformed",
                hint="give the TX.json that `--account safe:ADDRESS` wrote, unedited",
                kind="tampered",
            ) from exc


def batch(calls: tuple[SafeCall, ...], multi_send: str | None) -> tuple[str, int, str, int]:
    """(to, value, data, operation) of the Safe transaction that makes ``calls``: one call
    directly; several through MultiSendCallOnly's ``multiSend`` by DELEGATECALL (each call
    then runs from the Safe, all or none)."""
    if len(calls) == 1:
        only = calls[0]
        return only.to.lower(), only.value, only.data.lower(), CALL
    if multi_send is None:
        raise InputError(
            "several calls need MultiSendCallOnly, and none is known on this chain",
            hint="`equity safe deploy` deploys it on a local chain",
        )
    from hexbytes import HexBytes
    from safe_eth.safe.multi_send import MultiSendOperation, MultiSendTx
    from web3 import Web3

    from toolkit.safe.contracts import MULTI_SEND_CALL_ONLY, safe_artifact

    packed = b"".join(
        bytes(
            MultiSendTx(
                MultiSendOperation.CALL, Web3.to_checksum_address(c.to), c.value, HexBytes(c.data)
            ).encoded_data
        )
        for c in calls
    )
    # encoded here, not by MultiSend.build_tx_data, which asks a node for the chain id
    contract = Web3().eth.contract(abi=safe_artifact(MULTI_SEND_CALL_ONLY)["abi"])
    data = contract.encode_abi("multiSend", [packed])
    return multi_send.lower(), 0, str(data).lower(), DELEGATECALL


def read_safe_tx(path: Path) -> SafeTransaction:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", hint="check the path") from exc
    except ValueError as exc:
        raise InputError(f"{path} is not JSON: {exc}", hint="give the TX.json, unedited") from exc
    return SafeTransaction.from_json(data, str(path))


def write_safe_tx(tx: SafeTransaction, path: Path) -> None:
    path.write_text(json.dumps(tx.to_json(), indent=2) + "\n")


def _address(value: Any) -> str:
    from web3 import Web3

    text = str(value)
    if not Web3.is_address(text):
        raise ValueError(f"address {text!r}")
    return str(Web3.to_checksum_address(text))


def _hex(value: Any) -> str:
    text = str(value)
    if not text.startswith("0x"):
        raise ValueError(f"hex value {text!r}")
    bytes.fromhex(text[2:])
    return text.lower()
