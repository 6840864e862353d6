"""Open Cap Table Format (OCF 1.2.0): the cap table's history as a package, and back.

Export: an ``.ocf.zip`` with a manifest, stakeholders (one per investor id, wallets listed
in ``comments``), stock classes, stock legend templates (the lock-up legend), vesting terms
and transactions, all derived from the chain's events:

- a mint is a ``TX_STOCK_ISSUANCE`` of a new security (its lock-up as a legend and a
  comment; its vesting as vesting terms plus a ``TX_VESTING_START``);
- a transfer is a ``TX_STOCK_TRANSFER`` of the sender's securities, oldest first, with a
  new issuance for the receiver and a balance security for what the sender keeps (OCF
  consumes whole securities); forced transfers and recoveries say so in ``comments``;
- a burn is a ``TX_STOCK_CANCELLATION`` (with a balance security when partial);
- a stock split (SPEC §14) is a ``TX_STOCK_CLASS_SPLIT`` with its ratio, placed where its
  first batch ran: the securities outstanding before it scale by the ratio (as OCF means a
  class split), so the batches' issuances are not new securities.
- a conversion (a ``Converter``'s ``SharesConverted``, SPEC §14) is a ``TX_STOCK_CONVERSION`` of
  the source class's securities into the target class's new ones, instead of a cancellation and
  an issuance; a repurchase (``SharesRepurchased``) is a ``TX_STOCK_REPURCHASE`` at its price.

Every security's ``comments`` hold ``wallet:<address>`` so that a package reads back as a
register (``read_ocf_register``). Share counts are strings, as OCF requires.

The package is checked by loading it with ``pyocf`` (whose models are generated from the
official OCF 1.2.0 JSON schemas) before it is reported as written.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from toolkit.captable.corporate_actions import ConversionRecord, RepurchaseRecord
from toolkit.captable.deployment import OfferingDeployment
from toolkit.captable.events import (
    Event,
    ForcedTransfer,
    HolderQualified,
    SharesIssued,
    SharesIssuedVested,
    SharesRedeemed,
    Transfer,
    WalletRecovered,
)
from toolkit.captable.register import (
    Register,
    RegisterRow,
)
from toolkit.captable.round_sales import RoundSale, ocf_currency
from toolkit.corporate.split import ClassSplit
from toolkit.errors import InputError
from toolkit.inputs import (
    ZERO_ADDRESS,
    InvalidValue,
    format_shares,
    iso_date,
    iso_time,
    parse_shares,
    parse_wallet,
)
from toolkit.inputs.csv_file import listing
from toolkit.market.records import MarketTrade

OCF_VERSION = "1.2.0"
WALLET_TAG = "wallet:"
LOCKUP_LEGEND_ID = "legend-lockup"
DAY = 86_400
FILES = {  # the package's files, by the manifest key that lists them
    "stakeholders": "Stakeholders.ocf.json",
    "stock_classes": "StockClasses.ocf.json",
    "stock_legend_templates": "StockLegendTemplates.ocf.json",
    "stock_plans": "StockPlans.ocf.json",
    "valuations": "Valuations.ocf.json",
    "vesting_terms": "VestingTerms.ocf.json",
    "transactions": "Transactions.ocf.json",
}
MANIFEST = "Manifest.ocf.json"


@dataclass(frozen=True)
class ClassInfo:
    """What the chain says about a class beyond the deployment record."""

    name: str
    symbol: str
    authorized: int | None


@dataclass
class _Lot:
    security_id: str
    quantity: int


@dataclass
class OcfBuilder:
    """Folds events (in chain order) into OCF objects; memory grows with open securities."""

    deployment: OfferingDeployment
    class_info: Mapping[str, ClassInfo]
    display_wallet: Callable[[str], str]
    block_time: Callable[[Event], int]
    investors: dict[str, str] = field(default_factory=dict)  # wallet -> investor id
    transactions: list[Any] = field(default_factory=list)  # pyocf transaction models
    vesting_terms: dict[tuple[int, int], Any] = field(default_factory=dict)  # VestingTerms
    lots: dict[tuple[str, str], deque[_Lot]] = field(default_factory=dict)
    serial: dict[str, int] = field(default_factory=dict)
    uses_lockup_legend: bool = False
    # shares sold in rounds, by (transaction, class, wallet): their price (SPEC §11)
    sales: Mapping[tuple[str, str, str], RoundSale] = field(default_factory=dict)
    # transfers settled by the market, by (transaction, class, seller, buyer): their payment
    trades: Mapping[tuple[str, str, str, str], MarketTrade] = field(default_factory=dict)
    # the splits by the hash of each of their batches' transactions (SPEC §14)
    splits: Mapping[str, ClassSplit] = field(default_factory=dict)
    _splits_done: set[tuple[str, int]] = field(default_factory=set)
    # conversions by (transaction, class, wallet), under both the source and the target class
    conversions: Mapping[tuple[str, str, str], ConversionRecord] = field(default_factory=dict)
    repurchases: Mapping[tuple[str, str, str], RepurchaseRecord] = field(default_factory=dict)
    _pending: list[Event] = field(default_factory=list)

    # --- feeding events -----------------------------------------------------------------

    def feed(self, events: Iterable[Event]) -> OcfBuilder:
        """Events grouped by transaction: an issuance's Transfer and SharesIssued belong together."""
        for event in events:
            if self._pending and event.tx_hash != self._pending[0].tx_hash:
                self._flush()
            self._pending.append(event)
        self._flush()
        return self

    def _flush(self) -> None:
        group, self._pending = self._pending, []
        split = self.splits.get(group[0].tx_hash.lower()) if group else None
        if split is not None:  # a split's batch: its issuances are the split itself
            self._split(split, group[0])
            return
        issued: dict[tuple[str, str], list[SharesIssued | SharesIssuedVested]] = {}
        notes: dict[tuple[str, str, str], str] = {}
        redeemed: set[tuple[str, str]] = set()
        for event in group:
            if isinstance(event, SharesIssued | SharesIssuedVested):
                issued.setdefault((event.class_id, event.receiver), []).append(event)
            elif isinstance(event, ForcedTransfer):
                notes[(event.class_id, event.sender, event.receiver)] = (
                    f"forced transfer: {event.reason}"
                )
            elif isinstance(event, WalletRecovered):
                notes[(event.class_id, event.lost_wallet, event.new_wallet)] = "wallet recovery"
            elif isinstance(event, SharesRedeemed):
                redeemed.add((event.class_id, event.holder))
            elif isinstance(event, HolderQualified):
                self.investors[event.wallet] = event.investor_id
        converted: list[tuple[Transfer, ConversionRecord]] = []  # burns that were conversions
        resulting: dict[tuple[str, str], list[str]] = {}  # (target, wallet) -> new securities
        for event in group:
            if not isinstance(event, Transfer):
                continue
            if event.sender == ZERO_ADDRESS:
                detail = issued.get((event.class_id, event.receiver), [])
                record = self._conversion(event, event.receiver)
                if record is not None and record.target != event.class_id:
                    record = None
                security = self._issue(
                    event,
                    detail.pop(0) if detail else None,
                    [f"converted from {record.source}"] if record else [],
                )
                if record is not None:
                    resulting.setdefault((record.target, event.receiver), []).append(security)
            elif event.receiver == ZERO_ADDRESS:
                record = self._conversion(event, event.sender)
                if record is not None and record.source == event.class_id:
                    converted.append((event, record))
                    continue
                bought = self.repurchases.get((event.tx_hash.lower(), event.class_id, event.sender))
                if bought is not None:
                    self._repurchase(event, bought)
                    continue
                reason = "redeemed" if (event.class_id, event.sender) in redeemed else "burned"
                self._cancel(event, reason)
            else:
                self._transfer(event, notes.get((event.class_id, event.sender, event.receiver)))
        for event, record in converted:
            self._convert(event, record, resulting.get((record.target, event.sender), []))

    # --- securities ---------------------------------------------------------------------

    def _next_security(self, class_id: str) -> tuple[str, str]:
        n = self.serial.get(class_id, 0) + 1
        self.serial[class_id] = n
        prefix = self._prefix(class_id)
        return f"{class_id}-{n}", f"{prefix}-{n}"

    def _prefix(self, class_id: str) -> str:
        info = self.class_info.get(class_id)
        return (info.symbol if info and info.symbol else class_id).upper()

    def _stakeholder_id(self, wallet: str) -> str:
        investor = self.investors.get(wallet)
        return investor if investor is not None else f"wallet-{wallet}"

    def _quantity(self, class_id: str, units: int) -> str:
        spec = self.deployment.class_by_id(class_id)
        return format_shares(units, spec.decimals if spec else 0)

    def _new_security(
        self,
        event: Event,
        class_id: str,
        wallet: str,
        units: int,
        *,
        comments: list[str],
        vesting: SharesIssuedVested | None = None,
        locked_until: int = 0,
        origin: str = "issued",
        trade: MarketTrade | None = None,
    ) -> str:
        from pyocf.api import StockIssuance, VestingStart

        security_id, custom_id = self._next_security(class_id)
        when = self.block_time(event)
        notes = [
            f"{WALLET_TAG}{self.display_wallet(wallet)}",
            f"{origin} in {event.tx_hash}",
            *comments,
        ]
        legends = []
        if locked_until > when:
            legends = [LOCKUP_LEGEND_ID]
            notes.append(f"locked until {iso_time(locked_until)}")
            self.uses_lockup_legend = True
        terms_id = None
        if vesting is not None:
            terms_id = self._vesting_terms(vesting)
            notes.append(
                f"vesting {iso_time(vesting.start)} cliff {iso_time(vesting.cliff)} end {iso_time(vesting.end)}"
            )
        share_price = {"amount": "0", "currency": "USD"}
        sale = self.sales.get((event.tx_hash.lower(), class_id, wallet.lower()))
        if sale is not None and origin == "issued":
            share_price = {
                "amount": format(sale.share_price, "f"),
                "currency": ocf_currency(sale.payment_symbol),
            }
            notes.append(
                f"sold in round {sale.round} at {sale.share_price} {sale.payment_symbol} per share, "
                f"paid {sale.paid} base units of {sale.payment_token}"
            )
        if trade is not None:  # bought on the market: the price the buyer paid
            share_price = {
                "amount": format(trade.share_price, "f"),
                "currency": ocf_currency(trade.payment_symbol),
            }
            notes.append(f"bought on the market: {trade.consideration()}")
        self.transactions.append(
            StockIssuance(
                id=f"issuance-{security_id}",
                security_id=security_id,
                custom_id=custom_id,
                stakeholder_id=self._stakeholder_id(wallet),
                stock_class_id=class_id,
                date=iso_date(when),
                quantity=self._quantity(class_id, units),
                share_price=share_price,
                security_law_exemptions=[],
                stock_legend_ids=legends,
                vesting_terms_id=terms_id,
                comments=notes,
            )
        )
        if vesting is not None:
            self.transactions.append(
                VestingStart(
                    id=f"vesting-start-{security_id}",
                    security_id=security_id,
                    date=iso_date(vesting.start),
                    vesting_condition_id="start",
                )
            )
        self.lots.setdefault((class_id, wallet), deque()).append(_Lot(security_id, units))
        return security_id

    def _conversion(self, event: Transfer, wallet: str) -> ConversionRecord | None:
        return self.conversions.get((event.tx_hash.lower(), event.class_id, wallet))

    def _issue(
        self,
        event: Transfer,
        detail: SharesIssued | SharesIssuedVested | None,
        comments: list[str],
    ) -> str:
        if isinstance(detail, SharesIssuedVested):
            return self._new_security(
                event,
                event.class_id,
                event.receiver,
                event.amount,
                comments=comments,
                vesting=detail,
            )
        if isinstance(detail, SharesIssued):
            return self._new_security(
                event,
                event.class_id,
                event.receiver,
                event.amount,
                comments=comments,
                locked_until=detail.locked_until,
            )
        return self._new_security(
            event, event.class_id, event.receiver, event.amount, comments=[*comments, "minted"]
        )

    def _convert(self, event: Transfer, record: ConversionRecord, resulting: list[str]) -> None:
        """The source securities the conversion consumed, each a TX_STOCK_CONVERSION into the
        target class's new securities (one conversion may consume several and issue several)."""
        from pyocf.api import StockConversion

        kind = "mandatory conversion" if record.mandatory else "conversion"
        target = self.deployment.class_by_id(record.target)
        into = format_shares(record.converted, target.decimals if target else 0)
        comments = [f"tx {event.tx_hash}", f"{kind} of {record.source} into {into} {record.target}"]
        self._consume(
            event,
            "conversion",
            lambda fields, quantity: StockConversion(
                **fields,
                quantity_converted=quantity,
                resulting_security_ids=resulting,
                comments=comments,
            ),
        )

    def _take(self, event: Event, class_id: str, wallet: str, units: int) -> list[tuple[_Lot, int]]:
        """Consume ``units`` from the wallet's securities, oldest first: (lot, units taken)."""
        lots = self.lots.get((class_id, wallet), deque())
        taken: list[tuple[_Lot, int]] = []
        remaining = units
        while remaining > 0 and lots:
            lot = lots.popleft()
            used = min(lot.quantity, remaining)
            taken.append((lot, used))
            remaining -= used
        if remaining > 0:
            raise InputError(
                f"the events of class {class_id} move more shares out of {wallet} than it holds "
                f"(block {event.block})",
                hint="the cache may be damaged: delete .equity/cache and run again",
            )
        return taken

    def _split_balance(
        self, event: Event, class_id: str, wallet: str, lot: _Lot, used: int
    ) -> str | None:
        """A new security for the part of ``lot`` the wallet keeps (put back first in line)."""
        left = lot.quantity - used
        if left <= 0:
            return None
        balance_id = self._new_security(
            event,
            class_id,
            wallet,
            left,
            comments=[f"balance of {lot.security_id}"],
            origin="balance",
        )
        # the balance security keeps the consumed lot's place in line
        lots = self.lots[(class_id, wallet)]
        lots.pop()
        lots.appendleft(_Lot(balance_id, left))
        return balance_id

    def _transfer(self, event: Transfer, note: str | None) -> None:
        from pyocf.api import StockTransfer

        trade = self.trades.get(
            (event.tx_hash.lower(), event.class_id, event.sender.lower(), event.receiver.lower())
        )
        for lot, used in self._take(event, event.class_id, event.sender, event.amount):
            comments = [note] if note else []
            resulting = self._new_security(
                event,
                event.class_id,
                event.receiver,
                used,
                comments=[f"from {lot.security_id}", *comments],
                origin="received",
                trade=trade,
            )
            balance = self._split_balance(event, event.class_id, event.sender, lot, used)
            self.transactions.append(
                StockTransfer(
                    id=f"transfer-{event.block}-{event.log_index}-{lot.security_id}",
                    security_id=lot.security_id,
                    date=iso_date(self.block_time(event)),
                    quantity=self._quantity(event.class_id, used),
                    resulting_security_ids=[resulting],
                    balance_security_id=balance,
                    consideration_text=trade.consideration() if trade else None,
                    comments=[f"tx {event.tx_hash}", *comments],
                )
            )

    def _split(self, split: ClassSplit, event: Event) -> None:
        """The class split, once (at its first batch): every open security of the class scales.
        A consolidation's fractions are bought back first (cash in lieu), and a holder whose
        securities do not each divide by the ratio has them reissued as one after the split."""
        from pyocf.api import StockClassSplit

        if (split.class_id, split.number) in self._splits_done:
            return
        self._splits_done.add((split.class_id, split.number))
        ratio = split.ratio
        if ratio.is_consolidation:
            self._fractions(split, event)
        split_id = f"split-{split.class_id}-{split.number}"
        self.transactions.append(
            StockClassSplit(
                id=split_id,
                stock_class_id=split.class_id,
                date=iso_date(self.block_time(event)),
                split_ratio={
                    "numerator": str(ratio.numerator),
                    "denominator": str(ratio.denominator),
                },
                comments=[f"{ratio} split of {split.class_id}, started in block {split.block}"],
            )
        )
        for (class_id, wallet), lots in list(self.lots.items()):
            if class_id != split.class_id:
                continue
            if all(lot.quantity % ratio.denominator == 0 for lot in lots):
                for lot in lots:
                    lot.quantity = lot.quantity * ratio.numerator // ratio.denominator
            else:
                self._reissue_consolidated(split_id, event, class_id, wallet, ratio.denominator)

    def _fractions(self, split: ClassSplit, event: Event) -> None:
        """Each holder's fraction of a consolidation (balance mod N whole shares), bought back at
        the cash-in-lieu price (a TX_STOCK_REPURCHASE of the pre-consolidation shares)."""
        from pyocf.api import StockRepurchase

        spec = self.deployment.class_by_id(split.class_id)
        lot_size = split.ratio.denominator * 10 ** (spec.decimals if spec else 0)
        cash = split.cash
        price = {
            "amount": format(cash.share_price() if cash else 0, "f"),
            "currency": ocf_currency(cash.symbol if cash else ""),
        }
        comments = [
            f"tx {event.tx_hash}",
            f"cash in lieu of a fraction in the {split.ratio} consolidation of {split.class_id}"
            + (
                f": {cash.price} base units of {cash.payment_token} per share before it"
                if cash
                else ""
            ),
        ]
        for (class_id, wallet), lots in list(self.lots.items()):
            remainder = sum(lot.quantity for lot in lots) % lot_size
            if class_id != split.class_id or not remainder:
                continue
            burn = Transfer(
                event.block, event.log_index, event.tx_hash, event.timestamp, class_id, wallet,
                ZERO_ADDRESS, remainder,
            )  # fmt: skip
            if cash is None:  # (the agent refuses a fraction without a price)
                self._cancel(burn, f"fraction of the {split.ratio} consolidation")
                continue
            self._consume(
                burn,
                "cash-in-lieu",
                lambda fields, quantity: StockRepurchase(
                    **fields, quantity=quantity, price=price, comments=comments
                ),
            )

    def _reissue_consolidated(
        self, split_id: str, event: Event, class_id: str, wallet: str, denominator: int
    ) -> None:
        """A holder's securities that do not each divide by the consolidation's ratio, reissued
        after it as one security of their total divided by it (exact: the fraction was bought
        back)."""
        from pyocf.api import StockReissuance

        old = list(self.lots.pop((class_id, wallet)))
        kept = sum(lot.quantity for lot in old) // denominator
        new_id = self._new_security(
            event,
            class_id,
            wallet,
            kept,
            comments=[f"reissued after {split_id}: {', '.join(lot.security_id for lot in old)}"],
            origin="reissued",
        )
        for index, lot in enumerate(old):
            self.transactions.append(
                StockReissuance(
                    id=f"reissuance-{split_id}-{lot.security_id}",
                    security_id=lot.security_id,
                    date=iso_date(self.block_time(event)),
                    resulting_security_ids=[new_id] if index == 0 else [],
                    split_transaction_id=split_id,
                    comments=[f"with the holder's other securities as {new_id}"],
                )
            )

    def _cancel(self, event: Transfer, reason: str) -> None:
        from pyocf.api import StockCancellation

        self._consume(
            event,
            "cancellation",
            lambda fields, quantity: StockCancellation(
                **fields, quantity=quantity, reason_text=reason, comments=[f"tx {event.tx_hash}"]
            ),
        )

    def _consume(
        self, event: Transfer, kind: str, transaction: Callable[[dict[str, Any], str], Any]
    ) -> None:
        """Each of the sender's securities ``event`` takes (oldest first) as one OCF transaction,
        ``transaction(fields, quantity)``, with a balance security for what a partial one leaves."""
        for lot, used in self._take(event, event.class_id, event.sender, event.amount):
            fields = {
                "id": f"{kind}-{event.block}-{event.log_index}-{lot.security_id}",
                "security_id": lot.security_id,
                "date": iso_date(self.block_time(event)),
                "balance_security_id": self._split_balance(
                    event, event.class_id, event.sender, lot, used
                ),
            }
            self.transactions.append(transaction(fields, self._quantity(event.class_id, used)))

    def _repurchase(self, event: Transfer, record: RepurchaseRecord) -> None:
        """The securities the company bought back, each a TX_STOCK_REPURCHASE at the price paid."""
        from pyocf.api import StockRepurchase

        how = f"pro-rata program {record.program}" if record.program else "the holder's consent"
        price = {
            "amount": format(record.share_price, "f"),
            "currency": ocf_currency(record.payment_symbol),
        }
        comments = [
            f"tx {event.tx_hash}",
            f"repurchased under {how}: {record.paid} base units of {record.payment_token} "
            f"for {record.shares} base units",
        ]
        self._consume(
            event,
            "repurchase",
            lambda fields, quantity: StockRepurchase(
                **fields, quantity=quantity, price=price, comments=comments
            ),
        )

    def _vesting_terms(self, vesting: SharesIssuedVested) -> str:
        from pyocf.api import VestingTerms

        cliff_s = max(0, vesting.cliff - vesting.start)
        total_s = max(1, vesting.end - vesting.start)
        key = (cliff_s, total_s)
        if key in self.vesting_terms:
            return str(self.vesting_terms[key].id)
        total_days = max(1, round(total_s / DAY))
        cliff_days = min(total_days, round(cliff_s / DAY))
        terms_id = f"vesting-{cliff_s}-{total_s}"
        conditions: list[dict[str, Any]] = [
            {
                "id": "start",
                "description": "vesting start (the issuance's start time)",
                "quantity": "0",
                "trigger": {"type": "VESTING_START_DATE"},
                "next_condition_ids": ["cliff" if cliff_days else "linear"],
            }
        ]
        after = "start"
        if cliff_days:
            conditions.append(
                {
                    "id": "cliff",
                    "description": f"cliff after {cliff_days} days",
                    "portion": {"numerator": str(cliff_days), "denominator": str(total_days)},
                    "trigger": {
                        "type": "VESTING_SCHEDULE_RELATIVE",
                        "period": {"type": "DAYS", "length": cliff_days, "occurrences": 1},
                        "relative_to_condition_id": "start",
                    },
                    "next_condition_ids": ["linear"] if cliff_days < total_days else [],
                }
            )
            after = "cliff"
        if cliff_days < total_days:
            conditions.append(
                {
                    "id": "linear",
                    "description": "linear daily vesting until the end",
                    "portion": {
                        "numerator": str(total_days - cliff_days),
                        "denominator": str(total_days),
                    },
                    "trigger": {
                        "type": "VESTING_SCHEDULE_RELATIVE",
                        "period": {
                            "type": "DAYS",
                            "length": 1,
                            "occurrences": total_days - cliff_days,
                        },
                        "relative_to_condition_id": after,
                    },
                    "next_condition_ids": [],
                }
            )
        self.vesting_terms[key] = VestingTerms(
            id=terms_id,
            name=f"{total_days} days, {cliff_days}-day cliff",
            description=(
                f"Linear vesting over {total_s} seconds with a cliff at {cliff_s} seconds "
                "(the contract vests by the second; OCF periods are whole days)"
            ),
            allocation_type="CUMULATIVE_ROUNDING",
            vesting_conditions=conditions,
        )
        return terms_id


def build_ocf_files(
    events: Iterable[Event],
    deployment: OfferingDeployment,
    *,
    class_info: Mapping[str, ClassInfo],
    as_of_timestamp: int,
    block_time: Callable[[Event], int],
    display_wallet: Callable[[str], str] = lambda w: w,
    issuer_name: str | None = None,
    country_of_formation: str = "US",
    generated_at: str | None = None,
    formation_timestamp: int | None = None,
    sales: Iterable[RoundSale] = (),
    trades: Iterable[MarketTrade] = (),
    splits: Iterable[ClassSplit] = (),
    conversions: Iterable[ConversionRecord] = (),
    repurchases: Iterable[RepurchaseRecord] = (),
) -> dict[str, bytes]:
    """The package's files (name -> JSON bytes), manifest included."""
    from pyocf.api import (
        Issuer,
        OCFManifestFile,
        Stakeholder,
        StakeholdersFile,
        StockClass,
        StockClassesFile,
        StockLegendTemplate,
        StockLegendTemplatesFile,
        StockPlansFile,
        TransactionsFile,
        ValuationsFile,
        VestingTermsFile,
    )

    by_issuance = {(s.tx_hash.lower(), s.class_id, s.wallet.lower()): s for s in sales}
    by_batch = {tx: split for split in splits for tx in split.batch_txs}
    by_conversion = {
        (c.tx_hash, class_id, c.wallet): c for c in conversions for class_id in (c.source, c.target)
    }
    builder = OcfBuilder(
        deployment,
        class_info,
        display_wallet,
        block_time,
        sales=by_issuance,
        trades={t.key(): t for t in trades},
        splits=by_batch,
        conversions=by_conversion,
        repurchases={(r.tx_hash, r.class_id, r.wallet): r for r in repurchases},
    ).feed(events)
    wallets_by_investor: dict[str, list[str]] = {}
    for wallet, investor in builder.investors.items():
        wallets_by_investor.setdefault(investor, []).append(display_wallet(wallet))
    stakeholder_ids = {
        t.stakeholder_id for t in builder.transactions if getattr(t, "stakeholder_id", None)
    }
    stakeholders = []
    for sid in sorted(stakeholder_ids | set(wallets_by_investor)):
        wallet_list = sorted(wallets_by_investor.get(sid, []))
        if sid.startswith("wallet-") and sid not in wallets_by_investor:
            wallet_list = [display_wallet(sid.removeprefix("wallet-"))]
        stakeholders.append(
            Stakeholder(
                id=sid,
                name={"legal_name": sid},
                issuer_assigned_id=sid,
                stakeholder_type="INDIVIDUAL",
                comments=[f"{WALLET_TAG}{w}" for w in wallet_list],
            )
        )
    stock_classes = []
    for seniority, spec in enumerate(deployment.classes, start=1):
        info = class_info.get(spec.id)
        authorized = info.authorized if info else None
        name = (info.name if info and info.name else spec.name) or spec.id
        stock_classes.append(
            StockClass(
                id=spec.id,
                name=name,
                class_type="PREFERRED" if "prefer" in name.lower() else "COMMON",
                default_id_prefix=builder._prefix(spec.id),
                initial_shares_authorized=(
                    format_shares(authorized, spec.decimals)
                    if authorized is not None
                    else "UNLIMITED"
                ),
                votes_per_share=str(spec.votes_per_share),
                seniority=str(seniority),
                comments=[f"token {display_wallet(spec.address.lower())}"],
            )
        )
    legends = (
        [
            StockLegendTemplate(
                id=LOCKUP_LEGEND_ID,
                name="Lock-up",
                text="These shares may not be transferred before the lock-up date in the "
                "issuance's comments.",
            )
        ]
        if builder.uses_lockup_legend
        else []
    )
    documents = {
        "stakeholders": StakeholdersFile(items=stakeholders),
        "stock_classes": StockClassesFile(items=stock_classes),
        "stock_legend_templates": StockLegendTemplatesFile(items=legends),
        "stock_plans": StockPlansFile(items=[]),
        "valuations": ValuationsFile(items=[]),
        "vesting_terms": VestingTermsFile(items=list(builder.vesting_terms.values())),
        "transactions": TransactionsFile(items=builder.transactions),
    }
    files: dict[str, bytes] = {}
    listed: dict[str, list[dict[str, str]]] = {}
    for key, document in documents.items():
        body = _json_bytes(document)
        files[FILES[key]] = body
        listed[f"{key}_files"] = [{"filepath": FILES[key], "md5": hashlib.md5(body).hexdigest()}]
    manifest = OCFManifestFile(
        ocf_version=OCF_VERSION,
        issuer=Issuer(
            id=f"issuer-{deployment.name}",
            legal_name=issuer_name or deployment.company or deployment.name,
            formation_date=iso_date(
                formation_timestamp if formation_timestamp is not None else as_of_timestamp
            ),
            country_of_formation=country_of_formation,
            comments=[
                f"chain {deployment.chain_id}, registry {display_wallet(deployment.registry.lower())}"
            ],
        ),
        as_of=iso_date(as_of_timestamp),
        generated_at=generated_at or iso_time(int(datetime.now(UTC).timestamp())),
        comments=[f"exported by equity from chain {deployment.chain_id}"],
        **listed,
    )
    files[MANIFEST] = _json_bytes(manifest)
    return files


def _json_bytes(document: Any) -> bytes:
    """A pyocf model as OCF JSON: absent fields left out, numbers as fixed-point strings
    (``format(Decimal, "f")``: pydantic would write 1E-7), dates in ISO form."""
    data = document.model_dump(mode="python", exclude_none=True)
    return json.dumps(data, indent=2, default=_json_value).encode()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return iso_time(int(value.timestamp()))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def write_ocf_zip(files: Mapping[str, bytes], path: Path) -> Path:
    """Write the package and check that it loads with pyocf (OCF 1.2.0 models)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in (MANIFEST, *sorted(n for n in files if n != MANIFEST)):
            archive.writestr(name, files[name])
    try:
        load_ocf(tmp)
    except InputError:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return path


def check_ocf_archive(path: Path) -> None:
    """Refuse, naming what is wrong, a file that is not a zip of JSON files with a manifest
    (pyocf reads anything that is not a zip as a bare manifest, and says only "Expecting
    value: line 1 column 1")."""
    import json

    fix = "give the .ocf.zip that `equity captable export --format ocf` (or another OCF tool) wrote"
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path} is not an OCF package: it is not a zip archive", hint=fix)
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if MANIFEST not in names:
                raise InputError(f"{path} is not an OCF package: it has no {MANIFEST}", hint=fix)
            for name in names:
                if name.endswith(".json"):
                    try:
                        json.loads(archive.read(name))
                    except ValueError as exc:
                        raise InputError(
                            f"{path}: {name} is not JSON ({getattr(exc, 'msg', exc)}, "
                            f"line {getattr(exc, 'lineno', '?')}); nothing was compared",
                            hint=fix,
                        ) from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path} is not a readable OCF package: {exc}", hint=fix) from exc


def load_ocf(path: Path) -> Any:
    """A pyocf ``Captable`` of the package (validating every object), or InputError."""
    from pydantic import ValidationError
    from pyocf.captable import Captable

    check_ocf_archive(path)
    try:
        return Captable.load(path)
    except ValidationError as exc:
        details = exc.errors()
        where = ".".join(str(p) for p in details[0]["loc"]) if details else ""
        message = details[0]["msg"] if details else str(exc)
        raise InputError(
            f"{path} is not a valid OCF 1.2.0 package: {where}: {message}",
            hint="export it again, or fix the object named",
        ) from exc
    except (KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"{path} is not a readable OCF package: {exc}", hint="give an .ocf.zip"
        ) from exc


def _wallet_in(comments: Iterable[str] | None) -> list[str]:
    return [c[len(WALLET_TAG) :].strip() for c in (comments or []) if c.startswith(WALLET_TAG)]


CONSUMING_OBJECTS = {
    "TX_STOCK_TRANSFER",
    "TX_STOCK_CANCELLATION",
    "TX_STOCK_REPURCHASE",
    "TX_STOCK_RETRACTION",
    "TX_STOCK_CONVERSION",
    "TX_STOCK_REISSUANCE",
}


def read_ocf_register(path: Path, *, class_decimals: Mapping[str, int] | None = None) -> Register:
    """An OCF package as register rows: its outstanding stock securities per class and wallet.

    A security's wallet is its ``wallet:`` comment, else its stakeholder's only ``wallet:``
    comment; a security with neither is a bad row. Locks are not in OCF (``locked_shares``
    is left unsaid).
    """
    captable = load_ocf(path)
    decimals = dict(class_decimals or {})
    investor_of: dict[str, str] = {}
    stakeholder_wallets: dict[str, list[str]] = {}
    for sh in captable.stakeholders:
        investor_of[sh.id] = sh.issuer_assigned_id or sh.id
        stakeholder_wallets[sh.id] = _wallet_in(sh.comments)
    consumed = {
        tx.security_id
        for tx in captable.transactions
        if getattr(tx, "object_type", None) in CONSUMING_OBJECTS
    }
    totals: dict[tuple[str, str], list[Any]] = {}
    errors: list[str] = []
    # a TX_STOCK_CLASS_SPLIT scales the securities of its class listed before it
    scale: dict[int, tuple[int, int]] = {}  # issuance position -> the product of later ratios
    ratios: dict[str, tuple[int, int]] = {}
    for position in range(len(captable.transactions) - 1, -1, -1):
        tx = captable.transactions[position]
        kind = getattr(tx, "object_type", None)
        if kind == "TX_STOCK_CLASS_SPLIT":
            n, d = ratios.get(tx.stock_class_id, (1, 1))
            ratio = tx.split_ratio
            ratios[tx.stock_class_id] = (
                n * int(Decimal(str(getattr(ratio.numerator, "root", ratio.numerator)))),
                d * int(Decimal(str(getattr(ratio.denominator, "root", ratio.denominator)))),
            )
        elif kind == "TX_STOCK_ISSUANCE":
            scale[position] = ratios.get(tx.stock_class_id, (1, 1))
    for position, tx in enumerate(captable.transactions):
        if getattr(tx, "object_type", None) != "TX_STOCK_ISSUANCE" or tx.security_id in consumed:
            continue
        origin = f"security {tx.security_id}"
        wallets = _wallet_in(tx.comments) or (
            stakeholder_wallets.get(tx.stakeholder_id, [])
            if len(stakeholder_wallets.get(tx.stakeholder_id, [])) == 1
            else []
        )
        if len(wallets) != 1:
            errors.append(f"{origin}: no single wallet (add a '{WALLET_TAG}0x...' comment)")
            continue
        try:
            wallet = parse_wallet(wallets[0], checksummed=False)
            units = parse_shares(
                f"{Decimal(str(getattr(tx.quantity, 'root', tx.quantity))):f}",
                decimals.get(tx.stock_class_id, 0),
                allow_zero=True,
                what="quantity",
            )
        except InvalidValue as exc:
            errors.append(f"{origin}: {exc}")
            continue
        numerator, denominator = scale[position]
        units = units * numerator // denominator
        investor = investor_of.get(tx.stakeholder_id, tx.stakeholder_id)
        key = (tx.stock_class_id, wallet)
        entry = totals.setdefault(key, [investor, 0, origin])
        if entry[0] != investor:
            errors.append(f"{origin}: wallet {wallets[0]} also belongs to stakeholder {entry[0]}")
            continue
        entry[1] += units
    if errors:
        raise InputError(
            f"{path} has {len(errors)} bad securit{'ies' if len(errors) != 1 else 'y'}:\n"
            + listing(errors),
            hint="fix the securities listed and run again; nothing was compared",
        )
    rows = tuple(
        RegisterRow(investor, wallet, class_id, units, None, origin)
        for (class_id, wallet), (investor, units, origin) in sorted(totals.items())
    )
    return Register(rows, str(path))
