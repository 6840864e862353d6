"""Issuer: propose raising a class's authorized shares (a shareholder vote, then the timelock).

    python scripts/propose_authorized.py CLASS SHARES [--title TEXT] [--account ALIAS]
    brownie run scripts/propose_authorized.py main COMMON 20000000 account=dev1 --network anvil

The proposer needs the governor's proposal threshold in (weighted, delegated) votes.
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
    from toolkit.errors import UsageError
    from toolkit.inputs import parse_arg, parse_shares

    parser = script_parser("propose_authorized.py", "Propose an increase of authorized shares.")
    parser.add_argument("share_class", metavar="CLASS")
    parser.add_argument("shares", metavar="SHARES", help="the new authorized total")
    parser.add_argument("--title", default=None)

    def action(app: Any, args: Any) -> Any:
        governance = app.governance()
        share_class = governance.deployment.class_by_id(args.share_class)
        wanted = parse_arg(lambda t: parse_shares(t, share_class.decimals), args.shares, "SHARES")
        current = int(governance.token(share_class).functions.authorized().call())
        if wanted <= current:
            raise UsageError(
                f"{share_class.id} already authorizes {current} shares; {args.shares} is no increase",
                hint="give the new, larger total",
            )
        title = args.title or f"Increase {share_class.id} authorized shares to {args.shares}"
        plan = governance.plan([f"set-authorized {share_class.id} {args.shares}"], title)
        outcome = governance.propose(app.transactor(), plan)
        app.result(
            outcome.to_json(),
            lambda: app.say(f"proposed {plan.id}: {title} (from {current})"),
        )
        return outcome.to_json()

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
