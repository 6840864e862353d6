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
    from toolkit.errors import UsageError
    from toolkit.governance.ballot import (
        parse_proposal_id,
        parse_support,
        sign_ballot,
        write_ballot,
    )
    from toolkit.governance.governor import Governance
    from toolkit.governance.signing import offline_ballot, online_ballot
    from toolkit.inputs import InvalidValue, as_input_error, parse_wallet

    parser = script_parser("sign_vote.py", "Sign a vote as an EIP-712 ballot file.")
    parser.add_argument("proposal", help="proposal id (or latest, online only)")
    parser.add_argument("support", choices=["for", "against", "abstain"])
    parser.add_argument("--out", required=True, type=Path, help="ballot file to write")
    parser.add_argument("--governor", default=None, help="offline: the governor's address")
    parser.add_argument("--chain-id", type=int, default=None, help="offline: the chain id")
    parser.add_argument("--governor-name", default=None, help="offline: its EIP-712 name")
    parser.add_argument("--nonce", type=int, default=None, help="the voter's governor nonce")

    def action(app: Any, args: Any) -> Any:
        support = parse_support(args.support)
        if args.governor is not None or args.chain_id is not None:
            if args.governor is None or args.chain_id is None:
                raise UsageError("offline signing needs both --governor and --chain-id")
            try:
                governor = parse_wallet(args.governor)
            except InvalidValue as exc:
                raise as_input_error(exc, "--governor") from None
            signer = app.signer(offline=True)
            ballot = offline_ballot(
                proposal_id=parse_proposal_id(args.proposal),
                support=support,
                voter=signer.address,
                governor=governor,
                chain_id=args.chain_id,
                governor_name=args.governor_name,
                nonce=args.nonce,
                cwd=app.cwd,
            )
        else:
            governance = Governance(app.chain(), app.deployment())
            signer = app.signer()
            ballot = online_ballot(
                governance,
                proposal_id=governance.resolve_id(args.proposal),
                support=support,
                voter=signer.address,
                governor_name=args.governor_name,
                nonce=args.nonce,
            )
        path = write_ballot(sign_ballot(ballot, signer), args.out)
        data = {
            "file": str(path),
            "proposal_id": str(ballot.proposal_id),
            "support": args.support,
            "voter": ballot.voter,
            "nonce": ballot.nonce,
            "chain_id": ballot.domain.chain_id,
            "governor": ballot.domain.governor,
        }
        app.result(data, lambda: app.say(f"signed {args.support} as {ballot.voter} -> {path}"))
        return data

    return run_script(parser, action, argv)


if __name__ == "__main__":
    main(*sys.argv[1:])
