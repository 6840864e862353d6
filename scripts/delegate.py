"""Investor: delegate your votes to a wallet (or back to yourself) on every class you hold.

    python scripts/delegate.py TO [--class CLASS] [--account ALIAS]
    brownie run scripts/delegate.py main TO account=ALIAS --network anvil

TO is a wallet address or ``self``. Same library as ``equity gov delegate``.
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
    from toolkit.inputs import parse_arg, parse_wallet

    parser = script_parser("delegate.py", "Delegate your votes on every class you hold.")
    parser.add_argument("to", help="a wallet address, or self")
    parser.add_argument("--class", dest="classes", action="append", default=[], help="only CLASS")

    def action(app: Any, args: Any) -> Any:
        governance = app.governance()
        transactor = app.transactor()
        to = (
            transactor.address
            if args.to.lower() == "self"
            else parse_arg(parse_wallet, args.to, "TO")
        )
        outcome = governance.delegate(transactor, to, class_ids=args.classes)
        d = outcome.details
        app.result(
            outcome.to_json(),
            lambda: app.say(
                f"{d['delegator']} delegated {', '.join(d['classes']) or 'nothing new'} to "
                f"{d['delegatee']}, whose voting power is now {d['voting_power']:,}"
            ),
        )
        return outcome.to_json()

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
