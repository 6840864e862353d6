"""A Converter on an offering of tests/contracts/offering_chain, given its powers as the
deployment gives them (redeeming in the source class, issuing in the target class), through the
offering's timelock (impersonated on anvil)."""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.contract import Contract

from tests.contracts.offering_chain import Chain, Offering

ISSUER_ROLE = Web3.keccak(text="ISSUER_ROLE")
MINTER_ROLE = Web3.keccak(text="MINTER_ROLE")


def impersonate(chain: Chain, wallet: str) -> str:
    """Send as ``wallet`` (an address without a key here: the timelock, a generated holder)."""
    chain.w3.provider.make_request("anvil_impersonateAccount", [wallet])  # type: ignore[arg-type]
    chain.w3.provider.make_request("anvil_setBalance", [wallet, hex(10**20)])  # type: ignore[arg-type]
    return wallet


def as_timelock(chain: Chain, offering: Offering) -> str:
    return impersonate(chain, str(offering.timelock.address))


def deploy_converter(
    chain: Chain,
    offering: Offering,
    load_artifact: Any,
    source: str,
    target: str,
    ratio: tuple[int, int] = (1, 1),
) -> Contract:
    """A Converter of ``source`` into ``target`` at ``ratio`` (target base units per source base
    units), admin the timelock, with the roles the deployment gives it: redeeming in the source
    (ISSUER_ROLE), issuing out of an allowance in the target (MINTER_ROLE)."""
    code = load_artifact("Converter")
    chain._index_errors(code["abi"])  # decode its custom errors too
    converter = chain.deploy(
        "Converter",
        *(offering.token(source).address, offering.token(target).address, *ratio),
        offering.timelock.address,
        sender=offering.deployer,
        abi=code["abi"],
        bytecode=code["bytecode"],
    )
    timelock = as_timelock(chain, offering)
    for class_id in (source, target):
        chain.send(
            offering.token(class_id).functions.grantRole(ISSUER_ROLE, converter.address), timelock
        )
    return converter
