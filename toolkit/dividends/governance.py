"""``declare-dividend FILE`` in a proposal: the timelock declares and funds the dividend.

The entitlements are computed when the proposal is made (the record date must be past by
then), so what shareholders vote on is the exact tree, totals and accounts. The proposal's two
calls approve the factory and declare through it; when the proposal executes, the timelock
funds the distribution (it is the company: reclaimed money goes back to it) and the issuer's
account is its distributor. The dividend is recorded as "proposed" at once and gets its address
from the factory's event once executed.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.dividends.distribution import DividendPlan, ensure_factory, format_money, plan_dividend
from toolkit.dividends.records import DividendBook
from toolkit.dividends.terms import read_dividend_file
from toolkit.governance.actions import (
    ActionTargets,
    PreparedDividend,
    dividend_file_key,
    parse_actions,
)

if TYPE_CHECKING:
    from toolkit.captable.api import CapTableSession
    from toolkit.chain.tx import Transactor
    from toolkit.offering.deployments import Deployment

VERB = "declare-dividend"


def dividend_files(actions: Sequence[str]) -> list[str]:
    files = []
    for text in actions:
        try:
            words = shlex.split(text)
        except ValueError:
            continue  # parse_actions reports it
        if len(words) == 2 and words[0].lower() == VERB:
            files.append(words[1])
    return files


@dataclass
class PreparedProposal:
    dividends: dict[str, PreparedDividend]
    plans: dict[str, DividendPlan]


def prepare_dividends(
    transactor: Transactor,
    session: CapTableSession,
    deployment: Deployment,
    actions: Sequence[str],
    *,
    cwd: Path,
    now: int,
) -> PreparedProposal:
    """Check the other actions (pure), then work out each dividend file from the chain."""
    files = dividend_files(actions)
    if not files:
        return PreparedProposal({}, {})
    others = [a for a in actions if a.split()[:1] != [VERB] and a.strip()]
    if others:
        parse_actions(others, ActionTargets.from_deployment(deployment))
    class_ids = tuple(c.id for c in deployment.classes)
    plans = {
        dividend_file_key(f): plan_dividend(
            transactor.chain.w3,
            session,
            deployment,
            read_dividend_file(Path(f), class_ids),
            now=now,
        )
        for f in files
    }
    factory = ensure_factory(transactor, cwd)
    prepared = {}
    for key, plan in plans.items():
        amount = format_money(plan.funded, plan.token_decimals, plan.token_symbol)
        prepared[key] = PreparedDividend(
            payment_token=plan.token,
            factory=factory,
            funded=plan.funded,
            terms=plan.terms(deployment, deployment.deployer),
            summary=(
                f"declare a dividend of {amount} to the holders of record at "
                f"block {plan.record_block} ({len(plan.tree)} entitlements, root "
                f"0x{plan.tree.root.hex()[:16]}…)"
            ),
        )
    return PreparedProposal(prepared, plans)


def record_proposed(
    prepared: PreparedProposal, deployment: Deployment, proposal_id: int, cwd: Path
) -> list[int]:
    """Record each dividend of a proposal that was made (state "proposed")."""
    book = DividendBook(cwd, deployment.chain_id, deployment.name)
    ids = []
    for key, plan in prepared.plans.items():
        dividend = prepared.dividends[key]
        record = plan.record(
            book.next_id(),
            deployment,
            company=deployment.timelock,
            distributor=deployment.deployer,
            factory=dividend.factory,
        )
        record.state = "proposed"
        record.proposal_id = str(proposal_id)
        book.save(record, plan.tree.dump())
        ids.append(record.id)
    return ids
