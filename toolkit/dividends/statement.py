"""An investor's dividend statement: every entitlement of a wallet, with what was withheld and
when it was paid: what a tax statement needs. Read from the records and the chain.

A leaf of a lost wallet paid to the wallet it was recovered to shows on both statements: on
the lost wallet's with ``paid_to`` the new wallet, on the new wallet's with ``recovered_from``
the lost one; the totals count what reached the wallet the statement is for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toolkit.dividends.distribution import (
    STATES,
    Payment,
    distribution_contract,
    leaf_states,
    payments,
    settled,
)
from toolkit.inputs import format_shares, iso_time

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.dividends.merkle import StandardMerkleTree
    from toolkit.dividends.records import DividendBook, DividendRecord


def build_statement(
    w3: Web3, book: DividendBook, wallet: str, classes: dict[str, str]
) -> dict[str, Any]:
    """``{"wallet", "payments": [...], "totals": {symbol: {gross, withheld, net, ...}}}``."""
    rows: list[dict[str, Any]] = []
    times: dict[int, str] = {}

    def paid_at(block: int) -> str:
        if block not in times:
            times[block] = iso_time(int(w3.eth.get_block(block)["timestamp"]))
        return times[block]

    for record in book.all():
        record = settled(w3, book, record)
        tree = book.tree(record.id)
        mine = {i for i, v in enumerate(tree.values) if str(v[1]).lower() == wallet.lower()}
        events = payments(w3, record, wallet) if record.address is not None else []
        paid = {p.index: p for p in events if p.kind == "Paid"}
        received = {i for i, p in paid.items() if i not in mine}  # as a recovered wallet
        if not mine and not received:
            continue
        states = [0] * record.leaf_count
        if record.address is not None:
            states = leaf_states(distribution_contract(w3, record.address), record.leaf_count)
        for index in sorted(mine | received):
            rows.append(
                _row(record, tree, index, STATES[states[index]], paid.get(index), classes, paid_at)
                | {"recovered_from": str(tree.values[index][1]) if index in received else None}
            )
    return {"wallet": wallet, "payments": rows, "totals": _totals(rows, wallet)}


def _row(
    record: DividendRecord,
    tree: StandardMerkleTree,
    index: int,
    status: str,
    payment: Payment | None,
    classes: dict[str, str],
    paid_at: Any,
) -> dict[str, Any]:
    value = tree.values[index]
    net, withheld = int(value[3]), int(value[4])
    shares, jurisdiction, rate = (
        record.details[index] if index < len(record.details) else (None, None, "0/1")
    )
    numerator, denominator = (int(x) for x in str(rate).split("/"))
    decimals = record.token_decimals
    return {
        "dividend": record.id,
        "class": classes.get(str(value[2]).lower(), str(value[2])),
        "record_block": record.record_block,
        "payment_token": record.payment_token,
        "token_symbol": record.token_symbol,
        "token_decimals": decimals,
        "shares": shares,
        "jurisdiction": jurisdiction,
        "withholding_rate": f"{numerator * 100 / denominator:g}%",
        "gross": net + withheld,
        "withheld": withheld,
        "net": net,
        "gross_text": format_shares(net + withheld, decimals),
        "withheld_text": format_shares(withheld, decimals),
        "net_text": format_shares(net, decimals),
        "status": status,
        "tx": payment.tx if payment else None,
        "block": payment.block if payment else None,
        "paid_at": paid_at(payment.block) if payment else None,
        "paid_to": payment.to if payment else None,
    }


def _totals(rows: list[dict[str, Any]], wallet: str) -> dict[str, dict[str, Any]]:
    """Per payment token, what was paid to ``wallet`` (gross, withheld, net)."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["status"] != "paid" or str(row["paid_to"]).lower() != wallet.lower():
            continue
        total = totals.setdefault(
            row["token_symbol"],
            {"gross": 0, "withheld": 0, "net": 0, "decimals": row["token_decimals"]},
        )
        for key in ("gross", "withheld", "net"):
            total[key] += row[key]
    for total in totals.values():
        decimals = total.pop("decimals")
        for key in ("gross", "withheld", "net"):
            total[f"{key}_text"] = format_shares(total[key], decimals)
    return totals
