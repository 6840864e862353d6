"""Subscription rounds on chain (SPEC §11): open, read, subscribe, close, cancel, refund.

Every sending function asks the round's view (``restrictionOf``: the class's issuance code, then
codes 20-27) and the payment token's balance before anything is sent, so a refused subscription
says why and sends nothing. ``open_round`` turns the round file's decimal price and share counts
into the contract's exact integers (base units), refusing what would need rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_account.messages import encode_typed_data

from toolkit.chain.eip712 import typed_document
from toolkit.errors import InputError, TransactionRevertedError, UsageError
from toolkit.inputs import InvalidValue, format_shares, iso_time, parse_shares
from toolkit.offering.contracts import artifact
from toolkit.restrictions import restriction_message, restriction_name
from toolkit.rounds.records import (
    RoundRecord,
    record_round,
    recorded_rounds,
    recorded_stablecoin,
)
from toolkit.rounds.round_file import SHARE_KEYS, STABLECOIN, RoundSpec, parse_price, round_problem
from toolkit.rounds.stablecoin import STABLECOIN_TEMPLATE

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract
    from web3.types import BlockIdentifier

    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.deployments import Deployment

ROUND_TEMPLATE = "SubscriptionRound"
STATES = ("Scheduled", "Open", "Closed", "Settled", "Cancelled", "Failed")
SETTLE_BATCH = 20  # subscribers issued per settle transaction


def round_contract(w3: Web3, address: str) -> Contract:
    return w3.eth.contract(
        address=w3.to_checksum_address(address), abi=artifact(ROUND_TEMPLATE)["abi"]
    )


def payment_contract(w3: Web3, address: str) -> Contract:
    """Any ERC-20 (with permit when it has one), through the test stablecoin's ABI."""
    abi = artifact(STABLECOIN_TEMPLATE)["abi"]
    return w3.eth.contract(address=w3.to_checksum_address(address), abi=abi)


# --- opening -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedRound:
    """A round file worked out against the chain (payment token, exact price and amounts, the
    time), everything checked, nothing sent: ``deploy_round`` sends it."""

    spec: RoundSpec
    name: str
    class_id: str
    class_decimals: int
    payment_token: str
    payment_symbol: str
    payment_decimals: int
    price_per_unit: int  # payment-token base units per share base unit
    shares: dict[str, int]  # SHARE_KEYS present, in share base units

    @property
    def hard_cap(self) -> int:
        return self.shares["hard_cap"]


def prepare_round(
    w3: Web3, chain_id: int, cwd: Path, spec: RoundSpec, name: str, class_decimals: int
) -> PreparedRound:
    """Every check of a round that needs the chain, before anything is sent: the name is free,
    the payment token is a contract, the price and amounts are exact in base units, the round
    closes in the future. Each problem is an InputError on its line of the round file."""
    if any(r.name == name for r in recorded_rounds(chain_id, cwd)):
        raise UsageError(
            f"a round named {name!r} is already recorded", hint="choose another --name"
        )
    token_address = spec.payment_token
    if token_address == STABLECOIN:
        coin = recorded_stablecoin(chain_id, cwd)
        if coin is None:
            raise round_problem(
                spec,
                "payment_token",
                "no stablecoin is recorded on this chain: run `equity stablecoin deploy` first",
            )
        token_address = coin.address
    token = payment_contract(w3, token_address)
    if not w3.eth.get_code(token.address):
        raise round_problem(
            spec, "payment_token", f"{token_address} is not a contract on this chain"
        )
    payment_decimals = int(token.functions.decimals().call())
    symbol = str(token.functions.symbol().call())
    try:
        price = parse_price(spec.price, payment_decimals)
    except InvalidValue as exc:
        raise round_problem(spec, "price", f"{exc} ({symbol} has {payment_decimals})") from None
    unit = 10**class_decimals
    if price % unit:
        raise round_problem(
            spec,
            "price",
            f"{spec.price} {symbol} per share is not a whole number of {symbol} base units per "
            f"1/{unit} share (the class's smallest unit)",
        )
    shares: dict[str, int] = {}
    for key in SHARE_KEYS:
        if key in spec.shares:
            try:
                shares[key] = parse_shares(
                    spec.shares[key], class_decimals, allow_zero=key != "hard_cap", what=key
                )
            except InvalidValue as exc:
                raise round_problem(spec, key, str(exc)) from None
    checks = [
        ("soft_cap", shares.get("soft_cap", 0) > shares["hard_cap"], "must not exceed hard_cap"),
        (
            "min_ticket",
            bool(shares.get("max_ticket"))
            and shares.get("min_ticket", 0) > shares.get("max_ticket", 0),
            "must not exceed max_ticket",
        ),
    ]
    for key, failed, message in checks:
        if failed:
            raise round_problem(spec, key, message)
    now = int(w3.eth.get_block("latest")["timestamp"])
    if spec.closes <= now:
        raise round_problem(spec, "closes", f"is in the past (the chain's time is {iso_time(now)})")
    return PreparedRound(
        spec=spec,
        name=name,
        class_id=spec.class_id,
        class_decimals=class_decimals,
        payment_token=token.address,
        payment_symbol=symbol,
        payment_decimals=payment_decimals,
        price_per_unit=price // unit,
        shares=shares,
    )


def deploy_round(
    transactor: Transactor,
    prepared: PreparedRound,
    *,
    offering: str,
    class_address: str,
    timelock: str,
    cwd: Path,
) -> tuple[RoundRecord, TxResult]:
    """Deploy a prepared round (admin: the timelock, manager: the signer) and record it."""
    chain = transactor.chain
    spec, shares = prepared.spec, prepared.shares
    start, cliff, end = spec.lock()
    terms = (
        class_address,
        prepared.payment_token,
        prepared.price_per_unit,
        spec.opens,
        spec.closes,
        shares["hard_cap"],
        shares.get("soft_cap", 0),
        shares.get("min_ticket", 0),
        shares.get("max_ticket", 0),
        shares.get("max_per_transaction", 0),
        spec.accredited_only,
        start,
        cliff,
        end,
        spec.proceeds_to or timelock,
    )
    result = transactor.deploy(
        artifact(ROUND_TEMPLATE),
        terms,
        timelock,
        transactor.address,
        label=f"deploy round {prepared.name}",
    )
    assert result.contract_address is not None
    record = RoundRecord(
        name=prepared.name,
        offering=offering,
        address=chain.w3.to_checksum_address(result.contract_address),
        class_id=prepared.class_id,
        class_decimals=prepared.class_decimals,
        payment_token=prepared.payment_token,
        payment_symbol=prepared.payment_symbol,
        payment_decimals=prepared.payment_decimals,
        price_per_unit=prepared.price_per_unit,
        block=result.block,
        round_file=str(spec.path),
    )
    record_round(chain.chain_id, cwd, record)
    return record, result


def open_round(
    transactor: Transactor, deployment: Deployment, spec: RoundSpec, name: str, cwd: Path
) -> tuple[RoundRecord, TxResult]:
    """Check the round against the chain, then deploy and record it."""
    chain = transactor.chain
    try:
        share_class = deployment.class_by_id(spec.class_id)
    except UsageError as exc:
        raise round_problem(spec, "class", str(exc)) from None
    prepared = prepare_round(chain.w3, chain.chain_id, cwd, spec, name, share_class.decimals)
    return deploy_round(
        transactor,
        prepared,
        offering=deployment.name,
        class_address=share_class.address,
        timelock=deployment.timelock,
        cwd=cwd,
    )


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundStatus:
    record: RoundRecord
    state: str
    sold: int
    issued: int
    escrowed: int
    investors: int
    hard_cap: int
    soft_cap: int
    opens: int
    closes: int

    @property
    def price(self) -> int:
        """Per whole share, in the payment token's base units."""
        return int(self.record.price_per_unit * 10**self.record.class_decimals)

    def to_json(self) -> dict[str, Any]:
        """SPEC §11's ``round status --json`` (amounts in base units, dates ISO 8601 UTC)."""
        return {
            "round": self.record.name,
            "class": self.record.class_id,
            "state": self.state,
            "price": self.price,
            "payment_token": self.record.payment_token,
            "sold": self.sold,
            "raised": self.sold * self.record.price_per_unit,
            "investors": self.investors,
            "hard_cap": self.hard_cap,
            "soft_cap": self.soft_cap,
            "opens": iso_time(self.opens),
            "closes": iso_time(self.closes),
        }


def round_status(w3: Web3, record: RoundRecord, block: BlockIdentifier = "latest") -> RoundStatus:
    """The round as it stands at ``block`` (default: the newest)."""
    functions = round_contract(w3, record.address).functions
    terms = functions.terms().call(block_identifier=block)
    return RoundStatus(
        record=record,
        state=STATES[int(functions.state().call(block_identifier=block))],
        sold=int(functions.sold().call(block_identifier=block)),
        issued=int(functions.issued().call(block_identifier=block)),
        escrowed=int(functions.escrowed().call(block_identifier=block)),
        investors=int(functions.investors().call(block_identifier=block)),
        hard_cap=int(terms[5]),
        soft_cap=int(terms[6]),
        opens=int(terms[3]),
        closes=int(terms[4]),
    )


# --- subscribing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """What a subscription would cost and meet, asked before anything is sent."""

    shares: int
    cost: int
    code: int
    name: str
    message: str

    @property
    def allowed(self) -> bool:
        return self.code == 0


def quote(w3: Web3, record: RoundRecord, buyer: str, shares: int) -> Quote:
    contract = round_contract(w3, record.address)
    code = int(contract.functions.restrictionOf(buyer, shares).call())
    message = (
        str(contract.functions.messageForRestriction(code).call())
        if code
        else restriction_message(0)
    )
    return Quote(shares, shares * record.price_per_unit, code, restriction_name(code), message)


def format_money(units: int, record: RoundRecord) -> str:
    return f"{format_shares(units, record.payment_decimals, grouped=True)} {record.payment_symbol}"


def subscribe(
    transactor: Transactor, record: RoundRecord, shares: int, *, permit: bool
) -> tuple[Quote, list[TxResult]]:
    """Pay SHARES x price from the signer: approve then subscribe, or one transaction with an
    ERC-2612 permit. A restriction or a short balance raises before anything is sent."""
    w3 = transactor.chain.w3
    buyer = transactor.address
    offer = quote(w3, record, buyer, shares)
    if not offer.allowed:
        raise TransactionRevertedError(
            f"subscription to {record.name} refused: {offer.name} ({offer.code}): {offer.message}",
            error_name="RoundRestricted",
            error_args={"code": offer.code, "buyer": buyer, "shares": shares},
            hint="nothing was sent; `equity round status` shows the round's terms",
        )
    token = payment_contract(w3, record.payment_token)
    balance = int(token.functions.balanceOf(buyer).call())
    if balance < offer.cost:
        raise TransactionRevertedError(
            f"{buyer} holds {format_money(balance, record)}; the subscription costs "
            f"{format_money(offer.cost, record)}",
            error_name="InsufficientPayment",
            hint="nothing was sent; fund the wallet with the payment token first",
        )
    contract = round_contract(w3, record.address)
    sent: list[TxResult] = []
    if permit:
        deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600
        v, r, s = sign_permit(transactor, token, record.address, offer.cost, deadline)
        call = contract.functions.subscribeWithPermit(shares, deadline, v, r, s)
    else:
        allowance = int(token.functions.allowance(buyer, record.address).call())
        if allowance < offer.cost:
            sent.append(
                transactor.transact(
                    token.functions.approve(record.address, offer.cost),
                    label=f"approve {record.payment_symbol} for {record.name}",
                )
            )
        call = contract.functions.subscribe(shares)
    sent.append(transactor.transact(call, label=f"subscribe to {record.name}"))
    return offer, sent


PERMIT_FIELDS: list[dict[str, str]] = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


def permit_typed_data(
    *,
    token_name: str,
    chain_id: int,
    token: str,
    owner: str,
    spender: str,
    value: int,
    nonce: int,
    deadline: int,
) -> dict[str, Any]:
    """The EIP-712 document of an ERC-2612 permit (OpenZeppelin ERC20Permit: version "1")."""
    return typed_document(
        "Permit",
        PERMIT_FIELDS,
        name=token_name,
        version="1",
        chain_id=chain_id,
        contract=token,
        message={
            "owner": owner,
            "spender": spender,
            "value": value,
            "nonce": nonce,
            "deadline": deadline,
        },
    )


def sign_permit(
    transactor: Transactor, token: Contract, spender: str, value: int, deadline: int
) -> tuple[int, bytes, bytes]:
    """An ERC-2612 permit signed by the transactor's key (never leaves this process)."""
    owner = transactor.address
    document = permit_typed_data(
        token_name=str(token.functions.name().call()),
        chain_id=transactor.chain.chain_id,
        token=token.address,
        owner=owner,
        spender=spender,
        value=value,
        nonce=int(token.functions.nonces(owner).call()),
        deadline=deadline,
    )
    signed = transactor.account.sign_message(encode_typed_data(full_message=document))
    return int(signed.v), int(signed.r).to_bytes(32, "big"), int(signed.s).to_bytes(32, "big")


# --- the issuer and refunds --------------------------------------------------------------------


def close_round(transactor: Transactor, record: RoundRecord) -> tuple[str, list[TxResult]]:
    """Close (if not closed yet), then settle every escrowed subscriber in batches."""
    w3 = transactor.chain.w3
    contract = round_contract(w3, record.address)
    state = STATES[int(contract.functions.state().call())]
    sent: list[TxResult] = []
    if state in ("Scheduled", "Cancelled", "Failed"):
        raise TransactionRevertedError(
            f"round {record.name} is {state}: there is nothing to close",
            error_name="InvalidRoundState",
            hint="nothing was sent"
            + ("; subscribers may `equity round refund`" if state != "Scheduled" else ""),
        )
    if state != "Settled":
        sent.append(transactor.transact(contract.functions.close(), label=f"close {record.name}"))
        state = STATES[int(contract.functions.state().call())]
    while state == "Settled" and int(contract.functions.unsettledCount().call()) > 0:
        sent.append(
            transactor.transact(
                contract.functions.settle(SETTLE_BATCH), label=f"settle {record.name}"
            )
        )
    return state, sent


def cancel_round(transactor: Transactor, record: RoundRecord) -> TxResult:
    contract = round_contract(transactor.chain.w3, record.address)
    return transactor.transact(contract.functions.cancel(), label=f"cancel {record.name}")


def refund(transactor: Transactor, record: RoundRecord) -> tuple[int, TxResult]:
    """Take back the signer's escrowed payment (Cancelled, Failed, or rejected at settlement)."""
    contract = round_contract(transactor.chain.w3, record.address)
    wallet = transactor.address
    amount = int(contract.functions.pendingOf(wallet).call()) * record.price_per_unit
    if amount == 0:
        raise InputError(
            f"{wallet} has no payment held in round {record.name}",
            hint="nothing was sent; only escrowed payments of a cancelled or failed round are refunded",
        )
    return amount, transactor.transact(
        contract.functions.refund(wallet), label=f"refund from {record.name}"
    )
