"""Lock-up lots, and how much a holder can sell now and when more unlocks (SPEC §12, issue 13
point 3).

A lot is what a class token's ``lockupLotsOf(holder)`` returns: ``amount`` shares released
linearly from ``start`` to ``end`` with nothing before ``cliff`` (a plain lock-up has
``start == cliff == end``); ``locked_at`` is the token's own rule (``LockupBook.lockedOf``: the
vested part rounded down). The board report's unlock schedule (``toolkit.reports.unlocks``)
builds on the same two.

The offering's ``HolderView`` contract answers it on chain (``sellableOf(token, holder)``);
``sellable_at`` is the same rule in Python, over the lots a class token's ``lockupLotsOf``
returns. The toolkit asks the recorded view; a deployment recorded before the view existed
has none, and gets the model over the token's lots instead (the tests prove both agree).

The rule, as ``HolderView`` documents it: a plain lock-up releases everything at its end; a
vesting lot before its cliff releases at the cliff what has vested by then; a vesting lot that
vests continuously is counted in whole UTC days (its next release is the first midnight by
which at least one more base unit has vested, or its end if sooner). The next unlock is the
earliest of those, with every share that is transferable by then. Pure below the adapters:
no chain in ``sellable_at``, ``next_release`` or ``lot_schedule``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.inputs import DAY, format_shares, format_time, iso_time

if TYPE_CHECKING:
    from toolkit.offering.contracts import OfferingContracts
    from toolkit.offering.deployments import ClassDeployment


@dataclass(frozen=True)
class Lot:
    class_id: str
    wallet: str
    amount: int  # base units
    start: int
    cliff: int
    end: int


def locked_at(lot: Lot, t: int) -> int:
    """The shares of ``lot`` still locked at time ``t`` (ShareClassToken's rule)."""
    if t >= lot.end:
        return 0
    if t < lot.cliff:
        return lot.amount
    return lot.amount - lot.amount * (t - lot.start) // (lot.end - lot.start)


@dataclass(frozen=True)
class NextUnlock:
    at: int  # unix seconds
    shares: int  # base units that become transferable by then

    def to_json(self) -> dict[str, Any]:
        return {"date": iso_time(self.at), "shares": self.shares}


@dataclass(frozen=True)
class Sellable:
    """A holder's position in one class: base units; ``next_unlock`` None when nothing is locked."""

    balance: int
    locked: int
    transferable: int
    next_unlock: NextUnlock | None

    def to_json(self) -> dict[str, Any]:
        """``check --json``'s keys: ``next_unlock`` is null when nothing is locked."""
        unlock = self.next_unlock.to_json() if self.next_unlock else None
        return {"transferable": self.transferable, "next_unlock": unlock}

    def text(self, decimals: int) -> str:
        """``1,000 of 5,000 unlocked; 4,000 more on 2028-06-30``."""

        def shown(units: int) -> str:
            return format_shares(units, decimals, grouped=True)

        line = f"{shown(self.transferable)} of {shown(self.balance)} unlocked"
        if self.next_unlock is None:
            return line
        more = f"{shown(self.next_unlock.shares)} more on {format_time(self.next_unlock.at)}"
        return f"{line}; {more}"


def next_release(lot: Lot, t: int) -> int | None:
    """When ``lot`` next releases shares after ``t`` (``HolderView.nextReleaseOf``); None when
    it locks nothing any more."""
    if t >= lot.end or lot.amount == 0:
        return None
    if lot.start == lot.end:
        return lot.end
    duration = lot.end - lot.start
    released = lot.amount - locked_at(lot, t)
    vested = lot.start + -(
        -(released + 1) * duration // lot.amount
    )  # first second of one more unit
    if vested <= lot.cliff:
        return lot.cliff
    return min(-(-vested // DAY) * DAY, lot.end)


def sellable_at(lots: Sequence[Lot], balance: int, t: int) -> Sellable:
    """``HolderView.sellableAt``: the position of a holder of ``balance`` with ``lots`` at ``t``."""
    locked = sum(locked_at(lot, t) for lot in lots)
    transferable = max(balance - locked, 0)
    releases = [r for r in (next_release(lot, t) for lot in lots) if r is not None]
    if not releases:
        return Sellable(balance, locked, transferable, None)
    at = min(releases)
    then = max(balance - sum(locked_at(lot, at) for lot in lots), 0)
    return Sellable(balance, locked, transferable, NextUnlock(at, then - transferable))


def lot_schedule(lot: Lot, t: int) -> dict[str, Any]:
    """One lot as ``holders show --json`` lists it (dates as people type them back)."""
    return {
        "kind": "lockup" if lot.start == lot.end else "vesting",
        "amount": lot.amount,
        "start": iso_time(lot.start),
        "cliff": iso_time(lot.cliff),
        "end": iso_time(lot.end),
        "locked": locked_at(lot, t),
    }


def lot_text(lot: Lot) -> str:
    """``lock-up until 2028-06-30`` or ``vesting 2026-01-01 to 2030-01-01, cliff 2027-01-01``."""
    if lot.start == lot.end:
        return f"lock-up until {format_time(lot.end)}"
    return (
        f"vesting {format_time(lot.start)} to {format_time(lot.end)}, "
        f"cliff {format_time(lot.cliff)}"
    )


# --- the chain ---------------------------------------------------------------------------------


def lots_of(contracts: OfferingContracts, share_class: ClassDeployment, wallet: str) -> list[Lot]:
    """The wallet's live lock-up lots in one class (the token's ``lockupLotsOf``)."""
    token = contracts.token_of(share_class)
    return [
        Lot(share_class.id, wallet, int(amount), int(start), int(cliff), int(end))
        for amount, start, cliff, end in token.functions.lockupLotsOf(wallet).call()
    ]


def sellable_of(
    contracts: OfferingContracts, share_class: ClassDeployment, wallet: str
) -> Sellable:
    """What ``wallet`` may transfer of the class now and its next unlock: the offering's
    ``HolderView`` when the deployment records one, else the same rule over the token's lots."""
    view = contracts.holder_view
    if view is None:
        from toolkit.chain.clock import latest_timestamp

        token = contracts.token_of(share_class)
        balance = int(token.functions.balanceOf(wallet).call())
        now = latest_timestamp(contracts.w3)
        return sellable_at(lots_of(contracts, share_class, wallet), balance, now)
    balance, locked, transferable, at, shares = view.functions.sellableOf(
        share_class.address, wallet
    ).call()
    unlock = NextUnlock(int(at), int(shares)) if at else None
    return Sellable(int(balance), int(locked), int(transferable), unlock)
