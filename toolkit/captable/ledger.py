"""Events folded into a ledger: who holds how many shares of each class, and who they are.

The ledger is the state a cap table is computed from, and nothing more: balances per
(class, wallet) from Transfer events, total supply and authorized shares per class, the
jurisdictions each class blocks, the holder registry's record of each wallet, and for each position a *lock horizon*, the time
after which none of its shares can still be locked (the latest lock-up end or vesting end
that ever reached the wallet, directly or through a forced transfer or a recovery).

The horizon lets the indexer read ``lockedBalanceOf`` only for the positions that can have
locked shares at a block; the lock-up and vesting arithmetic itself stays in the contract.

Folding keeps no history: memory grows with holders, never with the number of events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from toolkit.captable.events import (
    AuthorizedChanged,
    Event,
    ForcedTransfer,
    HolderFrozen,
    HolderQualified,
    HolderRemoved,
    JurisdictionBlockChanged,
    SharesIssued,
    SharesIssuedVested,
    Transfer,
    WalletRecovered,
)
from toolkit.inputs import ZERO_ADDRESS


@dataclass(slots=True)
class Position:
    """One wallet's holding in one class."""

    shares: int = 0
    lock_horizon: int = 0


@dataclass(slots=True)
class HolderRecord:
    """The registry's last word on a wallet (kept after removal, flagged)."""

    investor_id: str
    jurisdiction: str
    expires_at: int
    accredited: bool
    removed: bool = False

    def is_expired_at(self, timestamp: int) -> bool:
        """Expired when the expiry has passed; an expiry of 0 means none."""
        return self.expires_at != 0 and self.expires_at <= timestamp

    def is_qualified_at(self, timestamp: int) -> bool:
        return not self.removed and not self.is_expired_at(timestamp)


@dataclass(slots=True)
class ClassLedger:
    total_supply: int = 0
    authorized: int | None = None  # known once an AuthorizedChanged event was seen
    positions: dict[str, Position] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)  # jurisdictions whose receivers it refuses

    def shares_of(self, wallet: str) -> int:
        position = self.positions.get(wallet)
        return position.shares if position else 0

    def holders(self) -> dict[str, int]:
        """Wallets with a positive balance."""
        return {w: p.shares for w, p in self.positions.items() if p.shares > 0}


@dataclass(slots=True)
class Ledger:
    classes: dict[str, ClassLedger]
    holders: dict[str, HolderRecord] = field(default_factory=dict)
    frozen: set[str] = field(default_factory=set)
    block: int = -1  # the last block folded in

    @classmethod
    def empty(cls, class_ids: Iterable[str]) -> Ledger:
        return cls(classes={class_id: ClassLedger() for class_id in class_ids})

    # --- folding ------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Fold one event in (events must come in chain order)."""
        match event:
            case Transfer():
                self.transfer(event.class_id, event.sender, event.receiver, event.amount)
            case SharesIssued():
                self._extend_horizon(event.class_id, event.receiver, event.locked_until)
            case SharesIssuedVested():
                self._extend_horizon(event.class_id, event.receiver, event.end)
            case ForcedTransfer():
                self._carry_horizon(event.class_id, event.sender, event.receiver)
            case WalletRecovered():
                self._carry_horizon(event.class_id, event.lost_wallet, event.new_wallet)
            case AuthorizedChanged():
                self.classes[event.class_id].authorized = event.current
            case JurisdictionBlockChanged():
                blocked = self.classes[event.class_id].blocked
                if event.blocked:
                    blocked.add(event.jurisdiction)
                else:
                    blocked.discard(event.jurisdiction)
            case HolderQualified():
                self._qualify(event)
            case HolderRemoved():
                record = self.holders.get(event.wallet)
                if record is not None:
                    record.removed = True
            case HolderFrozen():
                if event.frozen:
                    self.frozen.add(event.wallet)
                else:
                    self.frozen.discard(event.wallet)
            case _:
                pass
        # SharesRedeemed: the burn's Transfer already moved the balance
        if event.block > self.block:
            self.block = event.block

    def apply_all(self, events: Iterable[Event]) -> Ledger:
        for event in events:
            self.apply(event)
        return self

    def transfer(self, class_id: str, sender: str, receiver: str, amount: int) -> None:
        """Move ``amount`` shares of a class; from the zero address a mint, to it a burn.

        The one place a balance changes: ``apply`` of a ``Transfer`` and the raw-log fast
        path (``log_fold``) both come here.
        """
        cls = self.classes[class_id]
        positions = cls.positions
        if sender == ZERO_ADDRESS:
            cls.total_supply += amount
        else:
            source = positions.get(sender)
            if source is None:
                source = positions[sender] = Position()
            source.shares -= amount
            if source.shares == 0 and source.lock_horizon == 0:
                del positions[sender]
        if receiver == ZERO_ADDRESS:
            cls.total_supply -= amount
        else:
            target = positions.get(receiver)
            if target is None:
                positions[receiver] = Position(amount)
            else:
                target.shares += amount

    def _position(self, class_id: str, wallet: str) -> Position:
        positions = self.classes[class_id].positions
        position = positions.get(wallet)
        if position is None:
            position = positions[wallet] = Position()
        return position

    def _extend_horizon(self, class_id: str, wallet: str, until: int) -> None:
        position = self._position(class_id, wallet)
        position.lock_horizon = max(position.lock_horizon, until)

    def _carry_horizon(self, class_id: str, source: str, target: str) -> None:
        horizon = self.classes[class_id].positions.get(source, Position()).lock_horizon
        if horizon:
            self._extend_horizon(class_id, target, horizon)

    def _qualify(self, event: HolderQualified) -> None:
        self.holders[event.wallet] = HolderRecord(
            investor_id=event.investor_id,
            jurisdiction=event.jurisdiction,
            expires_at=event.expires_at,
            accredited=event.accredited,
        )

    # --- queries ------------------------------------------------------------------------

    def investor_of(self, wallet: str) -> str | None:
        record = self.holders.get(wallet)
        return record.investor_id if record else None

    def positions_possibly_locked_at(self, timestamp: int) -> list[tuple[str, str]]:
        """(class, wallet) pairs holding shares that a lock-up or vesting may still cover."""
        return [
            (class_id, wallet)
            for class_id, cls in self.classes.items()
            for wallet, position in cls.positions.items()
            if position.shares > 0 and position.lock_horizon > timestamp
        ]

    # --- snapshots ----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "classes": {
                class_id: {
                    "total_supply": str(cls.total_supply),
                    "authorized": None if cls.authorized is None else str(cls.authorized),
                    "positions": [
                        [w, str(p.shares), p.lock_horizon] for w, p in cls.positions.items()
                    ],
                    "blocked": sorted(cls.blocked),
                }
                for class_id, cls in self.classes.items()
            },
            "holders": [
                [w, r.investor_id, r.jurisdiction, r.expires_at, r.accredited, r.removed]
                for w, r in self.holders.items()
            ],
            "frozen": sorted(self.frozen),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ledger:
        classes = {
            class_id: ClassLedger(
                total_supply=int(raw["total_supply"]),
                authorized=None if raw["authorized"] is None else int(raw["authorized"]),
                positions={w: Position(int(s), int(h)) for w, s, h in raw["positions"]},
                blocked=set(raw["blocked"]),
            )
            for class_id, raw in data["classes"].items()
        }
        holders = {
            w: HolderRecord(inv, jur, int(exp), bool(acc), bool(rem))
            for w, inv, jur, exp, acc, rem in data["holders"]
        }
        return cls(
            classes=classes, holders=holders, frozen=set(data["frozen"]), block=int(data["block"])
        )


def fold(events: Iterable[Event], class_ids: Iterable[str]) -> Ledger:
    """The ledger of a sequence of events (in chain order)."""
    return Ledger.empty(class_ids).apply_all(events)
