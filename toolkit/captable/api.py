"""Entry points of the cap table for the CLI and for scripts: show, export, reconcile, waterfall.

Each one reads the offering's state at a block through the indexer (the shell), then hands
plain data to the pure core. ``--as-of`` takes a block number or an ISO 8601 date (UTC); by
default the newest *final* block is used: the chain head less ``confirmations`` (0 on local
chains, ``DEFAULT_REMOTE_CONFIRMATIONS`` elsewhere).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from toolkit.captable.cap_table import CapTable, build_cap_table
from toolkit.captable.deployment import OfferingDeployment, load_deployment
from toolkit.captable.indexer import IndexedState, Indexer
from toolkit.captable.log_reader import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    LogReader,
    RangePolicy,
)
from toolkit.captable.ocf import read_ocf_register
from toolkit.captable.reconcile import (
    Reconciliation,
    reconcile,
    register_rows_from_ledger,
    with_trades,
)
from toolkit.captable.register import Register, read_register_csv, register_csv
from toolkit.captable.round_sales import RoundSale, paid_in_capital, read_round_sales
from toolkit.captable.waterfall import Waterfall, waterfall
from toolkit.corporate.split import ClassSplit
from toolkit.errors import InputError, UsageError
from toolkit.inputs import checksum_address
from toolkit.market.records import (
    NOTICE_TOPICS,
    TRADE_TOPIC,
    MarketTrade,
    notice_trades_of,
    traded_volume,
    trades_of,
)

DEFAULT_REMOTE_CONFIRMATIONS = 12
ExportFormat = Literal["csv", "json", "ocf"]


def parse_as_of(text: str | None) -> int | datetime | None:
    """``--as-of``: a block number, or an ISO 8601 date/time (UTC unless it says otherwise)."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--as-of {value!r} is neither a block number nor an ISO 8601 date",
            hint="e.g. --as-of 1234 or --as-of 2027-06-30 or --as-of 2027-06-30T12:00:00",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if len(value) == 10:  # a bare date means the end of that day
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment


def read_register(path: Path, *, class_decimals: Mapping[str, int] | None = None) -> Register:
    """A register file: ``.csv``, or an OCF package (``.ocf.zip``)."""
    if not path.is_file():
        raise InputError(f"register {path} not found", hint="give the path of a .csv or .ocf.zip")
    if path.name.lower().endswith(".zip"):
        return read_ocf_register(path, class_decimals=class_decimals)
    return read_register_csv(path, class_decimals=class_decimals)


@dataclass
class CapTableSession:
    """An indexer bound to one offering on one chain (close it when done)."""

    indexer: Indexer
    deployment: OfferingDeployment
    confirmations: int
    cwd: Path | None = None  # where deployments/ records the offering's rounds

    def close(self) -> None:
        self.indexer.close()

    def __enter__(self) -> CapTableSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def state(self, as_of: str | int | datetime | None = None) -> IndexedState:
        target = parse_as_of(as_of) if isinstance(as_of, str) else as_of
        if isinstance(target, datetime) or (target is None and self.confirmations):
            self._check_within_chain(target, as_of)
        if isinstance(target, datetime):
            target = self.indexer.block_at_time(target)
        return self.indexer.state_at(confirmations=self.confirmations, as_of=target)

    def _check_within_chain(self, target: datetime | None, given: object) -> None:
        """Refuse a date after the chain's clock (as a block after its head is refused) and
        more confirmations than the chain has blocks, in words (exit 2)."""
        from toolkit.inputs import iso_time

        head = self.indexer.client.call("eth_getBlockByNumber", ["latest", False])
        latest, now = int(head["number"], 16), int(head["timestamp"], 16)
        if target is None:
            if self.confirmations > latest:
                raise UsageError(
                    f"--confirmations {self.confirmations} asks for a block that far below the "
                    f"head, but the chain has only {latest + 1} blocks (0 to {latest})",
                    hint=f"give --confirmations {latest} or fewer, or --as-of BLOCK",
                )
            return
        bare_date = isinstance(given, str) and len(given.strip()) == 10
        start = target.replace(hour=0, minute=0, second=0) if bare_date else target
        if start.timestamp() > now:
            raise UsageError(
                f"--as-of {str(given).strip()} is in the future: the chain's time is "
                f"{iso_time(now)} (block {latest})",
                hint="give a date at or before the chain's time, or leave --as-of out for the "
                "newest block",
            )

    def round_sales(self, block: int) -> list[RoundSale]:
        """Shares the offering's rounds sold up to ``block``, with what was paid (SPEC §11)."""
        from toolkit.rounds.records import recorded_rounds

        if self.cwd is None:
            return []
        rounds = recorded_rounds(self.deployment.chain_id, self.cwd, self.deployment.name)
        return read_round_sales(self.indexer.client, rounds, block)

    def trades(self, block: int) -> list[MarketTrade]:
        """Trades the offering's market settled up to ``block``, with their payment (SPEC §12)."""
        deployment = self.deployment
        if not deployment.market or deployment.deploy_block > block:
            return []
        client = self.indexer.client
        reader = LogReader(client, [deployment.market], [TRADE_TOPIC], self.indexer.policy)
        logs = reader.fetch_all(deployment.deploy_block, block)
        trades = trades_of(client, logs, deployment.classes, block)
        if deployment.rofr:  # notices of the company's right of first refusal, once settled
            reader = LogReader(client, [deployment.rofr], list(NOTICE_TOPICS), self.indexer.policy)
            held = reader.fetch_all(deployment.deploy_block, block)
            trades += notice_trades_of(client, held, deployment.classes, block, deployment.rofr)
            trades.sort(key=lambda t: (t.block, t.log_index))
        return trades

    def paid_in_capital(self, block: int) -> dict[str, list[dict[str, Any]]]:
        """Per class, what its rounds raised up to ``block``."""
        return paid_in_capital(self.round_sales(block), list(self.deployment.class_ids()))

    def show_document(self, table: CapTable) -> dict[str, Any]:
        """SPEC §9's ``captable show --json`` (and ``export --format json``), each class with
        the capital paid in through rounds (``paid_in_capital``: per payment token) and its
        stock splits (``splits``: ratio and the block each started at, SPEC §14)."""
        data = table.to_json()
        paid_in = self.paid_in_capital(table.block)
        traded = traded_volume(self.trades(table.block), list(self.deployment.class_ids()))
        splits = self.class_splits(table.block)
        for cls in data["classes"]:
            cls["paid_in_capital"] = paid_in.get(cls["id"], [])
            cls["traded"] = traded.get(cls["id"], [])
            cls["splits"] = [
                {"ratio": str(s.ratio), "block": s.block} for s in splits if s.class_id == cls["id"]
            ]
        return data

    # --- the three commands -------------------------------------------------------------

    def cap_table(
        self, as_of: str | int | datetime | None = None, *, class_id: str | None = None
    ) -> CapTable:
        if class_id is not None and self.deployment.class_by_id(class_id) is None:
            raise UsageError(
                f"unknown class {class_id!r}",
                hint="the offering's classes are: " + ", ".join(self.deployment.class_ids()),
            )
        state = self.state(as_of)
        wallets = sorted({w for cls in state.ledger.classes.values() for w in cls.holders()})
        categories = self.indexer.categories_at(wallets, state.block, state.timestamp)
        table = cap_table_of(state, categories)
        return table.only(class_id) if class_id else table

    def waterfall(
        self, exit_value: Decimal, offering_file: Path, as_of: str | int | datetime | None = None
    ) -> tuple[Waterfall, bool]:
        """The exit waterfall at ``as_of`` under the liquidation terms of ``offering_file``
        (SPEC §14), and whether that file differs from the one the offering was deployed from."""
        from toolkit.offering.offering_file import load_offering

        offering = load_offering(offering_file)
        terms = {c.id: c.liquidation for c in offering.classes}
        missing = [c for c in self.deployment.class_ids() if c not in terms]
        if missing:
            raise InputError(
                f"{offering_file} has no class {', '.join(missing)}, which this offering has",
                hint="give the offering file it was deployed from: --offering FILE",
            )
        table = cap_table_of(self.state(as_of))
        changed = offering.sha256 != self.deployment.offering_hash
        return waterfall(table, terms, exit_value), changed

    def reconcile(
        self, register_path: Path, as_of: str | int | datetime | None = None
    ) -> Reconciliation:
        decimals = {c.id: c.decimals for c in self.deployment.classes}
        if not register_path.is_file():  # bad input: before any RPC
            read_register(register_path)
        # the register is parsed while the first requests are out; a bad one stops the read
        # before anything is folded, and outranks any error of the chain's
        with ThreadPoolExecutor(1, thread_name_prefix="register") as pool:
            parsing = pool.submit(read_register, register_path, class_decimals=decimals)
            self.indexer.before_fold = parsing.result
            try:
                state = self.state(as_of)
            except Exception:
                if (bad := parsing.exception()) is not None:
                    raise bad from None
                raise
            finally:
                self.indexer.before_fold = None
            register = parsing.result()
        found = reconcile(
            register.rows,
            state.ledger,
            chain_id=state.chain_id,
            block=state.block,
            timestamp=state.timestamp,
            locked=state.locked,
            display_wallet=checksum_address,
        )
        return with_trades(found, self.trades(state.block)) if found.discrepancies else found

    def export(
        self, fmt: ExportFormat, out: Path, as_of: str | int | datetime | None = None
    ) -> dict[str, Any]:
        if fmt not in ("csv", "json", "ocf"):
            raise UsageError(f"unknown format {fmt!r}", hint="use --format csv, json or ocf")
        state = self.state(as_of)
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            rows = register_rows_from_ledger(state.ledger, locked=state.locked)
            decimals = {c.id: c.decimals for c in self.deployment.classes}
            out.write_text(
                register_csv(rows, class_decimals=decimals, display_wallet=checksum_address)
            )
            count = len(rows)
        elif fmt == "json":
            table = cap_table_of(state)
            out.write_text(json.dumps(self.show_document(table), indent=2))
            count = sum(len(c.holders) for c in table.classes)
        else:
            count = self._export_ocf(state, out)
        return {
            "path": str(out),
            "format": fmt,
            "chain_id": state.chain_id,
            "block": state.block,
            "rows": count,
        }

    def _export_ocf(self, state: IndexedState, out: Path) -> int:
        from toolkit.captable.corporate_actions import read_conversions, read_repurchases
        from toolkit.captable.ocf import ClassInfo, build_ocf_files, write_ocf_zip

        info = self.indexer.class_info(state.block)
        class_info = {
            c.id: ClassInfo(
                name=info.get(c.id, {}).get("name") or c.name or c.id,
                symbol=info.get(c.id, {}).get("symbol") or c.symbol or c.id,
                authorized=state.ledger.classes[c.id].authorized,
            )
            for c in self.deployment.classes
        }
        events = [*self.indexer.cache.replay(state.block), *self.indexer.unconfirmed]
        files = build_ocf_files(
            events,
            self.deployment,
            class_info=class_info,
            as_of_timestamp=state.timestamp,
            block_time=self._block_times(events),
            display_wallet=checksum_address,
            formation_timestamp=self._time_of_block(self.deployment.deploy_block),
            sales=self.round_sales(state.block),
            trades=self.trades(state.block),
            splits=self.class_splits(state.block),
            conversions=read_conversions(self.indexer.client, self.deployment, state.block),
            repurchases=read_repurchases(self.indexer.client, self.deployment, state.block),
        )
        write_ocf_zip(files, out)
        return len(events)

    def class_splits(self, block: int) -> list[ClassSplit]:
        """The offering's stock splits up to ``block`` (SPEC §14), from the SplitAgent's logs."""
        from toolkit.corporate.split import class_splits

        if self.cwd is None:
            return []
        tokens = {c.address: c.id for c in self.deployment.classes}
        return class_splits(
            self.indexer.client.call, self.cwd, self.deployment.chain_id, tokens, block
        )

    def _time_of_block(self, block: int) -> int:
        answer = self.indexer.client.call("eth_getBlockByNumber", [hex(max(block, 0)), False])
        return int(answer["timestamp"], 16) if isinstance(answer, dict) else 0

    def _block_times(self, events: list[Any]) -> Callable[[Any], int]:
        """Block time of each event: from its log when the node sent it, else read in one batch."""
        missing = sorted({e.block for e in events if e.timestamp is None})
        times: dict[int, int] = {}
        if missing:
            answers = self.indexer.client.batch_or_raise(
                [("eth_getBlockByNumber", [hex(b), False]) for b in missing]
            )
            times = {b: int(a["timestamp"], 16) for b, a in zip(missing, answers, strict=True)}

        def block_time(event: Any) -> int:
            return int(event.timestamp if event.timestamp is not None else times[event.block])

        return block_time


def cap_table_of(state: IndexedState, categories: dict[str, int] | None = None) -> CapTable:
    return build_cap_table(
        state.ledger,
        state.deployment,
        block=state.block,
        timestamp=state.timestamp,
        locked=state.locked,
        display_wallet=checksum_address,
        categories=categories,
    )


def open_session(
    *,
    rpc_url: str,
    chain_id: int,
    is_local: bool,
    cwd: Path,
    deployment: str | None = None,
    confirmations: int | None = None,
    concurrency: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> CapTableSession:
    """A session on the offering recorded in ``cwd/deployments`` for this chain.

    ``concurrency``: log range requests in flight at most (default ``DEFAULT_CONCURRENCY``).
    """
    offering = load_deployment(cwd, chain_id, deployment)
    if confirmations is None:
        confirmations = 0 if is_local else DEFAULT_REMOTE_CONFIRMATIONS
    if confirmations < 0:
        raise UsageError("--confirmations must be 0 or more", hint="e.g. --confirmations 12")
    if concurrency is None:
        concurrency = DEFAULT_CONCURRENCY
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UsageError(
            f"--concurrency must be 1 to {MAX_CONCURRENCY}, not {concurrency}",
            hint=f"e.g. --concurrency {DEFAULT_CONCURRENCY}",
        )
    policy = (
        RangePolicy.for_local_node(concurrency)
        if is_local
        else RangePolicy(concurrency=concurrency)
    )
    indexer = Indexer.for_offering(rpc_url, offering, cwd, policy=policy, on_progress=on_progress)
    return CapTableSession(indexer, offering, confirmations, cwd)
