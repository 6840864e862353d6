"""``SafeProposer``: the Transactor of ``--account safe:ADDRESS``.

A command hands its calls to ``send`` as it always does; here they become ONE Safe
transaction (one call directly, several batched through MultiSendCallOnly), each call first
run from the Safe so that a refusal is decoded and nothing is written, then written to
``safe-tx-<nonce>.json`` (or the path given). Nothing is signed or sent: ``send`` ends the
command with ``Proposed``. What needs a key of its own (a contract creation, a resumable CSV
run that journals its signed transactions) is refused with one line saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from toolkit.chain.fees import TxSettings
from toolkit.chain.tx import Call, PendingTx, Transactor, TxResult
from toolkit.errors import UsageError
from toolkit.safe.chain_checks import batch_contract, read_safe, simulate_calls
from toolkit.safe.contracts import require_safe_eth
from toolkit.safe.proposal import Proposal, Proposed
from toolkit.safe.safe_tx import SafeCall, SafeTransaction, batch, write_safe_tx

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.contract.contract import ContractFunction

    from toolkit.chain.connection import Chain
    from toolkit.chain.fees import Outgoing

SAFE_PREFIX = "safe:"


def safe_address_of(account: str | None) -> str | None:
    """The Safe address of ``--account safe:ADDRESS``; None for any other account."""
    if account is None or not account.lower().startswith(SAFE_PREFIX):
        return None
    from web3 import Web3

    address = account[len(SAFE_PREFIX) :]
    if not Web3.is_address(address):
        raise UsageError(
            f"--account {account}: {address!r} is not an address",
            hint="give --account safe:0x... with the Safe's address",
        )
    if address != address.lower() and not Web3.is_checksum_address(address):
        raise UsageError(
            f"--account {account}: the address has a bad checksum",
            hint="copy the Safe's address again, or give it in lower case",
        )
    return str(Web3.to_checksum_address(address))


def refuse_without_key(what: str) -> NoReturn:
    raise UsageError(
        f"{what} cannot go through a Safe: it needs a key that signs and sends itself; "
        "nothing was sent",
        hint="run it with --account ALIAS (a key), or do it call by call with --account safe:...",
    )


class SafeProposer(Transactor):
    """Builds Safe transactions from a command's calls and writes them to a file."""

    def __init__(
        self,
        chain: Chain,
        safe: str,
        *,
        cwd: Path,
        settings: TxSettings | None = None,
        out: Path | None = None,
    ) -> None:
        # no key: the proposer signs nothing, so Transactor.__init__ (which takes one) is not run
        require_safe_eth()
        self.chain = chain
        self.safe = safe
        self.cwd = cwd
        self.out = out
        self.settings = settings or TxSettings()
        self.confirmations = 0
        self.approve = None
        self.sent = []
        self._approved = 0
        self._fixed_nonce = None

    @property
    def address(self) -> str:
        return self.safe

    @property
    def account(self) -> LocalAccount:
        refuse_without_key("this command (a resumable CSV run or a deployment)")

    @account.setter
    def account(self, value: LocalAccount) -> None:
        raise AttributeError("a SafeProposer has no key")

    # --- the one thing it does -------------------------------------------------------------

    def send(self, calls: Sequence[Call]) -> list[TxResult]:
        """Check, batch and write ``calls`` as one Safe transaction; ends the command."""
        raise Proposed(self.propose(calls))

    def propose(self, calls: Sequence[Call]) -> Proposal:
        if not calls:
            raise UsageError("nothing to propose: the command made no call")
        creations = [c.label for c in calls if c.to is None]
        if creations:
            refuse_without_key(f"a contract creation ({creations[0]})")
        state = read_safe(self.chain, self.safe)
        safe_calls = tuple(SafeCall(c.label, str(c.to), c.data, c.value) for c in calls)
        simulate_calls(self.chain, self.safe, safe_calls)
        nonce = state.nonce if self.settings.nonce is None else self.settings.nonce
        if nonce < state.nonce:
            raise UsageError(
                f"--nonce {nonce} is spent: the Safe's next nonce is {state.nonce}",
                hint=f"give --nonce {state.nonce} or later, or leave --nonce out",
            )
        multi_send = batch_contract(self.chain, self.cwd) if len(safe_calls) > 1 else None
        to, value, data, operation = batch(safe_calls, multi_send)
        tx = SafeTransaction(
            chain_id=self.chain.chain_id,
            safe=self.safe,
            nonce=nonce,
            to=str(self.chain.w3.to_checksum_address(to)),
            value=value,
            data=data,
            operation=operation,
            calls=safe_calls,
        ).with_hash()
        path = self.out or self.cwd / f"safe-tx-{nonce}.json"
        if path.exists():
            raise UsageError(
                f"{path} exists: a Safe transaction for nonce {nonce} was built already",
                hint=f"sign and execute it first, or give --nonce {nonce + 1} to queue this "
                "one after it, or remove the file",
            )
        write_safe_tx(tx, path)
        return Proposal(tx, path, state.owners, state.threshold)

    # --- what needs a key ------------------------------------------------------------------

    def build(
        self,
        call: ContractFunction | None = None,
        *,
        to: str | None = None,
        data: str | None = None,
        value: int = 0,
        gas: int | None = None,
        label: str = "",
    ) -> dict[str, Any]:
        refuse_without_key("this command (it signs its transactions one by one)")

    def submit(self, tx: dict[str, Any], *, label: str = "") -> PendingTx:
        refuse_without_key("this command (it signs its transactions one by one)")

    def preapprove(self, outgoing: Outgoing) -> None:
        refuse_without_key("this command (it sends several dependent transactions)")

    def deploy(self, artifact: dict[str, Any], *args: Any, label: str = "") -> TxResult:
        refuse_without_key(f"a contract creation ({label or 'deploy'})")
