"""Sending a CSV's rows in batches so that a rerun finishes exactly what the file says.

The rule that makes it safe: **a row is applied when, and only when, a transaction carrying
it has a successful receipt**, and a row is put into a new transaction only when every earlier
transaction carrying it can no longer be mined. Three facts make that decidable after any crash:

1. the journal records each signed transaction (hash, nonce, raw bytes, rows) *before* it is
   sent (``journal.py``);
2. on resume every journalled transaction is asked about again, even those the journal saw
   mined, because a node restarted from an older state file may have forgotten them:

   - a receipt: status 1 applies its rows; status 0 applies nothing;
   - no receipt, and the sender's nonce has moved past it: another transaction took the
     nonce, so this one can never be mined: its rows are still to do;
   - no receipt and the nonce is still free: the transaction was never sent, or the chain
     forgot it: the *same signed bytes* are sent again (same nonce: at most one of them can
     ever be mined); if the node refuses them (fees moved), the same call is signed again
     for the same nonce;
3. new batches are built only from rows not applied, with the next free nonces.

``EQUITY_TEST_CRASH_BEFORE_SEND=N`` / ``EQUITY_TEST_CRASH_AFTER_SEND=N`` kill the process
(SIGKILL) just before / just after the N-th send of this process: test hooks for the cases
above. They do nothing unless set.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eth_typing import HexStr

from toolkit.batches.journal import Intent, Journal
from toolkit.errors import ChainError, TransactionRevertedError, UsageError

if TYPE_CHECKING:
    from web3.contract.contract import ContractFunction

    from toolkit.chain.tx import Transactor, TxResult

CRASH_BEFORE_SEND = "EQUITY_TEST_CRASH_BEFORE_SEND"
CRASH_AFTER_SEND = "EQUITY_TEST_CRASH_AFTER_SEND"


@dataclass(frozen=True)
class Batch:
    """One transaction's worth of CSV rows and the contract call that applies them."""

    rows: tuple[int, ...]
    call: ContractFunction
    label: str
    wallets: tuple[str, ...] = ()  # the wallet of each row, to pin a refusal to its lines


@dataclass
class Resumption:
    """What the chain says of a journal's earlier transactions."""

    applied_rows: set[int] = field(default_factory=set)
    transactions: list[TxResult] = field(default_factory=list)  # mined during the resumption
    resent: int = 0
    dropped: int = 0
    forgotten: int = 0  # recorded as mined, unknown to the chain now


class BatchSender:
    """Sends batches through a journal; see the module docstring for the rules."""

    def __init__(
        self,
        transactor: Transactor,
        journal: Journal,
        *,
        explain_refusal: Callable[[Batch, TransactionRevertedError], str] | None = None,
    ) -> None:
        if transactor.settings.nonce is not None:
            raise UsageError(
                "--nonce does not go with a resumable CSV run: the run chooses its nonces and "
                "its journal relies on them; nothing was sent",
                hint="leave --nonce out (a rerun resumes what an earlier run sent)",
            )
        self.transactor = transactor
        self.journal = journal
        self.w3 = transactor.chain.w3
        self.sender = transactor.account.address
        self.explain_refusal = explain_refusal
        self._next_nonce: int | None = None
        self._sends = 0

    # --- resuming ---------------------------------------------------------------------------

    def resume(self) -> Resumption:
        """Settle every journalled transaction against the chain (see the module docstring)."""
        report = Resumption()
        intents = sorted(self.journal.state.intents, key=lambda i: i.nonce)
        if not intents:
            return report
        mined_nonce = int(self.w3.eth.get_transaction_count(self.sender, "latest"))
        lost: dict[int, Intent] = {}  # nonce -> the newest lost intent for it
        for intent in intents:
            if intent.dropped:
                continue
            receipt = self._receipt(intent.tx, wait=self._is_pending(intent.tx))
            if receipt is not None:
                self._settle(intent, receipt, report)
                continue
            if intent.status == 1:
                report.forgotten += 1
            if intent.nonce < mined_nonce:
                self.journal.write({"type": "dropped", "tx": intent.tx})
                report.dropped += 1
                continue
            lost[intent.nonce] = intent  # journal order: a later re-signing wins
        for nonce in sorted(lost):
            self._resend(lost[nonce], report)
        return report

    def _settle(self, intent: Intent, receipt: Any, report: Resumption) -> None:
        status, block = int(receipt["status"]), int(receipt["blockNumber"])
        if intent.status != status or intent.block != block:
            self._record_mined(intent.tx, receipt)
            if status == 1:
                report.transactions.append(self._result(intent.tx, receipt))
        if status != 1:
            return
        twice = report.applied_rows.intersection(intent.rows)
        if twice:
            raise ChainError(
                f"the journal shows CSV line(s) {sorted(twice)[:10]} applied by two transactions",
                hint=f"inspect {self.journal.path} and the chain before going on",
            )
        report.applied_rows.update(intent.rows)

    def _resend(self, intent: Intent, report: Resumption) -> None:
        """Send a lost transaction again: the same bytes, or the same call re-signed for the
        same nonce when the node refuses them."""
        pending = int(self.w3.eth.get_transaction_count(self.sender, "pending"))
        if intent.nonce > pending:
            raise ChainError(
                f"cannot resend {intent.label or intent.tx}: its nonce {intent.nonce} lies beyond "
                f"the account's next nonce {pending} (transactions of this account were lost)",
                hint=f"inspect {self.journal.path}; nothing more was sent",
            )
        if intent.nonce < pending:  # taken since we looked: decide again from the receipt
            receipt = self._receipt(intent.tx, wait=True)
            if receipt is not None:
                self._settle(intent, receipt, report)
            else:
                self.journal.write({"type": "dropped", "tx": intent.tx})
                report.dropped += 1
            return
        tx_hash = intent.tx
        try:
            self.w3.eth.send_raw_transaction(HexStr(self.journal.raw_transaction(intent)))
        except Exception as exc:  # noqa: BLE001 - the node's refusal decides what comes next
            text = str(exc).lower()
            if "already known" in text or "known transaction" in text:
                pass
            elif "nonce too low" in text:
                self._resend(intent, report)  # re-examine with the new nonce
                return
            else:
                tx_hash = self._resign(intent)
        report.resent += 1
        receipt = self._receipt(tx_hash, wait=True)
        if receipt is None:
            raise ChainError(f"no receipt for the resent {intent.label or tx_hash}")
        settled = self.journal.state.intent(tx_hash) or intent
        self._settle(settled, receipt, report)
        if int(receipt["status"]) != 1:
            self._raise_reverted(tx_hash, intent.nonce, intent.label)

    def _resign(self, intent: Intent) -> str:
        from eth_account.typed_transactions.typed_transaction import TypedTransaction
        from hexbytes import HexBytes

        raw = self.journal.raw_transaction(intent)
        old = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
        fees = self.transactor.build(to=self.transactor.account.address, gas=21_000)
        tx = {
            "type": 2,
            "chainId": int(old["chainId"]),
            "nonce": intent.nonce,
            "to": self.w3.to_checksum_address(old["to"]),
            "value": int(old["value"]),
            "data": "0x" + bytes(old["data"]).hex(),
            "gas": int(old["gas"]),
            "maxFeePerGas": int(fees["maxFeePerGas"]),
            "maxPriorityFeePerGas": int(fees["maxPriorityFeePerGas"]),
        }
        return self._sign_record_send(tx, intent.rows, intent.label)

    # --- sending ----------------------------------------------------------------------------

    def send(self, batch: Batch) -> TxResult:
        """Estimate (a refusal raises, decoded, before anything is journalled), sign, journal,
        send, wait, journal the receipt."""
        try:
            tx = self.transactor.build(batch.call, label=batch.label)
        except TransactionRevertedError as exc:
            if self.explain_refusal is None:
                raise
            raise TransactionRevertedError(
                self.explain_refusal(batch, exc),
                error_name=exc.error_name,
                error_args=exc.error_args,
                hint=exc.hint,
            ) from exc
        nonce = self._take_nonce()
        tx["nonce"] = nonce
        tx.pop("from", None)
        tx_hash = self._sign_record_send(tx, batch.rows, batch.label)
        receipt = self._receipt(tx_hash, wait=True)
        if receipt is None:
            raise ChainError(f"no receipt for {batch.label} ({tx_hash})")
        self._record_mined(tx_hash, receipt)
        if int(receipt["status"]) != 1:
            self._raise_reverted(tx_hash, nonce, batch.label, tx)
        return self._result(tx_hash, receipt)

    def _take_nonce(self) -> int:
        if self._next_nonce is None:
            self._next_nonce = int(self.w3.eth.get_transaction_count(self.sender, "pending"))
        nonce = self._next_nonce
        self._next_nonce += 1
        return nonce

    def _sign_record_send(self, tx: dict[str, Any], rows: tuple[int, ...], label: str) -> str:
        from toolkit.chain.tx import translate_error

        signed = self.transactor.account.sign_transaction(tx)
        tx_hash = "0x" + bytes(signed.hash).hex()
        raw = "0x" + bytes(signed.raw_transaction).hex()
        self.journal.write(
            {
                "type": "intent",
                "tx": tx_hash,
                "nonce": int(tx["nonce"]),
                "rows": list(rows),
                "raw": raw,
                "label": label,
            }
        )
        self._sends += 1
        _crash_point(CRASH_BEFORE_SEND, self._sends)
        try:
            self.w3.eth.send_raw_transaction(HexStr(raw))
        except Exception as exc:
            raise translate_error(exc, self.transactor.chain.rpc_url, label) from exc
        _crash_point(CRASH_AFTER_SEND, self._sends)
        return tx_hash

    # --- the chain's answers ----------------------------------------------------------------

    def _is_pending(self, tx_hash: str) -> bool:
        from web3.exceptions import TransactionNotFound

        try:
            found = self.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return False
        return found.get("blockNumber") is None

    def _receipt(self, tx_hash: str, *, wait: bool) -> Any:
        from web3.exceptions import TimeExhausted, TransactionNotFound

        from toolkit.chain.tx import RECEIPT_TIMEOUT_S, translate_error

        try:
            if wait:
                return self.w3.eth.wait_for_transaction_receipt(
                    tx_hash,  # type: ignore[arg-type]
                    timeout=RECEIPT_TIMEOUT_S,
                    poll_latency=0.02,
                )
            return self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except (TransactionNotFound, TimeExhausted):
            return None
        except Exception as exc:
            raise translate_error(exc, self.transactor.chain.rpc_url) from exc

    def _record_mined(self, tx_hash: str, receipt: Any) -> None:
        self.journal.write(
            {
                "type": "mined",
                "tx": tx_hash,
                "block": int(receipt["blockNumber"]),
                "gas_used": int(receipt["gasUsed"]),
                "status": int(receipt["status"]),
            }
        )

    def _result(self, tx_hash: str, receipt: Any) -> TxResult:
        from toolkit.chain.tx import TxResult

        return TxResult(
            hash=tx_hash,
            block=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            status=int(receipt["status"]),
        )

    def _raise_reverted(
        self, tx_hash: str, nonce: int, label: str, tx: dict[str, Any] | None = None
    ) -> None:
        from toolkit.chain.tx import PendingTx

        # the Transactor decodes the reason by replaying the call; it raises
        self.transactor.wait(PendingTx(hash=tx_hash, nonce=nonce, label=label), tx=tx)
        raise TransactionRevertedError(f"{label} reverted", tx_hash=tx_hash)


def _crash_point(variable: str, count: int) -> None:
    """Test hook: SIGKILL this process at the chosen send (see the module docstring)."""
    target = os.environ.get(variable)
    if target and target.isdigit() and int(target) == count:
        os.kill(os.getpid(), signal.SIGKILL)


def explain_refusal(batch: Batch, exc: TransactionRevertedError) -> str:
    """The refusal of a batch, pinned to the CSV lines of the wallet it names."""
    wallet = exc.error_args.get("to") or exc.error_args.get("wallet")
    lines = [
        line
        for line, row_wallet in zip(batch.rows, batch.wallets, strict=True)
        if isinstance(wallet, str) and row_wallet.lower() == wallet.lower()
    ]
    where = (
        f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
        if lines
        else f"lines {batch.rows[0]}-{batch.rows[-1]}"
    )
    return f"{where}: {exc.message}; the rows before were sent, a rerun resumes here"
