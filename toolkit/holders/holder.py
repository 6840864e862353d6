"""A qualified holder as the registry stores it: wallet -> investor, jurisdiction, expiry,
accreditation, investor category with its own expiry (SPEC §15) and, on chain, a frozen flag.
Plain data; the chain lives in ``registry.py``.

The old ``accredited`` flag and the category agree: ``accredited`` alone means the category
accredited, and the registry's flag is set for the category accredited."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.inputs import (
    ACCREDITED,
    MAX_UINT32,
    MAX_UINT40,
    NO_CATEGORY,
    InvalidValue,
    category_name,
    format_time,
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
    category: int = NO_CATEGORY  # toolkit.inputs.CATEGORIES
    category_until: int = 0  # unix seconds; 0: the category lasts as long as the registration

    def call_args(self) -> tuple[str, bytes, bytes, int, bool]:
        """The arguments of the registry's ``addHolder``."""
        return (
            self.wallet,
            investor_id_bytes(self.investor_id),
            self.jurisdiction,
            self.expires_at,
            self.accredited,
        )

    def category_args(self) -> tuple[str, int, int]:
        """The arguments of the registry's ``setCategory``."""
        return (self.wallet, self.category, self.category_until)


@dataclass(frozen=True)
class HolderState:
    """What the registry says of a wallet now."""

    wallet: str
    investor_id: str  # "" when not registered
    jurisdiction: str
    expires_at: int
    accredited: bool
    frozen: bool
    category: int = NO_CATEGORY
    category_until: int = 0

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

    def category_at(self, now: int) -> str | None:
        """The category's name while it holds (None: none, or lapsed)."""
        if self.category_until and now >= self.category_until:
            return None
        return category_name(self.category)

    def category_text(self, now: int) -> str:
        """The category for a table: its name, "(lapsed)" after its own expiry, "-" for none."""
        name = category_name(self.category)
        if name is None:
            return "-"
        if self.category_until and now >= self.category_until:
            return f"{name} (lapsed)"
        return name

    def to_json(self, now: int) -> dict[str, object]:
        return {
            "wallet": self.wallet,
            "investor_id": self.investor_id or None,
            "jurisdiction": self.jurisdiction or None,
            "expires": json_time(self.expires_at),
            "accredited": self.accredited,
            "category": self.category_at(now),
            "category_recorded": category_name(self.category),
            "category_expires": format_time(self.category_until) or None,
            "frozen": self.frozen,
            "registered": self.registered,
            "qualified": self.qualified(now),
        }

    @staticmethod
    def from_chain(
        wallet: str,
        record: tuple[bytes, bytes, int, bool, bool],
        category: tuple[int, int] = (NO_CATEGORY, 0),
    ) -> HolderState:
        investor_id, jurisdiction, expires_at, accredited, frozen = record
        return HolderState(
            wallet=wallet,
            investor_id=investor_id_text(investor_id),
            jurisdiction=jurisdiction_text(jurisdiction) if any(jurisdiction) else "",
            expires_at=int(expires_at),
            accredited=bool(accredited),
            frozen=bool(frozen),
            category=int(category[0]),
            category_until=int(category[1]),
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


def parse_category_expiry(text: str, *, now: int | None) -> int:
    """A category's own expiry: a DATE after ``now`` that fits the registry's uint32."""
    return parse_future_date(
        text,
        now=now,
        what="category expiry",
        latest=MAX_UINT32,
        consequence="; the category would lapse at once",
    )


def reconcile_category(accredited: bool, category: int) -> tuple[bool, int]:
    """The registry's (accredited flag, category) from what a user gave: ``accredited`` alone
    is the category accredited; a category other than accredited beside it is a contradiction."""
    if category == NO_CATEGORY:
        return accredited, ACCREDITED if accredited else NO_CATEGORY
    if accredited and category != ACCREDITED:
        raise InvalidValue(
            f"accredited=true contradicts the category {category_name(category)}; give one of them"
        )
    return category == ACCREDITED, category


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
    flag = accredited if isinstance(accredited, bool) else parse_bool(accredited, default=False)
    flag, category = reconcile_category(flag, NO_CATEGORY)
    return Holder(
        wallet=parse_wallet(wallet),
        investor_id=parse_investor_id(investor_id),
        jurisdiction=parse_jurisdiction(jurisdiction),
        expires_at=parse_expiry(expires, now=now),
        accredited=flag,
        category=category,
    )
