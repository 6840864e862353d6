"""Proposal actions (SPEC §5) become the right timelock calls; bad actions are refused (exit 2)."""

from __future__ import annotations

import pytest
from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, keccak

from toolkit.errors import InputError
from toolkit.governance.actions import (
    ActionTargets,
    ClassTarget,
    parse_abi_value,
    parse_action,
    parse_actions,
    parse_role,
    parse_signature,
)

COMMON = "0x1111111111111111111111111111111111111111"
FOUNDERS = "0x2222222222222222222222222222222222222222"
FRACTIONAL = "0x3333333333333333333333333333333333333333"
REGISTRY = "0x4444444444444444444444444444444444444444"
TIMELOCK = "0x5555555555555555555555555555555555555555"
WALLET = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

TARGETS = ActionTargets(
    registry=REGISTRY,
    timelock=TIMELOCK,
    governor="0x6666666666666666666666666666666666666666",
    votes="0x7777777777777777777777777777777777777777",
    classes=(
        ClassTarget("COMMON", COMMON),
        ClassTarget("FOUNDERS", FOUNDERS),
        ClassTarget("UNITS", FRACTIONAL, decimals=2),
    ),
)


def selector(signature: str) -> bytes:
    return bytes(function_signature_to_4byte_selector(signature))


def args_of(data: bytes, signature: str, types: list[str]) -> tuple[object, ...]:
    assert data[:4] == selector(signature)
    return tuple(decode(types, data[4:]))


def test_set_authorized_calls_set_authorized_on_the_class_token() -> None:
    (call,) = parse_action("set-authorized COMMON 20_000_000", TARGETS)
    assert call.target.lower() == COMMON
    assert call.value == 0
    assert args_of(call.calldata, "setAuthorized(uint256)", ["uint256"]) == (20_000_000,)


def test_set_authorized_scales_shares_by_the_class_decimals() -> None:
    (call,) = parse_action("set-authorized UNITS 12.5", TARGETS)
    assert args_of(call.calldata, "setAuthorized(uint256)", ["uint256"]) == (1250,)


def test_set_max_holders_accepts_zero_for_no_cap() -> None:
    (call,) = parse_action("set-max-holders FOUNDERS 0", TARGETS)
    assert call.target.lower() == FOUNDERS
    assert args_of(call.calldata, "setMaxHolders(uint32)", ["uint32"]) == (0,)


@pytest.mark.parametrize(("verb", "blocked"), [("block", True), ("unblock", False)])
def test_jurisdiction_actions_set_the_block_flag(verb: str, blocked: bool) -> None:
    (call,) = parse_action(f"{verb}-jurisdiction COMMON DE", TARGETS)
    assert call.target.lower() == COMMON
    assert args_of(call.calldata, "setJurisdictionBlocked(bytes2,bool)", ["bytes2", "bool"]) == (
        b"DE",
        blocked,
    )


def test_class_roles_are_granted_on_every_class_token() -> None:
    calls = parse_action(f"grant-role ISSUER_ROLE {WALLET}", TARGETS)
    assert [c.target.lower() for c in calls] == [COMMON, FOUNDERS, FRACTIONAL]
    for call in calls:
        role, account = args_of(call.calldata, "grantRole(bytes32,address)", ["bytes32", "address"])
        assert role == keccak(text="ISSUER_ROLE")
        assert str(account).lower() == WALLET.lower()


def test_registrar_role_lives_on_the_registry() -> None:
    (call,) = parse_action(f"revoke-role registrar {WALLET}", TARGETS)
    assert call.target.lower() == REGISTRY
    role, _ = args_of(call.calldata, "revokeRole(bytes32,address)", ["bytes32", "address"])
    assert role == keccak(text="REGISTRAR_ROLE")


def test_admin_role_is_granted_on_every_contract_the_timelock_administers() -> None:
    calls = parse_action(f"grant-role DEFAULT_ADMIN_ROLE {WALLET}", TARGETS)
    assert [c.target.lower() for c in calls] == [COMMON, FOUNDERS, FRACTIONAL, REGISTRY]
    role, _ = args_of(calls[0].calldata, "grantRole(bytes32,address)", ["bytes32", "address"])
    assert role == b"\x00" * 32


def test_a_role_can_be_narrowed_to_one_contract() -> None:
    (call,) = parse_action(f"grant-role pauser {WALLET} FOUNDERS", TARGETS)
    assert call.target.lower() == FOUNDERS


def test_timelock_roles_live_on_the_timelock() -> None:
    (call,) = parse_action(f"grant-role PROPOSER_ROLE {WALLET}", TARGETS)
    assert call.target.lower() == TIMELOCK


def test_raw_call_encodes_arguments_by_the_signature() -> None:
    (call,) = parse_action(
        'call COMMON "setJurisdictionBlocked(bytes2 jurisdiction, bool blocked)" US true', TARGETS
    )
    assert call.target.lower() == COMMON
    assert args_of(call.calldata, "setJurisdictionBlocked(bytes2,bool)", ["bytes2", "bool"]) == (
        b"US",
        True,
    )


def test_raw_call_takes_a_hex_address_and_arrays() -> None:
    (call,) = parse_action(f"call {WALLET} f(uint[],address) [1,2,0x10] {WALLET}", TARGETS)
    assert call.target == WALLET
    values, account = args_of(call.calldata, "f(uint256[],address)", ["uint256[]", "address"])
    assert list(values) == [1, 2, 16]  # type: ignore[call-overload]
    assert str(account).lower() == WALLET.lower()


def test_several_actions_keep_their_order() -> None:
    calls = parse_actions(
        ["set-authorized COMMON 1", "set-max-holders COMMON 5", "block-jurisdiction FOUNDERS CN"],
        TARGETS,
    )
    assert [c.calldata[:4] for c in calls] == [
        selector("setAuthorized(uint256)"),
        selector("setMaxHolders(uint32)"),
        selector("setJurisdictionBlocked(bytes2,bool)"),
    ]


@pytest.mark.parametrize(
    ("action", "complaint"),
    [
        ("", "is empty"),
        ("mint COMMON 5", "unknown action"),
        ("set-authorized NOPE 5", "unknown class"),
        ("set-authorized COMMON", "expected CLASS SHARES"),
        ("set-authorized COMMON -5", "positive"),
        ("set-authorized COMMON 1.5", "fractional"),
        ("set-max-holders COMMON 4294967296", "out of range"),
        ("set-max-holders COMMON lots", "not a whole number"),
        ("block-jurisdiction COMMON usa", "ISO 3166-1"),
        ("grant-role OWNER_ROLE 0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "unknown role"),
        ("grant-role ISSUER_ROLE 0x70997970c51812dc3A010C7d01b50e0d17dc79C8", "checksum"),
        (
            "grant-role ISSUER_ROLE 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 governor",
            "holds no roles",
        ),
        ("call COMMON setAuthorized", "not a function signature"),
        ("call COMMON setAuthorized(uint256)", "takes 1 argument"),
        ("call COMMON f((uint256,bool)) x", "tuple"),
        ("call COMMON f(uint7) 1", "unsupported parameter type"),
        ("call COMMON f(bool) maybe", "not a bool"),
        ("call COMMON f(bytes2) USA", "does not fit"),
        ("call 0x123 f()", "not an address"),
        ("set-authorized COMMON 'unterminated", "quotation"),
    ],
)
def test_bad_actions_are_refused_with_a_clear_line(action: str, complaint: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_action(action, TARGETS)
    assert complaint in caught.value.message
    assert caught.value.exit_code == 2
    assert caught.value.hint  # says which actions exist


def test_the_failing_action_is_named_by_position() -> None:
    with pytest.raises(InputError, match=r"action 2 \('oops'\)"):
        parse_actions(["set-authorized COMMON 1", "oops"], TARGETS)


def test_a_proposal_needs_an_action() -> None:
    with pytest.raises(InputError, match="at least one --action"):
        parse_actions([], TARGETS)


def test_roles_accept_short_names_and_hex() -> None:
    assert parse_role("issuer")[0] == "ISSUER_ROLE"
    assert parse_role("admin") == ("DEFAULT_ADMIN_ROLE", b"\x00" * 32)
    hashed = "0x" + bytes(keccak(text="PAUSER_ROLE")).hex()
    assert parse_role(hashed)[0] == "PAUSER_ROLE"


def test_signatures_are_canonicalised() -> None:
    assert parse_signature("f(uint a, int, bytes32[2] c)") == (
        "f",
        ["uint256", "int256", "bytes32[2]"],
    )
    assert parse_signature("g()") == ("g", [])


def test_negative_integers_respect_their_width() -> None:
    assert parse_abi_value("-128", "int8") == -128
    with pytest.raises(ValueError, match="out of range"):
        parse_abi_value("-129", "int8")


BOUND = "0x8888888888888888888888888888888888888888"
BOUNDED = ActionTargets(
    registry=REGISTRY,
    timelock=TIMELOCK,
    governor=TARGETS.governor,
    votes=TARGETS.votes,
    classes=TARGETS.classes,
    issuer_bound=BOUND,
)


def test_approve_issuance_sets_the_classs_approved_amount_on_the_issuer_bound() -> None:
    (call,) = parse_action("approve-issuance UNITS 1_500.25", BOUNDED)
    assert call.target.lower() == BOUND
    signature = "setApprovedIssuance(address,uint256)"
    assert args_of(call.calldata, signature, ["address", "uint256"]) == (FRACTIONAL, 150_025)
    assert call.summary == "UNITS: approve the issuer to issue 1_500.25 shares beyond its bound"


def test_set_issuer_limit_takes_a_percent_and_a_window() -> None:
    (call,) = parse_action("set-issuer-limit COMMON 10% 90d", BOUNDED)
    signature = "setIssuerLimit(address,uint8,uint40)"
    assert args_of(call.calldata, signature, ["address", "uint8", "uint40"]) == (
        COMMON,
        10,
        90 * 86_400,
    )


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("set-issuer-limit COMMON 101 1d", "PERCENT must be 0 to 100"),
        ("set-issuer-limit COMMON 20 5s", "WINDOW must be at least 12 seconds"),
        ("approve-issuance NOPE 5", "unknown class 'NOPE'"),
    ],
)
def test_a_bad_bound_action_is_refused(action: str, message: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_action(action, BOUNDED)
    assert message in refused.value.message


def test_an_offering_without_an_issuer_bound_cannot_approve_issuance() -> None:
    with pytest.raises(InputError) as refused:
        parse_action("approve-issuance COMMON 5", TARGETS)
    assert "has no issuer bound" in refused.value.message


def test_minter_and_admin_roles_reach_the_new_contracts() -> None:
    calls = parse_action(f"grant-role minter {WALLET}", BOUNDED)
    assert {c.target.lower() for c in calls} == {COMMON, FOUNDERS, FRACTIONAL}
    calls = parse_action(f"grant-role admin {WALLET}", BOUNDED)
    assert BOUND in {c.target.lower() for c in calls}
    (call,) = parse_action(f"revoke-role admin {WALLET} bound", BOUNDED)
    assert call.target.lower() == BOUND


def test_approve_issuance_0_withdraws_what_is_left() -> None:
    (call,) = parse_action("approve-issuance COMMON 0", BOUNDED)
    signature = "setApprovedIssuance(address,uint256)"
    assert args_of(call.calldata, signature, ["address", "uint256"]) == (COMMON, 0)
