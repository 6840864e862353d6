"""``equity dividend``: declare, list, status, pay, claim, reclaim, statement (SPEC §13).

Thin commands over ``toolkit.dividends``: each parses its arguments (``DIVIDEND``, ``WALLET``,
the shared ``--batch-size``), calls the library and renders the result (lines, or one JSON
document with ``--json``). Amounts in JSON are integers in base units of the payment token.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import batch_size_option, global_options
from toolkit.cli.paramtypes import DIVIDEND, WALLET

if TYPE_CHECKING:
    from toolkit.dividends.records import DividendBook, DividendRecord

PAY_BATCH_SIZE = 100  # leaves per pay transaction (the gas goal's batch)


@examples(
    ("declare, then push to every holder", "equity dividend declare dividend.toml"),
    "equity dividend pay latest",
)
@click.group()
def dividend() -> None:
    """Dividends to holders of record: declare, push or claim, reclaim, report."""


def _book(app: AppContext) -> DividendBook:
    from toolkit.dividends.records import DividendBook

    deployment = app.deployment()
    return DividendBook(app.cwd, deployment.chain_id, deployment.name)


def _money(record: DividendRecord, amount: int) -> str:
    from toolkit.dividends.distribution import format_money

    return format_money(amount, record.token_decimals, record.token_symbol)


def _now(app: AppContext) -> int:
    from toolkit.chain.clock import latest_timestamp

    return latest_timestamp(app.chain().w3)


def _classes(app: AppContext) -> dict[str, str]:
    """Class token address (lower case) -> class id: how a leaf's token is shown."""
    return {c.address.lower(): c.id for c in app.deployment().classes}


@examples(
    (
        "pay the holders of record the file names, funded from your account",
        "equity dividend declare dividend.toml",
    ),
    ("the same, for a script", "equity dividend declare dividend.toml --json"),
)
@dividend.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@global_options
@pass_app
def declare(app: AppContext, file: Path) -> None:
    """Declare the dividend FILE describes and fund it from your account, in one step.

    Entitlements come from the cap table as of its record date; the tree of entitlements is
    written next to the deployment record (publish it to holders).
    """
    from toolkit.cli.cap_table_session import cap_table_session
    from toolkit.dividends.distribution import declare_dividend, format_money, plan_dividend
    from toolkit.dividends.terms import read_dividend_file

    deployment = app.deployment()
    terms = read_dividend_file(file, tuple(c.id for c in deployment.classes))
    with cap_table_session(app) as session:
        plan = plan_dividend(app.chain().w3, session, deployment, terms, now=_now(app))
    app.say(plan.summary(deployment.name))
    if not app.chain().is_local:
        funded = format_money(plan.funded, plan.token_decimals, plan.token_symbol)
        app.confirm(f"send {funded} from {app.signer().address}?")
    declaration = declare_dividend(app.transactor(), deployment, plan, app.cwd)
    record = declaration.record
    app.sent(
        f"declared dividend {record.id} at {record.address}",
        declaration.transactions,
        declaration.to_json(),
        then=lambda: f"tree: {_book(app).tree_path(record.id)} (publish it to the holders)",
    )


@examples("equity dividend list", ("for a script", "equity dividend list --json"))
@dividend.command("list")
@global_options
@pass_app
def list_(app: AppContext) -> None:
    """The offering's dividends and where each stands."""
    from toolkit.dividends.distribution import dividend_status, settled

    book = _book(app)
    now = _now(app)
    w3 = app.chain().w3
    statuses = [dividend_status(w3, settled(w3, book, r), book.tree(r.id), now) for r in book.all()]

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


@examples("equity dividend status 1", ("the newest", "equity dividend status latest --json"))
@dividend.command()
@click.argument("record", metavar="ID", type=DIVIDEND)
@global_options
@pass_app
def status(app: AppContext, record: DividendRecord) -> None:
    """Funded, paid, withheld, reserved and unclaimed amounts of dividend ID."""
    from toolkit.dividends.distribution import dividend_status

    result = dividend_status(app.chain().w3, record, _book(app).tree(record.id), _now(app))

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


@examples(
    (
        "push dividend 1 in batches; run it again to resume or to pay unblocked wallets",
        "equity dividend pay 1",
    ),
    ("smaller batches", "equity dividend pay 1 --batch-size 20"),
)
@dividend.command()
@click.argument("record", metavar="ID", type=DIVIDEND)
@batch_size_option("leaves", default=PAY_BATCH_SIZE)
@global_options
@pass_app
def pay(app: AppContext, record: DividendRecord, batch_size: int | None) -> None:
    """Push dividend ID to every holder in resumable batches (a rerun never pays twice).

    Blocked wallets (frozen or no longer qualified) are reserved instead; run it again once
    they may receive, even after the deadline. A reserved entitlement of a lost wallet that
    was recovered (`equity recover`) is paid to the wallet it was recovered to.
    """
    from toolkit.batches.run import RunHooks
    from toolkit.cli.batch_runs import CsvProgress, say_resumption
    from toolkit.dividends.pay import pay_dividend

    tokens = [token for _, token in app.contracts().all_tokens()]
    with contextlib.ExitStack() as stack:
        progress = CsvProgress(app, stack, "paying")
        report = pay_dividend(
            app.transactor(),
            record,
            _book(app).tree(record.id),
            class_tokens=tokens,
            cwd=app.cwd,
            now=_now(app),
            batch_size=PAY_BATCH_SIZE if batch_size is None else batch_size,
            hooks=RunHooks(
                on_start=progress.start,
                on_progress=progress.advance,
                on_resume=lambda r: say_resumption(app, r),
            ),
        )
    run = report.batches
    if run is None:
        headline = f"nothing to push: every leaf of dividend {record.id} is paid or still blocked"
    else:
        headline = f"pushed {run.applied_now} leaf(s) of dividend {record.id}" + (
            f"; {run.applied_before} were done before" if run.applied_before else ""
        )
    for paid in report.recovered:
        headline += f"\n  leaf {paid.index} of {paid.lost} " + (
            f"not paid to {paid.wallet}: {paid.refused}"
            if paid.refused
            else f"paid to {paid.wallet} (recovered)"
        )
    states = report.states
    app.sent(
        headline,
        report.transactions,
        report.to_json(),
        then=lambda: (
            f"paid {states.count(1)} of {record.leaf_count}, reserved {states.count(2)}"
            + (f"; journal: {run.journal}" if run else "")
        ),
    )


@examples(("Alice claims her part of dividend 1", "equity --account alice dividend claim 1"))
@dividend.command()
@click.argument("record", metavar="ID", type=DIVIDEND)
@global_options
@pass_app
def claim(app: AppContext, record: DividendRecord) -> None:
    """Claim your entitlements to dividend ID (the --account's wallet), every class at once."""
    from toolkit.dividends.distribution import claim_dividend

    tree = _book(app).tree(record.id)
    result = claim_dividend(app.transactor(), record, tree, app.signer().address, _classes(app))
    app.sent("\n".join(result.lines()), result.transactions, result.to_json())


@examples(("after the claim deadline", "equity dividend reclaim 1"))
@dividend.command()
@click.argument("record", metavar="ID", type=DIVIDEND)
@global_options
@pass_app
def reclaim(app: AppContext, record: DividendRecord) -> None:
    """After the claim deadline, return what is neither paid nor reserved to the company."""
    from toolkit.dividends.distribution import reclaim_dividend

    amount, tx = reclaim_dividend(app.transactor(), record, _now(app))
    app.sent(
        f"reclaimed {_money(record, amount)} of dividend {record.id} to {record.company}",
        [tx],
        {"dividend": record.id, "reclaimed": amount, "to": record.company},
    )


@examples(
    ("your own (the --account's wallet)", "equity --account alice dividend statement"),
    ("any holder's", "equity dividend statement 0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
)
@dividend.command()
@click.argument("wallet", required=False, type=WALLET)
@global_options
@pass_app
def statement(app: AppContext, wallet: str | None) -> None:
    """WALLET's dividends (default: the --account's): gross, withheld, net and when paid."""
    from toolkit.dividends.statement import build_statement

    holder = wallet or app.signer().address
    offering = app.deployment().name
    result = build_statement(app.chain().w3, _book(app), holder, _classes(app))

    def render() -> None:
        if not result["payments"]:
            app.say(f"{holder} has no dividend entitlements in {offering}")
            return
        app.say(f"dividend statement of {holder} in {offering}")
        for p in result["payments"]:
            where = f"{p['jurisdiction']} " if p["jurisdiction"] else ""
            paid = f"; paid {p['paid_at']} (tx {p['tx']})" if p["paid_at"] else ""
            if p["recovered_from"]:
                paid += f", entitlement of {p['recovered_from']} (recovered)"
            elif p["paid_to"] and p["paid_to"].lower() != holder.lower():
                paid += f", to {p['paid_to']} (recovered)"
            app.say(
                f"  dividend {p['dividend']} {p['class']}: {p['shares']:,} shares at block "
                f"{p['record_block']}, {where}{p['withholding_rate']} withheld: gross "
                f"{p['gross_text']} {p['token_symbol']}, withheld {p['withheld_text']}, net "
                f"{p['net_text']}: {p['status']}{paid}"
            )
        for token, total in result["totals"].items():
            app.say(
                f"  total {token}: gross {total['gross_text']}, withheld "
                f"{total['withheld_text']}, net {total['net_text']} (paid)"
            )

    app.result(result, render)
