"""``equity issue --csv``: issue every row of an issuances CSV, resumably.

Rows are grouped per class in file order into batches of ``batch_size``: a batch of plain
(locked or unlocked) grants is one ``issueBatch`` call; a batch with vesting grants is one
``multicall`` of ``issue``/``issueVested`` calls. Before anything new is sent, the rows still to
do are checked against the chain (authorized shares left, each receiver's qualification for
its class) and every refusal is listed with its line. Journal, resume and crash-safety are
``toolkit.batches``'.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.batches.run import (
    NO_HOOKS,
    BatchRunReport,
    RunHooks,
    check_batch_size,
    run_csv_batches,
)
from toolkit.batches.sender import Batch
from toolkit.issuance.issuances_csv import IssuanceRow, iter_issuances, validate_issuances
from toolkit.issuance.preflight import check_authorized, check_holder_caps, check_receivers

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor
    from toolkit.offering.contracts import OfferingContracts


def issue_from_csv(
    transactor: Transactor,
    contracts: OfferingContracts,
    csv_path: Path,
    *,
    batch_size: int,
    cwd: Path,
    now: int,
    hooks: RunHooks = NO_HOOKS,
    again: bool = False,
) -> BatchRunReport:
    """Validate the whole file, then issue what is not issued yet (see the module docstring).
    ``again``: issue rows a completed run already issued once more (a second tranche)."""
    check_batch_size(batch_size)
    deployment = contracts.deployment
    classes = {c.id: c for c in deployment.classes}
    checked = validate_issuances(csv_path, classes, now=now)

    def plan(applied: set[int]) -> Iterator[Batch]:
        return plan_batches(contracts, iter_issuances(csv_path, classes), applied, batch_size)

    def preflight(applied: set[int]) -> None:
        def remaining() -> Iterator[IssuanceRow]:
            return (row for row in iter_issuances(csv_path, classes) if row.line not in applied)

        check_authorized(contracts, remaining(), csv_path)
        check_receivers(contracts, remaining, csv_path)
        check_holder_caps(contracts, remaining, csv_path)

    return run_csv_batches(
        transactor, deployment, checked, "issue", cwd, plan, preflight, hooks, again=again
    )


def plan_batches(
    contracts: OfferingContracts,
    rows: Iterator[IssuanceRow],
    applied: set[int],
    batch_size: int,
) -> Iterator[Batch]:
    """Batches of the rows not applied, per class in file order; memory is one pending batch
    per class."""
    pending: dict[str, list[IssuanceRow]] = {}
    for row in rows:
        if row.line in applied:
            continue
        bucket = pending.setdefault(row.class_id, [])
        bucket.append(row)
        if len(bucket) >= batch_size:
            yield _batch(contracts, row.class_id, bucket)
            pending[row.class_id] = []
    for class_id, bucket in pending.items():
        if bucket:
            yield _batch(contracts, class_id, bucket)


def _batch(contracts: OfferingContracts, class_id: str, rows: list[IssuanceRow]) -> Batch:
    token = contracts.token(class_id)
    first, last = rows[0].line, rows[-1].line
    label = f"issue {class_id} to {len(rows)} wallet(s) (lines {first}-{last})"
    call: Any
    if all(row.vesting is None for row in rows):
        call = token.functions.issueBatch(
            [row.wallet for row in rows],
            [row.amount for row in rows],
            [row.locked_until for row in rows],
        )
    else:
        call = token.functions.multicall([_encoded_issue(token, row) for row in rows])
    return Batch(
        rows=tuple(row.line for row in rows),
        call=call,
        label=label,
        wallets=tuple(row.wallet for row in rows),
    )


def _encoded_issue(token: Any, row: IssuanceRow) -> str:
    if row.vesting is not None:
        vesting = row.vesting
        return str(
            token.encode_abi(
                "issueVested", [row.wallet, row.amount, vesting.start, vesting.cliff, vesting.end]
            )
        )
    return str(token.encode_abi("issue", [row.wallet, row.amount, row.locked_until]))
