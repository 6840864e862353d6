"""Moving shares under the rules of SPEC §8, and the issuer's controls over them.

``check_transfer`` asks the class token (ERC-1404) what a transfer would meet, without
sending anything. ``transfer`` is the holder's own transfer; ``force_transfer``, ``recover``,
``pause`` and ``unpause`` are the issuer's. Every sending function estimates first, so a
refused transfer raises a decoded TransactionRevertedError (``SHARES_LOCKED: ...``) and nothing
is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.errors import StateConflictError, TransactionRevertedError, UsageError
from toolkit.inputs import ZERO_ADDRESS
from toolkit.restrictions import restriction_message, restriction_name

if TYPE_CHECKING:
    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.contracts import OfferingContracts


@dataclass(frozen=True)
class Restriction:
    """What a transfer would meet: SPEC §8's code, its name and the token's message."""

    code: int
    name: str
    message: str
    detail: str | None = None  # codes 10-12: the category rule and the figures behind it

    @property
    def allowed(self) -> bool:
        return self.code == 0

    def to_json(self) -> dict[str, Any]:
        shown = {"code": self.code, "name": self.name, "message": self.message}
        return {**shown, "detail": self.detail} if self.detail else shown

    @property
    def text(self) -> str:
        """One line: ``NAME (code): message`` and the detail if any."""
        line = f"{self.name} ({self.code}): {self.message}"
        return f"{line} ({self.detail})" if self.detail else line


def check_transfer(
    contracts: OfferingContracts, class_id: str, sender: str, receiver: str, amount: int
) -> Restriction:
    """The restriction a transfer of ``amount`` base units would meet now (0: none)."""
    token = contracts.token(class_id)
    code = int(token.functions.detectTransferRestriction(sender, receiver, amount).call())
    try:
        message = str(token.functions.messageForTransferRestriction(code).call())
    except Exception:  # noqa: BLE001 - the name table is enough when the token cannot say
        message = restriction_message(code)
    detail = category_detail(contracts, token.address, receiver, code) if code >= 10 else None
    return Restriction(code=code, name=restriction_name(code), message=message, detail=detail)


def category_detail(contracts: OfferingContracts, token: str, receiver: str, code: int) -> str:
    """Why a category rule (SPEC §15, codes 10-12) refuses: the class's rule and the figures."""
    from toolkit.inputs import CATEGORIES, category_name, format_time

    registry = contracts.registry.functions
    _, (allowed, holding_end, caps) = registry.categoryRulesOf(token).call()
    category, until = registry.categoryOf(receiver).call()
    name = category_name(category) or "none"
    if code == 10:
        admitted = [n for n, c in CATEGORIES.items() if allowed >> c & 1]
        lapsed = f" (lapsed {format_time(until)})" if until else ""
        return f"the receiver's category is {name}{lapsed}; the class admits {', '.join(admitted)}"
    if code == 11:
        count = registry.categoryHolderCount(token, category).call()
        return (
            f"{count} {name} investor(s) hold the class, its cap for {name} is {caps[category - 1]}"
        )
    return f"transfers between holders open at {format_time(holding_end)}"


def transfer(
    transactor: Transactor, contracts: OfferingContracts, class_id: str, receiver: str, amount: int
) -> TxResult:
    """The signer's own transfer; a restriction raises with its name, nothing sent."""
    restriction = check_transfer(contracts, class_id, transactor.address, receiver, amount)
    if not restriction.allowed:
        raise TransactionRevertedError(
            f"transfer of {class_id} from {transactor.address} refused: "
            f"{restriction.name}: {restriction.message}",
            error_name="TransferRestricted",
            error_args={"code": restriction.code, "from": transactor.address, "to": receiver},
            hint="nothing was sent; see `equity check` for the rules",
        )
    token = contracts.token(class_id)
    return transactor.transact(
        token.functions.transfer(receiver, amount), label=f"transfer {class_id} to {receiver}"
    )


def force_transfer(
    transactor: Transactor,
    contracts: OfferingContracts,
    class_id: str,
    sender: str,
    receiver: str,
    amount: int,
    reason: str,
) -> TxResult:
    """The issuer moves shares without the sender's consent (court order, error correction)."""
    if not reason.strip():
        raise UsageError("--reason must say why", hint='e.g. --reason "court order 2027-114"')
    token = contracts.token(class_id)
    return transactor.transact(
        token.functions.forceTransfer(sender, receiver, amount, reason.strip()),
        label=f"force-transfer {class_id} from {sender} to {receiver}",
    )


def recover(
    transactor: Transactor, contracts: OfferingContracts, lost: str, replacement: str
) -> list[TxResult]:
    """Move every class's balance, lock-ups and votes from a lost wallet to a new wallet of
    the same investor. Every class is estimated before the first is sent, so a refusal in any
    leaves all untouched."""
    if lost.lower() == replacement.lower():
        raise UsageError("the old and the new wallet are the same", hint="give two wallets")
    registry = contracts.registry
    lost_investor = bytes(registry.functions.investorOf(lost).call())
    new_investor = bytes(registry.functions.investorOf(replacement).call())
    if not any(new_investor) or (any(lost_investor) and new_investor != lost_investor):
        raise TransactionRevertedError(
            f"recover refused: {replacement} is not registered to the investor of {lost}",
            error_name="InvestorMismatch",
            hint="register the new wallet for the same investor id first "
            "(`equity holders add NEW --investor-id ID ...`); nothing was sent",
        )
    calls = []
    for share_class, token in contracts.all_tokens():
        balance = int(token.functions.balanceOf(lost).call())
        if balance > 0:
            _require_receivable(contracts, share_class.id, replacement, balance)
            calls.append((share_class.id, token.functions.recover(lost, replacement)))
    if not calls:
        raise UsageError(
            f"{lost} holds no shares of any class; nothing to recover",
            hint="check the wallet (`equity holders show`)",
        )
    from toolkit.chain.tx import Call

    return transactor.send([Call.of(call, f"recover {class_id}") for class_id, call in calls])


# What the issuer does about a new wallet that may not receive (codes 3-6), for `recover`.
_RECOVERY_FIXES = {
    3: "unfreeze it first (`equity holders unfreeze WALLET`): recovered into a frozen wallet, "
    "the shares would be stranded there",
    4: "register it for the same investor first (`equity holders add`)",
    5: "renew its qualification first (`equity holders remove WALLET`, then "
    "`equity holders add` with a later --expires)",
    6: "recover into a wallet registered in a jurisdiction the class accepts",
}


def _require_receivable(
    contracts: OfferingContracts, class_id: str, wallet: str, amount: int
) -> None:
    """Refuse, before anything is sent, a recovery whose new wallet the class would refuse
    (the token's codes 3-6 for a receiver, the rules ``recover`` applies on chain)."""
    restriction = check_transfer(contracts, class_id, ZERO_ADDRESS, wallet, amount)
    if restriction.code in _RECOVERY_FIXES:
        raise TransactionRevertedError(
            f"recover refused: {wallet} cannot receive {class_id}: "
            f"{restriction.name}: {restriction.message}",
            error_name="TransferRestricted",
            error_args={"code": restriction.code, "to": wallet},
            hint=f"nothing was sent; {_RECOVERY_FIXES[restriction.code]}",
        )


def set_paused(
    transactor: Transactor, contracts: OfferingContracts, class_id: str, paused: bool
) -> TxResult:
    token = contracts.token(class_id)
    if bool(token.functions.paused().call()) == paused:
        raise StateConflictError(
            f"transfers of {class_id} are {'paused already' if paused else 'not paused'}; "
            "nothing was sent",
            hint=f"`equity {'unpause' if paused else 'pause'} {class_id}` does the opposite",
        )
    call = token.functions.pause() if paused else token.functions.unpause()
    verb = "pause" if paused else "unpause"
    return transactor.transact(call, label=f"{verb} {class_id}")
