"""Stock splits of a class (SPEC §14, issue 15 point 1): a governance action run in batches.

The class token has no room for a scale factor, so a split is eager (contracts/README.md,
SplitAgent): one ``SplitAgent`` per chain, deployed when the first split is proposed, is made
an admin of the class token by the proposal and started by it (``split CLASS RATIO``); from
then on the class is paused and ``equity split CLASS RATIO`` (the issuer) scales the holders in
batches, in increasing wallet order, and finishes the split (transfers resume, the agent gives
its roles back). A rerun resumes after the last wallet scaled: it never scales a holder twice.

A consolidation (``1:N``) runs the same way. Each holder keeps whole new shares only; the
remainder (balance mod N whole old shares) is paid in cash at the class's
``cash_in_lieu_price`` (offering file: per PRE-consolidation whole share, in whole units of
``cash_in_lieu_token``), out of the treasury (the timelock, which the proposal has approve the
agent). Without a price, a consolidation that would leave a fraction is refused before
anything is sent: by ``gov propose`` (the cap table then) and by ``equity split`` (the cap table
frozen since the start: governance then cancels it, nothing having changed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import InputError, UsageError

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract

    from toolkit.chain.tx import Transactor, TxResult

AGENT = "SplitAgent"
RECORD_DIR = Path("deployments") / "corporate"
DEFAULT_BATCH_SIZE = 100


@dataclass(frozen=True)
class Ratio:
    """``numerator:denominator`` new shares for old (2:1 forward, 1:10 consolidation)."""

    numerator: int
    denominator: int

    def __str__(self) -> str:
        return f"{self.numerator}:{self.denominator}"

    @property
    def is_forward(self) -> bool:
        return self.denominator == 1 and self.numerator > 1

    @property
    def is_consolidation(self) -> bool:
        return self.numerator == 1 and self.denominator > 1


def parse_ratio(text: str) -> Ratio:
    """``N:1`` (a forward split) or ``1:N`` (a consolidation); anything else is an InputError
    saying what is accepted."""
    parts = text.strip().split(":")
    hint = "give RATIO as NEW:OLD whole numbers, e.g. 2:1 (two shares for each one held)"
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise InputError(f"ratio {text!r} is not NEW:OLD", hint=hint)
    ratio = Ratio(int(parts[0]), int(parts[1]))
    if ratio.numerator == 0 or ratio.denominator == 0 or ratio.numerator == ratio.denominator:
        raise InputError(f"ratio {text!r} changes nothing or divides by zero", hint=hint)
    if max(ratio.numerator, ratio.denominator) > 2**32 - 1:
        raise InputError(f"ratio {text!r} is too large", hint=hint)
    if not (ratio.is_forward or ratio.is_consolidation):
        raise InputError(
            f"ratio {text!r}: only forward splits N:1 and consolidations 1:N are supported",
            hint="split in two steps (e.g. 3:2 as 3:1 then 1:2); " + hint,
        )
    return ratio


# --- consolidations: fractions and cash in lieu -------------------------------------------------


def fractions(balances: dict[str, int], ratio: Ratio, decimals: int) -> list[tuple[str, int]]:
    """(wallet, remainder in base units) of each holder a 1:N consolidation leaves a fraction
    (balance mod N whole shares), in the agent's order (increasing address)."""
    from eth_utils import to_checksum_address

    lot = ratio.denominator * 10**decimals
    return sorted(
        ((to_checksum_address(w), b % lot) for w, b in balances.items() if b % lot),
        key=lambda item: int(item[0], 16),
    )


def cash_for(remainder: int, price: int, decimals: int) -> int:
    """What a holder is paid for ``remainder`` old base units at ``price`` base units of the
    payment token per old whole share (rounded down, as the agent pays)."""
    return int(remainder * price // 10**decimals)


def refuse_fractions(class_id: str, found: list[tuple[str, int]], decimals: int) -> None:
    """The InputError of a consolidation without a price that would leave fractions."""
    from toolkit.inputs import format_shares

    if not found:
        return
    named = ", ".join(f"{w} ({format_shares(r, decimals)})" for w, r in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    raise InputError(
        f"the consolidation would leave {len(found)} holder(s) of {class_id} with a fraction: "
        f"{named}{more}",
        hint=f"set cash_in_lieu_price and cash_in_lieu_token for {class_id} in the offering file "
        "(fractions are then paid in cash), or have those holdings rounded first",
    )


# --- the agent ------------------------------------------------------------------------------


def _record_path(cwd: Path, chain_id: int) -> Path:
    return cwd / RECORD_DIR / str(chain_id) / "split-agent.json"


def recorded_agent(cwd: Path, chain_id: int) -> str | None:
    try:
        return str(json.loads(_record_path(cwd, chain_id).read_text())["address"])
    except (OSError, ValueError, KeyError):
        return None


def ensure_agent(transactor: Transactor, cwd: Path) -> str:
    """The chain's SplitAgent, deployed (and recorded) first if there is none."""
    from toolkit.offering.contracts import artifact

    chain = transactor.chain
    recorded = recorded_agent(cwd, chain.chain_id)
    if recorded and bytes(chain.w3.eth.get_code(chain.w3.to_checksum_address(recorded))):
        return recorded
    result = transactor.deploy(artifact(AGENT), label=f"deploy {AGENT}")
    assert result.contract_address is not None
    path = _record_path(cwd, chain.chain_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"address": result.contract_address, "block": result.block}) + "\n")
    return result.contract_address


def agent_contract(w3: Web3, address: str) -> Contract:
    from toolkit.offering.contracts import artifact

    return w3.eth.contract(address=w3.to_checksum_address(address), abi=artifact(AGENT)["abi"])


@dataclass(frozen=True)
class SplitState:
    """The agent's record of a class's last (or running) split."""

    id: int
    ratio: Ratio
    running: bool
    cursor: str
    supply_before: int
    covered: int

    @staticmethod
    def read(agent: Contract, token: str) -> SplitState:
        raw = agent.functions.splitOf(token).call()
        return SplitState(
            id=int(raw[0]),
            ratio=Ratio(int(raw[1]), int(raw[2])),
            running=bool(raw[3]),
            cursor=str(raw[5]),
            supply_before=int(raw[6]),
            covered=int(raw[7]),
        )


# --- governance: the proposal's calls ----------------------------------------------------------


@dataclass(frozen=True)
class CashInLieu:
    """A consolidation's cash in lieu as proposed: ``price`` base units of ``payment_token`` per
    old whole share, the treasury approving the agent ``funds``."""

    payment_token: str
    price: int
    funds: int


ZERO_ADDRESS = "0x" + "00" * 20


def proposal_calls(
    agent: str, token: str, ratio: Ratio, cash: CashInLieu | None = None
) -> list[tuple[str, str, list[Any]]]:
    """(target, signature, args) of what the timelock runs for ``split CLASS RATIO``: make the
    agent an admin of the token, then start the split (the agent takes the roles it needs); a
    consolidation with cash in lieu first approves the agent the treasury's funds (it takes them
    at the start and gives back what is not paid at the end)."""
    grant = (token, "grantRole(bytes32,address)", [b"\x00" * 32, agent])
    if ratio.is_forward:
        return [
            grant,
            (agent, "start(address,uint32,uint32)", [token, ratio.numerator, ratio.denominator]),
        ]
    start = (
        agent,
        "startConsolidation(address,uint32,address,uint256,uint256)",
        [
            token,
            ratio.denominator,
            cash.payment_token if cash else ZERO_ADDRESS,
            cash.price if cash else 0,
            cash.funds if cash else 0,
        ],
    )
    if cash is None:
        return [grant, start]
    return [(cash.payment_token, "approve(address,uint256)", [agent, cash.funds]), grant, start]


# --- running the batches ----------------------------------------------------------------------


@dataclass
class SplitRun:
    """What ``equity split`` did: the transactions, the holders scaled and the figures."""

    class_id: str
    ratio: Ratio
    holders: int
    supply_before: int
    supply_after: int
    transactions: list[TxResult]
    cash_paid: int = 0  # a consolidation's cash in lieu, base units of the payment token

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.class_id,
            "ratio": str(self.ratio),
            "holders": self.holders,
            "supply_before": self.supply_before,
            "supply_after": self.supply_after,
            "cash_paid": self.cash_paid,
            "transactions": [t.to_json() for t in self.transactions],
        }


def pending_holders(holders: Iterable[str], cursor: str) -> list[str]:
    """The wallets still to scale: those after the cursor, in increasing address order (the
    order the agent requires)."""
    from eth_utils import to_checksum_address

    after = int(cursor, 16)
    wallets = {to_checksum_address(w) for w in holders}
    return sorted((w for w in wallets if int(w, 16) > after), key=lambda w: int(w, 16))


def run_split(
    transactor: Transactor,
    agent: Contract,
    token: Contract,
    class_id: str,
    ratio: Ratio,
    holders: Iterable[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[int], None] = lambda n: None,
) -> SplitRun:
    """Scale every holder of the running split of ``token`` in batches, then finish it.

    ``holders``: the class's wallets with shares (the cap table's); those already scaled (at or
    before the agent's cursor) are left out, so a rerun resumes. Refused (nothing sent) when no
    split runs or it runs at another ratio."""
    state = SplitState.read(agent, token.address)
    if not state.running and state.id:
        raise UsageError(
            f"the split of {class_id} governance started last ({state.ratio}) is complete: "
            "no split of it is running",
            hint="a new split needs a new proposal (`equity gov propose --action "
            f'"split {class_id} RATIO"`)',
        )
    if not state.running:
        raise UsageError(
            f"no split of {class_id} is running",
            hint=f"a split is a governance action: propose it with "
            f'`equity gov propose --title ... --action "split {class_id} {ratio}"`, '
            "vote, queue and execute it, then run `equity split` again",
        )
    if state.ratio != ratio:
        raise InputError(
            f"the split of {class_id} governance started is {state.ratio}, not {ratio}",
            hint=f"run `equity split {class_id} {state.ratio}`",
        )
    todo = pending_holders(holders, state.cursor)
    if ratio.is_consolidation:
        _check_consolidation(agent, token, class_id, ratio, todo)
    sent: list[TxResult] = []
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        sent.append(
            transactor.transact(
                agent.functions.run(token.address, batch),
                label=f"split {class_id} {ratio}: holders {start + 1}-{start + len(batch)}",
            )
        )
        on_batch(len(batch))
    sent.append(transactor.transact(agent.functions.finish(token.address), label="finish split"))
    return SplitRun(
        class_id=class_id,
        ratio=ratio,
        holders=len(todo),
        supply_before=state.supply_before,
        supply_after=int(token.functions.totalSupply().call()),
        transactions=sent,
        cash_paid=int(agent.functions.cashOf(token.address).call()[5])
        if ratio.is_consolidation
        else 0,
    )


def _check_consolidation(
    agent: Contract, token: Contract, class_id: str, ratio: Ratio, todo: list[str]
) -> None:
    """Before a consolidation's first batch (balances frozen since its start): no fraction
    without a price, and the treasury's funds and approval cover the cash in lieu."""
    decimals = int(token.functions.decimals().call())
    balances = {w: int(token.functions.balanceOf(w).call()) for w in todo}
    found = fractions(balances, ratio, decimals)
    payment, price = (str(v) for v in agent.functions.cashOf(token.address).call()[:2])
    if int(price) == 0:
        try:
            refuse_fractions(class_id, found, decimals)
        except InputError as exc:
            raise InputError(
                exc.message,
                hint=f"governance cancels this consolidation (nothing has changed): propose "
                f'"call {agent.address} cancel(address) {token.address}"; then propose it '
                "again once the offering file gives a cash_in_lieu_price",
            ) from None
        return
    need = sum(cash_for(r, int(price), decimals) for _, r in found)
    funds, paid = (int(v) for v in agent.functions.cashOf(token.address).call()[4:6])
    if funds - paid < need:
        raise UsageError(
            f"the cash in lieu of {class_id} needs {need:,} base units of {payment}; the "
            f"consolidation holds {funds - paid:,}",
            hint=f"anyone may add the shortfall: approve the split agent {agent.address} and call "
            f"its fund({token.address}, {need - funds + paid}); then run `equity split` again",
        )


# --- records: the splits as the agent's logs tell them ----------------------------------------


@dataclass(frozen=True)
class ClassSplit:
    """One split of a class as the records show it: its ratio, the block it started at, and
    the transactions of its batches (lowercase hashes; their issuances are the split itself)."""

    class_id: str
    number: int
    ratio: Ratio
    block: int
    batch_txs: frozenset[str]
    cash: CashPaid | None = None  # a consolidation's cash in lieu (None: no price)


@dataclass(frozen=True)
class CashPaid:
    """The cash in lieu of a consolidation's fractions: ``price`` base units of
    ``payment_token`` (``symbol``, ``decimals``) per old whole share."""

    payment_token: str
    price: int
    symbol: str
    decimals: int

    def share_price(self) -> Decimal:
        """The price per old whole share in whole units of the payment token."""
        return Decimal(self.price) / (Decimal(10) ** self.decimals)


def class_splits(
    call: Callable[[str, list[Any]], Any],
    cwd: Path,
    chain_id: int,
    tokens: dict[str, str],
    to_block: int,
) -> list[ClassSplit]:
    """Every split of the offering's classes up to ``to_block`` (``tokens``: class id by token
    address, any case), read from the chain's SplitAgent logs with the JSON-RPC ``call``; none
    when no agent is recorded in ``cwd``."""
    from eth_abi import decode
    from eth_utils import event_abi_to_log_topic

    from toolkit.offering.contracts import artifact

    agent = recorded_agent(cwd, chain_id)
    if agent is None:
        return []
    abi = {e["name"]: e for e in artifact(AGENT)["abi"] if e["type"] == "event"}
    started_topic = "0x" + bytes(event_abi_to_log_topic(abi["SplitStarted"])).hex()
    progress_topic = "0x" + bytes(event_abi_to_log_topic(abi["SplitProgress"])).hex()
    terms_topic = "0x" + bytes(event_abi_to_log_topic(abi["CashInLieuTerms"])).hex()
    logs = call(
        "eth_getLogs",
        [
            {
                "address": agent,
                "fromBlock": "0x0",
                "toBlock": hex(to_block),
                "topics": [[started_topic, progress_topic, terms_topic]],
            }
        ],
    )
    by_class = {address.lower(): class_id for address, class_id in tokens.items()}
    started: dict[tuple[str, int], tuple[Ratio, int]] = {}
    batches: dict[tuple[str, int], set[str]] = {}
    cash: dict[tuple[str, int], CashPaid] = {}
    for log in logs:
        topics = log["topics"]
        class_id = by_class.get("0x" + str(topics[1])[-40:].lower())
        if class_id is None:
            continue
        key = (class_id, int(topics[2], 16))
        if topics[0] == started_topic:
            numerator, denominator, _ = decode(
                ["uint256", "uint256", "uint256"], bytes.fromhex(str(log["data"])[2:])
            )
            started[key] = (Ratio(int(numerator), int(denominator)), int(log["blockNumber"], 16))
        elif topics[0] == terms_topic:
            payment, price = decode(["address", "uint256"], bytes.fromhex(str(log["data"])[2:]))
            if price:
                cash[key] = _cash_paid(call, str(payment), int(price), to_block)
        else:
            batches.setdefault(key, set()).add(str(log["transactionHash"]).lower())
    return [
        ClassSplit(
            class_id,
            number,
            ratio,
            block,
            frozenset(batches.get((class_id, number), ())),
            cash.get((class_id, number)),
        )
        for (class_id, number), (ratio, block) in sorted(started.items(), key=lambda i: i[1][1])
    ]


def _cash_paid(
    call: Callable[[str, list[Any]], Any], payment: str, price: int, block: int
) -> CashPaid:
    """The payment token's symbol and decimals, read with ``eth_call`` at ``block``."""
    from eth_abi import decode

    def read(selector: str, kind: str) -> Any:
        answer = call("eth_call", [{"to": payment, "data": selector}, hex(block)])
        return decode([kind], bytes.fromhex(str(answer)[2:]))[0]

    return CashPaid(
        payment, price, str(read("0x95d89b41", "string")), int(read("0x313ce567", "uint8"))
    )
