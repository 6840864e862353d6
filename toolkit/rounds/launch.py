"""An offering's launch rounds: ``equity deploy`` opens the rounds the offering file names
(``rounds = ["seed.toml"]``) and gives them the class's issuing power itself.

While the deployer is still each class token's admin (before the role moves to the timelock),
deploy opens every launch round and, in the token's hand-over multicall, grants it MINTER_ROLE
and a mint allowance of its hard cap: what ``approve-round ROUND`` asks the shareholders for
later. The founders approve the launch rounds by creating the offering; every later round goes
through governance. Every round file is read and checked against the chain (payment token,
exact price, dates) before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import UsageError
from toolkit.offering.contracts import SHARE_CLASS, artifact
from toolkit.offering.deploy import LaunchHook
from toolkit.rounds.round_file import load_round_file, round_problem
from toolkit.rounds.rounds import PreparedRound, deploy_round, prepare_round

if TYPE_CHECKING:
    from web3 import Web3

    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.offering.offering_file import Offering

MINTER_ROLE = "MINTER_ROLE"


def prepare_launch_rounds(
    w3: Web3, chain_id: int, cwd: Path, offering: Offering
) -> list[PreparedRound]:
    """The offering file's rounds, each loaded and checked (named after its file's stem)."""
    prepared: list[PreparedRound] = []
    for path in offering.round_files:
        spec = load_round_file(path)
        share_class = next((c for c in offering.classes if c.id == spec.class_id), None)
        if share_class is None:
            known = ", ".join(c.id for c in offering.classes)
            raise round_problem(
                spec, "class", f"the offering has no class {spec.class_id!r} ({known})"
            )
        if any(p.name == path.stem for p in prepared):
            raise UsageError(
                f"two launch rounds are named {path.stem!r} (a round is named after its file)",
                hint="rename one of the round files",
            )
        prepared.append(prepare_round(w3, chain_id, cwd, spec, path.stem, share_class.decimals))
    return prepared


def minter_calls(w3: Web3, class_address: str, round_address: str, shares: int) -> list[str]:
    """What gives a round its issuing power on a class token (the token's admin calls them), as
    hex calldata: MINTER_ROLE, then a mint allowance of ``shares`` base units."""
    from eth_utils import keccak

    abi = artifact(SHARE_CLASS)["abi"]
    token = w3.eth.contract(address=w3.to_checksum_address(class_address), abi=abi)
    return [
        token.encode_abi("grantRole", [keccak(text=MINTER_ROLE), round_address]),
        token.encode_abi("setMintAllowance", [round_address, shares]),
    ]


def launch_rounds(
    transactor: Transactor, prepared: Sequence[PreparedRound], cwd: Path
) -> LaunchHook:
    """``deploy_offering``'s ``before_handover``: deploy and record each prepared round, and hand back the
    calls that give each one its class's issuing power."""

    def launch(
        offering: str, timelock: str, tokens: Mapping[str, str]
    ) -> tuple[dict[str, list[str]], list[TxResult]]:
        calls: dict[str, list[str]] = {}
        sent: list[TxResult] = []
        for round_ in prepared:
            token = tokens[round_.class_id]
            record, result = deploy_round(
                transactor,
                round_,
                offering=offering,
                class_address=token,
                timelock=timelock,
                cwd=cwd,
            )
            sent.append(result)
            calls.setdefault(round_.class_id, []).extend(
                minter_calls(transactor.chain.w3, token, record.address, round_.hard_cap)
            )
        return calls, sent

    return launch
