"""Builders of events and ledgers for the pure tests: a readable way to write chain history."""

from __future__ import annotations

from itertools import count

from toolkit.captable.events import (
    Event,
    ForcedTransfer,
    HolderQualified,
    HolderRemoved,
    JurisdictionBlockChanged,
    SharesIssued,
    SharesIssuedVested,
    Transfer,
    WalletRecovered,
)
from toolkit.captable.ledger import Ledger, fold
from toolkit.inputs import ZERO_ADDRESS

FAR_FUTURE = 4_102_444_800  # 2100-01-01
NOW = 1_800_000_000


def wallet(n: int) -> str:
    return "0x" + f"{n:040x}"


class History:
    """Chain history written as a script: ``h.qualify(...)``, ``h.issue(...)``, ``h.transfer(...)``."""

    def __init__(self, class_ids: tuple[str, ...] = ("COMMON", "PREF")) -> None:
        self.class_ids = class_ids
        self.events: list[Event] = []
        self._index = count()

    def _where(self, tx: int | None = None) -> dict[str, object]:
        """Block, position and transaction of the next event (``tx`` joins an earlier one's)."""
        i = next(self._index)
        return {"block": 1 + i // 4, "log_index": i % 4, "tx_hash": f"0x{i if tx is None else tx:064x}", "timestamp": NOW}

    def _tx(self) -> int:
        """The transaction the next event will open (to be passed to the events that join it)."""
        probe = count(next(self._index))
        first = next(probe)
        self._index = count(first)
        return first

    def qualify(self, who: str, investor: str, expires_at: int = FAR_FUTURE, jurisdiction: str = "DE") -> History:
        self.events.append(
            HolderQualified(
                wallet=who, investor_id=investor, jurisdiction=jurisdiction, expires_at=expires_at,
                accredited=True, **self._where(),  # type: ignore[arg-type]
            )
        )
        return self

    def block_jurisdiction(self, class_id: str, jurisdiction: str, blocked: bool = True) -> History:
        self.events.append(
            JurisdictionBlockChanged(class_id=class_id, jurisdiction=jurisdiction, blocked=blocked, **self._where())  # type: ignore[arg-type]
        )
        return self

    def remove(self, who: str, investor: str) -> History:
        self.events.append(HolderRemoved(wallet=who, investor_id=investor, **self._where()))  # type: ignore[arg-type]
        return self

    def issue(self, class_id: str, to: str, amount: int, locked_until: int = 0) -> History:
        tx = self._tx()
        self.events.append(
            Transfer(class_id=class_id, sender=ZERO_ADDRESS, receiver=to, amount=amount, **self._where())  # type: ignore[arg-type]
        )
        self.events.append(
            SharesIssued(class_id=class_id, receiver=to, amount=amount, locked_until=locked_until, **self._where(tx))  # type: ignore[arg-type]
        )
        return self

    def issue_vested(self, class_id: str, to: str, amount: int, start: int, cliff: int, end: int) -> History:
        tx = self._tx()
        self.events.append(
            Transfer(class_id=class_id, sender=ZERO_ADDRESS, receiver=to, amount=amount, **self._where())  # type: ignore[arg-type]
        )
        self.events.append(
            SharesIssuedVested(
                class_id=class_id, receiver=to, amount=amount, start=start, cliff=cliff, end=end,
                **self._where(tx),  # type: ignore[arg-type]
            )
        )
        return self

    def transfer(self, class_id: str, sender: str, receiver: str, amount: int) -> History:
        self.events.append(
            Transfer(class_id=class_id, sender=sender, receiver=receiver, amount=amount, **self._where())  # type: ignore[arg-type]
        )
        return self

    def burn(self, class_id: str, holder: str, amount: int) -> History:
        return self.transfer(class_id, holder, ZERO_ADDRESS, amount)

    def force(self, class_id: str, sender: str, receiver: str, amount: int) -> History:
        tx = self._tx()
        self.transfer(class_id, sender, receiver, amount)
        self.events.append(
            ForcedTransfer(
                class_id=class_id, sender=sender, receiver=receiver, amount=amount, reason="court order",
                **self._where(tx),  # type: ignore[arg-type]
            )
        )
        return self

    def recover(self, class_id: str, lost: str, new: str, amount: int) -> History:
        tx = self._tx()
        self.transfer(class_id, lost, new, amount)
        self.events.append(
            WalletRecovered(class_id=class_id, lost_wallet=lost, new_wallet=new, amount=amount, **self._where(tx))  # type: ignore[arg-type]
        )
        return self

    def ledger(self) -> Ledger:
        return fold(self.events, self.class_ids)
