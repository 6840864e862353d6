"""``equity holders import HOLDERS.csv``: register every row, resumably.

Rows go out in file order, ``batch_size`` wallets per ``addHolders`` call, through the same
journal and resume rules as batch issuance (``toolkit.batches``). Before anything new
is sent, the remaining wallets are looked up: one already registered would make its batch
revert, so every such row is listed and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.batches.run import (
    NO_HOOKS,
    BatchRunReport,
    RunHooks,
    check_batch_size,
    run_csv_batches,
)
from toolkit.batches.sender import Batch
from toolkit.errors import ChainError
from toolkit.holders.holders_csv import HolderRow, iter_holders, validate_holders
from toolkit.holders.registry import read_holders
from toolkit.inputs import NO_CATEGORY, investor_id_bytes
from toolkit.inputs.csv_file import listing

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor
    from toolkit.offering.contracts import OfferingContracts


def import_holders(
    transactor: Transactor,
    contracts: OfferingContracts,
    csv_path: Path,
    *,
    batch_size: int,
    cwd: Path,
    now: int,
    hooks: RunHooks = NO_HOOKS,
) -> BatchRunReport:
    check_batch_size(batch_size)
    deployment = contracts.deployment
    checked = validate_holders(csv_path, now=now)

    def remaining(applied: set[int]) -> Iterator[HolderRow]:
        return (row for row in iter_holders(csv_path) if row.line not in applied)

    def plan(applied: set[int]) -> Iterator[Batch]:
        bucket: list[HolderRow] = []
        for row in remaining(applied):
            bucket.append(row)
            if len(bucket) >= batch_size:
                yield batch_of_holders(contracts, bucket)
                bucket = []
        if bucket:
            yield batch_of_holders(contracts, bucket)

    def preflight(applied: set[int]) -> None:
        check_unregistered(contracts, lambda: remaining(applied), csv_path)

    return run_csv_batches(transactor, deployment, checked, "holders", cwd, plan, preflight, hooks)


def batch_of_holders(contracts: OfferingContracts, rows: list[HolderRow]) -> Batch:
    holders = [row.holder for row in rows]
    registry = contracts.registry
    args = [
        [h.wallet for h in holders],
        [investor_id_bytes(h.investor_id) for h in holders],
        [h.jurisdiction for h in holders],
        [h.expires_at for h in holders],
        [h.accredited for h in holders],
    ]
    call = registry.functions.addHolders(*args)
    categorised = [h for h in holders if h.category != NO_CATEGORY]
    if categorised:
        # the categories go in the same transaction (a multicall): a batch lands whole or not
        call = registry.functions.multicall(
            [registry.encode_abi("addHolders", args)]
            + [registry.encode_abi("setCategory", list(h.category_args())) for h in categorised]
        )
    return Batch(
        rows=tuple(row.line for row in rows),
        call=call,
        label=f"add {len(rows)} holder(s) (lines {rows[0].line}-{rows[-1].line})",
        wallets=tuple(h.wallet for h in holders),
    )


def check_unregistered(
    contracts: OfferingContracts, rows: Callable[[], Iterator[HolderRow]], csv_path: Path
) -> None:
    """Refuse (exit 3) listing every row whose wallet the registry already has."""
    wallets = [row.holder.wallet for row in rows()]
    if not wallets:
        return
    records = read_holders(contracts, wallets)
    taken = []
    for row in rows():
        state = records[row.holder.wallet]
        if state.registered:
            same = state.investor_id == row.holder.investor_id
            taken.append(
                f"line {row.line}: {row.holder.wallet} is already registered"
                + (" (to the same investor)" if same else f" to investor {state.investor_id}")
            )
    if taken:
        raise ChainError(
            f"{csv_path}: the registry would refuse {len(taken)} row(s); nothing was sent:\n"
            + listing(taken),
            hint="drop those rows (or `equity holders remove` the wallets first)",
        )
