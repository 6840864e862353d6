"""Investor: my holdings, lock-ups, delegates and voting power, class by class.

    python scripts/holdings.py [WALLET] [--account ALIAS]
    brownie run scripts/holdings.py main account=dev1 --network anvil

WALLET defaults to the --account's address.
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
    from toolkit.inputs import iso_time, parse_arg, parse_wallet

    parser = script_parser("holdings.py", "Show holdings, lock-ups and voting power.")
    parser.add_argument("wallet", nargs="?", default=None)

    def action(app: Any, args: Any) -> Any:
        governance = app.governance()
        holder = (
            parse_arg(parse_wallet, args.wallet, "WALLET") if args.wallet else app.signer().address
        )
        power = governance.voting_power(holder)

        def render() -> None:
            app.table(
                f"{power.holder} in {governance.deployment.name}: voting power {power.total:,}",
                ["class", "shares", "locked", "votes/share", "delegate", "weighted"],
                [
                    [
                        c.class_id,
                        c.balance,
                        c.locked,
                        c.votes_per_share,
                        c.delegate,
                        c.weighted_votes,
                    ]
                    for c in power.classes
                ],
            )
            for c in power.classes:
                for amount, start, cliff, end in c.lockups:
                    schedule = (
                        f"until {iso_time(end)}"
                        if start == cliff == end
                        else f"vesting {iso_time(start)} -> {iso_time(end)}, "
                        f"cliff {iso_time(cliff)}"
                    )
                    app.say(f"  {c.class_id}: {amount:,} locked {schedule}")

        app.result(power.to_json(), render)
        return power.to_json()

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
