"""Investor: sign a vote as an EIP-712 ballot file that anyone can relay.

    python scripts/sign_vote.py PROPOSAL SUPPORT --out FILE [--account ALIAS]
    python scripts/sign_vote.py PROPOSAL SUPPORT --out FILE --governor ADDRESS --chain-id N
    brownie run scripts/sign_vote.py main PROPOSAL for out=ballot.json account=dev2 --network anvil

With --governor and --chain-id no node is needed (nonce: --nonce, default 0). The file holds
the signature, never the key. Relay it with `equity gov relay-vote FILE` or
scripts/relay_vote.py.
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
    from toolkit.governance.signing import sign_vote
    from toolkit.inputs import parse_arg, parse_wallet

    parser = script_parser("sign_vote.py", "Sign a vote as an EIP-712 ballot file.")
    parser.add_argument("proposal", help="proposal id (or latest, online only)")
    parser.add_argument("support", choices=["for", "against", "abstain"])
    parser.add_argument("--out", required=True, type=Path, help="ballot file to write")
    parser.add_argument("--governor", default=None, help="offline: the governor's address")
    parser.add_argument("--chain-id", type=int, default=None, help="offline: the chain id")
    parser.add_argument("--governor-name", default=None, help="offline: its EIP-712 name")
    parser.add_argument("--nonce", type=int, default=None, help="the voter's governor nonce")

    def action(app: Any, args: Any) -> Any:
        governor = parse_arg(parse_wallet, args.governor, "--governor") if args.governor else None
        signed = sign_vote(
            args.proposal,
            parse_support(args.support),
            args.out,
            signer=lambda offline: app.signer(offline=offline),
            governance=app.governance,
            governor=governor,
            chain_id=args.chain_id,
            governor_name=args.governor_name,
            nonce=args.nonce,
            cwd=app.cwd,
        )
        app.result(signed.to_json(), lambda: app.say(signed.summary()))
        return signed.to_json()

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
