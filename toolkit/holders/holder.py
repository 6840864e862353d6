"""A qualified holder as the registry stores it: wallet -> investor, jurisdiction, expiry,
accreditation (and, on chain, a frozen flag). Plain data; the chain lives in ``registry.py``."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.inputs import (
    MAX_UINT40,
    investor_id_bytes,
    investor_id_text,
    json_time,
    jurisdiction_text,
    parse_bool,
    parse_future_date,
    parse_investor_id,
    parse_jurisdiction,
    parse_wallet,
)


@dataclass(frozen=True)
class Holder:
    """A wallet to register, with the values the registry takes."""

    wallet: str  # checksummed
    investor_id: str  # at most 16 ASCII characters (bytes16 on chain)
    jurisdiction: bytes  # bytes2
    expires_at: int  # unix seconds
    accredited: bool

    def call_args(self) -> tuple[str, bytes, bytes, int, bool]:
        """The arguments of the registry's ``addHolder``."""
        return (
            self.wallet,
            investor_id_bytes(self.investor_id),
            self.jurisdiction,
            self.expires_at,
            self.accredited,
        )


@dataclass(frozen=True)
class HolderState:
    """What the registry says of a wallet now."""

    wallet: str
    investor_id: str  # "" when not registered
    jurisdiction: str
    expires_at: int
    accredited: bool
    frozen: bool

    @property
    def registered(self) -> bool:
        return bool(self.investor_id)

    def qualified(self, now: int) -> bool:
        return self.registered and now < self.expires_at

    def status(self, now: int) -> str:
        if not self.registered:
            return "frozen, not registered" if self.frozen else "not registered"
        words = ["qualified" if self.qualified(now) else "expired"]
        if self.frozen:
            words.append("frozen")
        return ", ".join(words)

    def to_json(self, now: int) -> dict[str, object]:
        return {
            "wallet": self.wallet,
            "investor_id": self.investor_id or None,
            "jurisdiction": self.jurisdiction or None,
            "expires": json_time(self.expires_at),
            "accredited": self.accredited,
            "frozen": self.frozen,
            "registered": self.registered,
            "qualified": self.qualified(now),
        }

    @staticmethod
    def from_chain(wallet: str, record: tuple[bytes, bytes, int, bool, bool]) -> HolderState:
        investor_id, jurisdiction, expires_at, accredited, frozen = record
        return HolderState(
            wallet=wallet,
            investor_id=investor_id_text(investor_id),
            jurisdiction=jurisdiction_text(jurisdiction) if any(jurisdiction) else "",
            expires_at=int(expires_at),
            accredited=bool(accredited),
            frozen=bool(frozen),
        )


def parse_expiry(text: str, *, now: int | None) -> int:
    """A qualification expiry: a DATE after ``now`` that fits the registry's uint40."""
    return parse_future_date(
        text,
        now=now,
        what="expiry",
        latest=MAX_UINT40,
        consequence="; the holder would be unqualified at once",
    )


def parse_holder(
    wallet: str,
    investor_id: str,
    jurisdiction: str,
    expires: str,
    accredited: str | bool,
    *,
    now: int | None,
) -> Holder:
    """A holder from typed values; raises InvalidValue naming the first bad one."""
    return Holder(
        wallet=parse_wallet(wallet),
        investor_id=parse_investor_id(investor_id),
        jurisdiction=parse_jurisdiction(jurisdiction),
        expires_at=parse_expiry(expires, now=now),
        accredited=accredited
        if isinstance(accredited, bool)
        else parse_bool(accredited, default=False),
    )
