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
    from toolkit.cli.scripting import run_script, script_parser
    from toolkit.dividends.distribution import claim_dividend, settled
    from toolkit.dividends.records import DividendBook

    parser = script_parser("claim_dividend.py", "Claim my dividend, every class at once.")
    parser.add_argument("dividend", help="the dividend's id, or latest")

    def action(app: Any, args: Any) -> Any:
        deployment = app.deployment()
        book = DividendBook(app.cwd, deployment.chain_id, deployment.name)
        record = settled(app.chain().w3, book, book.get(args.dividend))
        classes = {c.address.lower(): c.id for c in deployment.classes}
        wallet = app.signer().address
        claim = claim_dividend(app.transactor(), record, book.tree(record.id), wallet, classes)
        app.sent(
            "\n".join(f"{wallet} dividend {record.id} {line}" for line in claim.lines()),
            claim.transactions,
            claim.to_json(),
        )
        return claim.to_json()

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
