"""Owners sign a Safe transaction file; anyone reads where it stands.

``sign_safe_tx`` checks the file against the chain (``chain_checks``) and the signer against
the Safe's owners before it adds an EIP-712 signature; ``safe_tx_status`` says who signed,
how many more are needed and whether the nonce is the Safe's next.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import UsageError
from toolkit.safe.chain_checks import SafeState, check_against_chain
from toolkit.safe.safe_tx import SafeTransaction, read_safe_tx, write_safe_tx

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from toolkit.chain.connection import Chain


@dataclass(frozen=True)
class SafeTxStatus:
    """Where a Safe transaction stands: its Safe, who signed, and what is missing."""

    tx: SafeTransaction
    safe: SafeState
    signed: tuple[str, ...]  # owners with a valid signature
    invalid: tuple[str, ...]  # signatures that are not an owner's, or do not verify

    @property
    def missing(self) -> int:
        return max(self.safe.threshold - len(self.signed), 0)

    @property
    def nonce_state(self) -> str:
        if self.tx.nonce == self.safe.nonce:
            return "next"
        return "spent" if self.tx.nonce < self.safe.nonce else "queued"

    @property
    def unsigned_owners(self) -> tuple[str, ...]:
        signed = {s.lower() for s in self.signed}
        return tuple(o for o in self.safe.owners if o.lower() not in signed)

    def to_json(self) -> dict[str, Any]:
        return {
            "safe": self.safe.address,
            "chain_id": self.tx.chain_id,
            "nonce": self.tx.nonce,
            "safe_nonce": self.safe.nonce,
            "nonce_state": self.nonce_state,
            "safe_tx_hash": self.tx.safe_tx_hash,
            "owners": list(self.safe.owners),
            "threshold": self.safe.threshold,
            "signed": list(self.signed),
            "invalid_signatures": list(self.invalid),
            "missing": self.missing,
            "calls": [c.to_json() for c in self.tx.calls],
        }


def status_of(tx: SafeTransaction, safe: SafeState) -> SafeTxStatus:
    verified = tx.verified_signers()
    signed = tuple(o for o in verified if safe.is_owner(o))
    invalid = tuple(o for o in tx.signatures if o not in signed)
    return SafeTxStatus(tx, safe, signed, invalid)


def safe_tx_status(chain: Chain, path: Path) -> SafeTxStatus:
    """The file's standing; a spent nonce is a state, not an error, here."""
    tx = read_safe_tx(path)
    return status_of(tx, check_against_chain(tx, chain, allow_spent=True))


def sign_safe_tx(chain: Chain, path: Path, owner: LocalAccount) -> SafeTxStatus:
    """Add ``owner``'s signature to the file at ``path`` (written back in place)."""
    tx = read_safe_tx(path)
    safe = check_against_chain(tx, chain)
    signer = str(owner.address)
    if not safe.is_owner(signer):
        raise UsageError(
            f"{signer} is not an owner of Safe {safe.address}; nothing was signed",
            hint=f"sign with the keystore of one of its owners: {', '.join(safe.owners)}",
            kind="not_owner",
        )
    before = status_of(tx, safe)
    if signer in before.signed:
        raise UsageError(
            f"{signer} has signed this Safe transaction already",
            hint=f"{before.missing} more signature(s) needed"
            if before.missing
            else f"it has enough signatures: `equity safe execute {path}`",
            kind="signed_already",
        )
    signed = tx.sign(owner)
    write_safe_tx(signed, path)
    return status_of(signed, safe)
