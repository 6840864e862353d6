"""The company's right of first refusal on chain (SPEC §12, issue 13 point 2): the notices a fill
in a ROFR class opens, and the four ways one ends (exercise, waive then complete, complete after
the window, unwind after the grace period).

The contract stores only a hash of each notice's terms; the terms come back from its
``NoticeOpened`` event, and every settling call passes them. Every sending function reads first
what the contract would refuse (the notice's status, the window, the exerciser's role, the class
token's restriction code for the receiver, the payer's balance), so a call that cannot succeed
says why and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.errors import InputError, StateConflictError, UsageError
from toolkit.inputs import format_shares, iso_time
from toolkit.offering.contracts import ROFR, artifact
from toolkit.restrictions import restriction_message, restriction_name
from toolkit.rounds.rounds import payment_contract

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract

    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.deployments import Deployment

STATUSES = ("none", "open", "waived", "exercised", "completed", "unwound")
OPEN, WAIVED, EXERCISED, COMPLETED, UNWOUND = 1, 2, 3, 4, 5
TERMS = ("seller", "buyer", "shareClass", "paymentToken", "shares", "payment")
EXERCISER_ROLE_NAME = "EXERCISER_ROLE"


def rofr_contract(w3: Web3, deployment: Deployment) -> Contract:
    if not deployment.rofr:
        raise UsageError(
            f"offering {deployment.name!r} has no right of first refusal",
            hint="a class gets one with `rofr_days = N` in the offering file (then `equity deploy`)",
        )
    return w3.eth.contract(
        address=w3.to_checksum_address(deployment.rofr), abi=artifact(ROFR)["abi"]
    )


@dataclass(frozen=True)
class Notice:
    """A held trade: its terms as opened, and where it stands now."""

    id: int
    order_hash: str
    seller: str
    buyer: str
    share_class: str
    class_id: str
    class_decimals: int
    payment_token: str
    shares: int
    payment: int
    window_end: int
    unwind_after: int
    status: int
    block: int  # where it was opened

    @property
    def status_name(self) -> str:
        return STATUSES[self.status]

    @property
    def held(self) -> bool:
        return self.status in (OPEN, WAIVED)

    def terms(self) -> tuple[Any, ...]:
        return (
            self.seller,
            self.buyer,
            self.share_class,
            self.payment_token,
            self.shares,
            self.payment,
            self.window_end,
            self.unwind_after,
        )

    def describe(self) -> str:
        shown = format_shares(self.shares, self.class_decimals, grouped=True)
        return f"notice {self.id}: {shown} {self.class_id} from {self.seller} to {self.buyer}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status_name,
            "class": self.class_id,
            "seller": self.seller,
            "buyer": self.buyer,
            "shares": self.shares,
            "payment": self.payment,
            "payment_token": self.payment_token,
            "window_end": iso_time(self.window_end),
            "unwind_after": iso_time(self.unwind_after),
            "order_hash": self.order_hash,
        }


def notices(w3: Web3, deployment: Deployment, *, status: bool = True) -> list[Notice]:
    """Every notice of the offering, oldest first (``status``: read where each stands)."""
    rofr = rofr_contract(w3, deployment)
    found = []
    for log in rofr.events.NoticeOpened.get_logs(from_block=deployment.block):
        args = log["args"]
        terms = args["notice"]
        values = [terms[k] for k in TERMS] if hasattr(terms, "keys") else list(terms)[:6]
        window_end = int(terms["windowEnd"] if hasattr(terms, "keys") else terms[6])
        unwind_after = int(terms["unwindAfter"] if hasattr(terms, "keys") else terms[7])
        share_class = next(
            c for c in deployment.classes if c.address.lower() == str(values[2]).lower()
        )
        number = int(args["id"])
        found.append(
            Notice(
                id=number,
                order_hash="0x" + bytes(args["orderHash"]).hex(),
                seller=str(values[0]),
                buyer=str(values[1]),
                share_class=str(values[2]),
                class_id=share_class.id,
                class_decimals=share_class.decimals,
                payment_token=str(values[3]),
                shares=int(values[4]),
                payment=int(values[5]),
                window_end=window_end,
                unwind_after=unwind_after,
                status=int(rofr.functions.status(number).call()) if status else OPEN,
                block=int(log["blockNumber"]),
            )
        )
    return found


def opened_notice(w3: Web3, deployment: Deployment, tx_hash: str) -> Notice:
    """The notice a fill transaction opened."""
    rofr = rofr_contract(w3, deployment)
    receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    from web3.logs import DISCARD

    (event,) = rofr.events.NoticeOpened().process_receipt(receipt, errors=DISCARD)
    return find_notice(w3, deployment, str(event["args"]["id"]))


def find_notice(w3: Web3, deployment: Deployment, given: str) -> Notice:
    """NOTICE: a notice's number."""
    try:
        number = int(given)
    except ValueError:
        raise InputError(
            f"NOTICE must be a notice's number, not {given!r}",
            hint="`equity market rofr list` shows the notices",
        ) from None
    for notice in notices(w3, deployment):
        if notice.id == number:
            return notice
    raise InputError(
        f"offering {deployment.name!r} has no notice {number}",
        hint="`equity market rofr list` shows the notices",
    )


def _refuse(message: str, hint: str = "nothing was sent") -> StateConflictError:
    return StateConflictError(message, hint=hint)


def _require_held(notice: Notice, verb: str) -> None:
    if not notice.held:
        raise _refuse(f"{notice.describe()} was {notice.status_name}: it cannot be {verb}")


def _require_window(notice: Notice, now: int, verb: str) -> None:
    if notice.status == WAIVED:
        raise _refuse(f"{notice.describe()} was waived: it cannot be {verb}")
    if now + 1 >= notice.window_end:  # the next block is at least a second later
        raise _refuse(
            f"the company's window on notice {notice.id} closed on {iso_time(notice.window_end)}",
            hint="nothing was sent; the buyer may now complete it",
        )


def _require_exerciser(rofr: Contract, who: str) -> None:
    role = rofr.functions.EXERCISER_ROLE().call()
    if not rofr.functions.hasRole(role, who).call():
        raise _refuse(
            f"{who} may not exercise or waive the company's right of first refusal",
            hint="nothing was sent; governance does it (`equity gov propose rofr-exercise NOTICE ...`), "
            'or the issuer when the offering file says rofr_exerciser = "issuer"',
        )


def _require_receiver(w3: Web3, rofr: Contract, notice: Notice, to: str, who: str) -> None:
    """The class token's code for the escrow's move of the shares to ``to`` now."""
    from toolkit.offering.contracts import SHARE_CLASS

    token = w3.eth.contract(
        address=w3.to_checksum_address(notice.share_class), abi=artifact(SHARE_CLASS)["abi"]
    )
    code = int(token.functions.detectTransferRestriction(rofr.address, to, notice.shares).call())
    if code != 0:
        raise _refuse(
            f"the shares cannot go to the {who} {to}: {restriction_name(code)} ({code}): "
            f"{restriction_message(code)}",
            hint="nothing was sent; the notice stays as it is until the restriction is lifted",
        )


def _now(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def exercise(
    transactor: Transactor, deployment: Deployment, notice: Notice, to: str
) -> list[TxResult]:
    """The company buys at the notice's terms: the transactor (an exerciser) pays the seller,
    ``to`` gets the shares, the buyer its payment back. Approves the payment when short."""
    w3 = transactor.chain.w3
    rofr = rofr_contract(w3, deployment)
    me = transactor.address
    _require_held(notice, "exercised")
    _require_window(notice, _now(w3), "exercised")
    _require_exerciser(rofr, me)
    _require_receiver(w3, rofr, notice, to, "company's wallet")
    coin = payment_contract(w3, notice.payment_token)
    balance = int(coin.functions.balanceOf(me).call())
    if balance < notice.payment:
        raise _refuse(
            f"{me} holds {balance:,} base units of the payment token; exercising costs {notice.payment:,}",
            hint="nothing was sent; fund the company's wallet first",
        )
    sent = []
    allowance = int(coin.functions.allowance(me, rofr.address).call())
    if allowance < notice.payment:
        call = coin.functions.approve(rofr.address, allowance + notice.payment)
        sent.append(
            transactor.transact(call, label="approve the payment for the right of first refusal")
        )
    call = rofr.functions.exercise(notice.id, notice.terms(), to)
    sent.append(transactor.transact(call, label=f"exercise {notice.describe()}"))
    return sent


def exercise_call(w3: Web3, deployment: Deployment, notice: Notice, to: str) -> tuple[str, str]:
    """Governance's exercise: (target, calldata) of the ROFR's ``exercise``; the timelock pays."""
    rofr = rofr_contract(w3, deployment)
    _require_held(notice, "exercised")
    _require_window(notice, _now(w3), "exercised")
    return str(rofr.address), str(rofr.encode_abi("exercise", [notice.id, notice.terms(), to]))


def waive(transactor: Transactor, deployment: Deployment, notice: Notice) -> TxResult:
    w3 = transactor.chain.w3
    rofr = rofr_contract(w3, deployment)
    _require_held(notice, "waived")
    _require_window(notice, _now(w3), "waived")
    _require_exerciser(rofr, transactor.address)
    call = rofr.functions.waive(notice.id, notice.terms())
    return transactor.transact(call, label=f"waive {notice.describe()}")


def complete(transactor: Transactor, deployment: Deployment, notice: Notice) -> TxResult:
    """Shares to the buyer, payment to the seller: after the window or a waiver."""
    w3 = transactor.chain.w3
    rofr = rofr_contract(w3, deployment)
    _require_held(notice, "completed")
    if notice.status == OPEN and _now(w3) + 1 < notice.window_end:
        raise _refuse(
            f"the company's window on notice {notice.id} is still open until "
            f"{iso_time(notice.window_end)}",
            hint="nothing was sent; complete it after that date (or once the company waives)",
        )
    _require_receiver(w3, rofr, notice, notice.buyer, "buyer")
    call = rofr.functions.complete(notice.id, notice.terms())
    return transactor.transact(call, label=f"complete {notice.describe()}")


def unwind(transactor: Transactor, deployment: Deployment, notice: Notice) -> TxResult:
    """Everything back (shares to the seller, payment to the buyer): after the grace period."""
    w3 = transactor.chain.w3
    rofr = rofr_contract(w3, deployment)
    _require_held(notice, "unwound")
    if _now(w3) + 1 < notice.unwind_after:
        raise _refuse(
            f"notice {notice.id} can be unwound from {iso_time(notice.unwind_after)} on "
            "(until then the buyer may complete it)",
        )
    _require_receiver(w3, rofr, notice, notice.seller, "seller")
    call = rofr.functions.unwind(notice.id, notice.terms())
    return transactor.transact(call, label=f"unwind {notice.describe()}")
