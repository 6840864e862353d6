"""The cap table at a block: per class and combined per investor.

Percentages, all in percent of whole shares (so classes with different ``decimals`` add up):

- ``percent`` (of class): the position's share of its class's outstanding shares;
- ``percent_outstanding``: of all outstanding shares of every class;
- ``percent_fully_diluted``: of the *fully diluted* shares, as the industry counts them:
  every class's outstanding shares plus its *reserved* shares. Reserved shares are those a
  class sets aside for issuance that is promised but not yet made (an option pool's
  unallocated shares, warrants, a conversion): the offering file's ``reserved`` for the
  class, at most its authorized shares not yet issued. Authorized shares that nothing
  reserves do not dilute anyone and are not counted (with no reserve, fully diluted equals
  outstanding).

Votes are the voting rights the shares carry: whole shares x the class's ``votes_per_share``,
rounded down per position as the votes source rounds per class (SPEC §10; delegation moves who
casts them, not whose they are).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from toolkit.captable.deployment import OfferingDeployment
from toolkit.captable.ledger import Ledger
from toolkit.inputs import json_time

PERCENT_DIGITS = 6


@dataclass(frozen=True)
class HolderLine:
    class_id: str
    investor_id: str | None
    wallet: str
    shares: int
    locked_shares: int
    votes: int
    percent: float
    percent_outstanding: float
    percent_fully_diluted: float
    category: str | None = None  # SPEC §15, at the table's block

    def to_json(self) -> dict[str, Any]:
        return {
            "investor_id": self.investor_id,
            "wallet": self.wallet,
            "category": self.category,
            "shares": self.shares,
            "locked_shares": self.locked_shares,
            "votes": self.votes,
            "percent": self.percent,
            "percent_outstanding": self.percent_outstanding,
            "percent_fully_diluted": self.percent_fully_diluted,
        }


@dataclass(frozen=True)
class ClassTable:
    id: str
    total_supply: int
    authorized: int | None
    votes_per_share: int
    decimals: int
    holders: tuple[HolderLine, ...]
    reserved: int = 0  # base units counted as reserved: min(declared, authorized - supply)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "total_supply": self.total_supply,
            "authorized": self.authorized,
            "reserved": self.reserved,
            "votes_per_share": self.votes_per_share,
            "decimals": self.decimals,
            "holders": [h.to_json() for h in self.holders],
        }


@dataclass(frozen=True)
class InvestorLine:
    """One investor across classes and wallets (a wallet unknown to the registry stands alone)."""

    investor_id: str | None
    wallets: tuple[str, ...]
    shares: dict[str, int]  # by class
    locked_shares: dict[str, int]
    votes: int
    percent_outstanding: float
    percent_fully_diluted: float

    def to_json(self) -> dict[str, Any]:
        return {
            "investor_id": self.investor_id,
            "wallets": list(self.wallets),
            "shares": dict(self.shares),
            "locked_shares": dict(self.locked_shares),
            "votes": self.votes,
            "percent_outstanding": self.percent_outstanding,
            "percent_fully_diluted": self.percent_fully_diluted,
        }


@dataclass(frozen=True)
class CapTable:
    chain_id: int
    block: int
    timestamp: int
    classes: tuple[ClassTable, ...]
    investors: tuple[InvestorLine, ...]
    # whole shares of every class (kept when the table is cut to one class by ``only``)
    outstanding: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)

    @property
    def fully_diluted(self) -> Decimal:
        """Outstanding plus reserved: the denominator of ``percent_fully_diluted``."""
        return self.outstanding + self.reserved

    def only(self, class_id: str) -> CapTable:
        """The same table restricted to one class (combined lines dropped)."""
        return replace(
            self, classes=tuple(c for c in self.classes if c.id == class_id), investors=()
        )

    def to_json(self) -> dict[str, Any]:
        """The ``captable show --json`` document of SPEC §9 (plus ``combined`` and ``timestamp``)."""
        return {
            "chain_id": self.chain_id,
            "block": self.block,
            "timestamp": json_time(self.timestamp),
            "classes": [c.to_json() for c in self.classes],
            "combined": [i.to_json() for i in self.investors],
        }


def reserved_units(declared: int, total_supply: int, authorized: int | None) -> int:
    """The reserved shares that count toward fully diluted: what the class declares, at
    most its authorized shares not yet issued (all of it when authorized is unknown)."""
    if authorized is None:
        return max(declared, 0)
    return max(min(declared, authorized - total_supply), 0)


def _percent(part: Decimal, whole: Decimal) -> float:
    if whole == 0:
        return 0.0
    return round(float(part * 100 / whole), PERCENT_DIGITS)


def build_cap_table(
    ledger: Ledger,
    deployment: OfferingDeployment,
    *,
    block: int,
    timestamp: int,
    locked: dict[tuple[str, str], int] | None = None,
    authorized: dict[str, int] | None = None,
    display_wallet: Any = None,
    categories: dict[str, int] | None = None,
) -> CapTable:
    """The cap table of a ledger.

    ``locked`` gives locked shares per (class, wallet) (absent = 0); ``authorized`` overrides
    the ledger's authorized counts (as read from the chain); ``display_wallet`` maps a
    lowercase wallet to how it is shown (e.g. its checksum form); ``categories`` gives the
    investor category number of a lowercase wallet (absent = none).
    """
    from toolkit.inputs import category_name

    categories = categories or {}
    locked = locked or {}
    show = display_wallet or (lambda w: w)
    scale = {c.id: Decimal(10) ** c.decimals for c in deployment.classes}
    unit = {c.id: 10**c.decimals for c in deployment.classes}  # base units per whole share
    vps = {c.id: c.votes_per_share for c in deployment.classes}

    class_authorized: dict[str, int | None] = {}
    for class_id, cls in ledger.classes.items():
        value = (authorized or {}).get(class_id, cls.authorized)
        class_authorized[class_id] = value
    outstanding = sum(
        (Decimal(cls.total_supply) / scale[cid] for cid, cls in ledger.classes.items()), Decimal(0)
    )
    reserved = {
        spec.id: reserved_units(
            spec.reserved, ledger.classes[spec.id].total_supply, class_authorized[spec.id]
        )
        for spec in deployment.classes
    }
    diluted = outstanding + sum(
        (Decimal(units) / scale[cid] for cid, units in reserved.items()), Decimal(0)
    )

    tables: list[ClassTable] = []
    by_investor: dict[str, dict[str, Any]] = {}
    for spec in deployment.classes:
        cls = ledger.classes[spec.id]
        supply = Decimal(cls.total_supply)
        lines: list[HolderLine] = []
        for wallet, shares in cls.holders().items():
            investor = ledger.investor_of(wallet)
            whole = Decimal(shares) / scale[spec.id]
            line = HolderLine(
                class_id=spec.id,
                investor_id=investor,
                wallet=show(wallet),
                shares=shares,
                locked_shares=locked.get((spec.id, wallet), 0),
                votes=shares * vps[spec.id] // unit[spec.id],
                percent=_percent(Decimal(shares), supply),
                percent_outstanding=_percent(whole, outstanding),
                percent_fully_diluted=_percent(whole, diluted),
                category=category_name(categories.get(wallet, 0)),
            )
            lines.append(line)
            key = investor if investor is not None else f"wallet:{wallet}"
            entry = by_investor.setdefault(
                key,
                {
                    "investor": investor,
                    "wallets": [],
                    "shares": {},
                    "locked": {},
                    "votes": 0,
                    "whole": Decimal(0),
                },
            )
            if line.wallet not in entry["wallets"]:
                entry["wallets"].append(line.wallet)
            entry["shares"][spec.id] = entry["shares"].get(spec.id, 0) + shares
            entry["locked"][spec.id] = entry["locked"].get(spec.id, 0) + line.locked_shares
            entry["votes"] += line.votes
            entry["whole"] += whole
        lines.sort(key=lambda h: (-h.shares, h.wallet))
        tables.append(
            ClassTable(
                id=spec.id,
                total_supply=cls.total_supply,
                authorized=class_authorized[spec.id],
                votes_per_share=spec.votes_per_share,
                decimals=spec.decimals,
                holders=tuple(lines),
                reserved=reserved[spec.id],
            )
        )

    investors = [
        InvestorLine(
            investor_id=e["investor"],
            wallets=tuple(sorted(e["wallets"])),
            shares=e["shares"],
            locked_shares=e["locked"],
            votes=e["votes"],
            percent_outstanding=_percent(e["whole"], outstanding),
            percent_fully_diluted=_percent(e["whole"], diluted),
        )
        for e in by_investor.values()
    ]
    investors.sort(key=lambda i: (-i.percent_outstanding, i.investor_id or "", i.wallets))
    return CapTable(
        deployment.chain_id,
        block,
        timestamp,
        tuple(tables),
        tuple(investors),
        outstanding=outstanding,
        reserved=diluted - outstanding,
    )
