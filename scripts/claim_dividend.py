"""Investor: claim my dividend (every class I held at the record date), net to my wallet and
what is withheld to the tax account.

    python scripts/claim_dividend.py ID [--account ALIAS]
    brownie run scripts/claim_dividend.py main ID account=dev1 --network anvil

ID is the dividend's number (see `equity dividend list`) or `latest`. A frozen or no longer
qualified wallet's claim reserves the entitlement instead: claim again once it may receive.
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
    from toolkit.dividends.distribution import claim_dividend, format_units, settled
    from toolkit.dividends.records import DividendBook
    from toolkit.governance.scripting import run_script, script_parser

    parser = script_parser("claim_dividend.py", "Claim my dividend, every class at once.")
    parser.add_argument("dividend", help="the dividend's id, or latest")

    def action(app: Any, args: Any) -> Any:
        deployment = app.deployment()
        w3 = app.chain().w3
        book = DividendBook(app.cwd, deployment.chain_id, deployment.name)
        record = settled(w3, book, book.get(args.dividend))
        classes = {c.address.lower(): c.id for c in deployment.classes}
        wallet = app.signer().address
        outcomes = claim_dividend(app.transactor(), record, book.tree(record.id), wallet, classes)
        result = {
            "wallet": wallet,
            "dividend": record.id,
            "claims": [
                {
                    "class": o.class_id,
                    "net": o.net,
                    "withheld": o.withheld,
                    "outcome": o.outcome,
                    "tx": o.tx.hash if o.tx else None,
                }
                for o in outcomes
            ],
        }

        def render() -> None:
            for o in outcomes:
                net = format_units(o.net, record.token_decimals)
                withheld = format_units(o.withheld, record.token_decimals)
                app.say(
                    f"{wallet} dividend {record.id} {o.class_id}: {o.outcome} "
                    f"(net {net} {record.token_symbol}, withheld {withheld})"
                )

        app.result(result, render)
        return result

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
