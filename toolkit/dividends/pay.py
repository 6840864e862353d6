"""``dividend pay``: push every actionable leaf in resumable batches.

A *pass* is the set of leaves worth pushing when it starts: before the deadline every unpaid
leaf (a blocked wallet's becomes reserved), and at any time every reserved leaf whose wallet may
receive again. Its leaves go out in index order, ``batch_size`` per ``pay`` transaction, each
proven by one multiproof. The journal and the crash rules are those of ``issue --csv``
(``toolkit.issuance.batches``): an intent is written before each transaction is sent, and a
rerun settles every journalled transaction with the chain before sending anything new. A rerun
first resumes an unfinished pass; the contract's state words are the last guard (a leaf already
paid is skipped on chain, so even a batch sent twice pays nothing twice).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.dividends.distribution import distribution_contract, leaf_states, require_address
from toolkit.dividends.merkle import StandardMerkleTree
from toolkit.dividends.records import DividendRecord
from toolkit.errors import UsageError
from toolkit.issuance.batches import Batch, BatchRunReport, Resumption, run_batches
from toolkit.issuance.journal import JOURNALS_DIR, Journal, journal_path, read_journal

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor

DEFAULT_BATCH_SIZE = 100
MAX_BATCH_SIZE = 300


def _kind(record: DividendRecord) -> str:
    return f"dividend-{record.id}-pay"


def unfinished_pass(cwd: Path, record: DividendRecord) -> tuple[Path, list[int]] | None:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in record.offering)
    folder = cwd / JOURNALS_DIR / str(record.chain_id) / safe
    for path in sorted(folder.glob(f"{_kind(record)}-*.jsonl")):
        state = read_journal(path)
        start = state.start
        if start is not None and not state.complete and start.get("distribution") == record.address:
            return path, [int(i) for i in start["leaves"]]
    return None


def actionable_leaves(
    transactor: Transactor, record: DividendRecord, tree: StandardMerkleTree, now: int
) -> list[int]:
    contract = distribution_contract(transactor.chain.w3, require_address(record))
    states = leaf_states(contract, record.leaf_count)
    open_ = now < record.claim_deadline
    unpaid = [i for i, s in enumerate(states) if s == 0 and open_]
    reserved = [i for i, s in enumerate(states) if s == 2]
    wallets = {str(tree.values[i][1]) for i in reserved}
    blocked = {w for w in wallets if contract.functions.isBlocked(w).call()}
    return sorted(unpaid + [i for i in reserved if str(tree.values[i][1]) not in blocked])


def pay_dividend(
    transactor: Transactor,
    record: DividendRecord,
    tree: StandardMerkleTree,
    *,
    cwd: Path,
    now: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_resume: Callable[[Resumption], None] | None = None,
) -> BatchRunReport | None:
    """Run (or resume) a pass; None when there is nothing to push."""
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise UsageError(
            f"--batch-size must be between 1 and {MAX_BATCH_SIZE}, not {batch_size}",
            hint=f"the default is {DEFAULT_BATCH_SIZE}",
        )
    address = require_address(record)
    contract = distribution_contract(transactor.chain.w3, address)
    found = unfinished_pass(cwd, record)
    if found is not None:
        path, leaves = found
    else:
        leaves = actionable_leaves(transactor, record, tree, now)
        if not leaves:
            return None
        digest = hashlib.sha256(f"{address}:{record.root}:{leaves}".encode()).hexdigest()
        path = journal_path(cwd, record.chain_id, record.offering, _kind(record), digest)
    if on_start is not None:
        on_start(len(leaves))

    def plan(applied: set[int]) -> Iterator[Batch]:
        todo = [i for i in leaves if i not in applied]
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            yield _batch(contract, tree, chunk)

    with Journal(path) as journal:
        return run_batches(
            transactor,
            journal,
            start={
                "kind": _kind(record),
                "distribution": address,
                "root": record.root,
                "leaves": leaves,
                "rows": len(leaves),
                "chain_id": record.chain_id,
                "offering": record.offering,
            },
            rows=len(leaves),
            plan=plan,
            on_progress=on_progress,
            on_resume=on_resume,
        )


def _batch(contract: Any, tree: StandardMerkleTree, indices: list[int]) -> Batch:
    multiproof = tree.multiproof(indices)
    values = [
        (int(v[0]), str(v[1]), str(v[2]), int(v[3]), int(v[4]))
        for v in (tree.values[i] for i in multiproof.leaves)
    ]
    return Batch(
        rows=tuple(indices),
        call=contract.functions.pay(values, multiproof.proof, multiproof.flags),
        label=f"pay leaves {indices[0]}-{indices[-1]} ({len(indices)})",
        wallets=tuple(str(tree.values[i][1]) for i in indices),
    )
