"""An investor's dividend statement: every entitlement of a wallet, with what was withheld and
when it was paid: what a tax statement needs. Read from the records and the chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from toolkit.dividends.distribution import (
    STATES,
    distribution_contract,
    format_units,
    leaf_states,
    payments,
    settled,
)

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.dividends.records import DividendBook


def build_statement(
    w3: Web3, book: DividendBook, wallet: str, classes: dict[str, str]
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    totals: dict[str, dict[str, Any]] = {}
    times: dict[int, str] = {}
    for record in book.all():
        record = settled(w3, book, record)
        tree = book.tree(record.id)
        mine = [i for i, v in enumerate(tree.values) if str(v[1]).lower() == wallet.lower()]
        if not mine:
            continue
        states = [0] * record.leaf_count
        paid_by_index: dict[int, Any] = {}
        if record.address is not None:
            states = leaf_states(distribution_contract(w3, record.address), record.leaf_count)
            paid_by_index = {p.index: p for p in payments(w3, record, wallet) if p.kind == "Paid"}
        for index in mine:
            value = tree.values[index]
            net, withheld = int(value[3]), int(value[4])
            shares, jurisdiction, rate = (
                record.details[index] if index < len(record.details) else (None, None, "0/1")
            )
            numerator, denominator = (int(x) for x in str(rate).split("/"))
            paid = paid_by_index.get(index)
            when = None
            if paid is not None:
                if paid.block not in times:
                    stamp = int(w3.eth.get_block(paid.block)["timestamp"])
                    times[paid.block] = datetime.fromtimestamp(stamp, UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    )
                when = times[paid.block]
            status = STATES[states[index]]
            rows.append(
                {
                    "dividend": record.id,
                    "class": classes.get(str(value[2]).lower(), str(value[2])),
                    "record_block": record.record_block,
                    "payment_token": record.payment_token,
                    "token_symbol": record.token_symbol,
                    "shares": shares,
                    "jurisdiction": jurisdiction,
                    "withholding_rate": f"{numerator * 100 / denominator:g}%",
                    "gross": net + withheld,
                    "withheld": withheld,
                    "net": net,
                    "gross_text": format_units(net + withheld, record.token_decimals),
                    "withheld_text": format_units(withheld, record.token_decimals),
                    "net_text": format_units(net, record.token_decimals),
                    "status": status,
                    "tx": paid.tx if paid else None,
                    "block": paid.block if paid else None,
                    "paid_at": when,
                }
            )
            if status == "paid":
                total = totals.setdefault(
                    record.token_symbol,
                    {"gross": 0, "withheld": 0, "net": 0, "decimals": record.token_decimals},
                )
                total["gross"] += net + withheld
                total["withheld"] += withheld
                total["net"] += net
    for total in totals.values():
        decimals = total.pop("decimals")
        for key in ("gross", "withheld", "net"):
            total[f"{key}_text"] = format_units(total[key], decimals)
    return {"wallet": wallet, "payments": rows, "totals": totals}
