"""The governance action `approve-round ROUND` (issue 12): MINTER_ROLE and the round's hard cap as
mint allowance, on the round's class token, in one proposal; an unknown round is bad input."""

from __future__ import annotations

import pytest
from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, keccak

from toolkit.errors import InputError
from toolkit.governance.actions import ActionTargets, ClassTarget, RoundTarget, parse_action

COMMON = "0x1111111111111111111111111111111111111111"
UNITS = "0x3333333333333333333333333333333333333333"
SEED = "0x84eA74d481Ee0A5332c457a4d796187F6Ba67fEB"
TARGETS = ActionTargets(
    registry="0x4444444444444444444444444444444444444444",
    timelock="0x5555555555555555555555555555555555555555",
    governor="0x6666666666666666666666666666666666666666",
    votes="0x7777777777777777777777777777777777777777",
    classes=(ClassTarget("COMMON", COMMON), ClassTarget("UNITS", UNITS, decimals=2)),
    rounds=(RoundTarget("seed", SEED, "UNITS", 10_000_050),),
)


def decoded(data: bytes, signature: str, types: list[str]) -> tuple[object, ...]:
    assert data[:4] == bytes(function_signature_to_4byte_selector(signature))
    return tuple(decode(types, data[4:]))


@pytest.mark.parametrize("named", ["seed", SEED.lower()])
def test_approve_round_grants_minter_role_and_the_hard_cap_on_the_rounds_class(named: str) -> None:
    grant, allowance = parse_action(f"approve-round {named}", TARGETS)
    assert grant.target == allowance.target == UNITS
    assert decoded(grant.calldata, "grantRole(bytes32,address)", ["bytes32", "address"]) == (
        keccak(text="MINTER_ROLE"),
        SEED.lower(),
    )
    assert decoded(
        allowance.calldata, "setMintAllowance(address,uint256)", ["address", "uint256"]
    ) == (SEED.lower(), 10_000_050)
    assert allowance.summary == "UNITS: round seed may issue up to 100000.5 shares (its hard cap)"


def test_approve_round_of_an_unrecorded_round_is_refused_naming_the_recorded_ones() -> None:
    with pytest.raises(InputError, match=r"no round 'series-a' is recorded.*recorded: seed"):
        parse_action("approve-round series-a", TARGETS)
    with pytest.raises(InputError, match="expected ROUND"):
        parse_action("approve-round", TARGETS)
