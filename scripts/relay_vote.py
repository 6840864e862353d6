"""Anyone: submit a signed ballot file (from sign_vote.py or `equity gov sign-vote`).

    python scripts/relay_vote.py FILE [--account ALIAS]
    brownie run scripts/relay_vote.py main FILE account=ALIAS --network anvil

The file is checked first: its signature must recover to its voter, and it must be meant for
this chain and this offering's governor. A ballot counts once.
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
    from toolkit.governance.ballot import read_ballot, verify

    parser = script_parser("relay_vote.py", "Submit a signed ballot.")
    parser.add_argument("ballot", type=Path, help="the ballot file")

    def action(app: Any, args: Any) -> Any:
        signed = read_ballot(args.ballot)
        verify(signed)
        governance = app.governance()
        outcome = governance.relay(app.transactor(), signed)
        d = outcome.details
        app.result(
            outcome.to_json(),
            lambda: app.say(
                f"relayed {d['voter']}'s vote {d['support']} on {d['proposal_id']} ({d['weight']:,} votes)"
            ),
        )
        return outcome.to_json()

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
