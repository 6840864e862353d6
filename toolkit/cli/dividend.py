"""``equity dividend``: declare, list, status, pay, claim, reclaim, statement (SPEC §13).

Thin commands over ``toolkit.dividends``: each parses its arguments, calls the library and
renders the result (tables, or one JSON document with ``--json``). Amounts in JSON are integers
in base units of the payment token.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.context import AppContext, global_options, pass_app

if TYPE_CHECKING:
    from toolkit.captable.api import CapTableSession
    from toolkit.dividends.records import DividendBook, DividendRecord


@click.group()
def dividend() -> None:
    """Dividends to holders of record: declare, push or claim, reclaim, report."""


def _book(app: AppContext) -> DividendBook:
    from toolkit.dividends.records import DividendBook

    deployment = app.deployment()
    return DividendBook(app.cwd, deployment.chain_id, deployment.name)


def _money(record: DividendRecord, amount: int) -> str:
    from toolkit.dividends.distribution import format_units

    return f"{format_units(amount, record.token_decimals)} {record.token_symbol}"


def _now(app: AppContext) -> int:
    from toolkit.offering.contracts import chain_time

    return chain_time(app.chain().w3)


def cap_table_session(app: AppContext) -> CapTableSession:
    """The indexer on the offering (a context manager): the cap table as of a record date."""
    from toolkit.captable.api import open_session

    chain = app.chain()
    return open_session(
        rpc_url=chain.rpc_url,
        chain_id=chain.chain_id,
        is_local=chain.is_local,
        cwd=app.cwd,
        deployment=app.options.deployment,
        confirmations=0,
    )


def _settled(app: AppContext, dividend_id: str) -> tuple[DividendBook, DividendRecord]:
    """The book and the record of dividend ID, its address filled in once declared."""
    from toolkit.dividends.distribution import settled

    book = _book(app)
    return book, settled(app.chain().w3, book, book.get(dividend_id))


@dividend.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@global_options
@pass_app
def declare(app: AppContext, file: Path) -> None:
    """Declare the dividend FILE describes and fund it from your account, in one step.

    Entitlements come from the cap table as of its record date; the tree of entitlements is
    written next to the deployment record (publish it to holders).
    """
    from toolkit.dividends.distribution import declare_dividend, plan_dividend
    from toolkit.dividends.terms import read_dividend_file

    deployment = app.deployment()
    terms = read_dividend_file(file, tuple(c.id for c in deployment.classes))
    with cap_table_session(app) as session:
        plan = plan_dividend(app.chain().w3, session, deployment, terms, now=_now(app))
    ent = plan.entitlements
    decimals, symbol = plan.token_decimals, plan.token_symbol
    from toolkit.dividends.distribution import format_units

    app.say(
        f"dividend on {deployment.name}: record block {plan.record_block}, "
        f"{len(ent.leaves)} entitlement(s), funded {format_units(ent.funded, decimals)} {symbol} "
        f"(net {format_units(ent.net, decimals)}, withheld {format_units(ent.withheld, decimals)}, "
        f"dust {format_units(ent.dust, decimals)})"
    )
    if not app.chain().is_local:
        app.confirm(
            f"send {format_units(ent.funded, decimals)} {symbol} from {app.signer().address}?"
        )
    declaration = declare_dividend(app.transactor(), deployment, plan, app.cwd)
    record = declaration.record

    def render() -> None:
        app.say(f"declared dividend {record.id} at {record.address}")
        for tx in declaration.transactions:
            app.say(f"  tx {tx.hash} (block {tx.block}, {tx.gas_used} gas)")
        app.say(f"  tree: {_book(app).tree_path(record.id)}")

    app.result(
        {
            "id": record.id,
            "address": record.address,
            "record_block": record.record_block,
            "funded": record.funded,
            "entitled": record.entitled,
            "dust": record.dust,
            "leaves": record.leaf_count,
            "root": record.root,
            "transactions": [tx.to_json() for tx in declaration.transactions],
        },
        render,
    )


@dividend.command("list")
@global_options
@pass_app
def list_(app: AppContext) -> None:
    """The offering's dividends and where each stands."""
    from toolkit.dividends.distribution import dividend_status, settled

    book = _book(app)
    now = _now(app)
    statuses = [
        dividend_status(app.chain().w3, settled(app.chain().w3, book, r), book.tree(r.id), now)
        for r in book.all()
    ]

    def render() -> None:
        if not statuses:
            app.say("no dividend declared yet")
        for s in statuses:
            r = s.record
            app.say(
                f"dividend {r.id} ({r.state}{', deadline passed' if s.deadline_passed else ''}): "
                f"record block {r.record_block}, funded {_money(r, r.funded)}, paid "
                f"{_money(r, s.paid)}, withheld {_money(r, s.withheld)}, reserved "
                f"{_money(r, s.reserved)}, unclaimed {_money(r, s.unclaimed)}"
            )

    app.result({"dividends": [s.to_json() for s in statuses]}, render)


@dividend.command()
@click.argument("dividend_id", metavar="ID")
@global_options
@pass_app
def status(app: AppContext, dividend_id: str) -> None:
    """Funded, paid, withheld, reserved and unclaimed amounts of dividend ID."""
    from toolkit.dividends.distribution import dividend_status

    book, record = _settled(app, dividend_id)
    result = dividend_status(app.chain().w3, record, book.tree(record.id), _now(app))

    def render() -> None:
        r = record
        app.say(
            f"dividend {r.id} ({r.state}) at {r.address or '(not executed yet)'}: record block "
            f"{r.record_block}, claims until {result.to_json()['claim_deadline']}"
            + (" (passed)" if result.deadline_passed else "")
        )
        app.table(
            None,
            ["class", "amount per share", "shares", "entitled"],
            [
                [
                    c.id,
                    f"{c.amount_per_share} {r.token_symbol}",
                    f"{c.shares:,}",
                    _money(r, c.entitled),
                ]
                for c in r.classes
            ],
        )
        app.say(
            f"  funded {_money(r, r.funded)} = paid {_money(r, result.paid)} + withheld "
            f"{_money(r, result.withheld)} + reserved {_money(r, result.reserved)} + unclaimed "
            f"{_money(r, result.unclaimed)} + reclaimed {_money(r, result.reclaimed)} + dust "
            f"{_money(r, r.dust)}"
        )
        app.say(
            f"  leaves: {result.states.count(1)} paid, {result.states.count(2)} reserved, "
            f"{result.states.count(0)} unpaid of {r.leaf_count}"
        )

    app.result(result.to_json(), render)


@dividend.command()
@click.argument("dividend_id", metavar="ID")
@click.option("--batch-size", type=int, default=None, help="Leaves per transaction (default 100).")
@global_options
@pass_app
def pay(app: AppContext, dividend_id: str, batch_size: int | None) -> None:
    """Push dividend ID to every holder in resumable batches (a rerun never pays twice).

    Blocked wallets (frozen or no longer qualified) are reserved instead; run it again once
    they may receive, even after the deadline.
    """
    from toolkit.cli.issue import CsvProgress, say_resumption
    from toolkit.dividends.pay import DEFAULT_BATCH_SIZE, pay_dividend

    book = _book(app)
    record = book.get(dividend_id)
    tree = book.tree(record.id)
    with contextlib.ExitStack() as stack:
        progress = CsvProgress(app, stack, "paying")
        report = pay_dividend(
            app.transactor(),
            record,
            tree,
            cwd=app.cwd,
            now=_now(app),
            batch_size=DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
            on_start=progress.start,
            on_progress=progress.advance,
            on_resume=lambda r: say_resumption(app, r),
        )
    if report is None:
        app.result(
            {"transactions": [], "leaves": 0, "applied_now": 0},
            lambda: app.say(
                f"nothing to pay: every leaf of dividend {record.id} is paid or still blocked"
            ),
        )
        return
    states = _states(app, record)
    gas = sum(tx.gas_used for tx in report.transactions)

    def render() -> None:
        app.say(
            f"pushed {report.applied_now} leaf(s) of dividend {record.id} in "
            f"{len(report.transactions)} transaction(s), {gas} gas"
            + (f"; {report.applied_before} were done before" if report.applied_before else "")
        )
        app.say(f"  paid {states.count(1)} of {record.leaf_count}, reserved {states.count(2)}")
        app.say(f"  journal: {report.journal}")

    app.result(
        {**report.to_json(), "leaves_paid": states.count(1), "leaves_reserved": states.count(2)},
        render,
    )


def _states(app: AppContext, record: DividendRecord) -> list[int]:
    from toolkit.dividends.distribution import distribution_contract, leaf_states, require_address

    contract = distribution_contract(app.chain().w3, require_address(record))
    return leaf_states(contract, record.leaf_count)


@dividend.command()
@click.argument("dividend_id", metavar="ID")
@global_options
@pass_app
def claim(app: AppContext, dividend_id: str) -> None:
    """Claim your entitlements to dividend ID (the --account's wallet), every class at once."""
    from toolkit.dividends.distribution import claim_dividend

    deployment = app.deployment()
    book, record = _settled(app, dividend_id)
    tree = book.tree(record.id)
    wallet = app.signer().address
    classes = {c.address.lower(): c.id for c in deployment.classes}
    outcomes = claim_dividend(app.transactor(), record, tree, wallet, classes)
    refused = [o for o in outcomes if o.outcome in ("too late", "still reserved")]
    if refused and all(
        o.outcome in ("too late", "still reserved", "already paid") for o in outcomes
    ):
        from toolkit.errors import ChainError

        reasons = "; ".join(
            f"{o.class_id}: "
            + (
                "the claim deadline passed (it was not reserved)"
                if o.outcome == "too late"
                else "still reserved: the wallet is frozen or not qualified"
            )
            for o in refused
        )
        raise ChainError(
            f"nothing of dividend {record.id} was claimed for {wallet}: {reasons}",
            hint="a reserved entitlement pays once the wallet may receive again; nothing was sent",
            kind="claim_refused",
        )

    def render() -> None:
        for o in outcomes:
            line = f"{o.class_id}: {o.outcome}: net {_money(record, o.net)}, withheld {_money(record, o.withheld)}"
            if o.outcome == "reserved" or o.outcome == "still reserved":
                line += " (the wallet is frozen or not qualified: claim again once it may receive)"
            if o.outcome == "too late":
                line += " (the claim deadline passed)"
            app.say(line)
            if o.tx is not None:
                app.say(f"  tx {o.tx.hash} (block {o.tx.block}, {o.tx.gas_used} gas)")

    app.result(
        {
            "wallet": wallet,
            "dividend": record.id,
            "claims": [
                {
                    "index": o.index,
                    "class": o.class_id,
                    "net": o.net,
                    "withheld": o.withheld,
                    "outcome": o.outcome,
                }
                for o in outcomes
            ],
            "transactions": [o.tx.to_json() for o in outcomes if o.tx is not None],
        },
        render,
    )


@dividend.command()
@click.argument("dividend_id", metavar="ID")
@global_options
@pass_app
def reclaim(app: AppContext, dividend_id: str) -> None:
    """After the claim deadline, return what is neither paid nor reserved to the company."""
    from toolkit.dividends.distribution import reclaim_dividend

    _, record = _settled(app, dividend_id)
    amount, tx = reclaim_dividend(app.transactor(), record, _now(app))
    app.result(
        {
            "dividend": record.id,
            "reclaimed": amount,
            "to": record.company,
            "transactions": [tx.to_json()],
        },
        lambda: app.say(
            f"reclaimed {_money(record, amount)} of dividend {record.id} to {record.company}\n"
            f"  tx {tx.hash} (block {tx.block}, {tx.gas_used} gas)"
        ),
    )


@dividend.command()
@click.argument("wallet", required=False)
@global_options
@pass_app
def statement(app: AppContext, wallet: str | None) -> None:
    """WALLET's dividends (default: the --account's): gross, withheld, net and when paid."""
    from toolkit.dividends.statement import build_statement
    from toolkit.offering.inputs import parse_arg, parse_wallet

    holder = parse_arg(parse_wallet, wallet, "WALLET") if wallet else app.signer().address
    deployment = app.deployment()
    classes = {c.address.lower(): c.id for c in deployment.classes}
    result = build_statement(app.chain().w3, _book(app), holder, classes)

    def render() -> None:
        if not result["payments"]:
            app.say(f"{holder} has no dividend entitlements in {deployment.name}")
            return
        app.say(f"dividend statement of {holder} in {deployment.name}")
        for p in result["payments"]:
            where = f"{p['jurisdiction']} " if p["jurisdiction"] else ""
            paid = f"; paid {p['paid_at']} (tx {p['tx']})" if p["paid_at"] else ""
            app.say(
                f"  dividend {p['dividend']} {p['class']}: {p['shares']} shares at block "
                f"{p['record_block']}, {where}{p['withholding_rate']} withheld: gross "
                f"{p['gross_text']} {p['token_symbol']}, withheld {p['withheld_text']}, net "
                f"{p['net_text']}: {p['status']}{paid}"
            )
        for token, total in result["totals"].items():
            app.say(
                f"  total {token}: gross {total['gross_text']}, withheld {total['withheld_text']}, net {total['net_text']} (paid)"
            )

    app.result(result, render)
