"""Repurchases of shares by the company (SPEC §14): a buyback from one holder with their signed
consent, and governance's equal pro-rata repurchase from every holder of a class.

The offering's ``ShareRepurchase`` contract (deployed by ``equity deploy``, recorded as
``Deployment.repurchase``) redeems the shares and pays for them in one transaction.

- ``sign_consent``: the holder signs the terms (EIP-712 ``Consent``: class, holder, shares,
  payment token, price per share base unit, nonce, deadline) into a JSON file; nothing is sent;
- ``repurchase``: the company (BUYER_ROLE, the issuer) buys with that file: the file must match
  the command's terms, the signature must be the holder's, and every refusal the chain would
  make is found before anything is sent; the payment token is approved for the exact cost first;
- ``serve_program``: a pro-rata program governance opened (the ``repurchase-pro-rata`` action)
  is carried out in batches by anyone; a rerun serves only who is left; after its closing time
  it is closed and the rest of its funds go back to the timelock.

Prices: ``--price`` is per whole share in whole payment-token units (``"2.50"``); the contract
takes payment-token base units per share base unit, which must be a whole number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.chain.eip712 import typed_document
from toolkit.errors import InputError, StateConflictError, TransactionRevertedError, UsageError
from toolkit.inputs import InvalidValue, iso_time, parse_shares

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3.contract import Contract

    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.contracts import OfferingContracts
    from toolkit.offering.deployments import ClassDeployment

DOMAIN_NAME = "Share Repurchase"
DOMAIN_VERSION = "1"
CONSENT_FIELDS = (
    ("shareClass", "address"),
    ("holder", "address"),
    ("shares", "uint256"),
    ("paymentToken", "address"),
    ("pricePerUnit", "uint256"),
    ("nonce", "uint256"),
    ("deadline", "uint64"),
)
DEFAULT_BATCH_SIZE = 50


@dataclass(frozen=True)
class Terms:
    """A buyback's terms as the command gives them, in base units."""

    share_class: ClassDeployment
    holder: str
    shares: int
    payment_token: str
    price_per_unit: int  # payment-token base units per share base unit
    price_text: str
    symbol: str
    decimals: int  # the payment token's

    @property
    def cost(self) -> int:
        return self.shares * self.price_per_unit

    def shown(self) -> tuple[str, str]:
        """The shares and the cost as a person reads them (``100,000``, ``250,000 USDT``)."""
        from toolkit.inputs import format_shares

        shares = format_shares(self.shares, self.share_class.decimals, grouped=True)
        return shares, f"{format_shares(self.cost, self.decimals, grouped=True)} {self.symbol}"


@dataclass(frozen=True)
class Consent:
    """A holder's signed consent, as the JSON file carries it."""

    chain_id: int
    contract: str
    share_class: str  # token address
    holder: str
    shares: int
    payment_token: str
    price_per_unit: int
    nonce: int
    deadline: int
    signature: bytes

    def message(self) -> dict[str, Any]:
        return {
            "shareClass": self.share_class,
            "holder": self.holder,
            "shares": self.shares,
            "paymentToken": self.payment_token,
            "pricePerUnit": self.price_per_unit,
            "nonce": self.nonce,
            "deadline": self.deadline,
        }

    def as_tuple(self) -> tuple[Any, ...]:
        return tuple(self.message()[name] for name, _ in CONSENT_FIELDS)

    def typed_data(self) -> dict[str, Any]:
        return typed_data(self.chain_id, self.contract, self.message())

    def signer(self) -> str:
        from eth_account import Account
        from eth_account.messages import encode_typed_data

        try:
            return str(
                Account.recover_message(
                    encode_typed_data(full_message=self.typed_data()), signature=self.signature
                )
            )
        except Exception as exc:  # noqa: BLE001 - a malformed signature is bad input
            raise InputError(
                f"the consent's signature is malformed ({exc})",
                hint="ask the holder for a fresh consent (`equity repurchase ... --sign-consent`)",
            ) from None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "equity-repurchase-consent",
            "chain_id": self.chain_id,
            "contract": self.contract,
            **self.message(),
            "deadline_iso": iso_time(self.deadline),
            "signature": "0x" + self.signature.hex(),
        }


def typed_data(chain_id: int, contract: str, message: dict[str, Any]) -> dict[str, Any]:
    """The EIP-712 document the holder signs (``eth_signTypedData_v4`` form)."""
    return typed_document(
        "Consent",
        [{"name": n, "type": t} for n, t in CONSENT_FIELDS],
        name=DOMAIN_NAME,
        version=DOMAIN_VERSION,
        chain_id=chain_id,
        contract=contract,
        message=message,
    )


def repurchase_contract(contracts: OfferingContracts) -> Contract:
    """The offering's ShareRepurchase; a UsageError for an offering deployed without one."""
    address = contracts.deployment.repurchase
    if address is None:
        raise UsageError(
            "the offering has no repurchase contract (deployed before repurchases existed)",
            hint="deploy the offering again with this version of equity",
        )
    return contracts.repurchase()


def payment_token(contracts: OfferingContracts, cwd: Path, given: str) -> Contract:
    """``stablecoin`` (the one `equity stablecoin deploy` recorded) or an ERC-20 address."""
    from toolkit.rounds.records import recorded_stablecoin
    from toolkit.rounds.rounds import payment_contract

    w3 = contracts.w3
    address = given
    if given == "stablecoin":
        coin = recorded_stablecoin(contracts.deployment.chain_id, cwd)
        if coin is None:
            raise UsageError(
                "no stablecoin is recorded on this chain",
                hint="run `equity stablecoin deploy` first, or pass --payment-token ADDRESS",
            )
        address = coin.address
    token = payment_contract(w3, address)
    if not w3.eth.get_code(token.address):
        raise UsageError(
            f"--payment-token {given} is not a contract on this chain", hint="check the address"
        )
    return token


def price_per_unit(price: str, token_decimals: int, symbol: str, class_decimals: int) -> int:
    """Payment-token base units per share base unit of a price per whole share (exact)."""
    from toolkit.rounds.round_file import parse_price

    try:
        per_share: int = parse_price(price, token_decimals)
    except InvalidValue as exc:
        raise InputError(
            f"--price: {exc} ({symbol} has {token_decimals} decimals)", hint='e.g. --price "2.50"'
        ) from None
    unit: int = 10**class_decimals
    if per_share % unit:
        raise InputError(
            f"--price {price} {symbol} per share is not a whole number of {symbol} base units per "
            f"1/{unit} share (the class's smallest unit)",
            hint="give a price with fewer decimals",
        )
    return per_share // unit


def terms_of(
    contracts: OfferingContracts,
    cwd: Path,
    share_class: ClassDeployment,
    holder: str,
    shares: int,
    price: str,
    token_text: str,
) -> Terms:
    token = payment_token(contracts, cwd, token_text)
    decimals = int(token.functions.decimals().call())
    symbol = str(token.functions.symbol().call())
    return Terms(
        share_class=share_class,
        holder=holder,
        shares=shares,
        payment_token=str(token.address),
        price_per_unit=price_per_unit(price, decimals, symbol, share_class.decimals),
        price_text=price,
        symbol=symbol,
        decimals=decimals,
    )


def sign_consent(
    account: LocalAccount, contracts: OfferingContracts, terms: Terms, deadline: int, out: Path
) -> Consent:
    """The holder (``account``) signs ``terms`` and the consent is written to ``out``."""
    if account.address.lower() != terms.holder.lower():
        raise UsageError(
            f"the signer {account.address} is not the holder {terms.holder}",
            hint="sign with --account set to the holder's account",
        )
    contract = repurchase_contract(contracts)
    nonce = int(contract.functions.nonces(terms.holder).call())
    message: dict[str, Any] = {
        "shareClass": terms.share_class.address,
        "holder": terms.holder,
        "shares": terms.shares,
        "paymentToken": terms.payment_token,
        "pricePerUnit": terms.price_per_unit,
        "nonce": nonce,
        "deadline": deadline,
    }
    chain_id = contracts.deployment.chain_id
    signed = account.sign_typed_data(full_message=typed_data(chain_id, contract.address, message))
    consent = Consent(
        chain_id=chain_id,
        contract=str(contract.address),
        share_class=terms.share_class.address,
        holder=terms.holder,
        shares=terms.shares,
        payment_token=terms.payment_token,
        price_per_unit=terms.price_per_unit,
        nonce=nonce,
        deadline=deadline,
        signature=bytes(signed.signature),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(consent.to_json(), indent=2) + "\n")
    return consent


def read_consent(path: Path) -> Consent:
    try:
        data = json.loads(path.read_text())
        return Consent(
            chain_id=int(data["chain_id"]),
            contract=str(data["contract"]),
            share_class=str(data["shareClass"]),
            holder=str(data["holder"]),
            shares=int(data["shares"]),
            payment_token=str(data["paymentToken"]),
            price_per_unit=int(data["pricePerUnit"]),
            nonce=int(data["nonce"]),
            deadline=int(data["deadline"]),
            signature=bytes.fromhex(str(data["signature"]).removeprefix("0x")),
        )
    except OSError as exc:
        raise InputError(
            f"cannot read the consent {path}: {exc.strerror}", hint="check the path"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path} is not a repurchase consent ({exc})",
            hint="the holder writes one with `equity repurchase ... --sign-consent FILE`",
        ) from None


def check_consent(consent: Consent, terms: Terms, contract: Contract, now: int) -> None:
    """The consent is the holder's, for exactly these terms, on this contract, still valid: an
    InputError (exit 2) or the chain's refusal in words (exit 3) before anything is sent."""
    signer = consent.signer()
    if signer.lower() != consent.holder.lower():
        raise InputError(
            f"the consent's signature is not the holder's ({signer} signed it, not "
            f"{consent.holder}): it was altered after signing",
            hint="nothing was sent; ask the holder for a fresh consent",
        )
    expected = {
        "chain": (consent.chain_id, int(contract.w3.eth.chain_id)),
        "contract": (consent.contract.lower(), str(contract.address).lower()),
        "class": (consent.share_class.lower(), terms.share_class.address.lower()),
        "holder": (consent.holder.lower(), terms.holder.lower()),
        "shares": (consent.shares, terms.shares),
        "payment token": (consent.payment_token.lower(), terms.payment_token.lower()),
        "price": (consent.price_per_unit, terms.price_per_unit),
    }
    differ = [name for name, (signed, asked) in expected.items() if signed != asked]
    if differ:
        raise InputError(
            f"the consent does not match the command: its {', '.join(differ)} differ",
            hint="nothing was sent; repurchase on the terms the holder signed",
        )
    if now > consent.deadline:
        raise TransactionRevertedError(
            f"the consent expired at {iso_time(consent.deadline)}",
            error_name="ConsentExpired",
            hint="nothing was sent; ask the holder for a fresh consent",
        )
    nonce = int(contract.functions.nonces(consent.holder).call())
    if nonce != consent.nonce:
        raise TransactionRevertedError(
            f"the consent was used or replaced (its nonce is {consent.nonce}, the holder's "
            f"next is {nonce})",
            error_name="InvalidAccountNonce",
            hint="nothing was sent; ask the holder for a fresh consent",
        )


@dataclass(frozen=True)
class Repurchased:
    terms: Terms
    results: tuple[TxResult, ...]


def repurchase(
    transactor: Transactor, contracts: OfferingContracts, terms: Terms, consent: Consent
) -> Repurchased:
    """The company buys the holder's shares on the consent's terms: approve the exact cost
    when the allowance is short, then redeem and pay in one transaction."""
    from toolkit.chain.clock import latest_timestamp
    from toolkit.rounds.rounds import payment_contract

    contract = repurchase_contract(contracts)
    check_consent(consent, terms, contract, latest_timestamp(contracts.w3))
    token = contracts.token_of(terms.share_class)
    balance = int(token.functions.balanceOf(terms.holder).call())
    if balance < terms.shares:
        raise TransactionRevertedError(
            f"{terms.holder} holds {balance} base units of {terms.share_class.id}, fewer than "
            f"the {terms.shares} of the consent",
            error_name="TransferRestricted",
            error_args={"code": 7},
            hint="nothing was sent",
        )
    coin = payment_contract(contracts.w3, terms.payment_token)
    buyer = transactor.address
    funds = int(coin.functions.balanceOf(buyer).call())
    if funds < terms.cost:
        raise StateConflictError(
            f"the buyer {buyer} has {funds} base units of {terms.symbol}, the repurchase costs "
            f"{terms.cost}",
            hint="nothing was sent; fund the buyer's account first",
        )
    results: list[TxResult] = []
    allowance = int(coin.functions.allowance(buyer, contract.address).call())
    if allowance < terms.cost:
        results.append(
            transactor.transact(
                coin.functions.approve(contract.address, terms.cost),
                label=f"approve {terms.symbol} for the repurchase",
            )
        )
    results.append(
        transactor.transact(
            contract.functions.repurchase(consent.as_tuple(), consent.signature),
            label=f"repurchase {terms.share_class.id} from {terms.holder}",
        )
    )
    return Repurchased(terms, tuple(results))


@dataclass(frozen=True)
class ProgramRun:
    """A run of a pro-rata program: holders served, transactions, and the return at close."""

    program: int
    served: tuple[str, ...]
    results: tuple[TxResult, ...]
    closed: bool


def serve_program(
    transactor: Transactor,
    contracts: OfferingContracts,
    program: int,
    holders: list[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ProgramRun:
    """Serve every one of ``holders`` not yet served by ``program`` while it is open (a rerun
    serves only who is left); once its closing time has passed, close it instead."""
    from toolkit.chain.clock import latest_timestamp
    from toolkit.chain.tx import Call

    if batch_size < 1:
        raise UsageError("--batch-size must be 1 or more", hint="e.g. --batch-size 50")
    contract = repurchase_contract(contracts)
    functions = contract.functions
    count = int(functions.programCount().call())
    if not 1 <= program <= count:
        raise UsageError(
            f"no pro-rata program {program} (the offering has {count})",
            hint="governance opens one with the action `repurchase-pro-rata`",
        )
    terms = functions.programOf(program).call()
    closes, closed = int(terms[5]), bool(terms[6])
    if closed:
        raise StateConflictError(f"program {program} is closed; nothing was sent", hint=None)
    if latest_timestamp(contracts.w3) > closes:
        result = transactor.transact(
            functions.closeProRata(program), label=f"close pro-rata program {program}"
        )
        return ProgramRun(program, (), (result,), True)
    pending = [h for h in holders if not functions.served(program, h).call()]
    results: list[TxResult] = []
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        label = f"pro-rata repurchase {program}: {len(batch)} holder(s)"
        results.extend(
            transactor.send([Call.of(functions.repurchaseProRata(program, batch), label)])
        )
    return ProgramRun(program, tuple(pending), tuple(results), False)


def parse_shares_arg(text: str, decimals: int) -> int:
    try:
        return parse_shares(text, decimals)
    except InvalidValue as exc:
        raise InputError(f"SHARES: {exc}", hint="e.g. 1000") from None
