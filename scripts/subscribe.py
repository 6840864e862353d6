"""Investor: subscribe for shares in a round, paying SHARES x price in its payment token.

    python scripts/subscribe.py ROUND SHARES [--permit] [--account ALIAS]
    brownie run scripts/subscribe.py main ROUND SHARES permit=true account=ALIAS --network anvil

Says the cost and the restriction before anything is sent; a refused subscription sends
nothing. Same library as ``equity round subscribe``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

try:
    import toolkit  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(*argv: str) -> Any:
    from toolkit.cli.scripting import run_script, script_parser
    from toolkit.inputs import parse_arg, parse_shares

    parser = script_parser("subscribe.py", "Subscribe for shares in a round.")
    parser.add_argument("round", help="the round's name (see `equity round list`)")
    parser.add_argument("shares", help="how many shares")
    parser.add_argument("--permit", action="store_true", help="pay with an ERC-2612 permit")

    def action(app: Any, args: Any) -> Any:
        from toolkit.rounds.records import find_round
        from toolkit.rounds.rounds import format_money, quote, subscribe

        record = find_round(app.chain().chain_id, app.cwd, args.round)
        shares = parse_arg(lambda t: parse_shares(t, record.class_decimals), args.shares, "SHARES")
        transactor = app.transactor()
        offer = quote(app.chain().w3, record, transactor.address, shares)
        app.say(
            f"{args.shares} {record.class_id} in {record.name} cost "
            f"{format_money(offer.cost, record)}; restriction: {offer.name} ({offer.code})"
        )
        offer, sent = subscribe(transactor, record, shares, permit=args.permit)
        data = {
            "round": record.name,
            "buyer": transactor.address,
            "shares": shares,
            "paid": offer.cost,
            "transactions": [tx.to_json() for tx in sent],
        }
        app.result(data, lambda: app.say(f"subscribed; {len(sent)} transaction(s)"))
        return data

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
