"""Investor: vote on a proposal.

    python scripts/vote.py PROPOSAL for|against|abstain [--reason TEXT] [--account ALIAS]
    brownie run scripts/vote.py main PROPOSAL for account=ALIAS --network anvil

PROPOSAL is an id as `equity gov list` shows it, or ``latest``.
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
    from toolkit.governance.ballot import parse_support

    parser = script_parser("vote.py", "Vote on a proposal.")
    parser.add_argument("proposal", help="proposal id, or latest")
    parser.add_argument("support", choices=["for", "against", "abstain"])
    parser.add_argument("--reason", default=None)

    def action(app: Any, args: Any) -> Any:
        governance = app.governance()
        pid = governance.resolve_id(args.proposal)
        outcome = governance.vote(app.transactor(), pid, parse_support(args.support), args.reason)
        d = outcome.details
        app.result(
            outcome.to_json(),
            lambda: app.say(
                f"{d['voter']} voted {d['support']} on {pid} with {d['weight']:,} votes"
            ),
        )
        return outcome.to_json()

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
