"""`equity deploy` wires an offering's launch rounds (the offering file's `rounds` key): each round
is opened and given its class's issuing power (MINTER_ROLE, a mint allowance of its hard cap)
while the deployer is still the token's admin, before the timelock takes over."""

from __future__ import annotations

from pathlib import Path

import pytest
from web3 import Web3

from tests.issuer.conftest import DEV, EXAMPLES, Issuer
from toolkit.errors import InputError
from toolkit.offering.contracts import OfferingContracts
from toolkit.offering.deployments import find_deployment
from toolkit.offering.offering_file import load_offering

ALICE = DEV[1]
MINTER_ROLE = Web3.keccak(text="MINTER_ROLE")
ADMIN_ROLE = b"\x00" * 32


def launch_folder(root: Path, round_class: str) -> Path:
    """An offering file (the example's) naming one launch round (the example round)."""
    folder = root / "launch"
    folder.mkdir(exist_ok=True)
    (folder / "seed.toml").write_text(
        (EXAMPLES / "round.toml").read_text().replace('"COMMON"', f'"{round_class}"')
    )
    offering = folder / "offering.toml"
    offering.write_text('rounds = ["seed.toml"]\n' + (EXAMPLES / "offering.toml").read_text())
    return offering


def test_deploy_opens_a_launch_round_that_sells_at_once_with_its_hard_cap_as_mint_allowance(
    issuer: Issuer,
) -> None:
    assert issuer.equity("stablecoin", "deploy").code == 0
    sent = issuer.nonce(0)
    wrong = issuer.equity("deploy", launch_folder(issuer.cwd, "ORDINARY"), "--name", "launch")
    assert wrong.code == 2 and "seed.toml:2: class" in wrong.err, wrong.err
    assert issuer.nonce(0) == sent  # checked before anything is sent

    deployed = issuer.equity(
        "--json", "deploy", launch_folder(issuer.cwd, "COMMON"), "--name", "launch"
    )
    assert deployed.code == 0, deployed.err
    address = deployed.json()["rounds"]["seed"]
    launch = find_deployment(issuer.chain.chain_id, "launch", issuer.cwd)
    common = OfferingContracts(issuer.chain.w3, launch).token("COMMON").functions
    assert common.hasRole(MINTER_ROLE, address).call()
    assert common.mintAllowance(address).call() == 100_000  # the round's hard cap
    assert common.hasRole(ADMIN_ROLE, launch.timelock).call()
    assert not common.hasRole(ADMIN_ROLE, DEV[0]).call()  # the hand-over happened after

    # no proposal needed: once the investor is registered, the round sells
    imported = issuer.equity(
        "--deployment", "launch", "holders", "import", EXAMPLES / "holders.csv"
    )
    assert imported.code == 0, imported.err
    bought = issuer.equity("--account", "dev1", "round", "subscribe", "seed", "1000")
    assert bought.code == 0, bought.err
    assert common.balanceOf(ALICE).call() == 1000
    assert common.mintAllowance(address).call() == 99_000


def test_an_offering_file_naming_a_missing_round_file_is_refused_on_its_line(
    tmp_path: Path,
) -> None:
    offering = tmp_path / "offering.toml"
    offering.write_text('rounds = ["seed.toml", 5]\n' + (EXAMPLES / "offering.toml").read_text())
    with pytest.raises(InputError, match=r"offering.toml:1: rounds: must be a list of round files"):
        load_offering(offering)
    offering.write_text('rounds = ["seed.toml"]\n' + (EXAMPLES / "offering.toml").read_text())
    with pytest.raises(InputError, match=r"offering.toml:1: rounds: no round file seed.toml"):
        load_offering(offering)
