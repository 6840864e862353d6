"""``equity split CLASS RATIO``: run a split governance started, in resumable batches (SPEC §14)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import batch_size_option, global_options
from toolkit.cli.paramtypes import CLASS

if TYPE_CHECKING:
    from toolkit.offering.deployments import ClassDeployment


@examples(
    (
        "after the vote on 'split COMMON 2:1': scale every holder, resume transfers",
        "equity split COMMON 2:1",
    ),
    ("smaller transactions (a rerun resumes)", "equity split COMMON 2:1 --batch-size 50"),
    (
        "after the vote on 'split COMMON 1:10': one share for ten, fractions paid in cash",
        "equity split COMMON 1:10",
    ),
)
@click.command()
@click.argument("share_class", metavar="CLASS", type=CLASS)
@click.argument("ratio_text", metavar="RATIO")
@batch_size_option("holders")
@global_options
@pass_app
def split(
    app: AppContext, share_class: ClassDeployment, ratio_text: str, batch_size: int | None
) -> None:
    """Scale every holder of CLASS by RATIO (NEW:OLD, e.g. 2:1, or 1:10 to consolidate) once
    governance started the split (`equity gov propose --action "split CLASS RATIO"`, voted and
    executed): balances, lock-ups, vesting and votes scale; transfers resume at the end. A
    consolidation pays each fraction at the class's cash_in_lieu_price (none: a fraction is
    refused before anything is sent). A rerun resumes where a run stopped and never scales a
    holder twice."""
    import sys

    from toolkit.cli.cap_table_session import cap_table_session
    from toolkit.corporate.split import (
        DEFAULT_BATCH_SIZE,
        SplitState,
        agent_contract,
        parse_ratio,
        pending_holders,
        recorded_agent,
        run_split,
    )
    from toolkit.errors import UsageError
    from toolkit.inputs import format_shares

    ratio = parse_ratio(ratio_text)
    chain = app.chain()
    address = recorded_agent(app.cwd, chain.chain_id)
    if address is None:
        raise UsageError(
            f"no split of {share_class.id} was proposed on this chain",
            hint=f"a split is a governance action: `equity gov propose --title ... "
            f'--action "split {share_class.id} {ratio}"`, then vote, queue and execute it',
        )
    agent = agent_contract(chain.w3, address)
    token = app.contracts().token_of(share_class)
    with cap_table_session(app) as session:
        wallets = list(session.state().ledger.classes[share_class.id].holders())
    state = SplitState.read(agent, token.address)
    total = len(pending_holders(wallets, state.cursor)) if state.running else 0
    size = batch_size or DEFAULT_BATCH_SIZE
    with app.progress(f"splitting {share_class.id} {ratio}", total) as advance:
        done = [0]

        def on_batch(count: int) -> None:
            advance(count)
            done[0] += count
            if not sys.stderr.isatty() and not app.options.quiet and not app.options.json:
                click.echo(f"scaled {done[0]:,} of {total:,} holders", err=True)

        result = run_split(
            app.transactor(),
            agent,
            token,
            share_class.id,
            ratio,
            wallets,
            batch_size=size,
            on_batch=on_batch,
        )
    decimals = share_class.decimals
    app.sent(
        f"split {share_class.id} {ratio}: {result.holders:,} holder(s) scaled, "
        f"{format_shares(result.supply_before, decimals, grouped=True)} -> "
        f"{format_shares(result.supply_after, decimals, grouped=True)} shares"
        + (
            f", {result.cash_paid:,} base units paid in lieu of fractions"
            if ratio.is_consolidation
            else ""
        )
        + "; transfers resumed",
        result.transactions,
        {k: v for k, v in result.to_json().items() if k != "transactions"},
    )
