"""Checks of a batch run's remaining rows against the chain, before anything new is sent.

The contracts would refuse these rows one batch at a time, after earlier batches went out;
checking them first lists every refused row at once and sends nothing. What is checked:
authorized shares left per class, and each receiver's standing in the registry for its class
(SPEC §8 codes 3-6: frozen, not registered, expired, jurisdiction blocked), and each capped
class's holder count: issuance only ever adds holders, so when the investors the file makes
new holders outnumber the places left, some row must be refused whatever the order.

Registry records are read with JSON-RPC batch requests (``chain.reads.batched_calls``), so
ten thousand receivers cost a few round trips, not ten thousand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.chain.clock import latest_timestamp
from toolkit.chain.reads import batched_calls
from toolkit.errors import ChainError
from toolkit.holders.holder import HolderState
from toolkit.holders.registry import read_holders
from toolkit.inputs import format_shares, investor_id_bytes
from toolkit.inputs.csv_file import listing
from toolkit.issuance.issuances_csv import IssuanceRow
from toolkit.restrictions import restriction_message, restriction_name

if TYPE_CHECKING:
    from toolkit.offering.contracts import OfferingContracts


def authorized_left(contracts: OfferingContracts, class_id: str) -> tuple[int, int]:
    """(authorized shares not issued yet, authorized shares) of a class, in base units."""
    token = contracts.token(class_id)
    supply = int(token.functions.totalSupply().call())
    authorized = int(token.functions.authorized().call())
    return max(authorized - supply, 0), authorized


def _beyond_authorized(
    contracts: OfferingContracts, class_id: str, amount: int, what: str
) -> str | None:
    left, authorized = authorized_left(contracts, class_id)
    if amount <= left:
        return None
    decimals = contracts.deployment.class_by_id(class_id).decimals
    return (
        f"{what} {format_shares(amount, decimals)} shares, but only "
        f"{format_shares(left, decimals)} of {format_shares(authorized, decimals)} authorized "
        "are left"
    )


AUTHORIZED_HINT = (
    "issue at most what is left, or raise the authorized shares by a governance proposal "
    "(`equity gov propose --action 'set-authorized CLASS SHARES'`)"
)


def check_authorized_grant(contracts: OfferingContracts, class_id: str, amount: int) -> None:
    """Refuse (exit 3) one grant beyond the class's authorized shares left, naming them."""
    problem = _beyond_authorized(contracts, class_id, amount, f"issuing {class_id}:")
    if problem is not None:
        raise ChainError(
            f"the chain would refuse this issuance (authorized shares); nothing was sent: "
            f"{problem}",
            hint=AUTHORIZED_HINT,
            kind="authorized",
        )


def check_authorized(
    contracts: OfferingContracts, rows: Iterable[IssuanceRow], csv_path: Path
) -> None:
    """Refuse (exit 3) when a class's remaining rows exceed its authorized shares left."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.class_id] = totals.get(row.class_id, 0) + row.amount
    problems = []
    for class_id, total in totals.items():
        problem = _beyond_authorized(contracts, class_id, total, f"  {class_id}: the file issues")
        if problem is not None:
            problems.append(problem)
    if problems:
        raise ChainError(
            f"{csv_path}: the chain would refuse these issuances (authorized shares); "
            "nothing was sent:\n" + "\n".join(problems),
            hint=AUTHORIZED_HINT,
        )


def check_receivers(
    contracts: OfferingContracts, rows: Callable[[], Iterable[IssuanceRow]], csv_path: Path
) -> None:
    """Refuse (exit 3) listing every row whose receiver cannot receive its class now.

    ``rows`` gives a fresh stream of the rows each time: one pass collects the wallets, the
    next judges each row, so memory holds the distinct wallets and nothing more."""
    wallets = sorted({row.wallet for row in rows()})
    if not wallets:
        return
    now = latest_timestamp(contracts.w3)
    records = read_holders(contracts, wallets)
    jurisdictions = sorted({r.jurisdiction for r in records.values() if r.registered})
    blocked: dict[str, set[str]] = {}
    refused: list[tuple[int, str]] = []
    for row in rows():
        if row.class_id not in blocked:
            blocked[row.class_id] = _blocked_among(contracts, row.class_id, jurisdictions)
        code = receiver_code(records[row.wallet], blocked[row.class_id], now)
        if code:
            refused.append(
                (
                    row.line,
                    f"{row.wallet} cannot receive {row.class_id}: {restriction_name(code)} "
                    f"({restriction_message(code)})",
                )
            )
    if refused:
        raise ChainError(
            f"{csv_path}: the chain would refuse {len(refused)} row(s); nothing was sent:\n"
            + listing([f"line {line}: {message}" for line, message in refused]),
            hint="qualify the receivers first (`equity holders add` / `holders import`), "
            "or fix the rows",
        )


def _blocked_among(
    contracts: OfferingContracts, class_id: str, jurisdictions: list[str]
) -> set[str]:
    """The jurisdictions of ``jurisdictions`` that the class blocks (one batch of reads)."""
    token = contracts.token(class_id)
    answers = batched_calls(
        contracts.w3,
        [token.functions.isJurisdictionBlocked(j.encode("ascii")) for j in jurisdictions],
    )
    return {j for j, is_blocked in zip(jurisdictions, answers, strict=True) if is_blocked}


def receiver_code(holder: HolderState, blocked: set[str], now: int) -> int:
    """SPEC §8 codes 3-6 for a receiver (0: may receive), as the contract orders them."""
    if holder.frozen:
        return 3
    if not holder.registered:
        return 4
    if now >= holder.expires_at:
        return 5
    if holder.jurisdiction in blocked:
        return 6
    return 0


def check_holder_caps(
    contracts: OfferingContracts, rows: Callable[[], Iterable[IssuanceRow]], csv_path: Path
) -> None:
    """Refuse (exit 3) when a capped class would get more new investors than it has places.

    An investor is new to a class when none of its wallets holds shares of it; wallets of one
    investor count once (SPEC §8 code 9). The rows beyond the cap are listed by line."""
    caps: dict[str, tuple[int, int]] = {}  # class -> (max holders, holders now)
    for row in rows():
        if row.class_id not in caps:
            token = contracts.token(row.class_id)
            caps[row.class_id] = (
                int(token.functions.maxHolders().call()),
                int(token.functions.holderCount().call()),
            )
    capped = {class_id for class_id, (cap, _) in caps.items() if cap > 0}
    if not capped:
        return
    wallets = sorted({row.wallet for row in rows() if row.class_id in capped})
    investors = {w: h.investor_id for w, h in read_holders(contracts, wallets).items()}
    ids = sorted({i for i in investors.values() if i})
    registry = contracts.registry
    index_reads = [registry.functions.investorIndexOf(investor_id_bytes(i)) for i in ids]
    indexes = dict(zip(ids, batched_calls(contracts.w3, index_reads), strict=True))
    holding: dict[tuple[str, str], int] = {}
    for class_id in sorted(capped):
        token = contracts.token(class_id)
        counts = batched_calls(
            contracts.w3, [token.functions.holdingWalletsOf(indexes[i]) for i in ids]
        )
        holding.update({(class_id, i): int(c) for i, c in zip(ids, counts, strict=True)})
    newcomers: dict[str, list[tuple[int, str]]] = {}
    for row in rows():
        investor = investors.get(row.wallet, "")
        if row.class_id not in capped or not investor or holding[(row.class_id, investor)]:
            continue
        seen = newcomers.setdefault(row.class_id, [])
        if investor not in {i for _, i in seen}:
            seen.append((row.line, investor))
    problems = []
    for class_id, seen in sorted(newcomers.items()):
        cap, now = caps[class_id]
        for place, (line, investor) in enumerate(seen, start=now + 1):
            if place > cap:
                problems.append(
                    f"line {line}: {investor} would be holder {place} of {class_id}, "
                    f"over its cap of {cap} (HOLDER_LIMIT_REACHED)"
                )
    if problems:
        raise ChainError(
            f"{csv_path}: the chain would refuse {len(problems)} row(s) for its holder cap; "
            "nothing was sent:\n" + listing(problems),
            hint="issue to fewer new investors, or raise the cap by a governance proposal "
            "(set-max-holders)",
        )
