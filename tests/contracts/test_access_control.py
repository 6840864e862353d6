"""Every privileged function refuses every account without its role.

The functions are found by enumerating each contract's ABI: every state-changing function must be
listed either as public (anyone may call it; its own rules apply) or with the guard that protects
it, so a function added later fails here until someone decides who may call it.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak
from web3.contract import Contract

from tests.contracts.offering_chain import (
    CANCELLER_ROLE,
    DEFAULT_ADMIN_ROLE,
    ISSUER_ROLE,
    PAUSER_ROLE,
    PROPOSER_ROLE,
    REGISTRAR_ROLE,
    Chain,
    Offering,
    investor_id,
)

GOVERNANCE = "onlyGovernance"  # GovernorOnlyExecutor: only the timelock, through a proposal
OWNER = "onlyOwner"  # OwnableUnauthorizedAccount: only the owner (the test stablecoin's minter)
DISTRIBUTOR_ROLE = keccak(text="DISTRIBUTOR_ROLE")
BUYER_ROLE = keccak(text="BUYER_ROLE")
TIMELOCK_SELF = "onlySelf"  # TimelockUnauthorizedCaller: only the timelock itself
ONLY_REGISTRY = "onlyRegistry"  # OnlyRegistry: only the class's registry (enables category rules)
CATEGORY_CLASS = "onlyCategoryClass"  # ClassWithoutCategoryRules: a class token with category rules
# SplitAgent: a role on the class token the call names (its `token` argument)
TOKEN_ADMIN = ("NotTokenAdmin", DEFAULT_ADMIN_ROLE)
TOKEN_ISSUER = ("NotTokenIssuer", ISSUER_ROLE)

# Public functions: callable by anyone (each has its own rules, tested elsewhere).
PUBLIC: dict[str, set[str]] = {
    "HolderRegistry": {"renounceRole", "multicall"},
    "ShareClassToken": {
        "transfer",
        "transferFrom",
        "approve",
        "permit",
        "delegate",
        "delegateBySig",
        "multicall",
        "renounceRole",
    },
    "ClassWeightedVotes": set(),
    # consume counts against the caller's own record only (a class token counts its issuer's moves)
    "IssuerBound": {"consume", "multicall", "renounceRole"},
    "EquityGovernor": {
        "propose",
        "queue",
        "execute",
        "cancel",
        "castVote",
        "castVoteWithReason",
        "castVoteWithReasonAndParams",
        "castVoteBySig",
        "castVoteWithReasonAndParamsBySig",
        "onERC721Received",
        "onERC1155Received",
        "onERC1155BatchReceived",
    },
    # a claim pays only the leaf's own wallet; preparing state words moves no money or state
    "Distribution": {"claim", "prepareStates", "renounceRole"},
    "DistributionFactory": {"declare"},  # anyone may declare a dividend with their own money
    "HolderView": set(),  # views only
    # a holder converts their own shares; batches run only once governance mandated them
    "Converter": {"convert", "convertHolders", "renounceRole"},
    # a program's batches pay holders out of governance's funding; closing returns it to the payer
    "ShareRepurchase": {"repurchaseProRata", "closeProRata", "renounceRole"},
    "TestStablecoin": {"transfer", "transferFrom", "approve", "permit"},
    # finish only ends a split whose holders all were scaled; fund adds the caller's own money
    "SplitAgent": {"finish", "fund"},
    "EquityTimelock": {
        "execute",  # EXECUTOR_ROLE is held by address(0): anyone
        "executeBatch",
        "renounceRole",
        "onERC721Received",
        "onERC1155Received",
        "onERC1155BatchReceived",
    },
}

# Privileged functions and the guard that refuses everyone else.
GUARDED: dict[str, dict[str, Any]] = {
    "HolderRegistry": {
        "addHolder": REGISTRAR_ROLE,
        "addHolders": REGISTRAR_ROLE,
        "updateHolder": REGISTRAR_ROLE,
        "removeHolder": REGISTRAR_ROLE,
        "setFrozen": REGISTRAR_ROLE,
        "bindClasses": DEFAULT_ADMIN_ROLE,
        "setCategory": REGISTRAR_ROLE,
        "setCategoryRules": DEFAULT_ADMIN_ROLE,
        "countHolder": CATEGORY_CLASS,
        "grantRole": DEFAULT_ADMIN_ROLE,
        "revokeRole": DEFAULT_ADMIN_ROLE,
    },
    "ShareClassToken": {
        "issue": ISSUER_ROLE,
        "issueBatch": ISSUER_ROLE,
        "issueVested": ISSUER_ROLE,
        "redeem": ISSUER_ROLE,
        "forceTransfer": ISSUER_ROLE,
        "recover": ISSUER_ROLE,
        "pause": PAUSER_ROLE,
        "unpause": PAUSER_ROLE,
        "setAuthorized": DEFAULT_ADMIN_ROLE,
        "setMaxHolders": DEFAULT_ADMIN_ROLE,
        "setJurisdictionBlocked": DEFAULT_ADMIN_ROLE,
        "setJurisdictionBlockedUntil": DEFAULT_ADMIN_ROLE,
        "enableCategoryRules": ONLY_REGISTRY,
        "setIssuerBound": DEFAULT_ADMIN_ROLE,
        "setMintAllowance": DEFAULT_ADMIN_ROLE,
        "grantRole": DEFAULT_ADMIN_ROLE,
        "revokeRole": DEFAULT_ADMIN_ROLE,
    },
    "ClassWeightedVotes": {},
    "IssuerBound": {
        "setIssuerLimit": DEFAULT_ADMIN_ROLE,
        "setApprovedIssuance": DEFAULT_ADMIN_ROLE,
        "grantRole": DEFAULT_ADMIN_ROLE,
        "revokeRole": DEFAULT_ADMIN_ROLE,
    },
    "EquityGovernor": {
        "relay": GOVERNANCE,
        "setVotingDelay": GOVERNANCE,
        "setVotingPeriod": GOVERNANCE,
        "setProposalThreshold": GOVERNANCE,
        "updateQuorumNumerator": GOVERNANCE,
        "updateTimelock": GOVERNANCE,
    },
    "Distribution": {
        "pay": DISTRIBUTOR_ROLE,
        "payRecovered": DISTRIBUTOR_ROLE,
        "reclaim": DISTRIBUTOR_ROLE,
        "grantRole": DEFAULT_ADMIN_ROLE,
        "revokeRole": DEFAULT_ADMIN_ROLE,
    },
    "DistributionFactory": {},
    "HolderView": {},
    "Converter": {
        "mandate": DEFAULT_ADMIN_ROLE,
        "grantRole": DEFAULT_ADMIN_ROLE,
        "revokeRole": DEFAULT_ADMIN_ROLE,
    },
    "ShareRepurchase": {
        "repurchase": BUYER_ROLE,
        "openProRata": DEFAULT_ADMIN_ROLE,
        "grantRole": DEFAULT_ADMIN_ROLE,
        "revokeRole": DEFAULT_ADMIN_ROLE,
    },
    "TestStablecoin": {"mint": OWNER, "transferOwnership": OWNER, "renounceOwnership": OWNER},
    "SplitAgent": {
        "start": TOKEN_ADMIN,
        "startConsolidation": TOKEN_ADMIN,
        "cancel": TOKEN_ADMIN,
        "run": TOKEN_ISSUER,
    },
    "EquityTimelock": {
        "schedule": PROPOSER_ROLE,
        "scheduleBatch": PROPOSER_ROLE,
        "cancel": CANCELLER_ROLE,
        "updateDelay": TIMELOCK_SELF,
        "grantRole": DEFAULT_ADMIN_ROLE,
        "revokeRole": DEFAULT_ADMIN_ROLE,
    },
}


def deployed(
    offering: Offering, extras: list[tuple[str, Contract]] | None = None
) -> list[tuple[str, Contract]]:
    pairs = [("HolderRegistry", offering.registry), ("ClassWeightedVotes", offering.votes)]
    pairs += [("EquityGovernor", offering.governor), ("EquityTimelock", offering.timelock)]
    pairs += [("ShareClassToken", token) for token in offering.classes.values()]
    if offering.issuer_bound is not None:
        pairs.append(("IssuerBound", offering.issuer_bound))
    return pairs + (extras or [])


@pytest.fixture
def distribution(
    chain: Chain, offering: Offering, accounts: list[str]
) -> list[tuple[str, Contract]]:
    """A declared dividend of the offering, its factory and its payment token; a HolderView."""
    from tests.conftest import load_artifact
    from tests.dividends.world import DividendWorld

    world = DividendWorld(chain, offering, accounts, load_artifact)
    world.register(accounts[1], "HOLDER")
    world.issue("COMMON", accounts[1], 100)
    declared = world.declare()
    view = load_artifact("HolderView")
    holder_view = chain.deploy(
        "HolderView", sender=accounts[0], abi=view["abi"], bytecode=view["bytecode"]
    )
    source, target = list(offering.classes.values())[:2]
    code = load_artifact("Converter")
    converter = chain.deploy(
        "Converter",
        *(source.address, target.address, 1, 1, offering.timelock.address),
        sender=accounts[0],
        abi=code["abi"],
        bytecode=code["bytecode"],
    )
    code = load_artifact("ShareRepurchase")
    repurchase = chain.deploy(
        "ShareRepurchase",
        *([t.address for t in offering.classes.values()], offering.timelock.address, accounts[0]),
        sender=accounts[0],
        abi=code["abi"],
        bytecode=code["bytecode"],
    )
    return [
        ("Distribution", declared.contract),
        ("DistributionFactory", world.factory),
        ("TestStablecoin", world.stablecoin),
        ("HolderView", holder_view),
        ("SplitAgent", chain.deploy("SplitAgent", sender=accounts[0])),
        ("Converter", converter),  # SPEC §14 (tests/corporate)
        ("ShareRepurchase", repurchase),
    ]


def state_changing(contract: Contract) -> set[str]:
    return {
        item["name"]
        for item in contract.abi
        if item["type"] == "function" and item["stateMutability"] not in ("view", "pure")
    }


def sample(abi_type: str, account: str, components: list[dict[str, Any]] | None = None) -> Any:
    """A well-formed argument of `abi_type` (the guard runs before anything looks at it)."""
    if abi_type.endswith("]"):  # a dynamic (T[]) or fixed-size (T[4]) array
        base, _, size = abi_type[:-1].rpartition("[")
        return [sample(base, account, components)] * (int(size) if size else 1)
    if abi_type == "tuple":
        return tuple(sample(c["type"], account, c.get("components")) for c in components or [])
    if abi_type == "address":
        return account
    if abi_type.startswith(("uint", "int")):
        return 1
    if abi_type == "bool":
        return True
    if abi_type == "string":
        return "x"
    if abi_type == "bytes":
        return b""
    if abi_type == "bytes2":
        return b"DE"
    if abi_type == "bytes16":
        return investor_id("someone")
    if abi_type == "bytes32":
        return DEFAULT_ADMIN_ROLE
    raise AssertionError(f"no sample for {abi_type}")


def calls(contract: Contract, name: str, account: str, token: str = "") -> list[Any]:
    """One call per overload of `name` (an argument named `token`: the class token `token`)."""
    found = []
    for item in contract.abi:
        if item["type"] == "function" and item["name"] == name:
            args = [
                token
                if i["name"] == "token" and token
                else sample(i["type"], account, i.get("components"))
                for i in item["inputs"]
            ]
            signature = f"{name}({','.join(_canonical(i) for i in item['inputs'])})"
            found.append(contract.get_function_by_signature(signature)(*args))
    return found


def _canonical(item: dict[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in item["components"]) + ")" + kind[5:]
    return kind


def expected_refusal(guard: Any, account: str, token: str = "") -> tuple[str, tuple[Any, ...]]:
    if guard in (TOKEN_ADMIN, TOKEN_ISSUER):
        return (guard[0], (token, account))
    if guard == OWNER:
        return ("OwnableUnauthorizedAccount", (account,))
    if guard == ONLY_REGISTRY:
        return ("OnlyRegistry", (account,))
    if guard == CATEGORY_CLASS:
        return ("ClassWithoutCategoryRules", (account,))
    if guard == GOVERNANCE:
        return ("GovernorOnlyExecutor", (account,))
    if guard == TIMELOCK_SELF:
        return ("TimelockUnauthorizedCaller", (account,))
    return ("AccessControlUnauthorizedAccount", (account, guard))


def allowed(contract: Contract, guard: Any, account: str, token: Contract | None = None) -> bool:
    if guard in (TOKEN_ADMIN, TOKEN_ISSUER):
        assert token is not None
        return bool(token.functions.hasRole(guard[1], account).call())
    if guard == OWNER:
        return bool(contract.functions.owner().call() == account)
    if guard in (GOVERNANCE, TIMELOCK_SELF, ONLY_REGISTRY, CATEGORY_CLASS):
        return False  # only the timelock itself, never an externally owned account
    return bool(contract.functions.hasRole(guard, account).call())


@pytest.mark.parametrize("template", sorted(PUBLIC))
def test_every_state_changing_function_is_classified(
    offering: Offering, distribution: list[tuple[str, Contract]], template: str
) -> None:
    found = False
    for name, contract in deployed(offering, distribution):
        if name == template:
            classified = PUBLIC[template] | set(GUARDED[template])
            assert state_changing(contract) == classified, (
                f"{template}: classify {state_changing(contract) - classified} as public or guarded; "
                f"remove {classified - state_changing(contract)}"
            )
            assert not PUBLIC[template] & set(GUARDED[template])
            found = True
    assert found, f"no deployed {template} was checked"


@pytest.mark.parametrize("template", sorted(GUARDED))
def test_every_privileged_function_refuses_every_account_without_its_role(
    chain: Chain,
    offering: Offering,
    distribution: list[tuple[str, Contract]],
    accounts: list[str],
    template: str,
) -> None:
    checked = 0
    for name, contract in deployed(offering, distribution):
        if name != template:
            continue
        token = offering.classes["COMMON"]
        for function, guard in GUARDED[template].items():
            for account in accounts:
                for call in calls(contract, function, accounts[1], token.address):
                    if allowed(contract, guard, account, token):
                        # the role holder gets past the guard (the call may still fail on its rules)
                        try:
                            error = chain.revert_of(call, account)
                        except AssertionError:
                            continue
                        assert error[0] != "AccessControlUnauthorizedAccount", (function, account)
                    else:
                        refusal = expected_refusal(guard, account, token.address)
                        assert chain.revert_of(call, account) == refusal, (
                            template,
                            function,
                            account,
                        )
                        checked += 1
    expected_minimum = len(GUARDED[template]) * (len(accounts) - 1)
    assert checked >= expected_minimum


def test_the_deployer_lost_every_admin_role(
    offering: Offering, distribution: list[tuple[str, Contract]], issuer: str
) -> None:
    for _, contract in deployed(offering, distribution):
        if "hasRole" in {f["name"] for f in contract.abi if f["type"] == "function"}:
            assert not contract.functions.hasRole(DEFAULT_ADMIN_ROLE, issuer).call()
