"""The register against the chain: every discrepancy of SPEC §9, each exactly once.

Kinds (per class and wallet unless noted), in the order they are reported:

- ``unknown_class``: a row names a class the offering lacks (one per row; such rows take
  part in nothing else);
- ``missing_onchain``: the register shows shares, the chain none;
- ``missing_in_register``: the chain shows shares, the register has no row;
- ``balance_mismatch``: both have the position (a row, chain shares) but the counts differ
  (including a row of 0 against shares on chain);
- ``locked_mismatch``: only where a row gives ``locked_shares``, and not for a position that
  is ``missing_onchain`` (nothing is locked where nothing is held);
- ``wallet_mismatch``: the registry maps the wallet to another investor id than the row's
  (a wallet the registry never saw maps to nothing, and is not a mismatch);
- ``unqualified_holder``: chain shares > 0 while the registry has removed the wallet, its
  qualification has expired at the block, or its jurisdiction is one the class blocks,
  whatever the register says;
- ``total_mismatch`` (per class, wallet null): the class's total supply differs from the sum of
  its rows; reported in addition to the row-level discrepancies that explain it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from toolkit.captable.ledger import HolderRecord, Ledger
from toolkit.captable.register import RegisterRow
from toolkit.inputs import iso_time, json_time
from toolkit.market.records import MarketTrade, net_traded

KINDS: tuple[str, ...] = (
    "unknown_class",
    "missing_onchain",
    "missing_in_register",
    "balance_mismatch",
    "locked_mismatch",
    "wallet_mismatch",
    "unqualified_holder",
    "total_mismatch",
)
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Discrepancy:
    kind: str
    class_id: str
    investor_id: str | None
    wallet: str | None
    register: int | str | None
    onchain: int | str | None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "class": self.class_id,
            "investor_id": self.investor_id,
            "wallet": self.wallet,
            "register": self.register,
            "onchain": self.onchain,
        }
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class Reconciliation:
    chain_id: int
    block: int
    timestamp: int
    discrepancies: tuple[Discrepancy, ...]

    @property
    def clean(self) -> bool:
        return not self.discrepancies

    def by_kind(self) -> dict[str, list[Discrepancy]]:
        grouped: dict[str, list[Discrepancy]] = {}
        for d in self.discrepancies:
            grouped.setdefault(d.kind, []).append(d)
        return grouped

    def to_json(self) -> dict[str, Any]:
        """The ``captable reconcile --json`` document of SPEC §9."""
        return {
            "chain_id": self.chain_id,
            "block": self.block,
            "timestamp": json_time(self.timestamp),
            "clean": self.clean,
            "discrepancies": [d.to_json() for d in self.discrepancies],
        }


def _unqualified(record: HolderRecord, blocked: set[str], timestamp: int) -> str | None:
    """Why the holder of ``record`` may not hold a class that blocks ``blocked`` at
    ``timestamp`` (None: it may)."""
    if record.removed:
        return "removed from the holder registry"
    if record.is_expired_at(timestamp):
        return f"qualification expired {iso_time(record.expires_at)}"
    if record.jurisdiction in blocked:
        return f"jurisdiction {record.jurisdiction} is blocked for this class"
    return None


def find_discrepancies(
    rows: Iterable[RegisterRow],
    ledger: Ledger,
    *,
    timestamp: int,
    locked: dict[tuple[str, str], int] | None = None,
    display_wallet: Callable[[str], str] | None = None,
) -> list[Discrepancy]:
    """Every discrepancy between register rows and the ledger at a block of time ``timestamp``.

    ``locked`` gives the chain's locked shares per (class, wallet) (absent = 0). Rows must
    have one row per (class, wallet), as ``register`` guarantees.
    """
    locked = locked or {}
    show = display_wallet or (lambda w: w)
    out: list[Discrepancy] = []
    by_key: dict[tuple[str, str], RegisterRow] = {}
    row_totals: dict[str, int] = {}
    classes_with_rows: set[str] = set()

    for row in rows:
        if row.class_id not in ledger.classes:
            out.append(
                Discrepancy(
                    "unknown_class",
                    row.class_id,
                    row.investor_id,
                    show(row.wallet),
                    row.shares,
                    None,
                    detail=f"{row.origin}: the offering has no class {row.class_id!r}",
                )
            )
            continue
        by_key[(row.class_id, row.wallet)] = row
        row_totals[row.class_id] = row_totals.get(row.class_id, 0) + row.shares
        classes_with_rows.add(row.class_id)

    # positions in the register
    for (class_id, wallet), row in by_key.items():
        onchain = ledger.classes[class_id].shares_of(wallet)
        record = ledger.holders.get(wallet)
        if (
            row.shares == onchain
            and (
                row.locked_shares is None or row.locked_shares == locked.get((class_id, wallet), 0)
            )
            and (record is None or record.investor_id == row.investor_id)
        ):
            continue  # agrees (the common case: skip the work below)
        shown = show(wallet)
        if row.shares > 0 and onchain == 0:
            out.append(
                Discrepancy("missing_onchain", class_id, row.investor_id, shown, row.shares, 0)
            )
        elif row.shares != onchain:
            out.append(
                Discrepancy(
                    "balance_mismatch", class_id, row.investor_id, shown, row.shares, onchain
                )
            )
        if row.locked_shares is not None and not (row.shares > 0 and onchain == 0):
            chain_locked = locked.get((class_id, wallet), 0)
            if row.locked_shares != chain_locked:
                out.append(
                    Discrepancy(
                        "locked_mismatch",
                        class_id,
                        row.investor_id,
                        shown,
                        row.locked_shares,
                        chain_locked,
                    )
                )
        if record is not None and record.investor_id != row.investor_id:
            out.append(
                Discrepancy(
                    "wallet_mismatch",
                    class_id,
                    row.investor_id,
                    shown,
                    row.investor_id,
                    record.investor_id,
                    detail=f"the registry maps {shown} to {record.investor_id}",
                )
            )

    # positions on chain
    for class_id, cls in ledger.classes.items():
        for wallet, position in cls.positions.items():
            if position.shares <= 0:
                continue
            record = ledger.holders.get(wallet)
            row_for = by_key.get((class_id, wallet))
            unqualified = None if record is None else _unqualified(record, cls.blocked, timestamp)
            if row_for is not None and unqualified is None:
                continue  # in the register and qualified: nothing to say here
            investor = record.investor_id if record else None
            shown = show(wallet)
            if row_for is None:
                out.append(
                    Discrepancy(
                        "missing_in_register", class_id, investor, shown, None, position.shares
                    )
                )
            if unqualified is not None:
                out.append(
                    Discrepancy(
                        "unqualified_holder",
                        class_id,
                        investor,
                        shown,
                        row_for.shares if row_for else None,
                        position.shares,
                        detail=unqualified,
                    )
                )

    for class_id, cls in ledger.classes.items():
        total = row_totals.get(class_id, 0)
        if total != cls.total_supply and (class_id in classes_with_rows or cls.total_supply):
            out.append(
                Discrepancy(
                    "total_mismatch",
                    class_id,
                    None,
                    None,
                    total,
                    cls.total_supply,
                    detail=f"the register's rows add up to {total}, the total supply is {cls.total_supply}",
                )
            )

    out.sort(key=lambda d: (_KIND_ORDER[d.kind], d.class_id, d.wallet or "", d.investor_id or ""))
    return out


def reconcile(
    rows: Iterable[RegisterRow],
    ledger: Ledger,
    *,
    chain_id: int,
    block: int,
    timestamp: int,
    locked: dict[tuple[str, str], int] | None = None,
    display_wallet: Callable[[str], str] | None = None,
) -> Reconciliation:
    found = find_discrepancies(
        rows, ledger, timestamp=timestamp, locked=locked, display_wallet=display_wallet
    )
    return Reconciliation(chain_id, block, timestamp, tuple(found))


def register_rows_from_ledger(
    ledger: Ledger, *, locked: dict[tuple[str, str], int] | None = None, with_locked: bool = True
) -> list[RegisterRow]:
    """The register the ledger implies: one row per position with shares (a clean register).

    Wallets unknown to the registry get their wallet as the investor id (no real register
    would, but the row then at least reconciles its balance).
    """
    locked = locked or {}
    rows: list[RegisterRow] = []
    for class_id, cls in ledger.classes.items():
        for wallet, position in sorted(cls.positions.items()):
            if position.shares <= 0:
                continue
            investor = ledger.investor_of(wallet)
            rows.append(
                RegisterRow(
                    investor_id=investor if investor is not None else wallet[:16],
                    wallet=wallet,
                    class_id=class_id,
                    shares=position.shares,
                    locked_shares=locked.get((class_id, wallet), 0) if with_locked else None,
                    origin="chain",
                )
            )
    return rows


TRADED_KINDS = ("missing_onchain", "missing_in_register", "balance_mismatch")


def with_trades(found: Reconciliation, trades: Iterable[MarketTrade]) -> Reconciliation:
    """Each balance discrepancy of a wallet the secondary market traded for says what the market
    moved (SPEC §12): a register that lags behind settled trades shows why at a glance."""
    from dataclasses import replace

    moved = net_traded(trades)
    if not moved:
        return found
    out = []
    for d in found.discrepancies:
        entry = moved.get((d.class_id, (d.wallet or "").lower()))
        if entry is not None and d.kind in TRADED_KINDS:
            net, count = entry
            note = f"the market moved {net:+,} {d.class_id} in {count} trade(s) up to this block"
            d = replace(d, detail=f"{d.detail}; {note}" if d.detail else note)
        out.append(d)
    return replace(found, discrepancies=tuple(out))
