"""``dividend pay``: push every actionable leaf in resumable batches, then pay the reserved
leaves of lost wallets to the wallets they were recovered to.

A *pass* is the set of leaves worth pushing when it starts: before the deadline every unpaid
leaf (a blocked wallet's becomes reserved), and at any time every reserved leaf whose wallet may
receive again. Its leaves go out in index order, ``batch_size`` per ``pay`` transaction, each
proven by one multiproof. The journal and the crash rules are those of every resumable batch
run (``toolkit.batches``): an intent is written before each transaction is sent, and a rerun
settles every journalled transaction with the chain before sending anything new. A rerun first
resumes an unfinished pass; the contract's state words are the last guard (a leaf already paid
is skipped on chain, so even a batch sent twice pays nothing twice).

A reserved leaf whose wallet is still blocked but was recovered (``equity recover``: the class
tokens' ``WalletRecovered`` events, followed to the last wallet) is then paid to that wallet
with ``payRecovered``, one transaction per leaf. The contract checks that the registry maps it
to the same investor and that it may receive; the leaf becomes paid, so it is paid once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.batches.journal import Journal, journal_path, read_journal
from toolkit.batches.run import NO_HOOKS, BatchRunReport, RunHooks, run_batches
from toolkit.batches.sender import Batch
from toolkit.dividends.distribution import (
    distribution_contract,
    leaf_states,
    prepare_state_words,
    require_address,
)
from toolkit.dividends.merkle import StandardMerkleTree
from toolkit.dividends.records import DividendRecord
from toolkit.errors import TransactionRevertedError

if TYPE_CHECKING:
    from web3.contract import Contract

    from toolkit.chain.tx import Transactor, TxResult

DEFAULT_BATCH_SIZE = 100
UNPAID, PAID, RESERVED = 0, 1, 2


def _kind(record: DividendRecord) -> str:
    return f"dividend-{record.id}-pay"


@dataclass
class RecoveredPayment:
    """A reserved leaf of a lost wallet, paid (or not) to the wallet it was recovered to."""

    index: int
    lost: str
    wallet: str
    net: int
    withheld: int
    tx: TxResult | None = None
    refused: str | None = None  # the contract's reason when it was not paid

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "lost_wallet": self.lost,
            "wallet": self.wallet,
            "net": self.net,
            "withheld": self.withheld,
            "tx": self.tx.hash if self.tx else None,
            "refused": self.refused,
        }


@dataclass
class PayReport:
    """What ``dividend pay`` did: the pass (None when nothing was left to push), the state
    words it prepared first, the recovered wallets it paid, and the leaves' states after."""

    batches: BatchRunReport | None
    prepared: list[TxResult] = field(default_factory=list)
    recovered: list[RecoveredPayment] = field(default_factory=list)
    states: list[int] = field(default_factory=list)

    @property
    def transactions(self) -> list[TxResult]:
        pushed = self.batches.transactions if self.batches else []
        return [*self.prepared, *pushed, *(r.tx for r in self.recovered if r.tx is not None)]

    def to_json(self) -> dict[str, Any]:
        run = self.batches.to_json() if self.batches else {"rows": 0, "applied_now": 0}
        run.pop("transactions", None)
        return {
            **run,
            "recovered": [r.to_json() for r in self.recovered],
            "leaves_paid": self.states.count(PAID),
            "leaves_reserved": self.states.count(RESERVED),
        }


def unfinished_pass(cwd: Path, record: DividendRecord) -> tuple[Path, list[int]] | None:
    """The journal and leaves of a pass that a crash (or a refusal) left unfinished."""
    folder = journal_path(cwd, record.chain_id, record.offering, _kind(record), "").parent
    for path in sorted(folder.glob(f"{_kind(record)}-*.jsonl")):
        state = read_journal(path)
        start = state.start
        if start is not None and not state.complete and start.get("distribution") == record.address:
            return path, [int(i) for i in start["leaves"]]
    return None


def actionable_leaves(
    contract: Contract, record: DividendRecord, tree: StandardMerkleTree, now: int
) -> list[int]:
    """Unpaid leaves before the deadline, and reserved leaves whose wallet may receive again."""
    states = leaf_states(contract, record.leaf_count)
    open_ = now < record.claim_deadline
    unpaid = [i for i, s in enumerate(states) if s == UNPAID and open_]
    reserved = [i for i, s in enumerate(states) if s == RESERVED]
    blocked = _blocked(contract, {str(tree.values[i][1]) for i in reserved})
    return sorted(unpaid + [i for i in reserved if str(tree.values[i][1]) not in blocked])


def pay_dividend(
    transactor: Transactor,
    record: DividendRecord,
    tree: StandardMerkleTree,
    *,
    class_tokens: list[Contract],
    cwd: Path,
    now: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    hooks: RunHooks = NO_HOOKS,
) -> PayReport:
    """Prepare what the declaration left unprepared, run (or resume) a pass, then pay the
    reserved leaves of recovered wallets (see the module docstring)."""
    contract = distribution_contract(transactor.chain.w3, require_address(record))
    report = PayReport(batches=None, prepared=prepare_state_words(transactor, record))
    report.batches = _run_pass(transactor, contract, record, tree, cwd, now, batch_size, hooks)
    recovered = recovered_wallets(class_tokens, record.record_block)
    report.recovered = pay_recovered(transactor, contract, record, tree, recovered)
    report.states = leaf_states(contract, record.leaf_count)
    return report


def _run_pass(
    transactor: Transactor,
    contract: Contract,
    record: DividendRecord,
    tree: StandardMerkleTree,
    cwd: Path,
    now: int,
    batch_size: int,
    hooks: RunHooks,
) -> BatchRunReport | None:
    found = unfinished_pass(cwd, record)
    if found is not None:
        path, leaves = found
    else:
        leaves = actionable_leaves(contract, record, tree, now)
        if not leaves:
            return None
        digest = hashlib.sha256(f"{contract.address}:{record.root}:{leaves}".encode()).hexdigest()
        path = journal_path(cwd, record.chain_id, record.offering, _kind(record), digest)
    if hooks.on_start is not None:
        hooks.on_start(len(leaves))

    def plan(applied: set[int]) -> Iterator[Batch]:
        todo = [i for i in leaves if i not in applied]
        for start in range(0, len(todo), batch_size):
            yield _batch(contract, tree, todo[start : start + batch_size])

    with Journal(path) as journal:
        return run_batches(
            transactor,
            journal,
            start={
                "kind": _kind(record),
                "distribution": contract.address,
                "root": record.root,
                "leaves": leaves,
                "rows": len(leaves),
                "chain_id": record.chain_id,
                "offering": record.offering,
            },
            rows=len(leaves),
            plan=plan,
            hooks=hooks,
        )


def _batch(contract: Contract, tree: StandardMerkleTree, indices: list[int]) -> Batch:
    multiproof = tree.multiproof(indices)
    values = [_leaf(tree, i) for i in multiproof.leaves]
    return Batch(
        rows=tuple(indices),
        call=contract.functions.pay(values, multiproof.proof, multiproof.flags),
        label=f"pay leaves {indices[0]}-{indices[-1]} ({len(indices)})",
        wallets=tuple(str(tree.values[i][1]) for i in indices),
    )


def _leaf(tree: StandardMerkleTree, index: int) -> tuple[int, str, str, int, int]:
    v = tree.values[index]
    return (int(v[0]), str(v[1]), str(v[2]), int(v[3]), int(v[4]))


def _blocked(contract: Contract, wallets: set[str]) -> set[str]:
    from toolkit.chain.reads import batched_calls

    ordered = sorted(wallets)
    answers = batched_calls(contract.w3, [contract.functions.isBlocked(w) for w in ordered])
    return {w for w, blocked in zip(ordered, answers, strict=True) if blocked}


# --- reserved leaves of recovered wallets ---------------------------------------------------


def recovered_wallets(class_tokens: list[Contract], since_block: int) -> dict[str, str]:
    """Lost wallet (lower case) -> the wallet it was last recovered to, from every class
    token's ``WalletRecovered`` events since ``since_block`` (a chain of recoveries is
    followed to its end)."""
    moved: dict[str, str] = {}
    for token in class_tokens:
        for log in token.events.WalletRecovered().get_logs(from_block=since_block):
            moved[str(log["args"]["lostWallet"]).lower()] = str(log["args"]["newWallet"])
    out = {}
    for lost in moved:
        wallet, seen = moved[lost], {lost}
        while wallet.lower() in moved and wallet.lower() not in seen:
            seen.add(wallet.lower())
            wallet = moved[wallet.lower()]
        out[lost] = wallet
    return out


def pay_recovered(
    transactor: Transactor,
    contract: Contract,
    record: DividendRecord,
    tree: StandardMerkleTree,
    recovered: dict[str, str],
) -> list[RecoveredPayment]:
    """Pay each reserved leaf whose wallet is still blocked and was recovered to the wallet it
    was recovered to; a leaf the contract refuses (that wallet is blocked too, or the registry
    no longer maps it to the same investor) is reported with the reason and stays reserved."""
    if not recovered:
        return []
    states = leaf_states(contract, record.leaf_count)
    candidates = [
        i
        for i, state in enumerate(states)
        if state == RESERVED and str(tree.values[i][1]).lower() in recovered
    ]
    still_blocked = _blocked(contract, {str(tree.values[i][1]) for i in candidates})
    out = []
    for index in candidates:
        leaf = _leaf(tree, index)
        if leaf[1] not in still_blocked:
            continue  # the lost wallet may receive again: the pass paid it itself
        payment = RecoveredPayment(index, leaf[1], recovered[leaf[1].lower()], leaf[3], leaf[4])
        try:
            payment.tx = transactor.transact(
                contract.functions.payRecovered(leaf, tree.proof(index), payment.wallet),
                label=f"pay leaf {index} of {payment.lost} to {payment.wallet} (recovered)",
            )
        except TransactionRevertedError as exc:
            if exc.error_name not in ("WalletBlocked", "NotSameInvestor"):
                raise
            payment.refused = exc.message
        out.append(payment)
    return out
