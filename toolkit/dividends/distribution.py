"""Distributions on the chain (the shell around the pure core): plan, declare, claim, reclaim,
status and statements.

A *plan* reads the cap table as of the record date through the indexer (the ledger at that
block, with each wallet's jurisdiction as the registry then said), computes the entitlements
and their tree, and says what a declaration will send. Declaring approves the factory and calls
``declare``: the distribution is created and funded in that one transaction. Everything a
report needs afterwards is read from the distribution itself (its state words, its balance and
its ``Paid``/``Reserved``/``Reclaimed`` events).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from toolkit.dividends.entitlements import (
    ClassRate,
    Entitlements,
    Withholding,
    compute_entitlements,
    entitlement_tree,
)
from toolkit.dividends.merkle import StandardMerkleTree
from toolkit.dividends.records import (
    ClassRecord,
    DividendBook,
    DividendRecord,
    read_factory,
    record_factory,
)
from toolkit.dividends.terms import DividendFile
from toolkit.errors import ChainError, InputError, TransactionRevertedError, UsageError
from toolkit.inputs import checksum_address, format_shares, iso_time

if TYPE_CHECKING:
    from pathlib import Path

    from web3 import Web3
    from web3.contract import Contract
    from web3.types import BlockIdentifier

    from toolkit.captable.api import CapTableSession
    from toolkit.captable.ledger import Ledger
    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.deployments import Deployment

DISTRIBUTION = "Distribution"
FACTORY = "DistributionFactory"
STABLECOIN = "TestStablecoin"
STATES = {0: "unpaid", 1: "paid", 2: "reserved"}
LEAVES_PER_WORD = 127  # two-bit leaf states per storage word; bit 255 marks a prepared word
WORDS_PREPARED_AT_DECLARATION = 128  # the constructor's share; prepareStates does the rest
PREPARE_BATCH = 512  # state words per prepareStates transaction (about 11.4 M gas)
ERC20_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": name,
        "stateMutability": "view",
        "inputs": inputs,
        "outputs": [{"name": "", "type": kind}],
    }
    for name, inputs, kind in (
        ("decimals", [], "uint8"),
        ("symbol", [], "string"),
        ("balanceOf", [{"name": "a", "type": "address"}], "uint256"),
    )
] + [
    {
        "type": "function",
        "name": "approve",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "s", "type": "address"}, {"name": "v", "type": "uint256"}],
        "outputs": [{"name": "", "type": "bool"}],
    }
]


def artifact(name: str) -> dict[str, Any]:
    from toolkit.offering.contracts import artifact as template

    return template(name)


def erc20(w3: Web3, address: str) -> Contract:
    return w3.eth.contract(address=w3.to_checksum_address(address), abi=ERC20_ABI)


def distribution_contract(w3: Web3, address: str) -> Contract:
    return w3.eth.contract(
        address=w3.to_checksum_address(address), abi=artifact(DISTRIBUTION)["abi"]
    )


def format_money(amount: int, decimals: int, symbol: str = "") -> str:
    """Base units of the payment token as a person reads them (exact: ``1,250.5 USDT``)."""
    text = format_shares(amount, decimals, grouped=True)
    return f"{text} {symbol}" if symbol else text


# --- planning --------------------------------------------------------------------------------


@dataclass
class DividendPlan:
    """What a declaration of ``file`` will do, computed from the chain, nothing sent."""

    file: DividendFile
    record_block: int
    record_timestamp: int
    token: str
    token_symbol: str
    token_decimals: int
    entitlements: Entitlements
    tree: StandardMerkleTree
    rates: list[ClassRate] = field(default_factory=list)

    @property
    def funded(self) -> int:
        return self.entitlements.funded

    def summary(self, offering: str) -> str:
        """One line: what the declaration will fund, and how it splits."""
        ent = self.entitlements

        def money(amount: int) -> str:
            return format_money(amount, self.token_decimals, self.token_symbol)

        return (
            f"dividend on {offering}: record block {self.record_block}, {len(ent.leaves)} "
            f"entitlement(s), funded {money(ent.funded)} (net {money(ent.net)}, withheld "
            f"{money(ent.withheld)}, dust {money(ent.dust)})"
        )

    def terms(self, deployment: Deployment, distributor: str) -> tuple[Any, ...]:
        """The factory's ``Terms`` tuple (admin: the timelock; distributor: the issuer)."""
        return (
            self.token,
            deployment.registry,
            self.tree.root,
            len(self.tree),
            self.entitlements.entitled,
            self.entitlements.dust,
            self.record_block,
            self.file.claim_deadline,
            self.file.tax_account,
            self.file.dust_account,
            deployment.timelock,
            distributor,
        )

    def record(
        self,
        dividend_id: int,
        deployment: Deployment,
        *,
        company: str,
        distributor: str,
        factory: str,
    ) -> DividendRecord:
        ent = self.entitlements
        amounts = {c.class_id: str(c.amount_per_share) for c in self.file.per_class}
        totals = {c.class_id: c for c in ent.classes}
        return DividendRecord(
            id=dividend_id,
            offering=deployment.name,
            chain_id=deployment.chain_id,
            state="declared",
            payment_token=self.token,
            token_symbol=self.token_symbol,
            token_decimals=self.token_decimals,
            record_block=self.record_block,
            record_date=str(self.file.record_date),
            claim_deadline=self.file.claim_deadline,
            tax_account=self.file.tax_account,
            dust_account=self.file.dust_account,
            funded=ent.funded,
            entitled=ent.entitled,
            dust=ent.dust,
            root="0x" + self.tree.root.hex(),
            leaf_count=len(self.tree),
            classes=[
                ClassRecord(
                    id=r.class_id,
                    token=r.token,
                    amount_per_share=amounts[r.class_id],
                    shares=totals[r.class_id].shares,
                    funded=totals[r.class_id].funded,
                    entitled=totals[r.class_id].entitled,
                )
                for r in self.rates
            ],
            withholding={k: str(v) for k, v in self.file.withholding_percent.items()},
            factory=factory,
            company=company,
            distributor=distributor,
            source_file=str(self.file.path),
            source_sha256=self.file.sha256,
            details=[
                [e.shares, e.jurisdiction, f"{e.rate.numerator}/{e.rate.denominator}"]
                for e in ent.leaves
            ],
        )


def resolve_record_block(
    session: CapTableSession, record_date: int | str, deploy_block: int
) -> int:
    from toolkit.captable.api import parse_as_of

    if isinstance(record_date, int):
        block = record_date
    else:
        moment = parse_as_of(record_date)
        assert isinstance(moment, datetime)
        block = session.indexer.block_at_time(moment)
    if block < deploy_block:
        raise InputError(
            f"record_date is block {block}, before the offering was deployed (block {deploy_block})",
            hint="give a record date after the offering's deployment",
        )
    return block


def ledger_at(session: CapTableSession, block: int) -> tuple[Ledger, int, int]:
    """The cap table's ledger as of ``block`` from the indexer's cache (no lock-up reads:
    entitlements count every share, locked or not, so no archive state is needed)."""
    return session.indexer.sync(confirmations=session.confirmations, as_of=block)


def ledger_entitlements(
    ledger: Ledger, rates: list[ClassRate], withholding: Withholding
) -> Entitlements:
    """The entitlements of the holders in ``ledger`` (the cap table at the record block), each
    wallet withheld at the rate of the jurisdiction the registry then gave it."""
    holdings = {c.class_id: ledger.classes[c.class_id].holders() for c in rates}

    def jurisdiction_of(wallet: str) -> str | None:
        record = ledger.holders.get(wallet)
        return record.jurisdiction if record else None

    return compute_entitlements(
        holdings, rates, withholding, jurisdiction_of, checksum=checksum_address
    )


def plan_dividend(
    w3: Web3,
    session: CapTableSession,
    deployment: Deployment,
    file: DividendFile,
    *,
    now: int,
    stablecoin: Callable[[], str] | None = None,
) -> DividendPlan:
    """Entitlements as of the record date (see the module docstring); nothing is sent."""
    if file.claim_deadline <= now:
        raise InputError(
            f"claim_deadline {iso_time(file.claim_deadline)} is not in the future (chain time)",
            hint="give a later claim_deadline",
        )
    token = file.payment_token
    if token == "stablecoin":
        if stablecoin is None:
            raise InputError(
                'payment_token = "stablecoin" but no stablecoin is recorded on this chain',
                hint="give the payment token's address",
            )
        token = stablecoin()
    if not bytes(w3.eth.get_code(w3.to_checksum_address(token))):
        raise InputError(
            f"payment_token {token} is not a contract on this chain",
            hint="give the address of the ERC-20 the dividend is paid in",
        )
    coin = erc20(w3, token)
    try:
        decimals = int(coin.functions.decimals().call())
        symbol = str(coin.functions.symbol().call())
    except Exception as exc:  # noqa: BLE001 - any failure means "not an ERC-20 we can use"
        raise InputError(
            f"payment_token {token} does not answer decimals()/symbol() like an ERC-20 ({exc})",
            hint="give the address of an ERC-20 token",
        ) from None
    record_block = resolve_record_block(session, file.record_date, deployment.block)
    ledger, _, record_timestamp = ledger_at(session, record_block)
    rates = []
    for amount in file.per_class:
        share_class = deployment.class_by_id(amount.class_id)
        rates.append(
            ClassRate(
                amount.class_id,
                share_class.address,
                amount.base_units(decimals),
                share_class.decimals,
            )
        )
    entitlements = ledger_entitlements(ledger, rates, file.withholding)
    if not entitlements.leaves:
        raise InputError(
            f"nobody is entitled: the paying classes had no holders at block {record_block} "
            "(or the amounts round to nothing)",
            hint="check record_date and per_class",
        )
    return DividendPlan(
        file=file,
        record_block=record_block,
        record_timestamp=record_timestamp,
        token=w3.to_checksum_address(token),
        token_symbol=symbol,
        token_decimals=decimals,
        entitlements=entitlements,
        tree=entitlement_tree(entitlements),
        rates=rates,
    )


# --- declaring -------------------------------------------------------------------------------


def ensure_factory(transactor: Transactor, cwd: Path) -> str:
    """The DistributionFactory recorded for this chain, deployed first if there is none."""
    chain = transactor.chain
    recorded = read_factory(cwd, chain.chain_id)
    if recorded and bytes(chain.w3.eth.get_code(chain.w3.to_checksum_address(recorded))):
        return recorded
    result = transactor.deploy(artifact(FACTORY), label="deploy DistributionFactory")
    assert result.contract_address is not None
    record_factory(cwd, chain.chain_id, result.contract_address, result.block)
    return result.contract_address


@dataclass
class Declaration:
    record: DividendRecord
    transactions: list[TxResult]

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "id": r.id,
            "address": r.address,
            "record_block": r.record_block,
            "funded": r.funded,
            "entitled": r.entitled,
            "dust": r.dust,
            "leaves": r.leaf_count,
            "root": r.root,
        }


def check_funds(w3: Web3, plan: DividendPlan, payer: str) -> None:
    balance = int(erc20(w3, plan.token).functions.balanceOf(payer).call())
    if balance < plan.funded:
        raise InputError(
            f"{payer} holds {format_money(balance, plan.token_decimals, plan.token_symbol)}; "
            f"the dividend needs {format_money(plan.funded, plan.token_decimals)}",
            hint="fund the account with the payment token; nothing was sent",
        )


def declare_dividend(
    transactor: Transactor, deployment: Deployment, plan: DividendPlan, cwd: Path
) -> Declaration:
    """Approve the factory, then create and fund the distribution in one transaction."""
    w3 = transactor.chain.w3
    issuer = transactor.address
    check_funds(w3, plan, issuer)
    factory_address = ensure_factory(transactor, cwd)
    factory = w3.eth.contract(
        address=w3.to_checksum_address(factory_address), abi=artifact(FACTORY)["abi"]
    )
    txs = [
        transactor.transact(
            erc20(w3, plan.token).functions.approve(factory_address, plan.funded),
            label=f"approve {plan.token_symbol} for the dividend",
        )
    ]
    declared = transactor.transact(
        factory.functions.declare(plan.terms(deployment, issuer)), label="declare the dividend"
    )
    txs.append(declared)
    receipt = w3.eth.get_transaction_receipt(declared.hash)  # type: ignore[arg-type]
    from web3.logs import DISCARD

    (event,) = factory.events.DistributionDeclared().process_receipt(receipt, errors=DISCARD)
    book = DividendBook(cwd, deployment.chain_id, deployment.name)
    record = plan.record(
        book.next_id(), deployment, company=issuer, distributor=issuer, factory=factory_address
    )
    record.address = str(event["args"]["distribution"])
    record.block = declared.block
    book.save(record, plan.tree.dump())
    txs += prepare_state_words(transactor, record)
    return Declaration(record, txs)


def word_count(leaves: int) -> int:
    """How many state words a distribution of ``leaves`` leaves has."""
    return -(-leaves // LEAVES_PER_WORD)


def prepare_state_words(transactor: Transactor, record: DividendRecord) -> list[TxResult]:
    """Prepare the state words the declaration left unprepared (a tree of more than
    ``WORDS_PREPARED_AT_DECLARATION`` words), so that no claim or push pays a zero-to-non-zero
    write. Reads which words are still zero; a rerun sends only what is left."""
    contract = distribution_contract(transactor.chain.w3, require_address(record))
    words = word_count(record.leaf_count)
    if words <= WORDS_PREPARED_AT_DECLARATION:
        return []
    raw = contract.functions.stateWords(0, words).call()
    unprepared = [i for i, word in enumerate(raw) if not int(word) >> 255]
    sent = []
    for start, count in _runs(unprepared, PREPARE_BATCH):
        sent.append(
            transactor.transact(
                contract.functions.prepareStates(start, count),
                label=f"prepare state words {start}-{start + count - 1} of dividend {record.id}",
            )
        )
    return sent


def _runs(indices: list[int], longest: int) -> list[tuple[int, int]]:
    """Consecutive ``indices`` as (first, count) runs of at most ``longest``."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][0] + runs[-1][1] == index and runs[-1][1] < longest:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((index, 1))
    return runs


def find_declared(w3: Web3, record: DividendRecord) -> tuple[str, int] | None:
    """(address, block) of a dividend proposed through governance, once executed."""
    factory = w3.eth.contract(
        address=w3.to_checksum_address(record.factory), abi=artifact(FACTORY)["abi"]
    )
    logs = factory.events.DistributionDeclared().get_logs(
        from_block=record.record_block, argument_filters={"company": record.company}
    )
    for log in logs:
        terms = log["args"]["terms"]
        root = terms["root"] if hasattr(terms, "keys") else terms[2]
        if "0x" + bytes(root).hex() == record.root:
            return str(log["args"]["distribution"]), int(log["blockNumber"])
    return None


def settled(w3: Web3, book: DividendBook, record: DividendRecord) -> DividendRecord:
    """The record with its address, once a proposed declaration was executed (saved)."""
    if record.address is None:
        found = find_declared(w3, record)
        if found is not None:
            record.address, record.block = found
            record.state = "declared"
            book.save(record)
    return record


def require_address(record: DividendRecord) -> str:
    if record.address is None:
        raise UsageError(
            f"dividend {record.id} is proposed (proposal {record.proposal_id}) but not executed yet",
            hint="it is declared when the proposal executes (`equity gov execute`)",
        )
    return record.address


# --- reading state ---------------------------------------------------------------------------


def decode_states(words: list[int], count: int) -> list[int]:
    """The state of leaves 0 .. count - 1 from the raw state words (0 unpaid, 1 paid, 2
    reserved; the prepared bit is not a leaf's)."""
    return [
        (int(words[i // LEAVES_PER_WORD]) >> (2 * (i % LEAVES_PER_WORD))) & 3 for i in range(count)
    ]


def leaf_states(contract: Contract, count: int, block: BlockIdentifier = "latest") -> list[int]:
    words = contract.functions.stateWords(0, word_count(count)).call(block_identifier=block)
    return decode_states(words, count)


@dataclass
class Payment:
    """A leaf's ``Paid`` (or ``Reserved``) event; ``to`` is where the net amount went: the
    leaf's wallet, or the wallet its lost wallet was recovered to (``PaidToRecoveredWallet``)."""

    index: int
    kind: str  # "Paid" or "Reserved"
    tx: str
    block: int
    to: str


def payments(w3: Web3, record: DividendRecord, wallet: str) -> list[Payment]:
    """The payment events of ``wallet``'s leaves, and of leaves paid to it as a recovered wallet."""
    contract = distribution_contract(w3, require_address(record))
    wallet = w3.to_checksum_address(wallet)
    since = record.block or 0
    out: list[Payment] = []
    queries = (
        ("Paid", contract.events.Paid, {"wallet": wallet}),
        ("Reserved", contract.events.Reserved, {"wallet": wallet}),
        ("Paid", contract.events.PaidToRecoveredWallet, {"lostWallet": wallet}),
        ("Paid", contract.events.PaidToRecoveredWallet, {"newWallet": wallet}),
    )
    for kind, event, filters in queries:
        for log in event().get_logs(from_block=since, argument_filters=filters):
            args = log["args"]
            out.append(
                Payment(
                    int(args["index"]),
                    kind,
                    "0x" + bytes(log["transactionHash"]).hex(),
                    int(log["blockNumber"]),
                    str(args.get("newWallet", args.get("wallet"))),
                )
            )
    return sorted(out, key=lambda p: (p.block, p.index))


@dataclass
class Status:
    record: DividendRecord
    paid: int
    withheld: int
    reserved: int
    reclaimed: int
    balance: int
    states: list[int]
    deadline_passed: bool

    @property
    def unclaimed(self) -> int:
        return self.record.entitled - self.paid - self.withheld - self.reserved - self.reclaimed

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "id": r.id,
            "record_block": r.record_block,
            "funded": r.funded,
            "paid": self.paid,
            "withheld": self.withheld,
            "reserved": self.reserved,
            "unclaimed": self.unclaimed,
            "classes": [
                {"id": c.id, "amount_per_share": c.amount_per_share, "entitled": c.entitled}
                for c in r.classes
            ],
            "state": r.state,
            "address": r.address,
            "payment_token": r.payment_token,
            "token_symbol": r.token_symbol,
            "token_decimals": r.token_decimals,
            "claim_deadline": iso_time(r.claim_deadline),
            "deadline_passed": self.deadline_passed,
            "entitled": r.entitled,
            "dust": r.dust,
            "reclaimed": self.reclaimed,
            "leaves": r.leaf_count,
            "leaves_paid": self.states.count(1),
            "leaves_reserved": self.states.count(2),
            "proposal_id": r.proposal_id,
        }


def dividend_status(
    w3: Web3, record: DividendRecord, tree: StandardMerkleTree, now: int, block: int | None = None
) -> Status:
    """Where dividend ``record`` stands at ``block`` (default: the newest block)."""
    if record.address is None:
        return Status(record, 0, 0, 0, 0, 0, [0] * record.leaf_count, now >= record.claim_deadline)
    at: BlockIdentifier = "latest" if block is None else block
    contract = distribution_contract(w3, record.address)
    states = leaf_states(contract, record.leaf_count, at)
    paid = withheld = 0
    for index, state in enumerate(states):
        if state == 1:
            value = tree.values[index]
            paid += int(value[3])
            withheld += int(value[4])
    reclaimed = sum(
        int(log["args"]["amount"])
        for log in contract.events.Reclaimed().get_logs(from_block=record.block or 0, to_block=at)
    )
    reserved = int(contract.functions.reserved().call(block_identifier=at))
    token = erc20(w3, record.payment_token)
    balance = int(token.functions.balanceOf(record.address).call(block_identifier=at))
    status = Status(
        record, paid, withheld, reserved, reclaimed, balance, states, now >= record.claim_deadline
    )
    if balance < status.unclaimed + reserved:  # donations may add, nothing may take
        raise ChainError(
            f"dividend {record.id} holds {balance} but owes {status.unclaimed + reserved}",
            hint="the distribution's books do not balance: report this",
        )
    return status


# --- claiming and reclaiming -----------------------------------------------------------------


@dataclass
class ClaimOutcome:
    index: int
    class_id: str
    net: int
    withheld: int
    outcome: str  # paid, reserved, already paid, still reserved, too late
    tx: TxResult | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "class": self.class_id,
            "net": self.net,
            "withheld": self.withheld,
            "outcome": self.outcome,
            "tx": self.tx.hash if self.tx else None,
        }


REFUSALS = {
    "too late": "the claim deadline passed (it was not reserved)",
    "still reserved": "still reserved: the wallet is frozen or not qualified",
}


@dataclass
class Claim:
    """What ``claim_dividend`` did for one wallet, every class of it."""

    record: DividendRecord
    wallet: str
    outcomes: list[ClaimOutcome]

    @property
    def transactions(self) -> list[TxResult]:
        return [o.tx for o in self.outcomes if o.tx is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "wallet": self.wallet,
            "dividend": self.record.id,
            "claims": [o.to_json() for o in self.outcomes],
        }

    def lines(self) -> list[str]:
        """One line per class: what happened, net and withheld."""
        r = self.record
        out = []
        for o in self.outcomes:
            line = (
                f"{o.class_id}: {o.outcome}: net {format_money(o.net, r.token_decimals, r.token_symbol)}"
                f", withheld {format_money(o.withheld, r.token_decimals, r.token_symbol)}"
            )
            if o.outcome in ("reserved", "still reserved"):
                line += " (the wallet is frozen or not qualified: claim again once it may receive)"
            out.append(line)
        return out


def claim_dividend(
    transactor: Transactor,
    record: DividendRecord,
    tree: StandardMerkleTree,
    wallet: str,
    classes: dict[str, str],
) -> Claim:
    """Claim every leaf of ``wallet`` not paid yet (``classes``: token address -> class id).

    A leaf the contract refuses for the wallet's sake (still blocked, or the deadline passed)
    is reported, not raised; when nothing at all could be claimed that way, it is a
    ``ChainError`` naming why (exit 3)."""
    w3 = transactor.chain.w3
    contract = distribution_contract(w3, require_address(record))
    mine = [i for i, value in enumerate(tree.values) if str(value[1]).lower() == wallet.lower()]
    if not mine:
        raise UsageError(
            f"{wallet} is not entitled to dividend {record.id} (it held none of the paying "
            f"classes at block {record.record_block})",
            hint="check the wallet (--account) and the dividend id",
        )
    states = leaf_states(contract, record.leaf_count)
    out: list[ClaimOutcome] = []
    for index in mine:
        value = tree.values[index]
        outcome = ClaimOutcome(
            index,
            classes.get(str(value[2]).lower(), str(value[2])),
            int(value[3]),
            int(value[4]),
            "already paid",
        )
        out.append(outcome)
        if states[index] == 1:
            continue
        leaf = (int(value[0]), value[1], value[2], int(value[3]), int(value[4]))
        try:
            outcome.tx = transactor.transact(
                contract.functions.claim(leaf, tree.proof(index)), label=f"claim leaf {index}"
            )
        except TransactionRevertedError as exc:
            if exc.error_name == "WalletBlocked":
                outcome.outcome = "still reserved"
            elif exc.error_name == "ClaimDeadlinePassed":
                outcome.outcome = "too late"
            else:
                raise
            continue
        paid = leaf_states(contract, record.leaf_count)[index] == 1
        outcome.outcome = "paid" if paid else "reserved"
    refused = [o for o in out if o.outcome in REFUSALS]
    if refused and all(o.outcome in (*REFUSALS, "already paid") for o in out):
        reasons = "; ".join(f"{o.class_id}: {REFUSALS[o.outcome]}" for o in refused)
        raise ChainError(
            f"nothing of dividend {record.id} was claimed for {wallet}: {reasons}",
            hint="a reserved entitlement pays once the wallet may receive again; nothing was sent",
            kind="claim_refused",
        )
    return Claim(record, wallet, out)


def reclaim_dividend(
    transactor: Transactor, record: DividendRecord, now: int
) -> tuple[int, TxResult]:
    """After the deadline: what is neither paid nor reserved back to the company."""
    w3 = transactor.chain.w3
    contract = distribution_contract(w3, require_address(record))
    if now + 1 < record.claim_deadline:  # the next block is mined at least a second later
        raise UsageError(
            f"the claim period runs until {iso_time(record.claim_deadline)}: nothing of dividend {record.id} can be "
            "reclaimed before",
            hint="run `equity dividend reclaim` after the claim deadline; nothing was sent",
        )
    result = transactor.transact(
        contract.functions.reclaim(), label=f"reclaim dividend {record.id}"
    )
    receipt = w3.eth.get_transaction_receipt(result.hash)  # type: ignore[arg-type]
    from web3.logs import DISCARD

    (event,) = contract.events.Reclaimed().process_receipt(receipt, errors=DISCARD)
    return int(event["args"]["amount"]), result
