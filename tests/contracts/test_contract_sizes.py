"""Room to grow (issue 10, point 6): every deployed contract stays at most 22,500 bytes of runtime
code (EIP-170 allows 24,576), the class token well below that for the hooks the next features add,
and the build lists each size."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, load_artifact
from tests.contracts.offering_chain import Chain, Offering
from toolkit.compile import compile_project

PROJECT_LIMIT = 22_500
# the token as it is (categories, issue 16: +930; issue 11's issuer bound and minter allowance:
# +861): 270 bytes below the project's limit; a change that needs more says so in the team's
# token notes and raises this with its reason
TOKEN_LIMIT = 22_230
DEPLOYED = (
    "ClassWeightedVotes",
    "Converter",
    "Distribution",
    "DistributionFactory",
    "EquityGovernor",
    "EquityTimelock",
    "HolderRegistry",
    "HolderView",
    "IssuerBound",
    "LockupBook",
    "SecondaryMarket",
    "ProposalSimulator",  # never deployed: gov propose runs it in an eth_call state override
    "RightOfFirstRefusal",
    "ShareClassToken",
    "ShareRepurchase",
    "SplitAgent",
    "SubscriptionRound",
    "TestStablecoin",
)


def runtime_size(name: str) -> int:
    return len(load_artifact(name)["deployedBytecode"]) // 2


@pytest.mark.parametrize("name", DEPLOYED)
def test_every_deployed_contract_fits_the_projects_limit(name: str) -> None:
    assert runtime_size(name) <= PROJECT_LIMIT


def test_the_class_token_leaves_room_for_the_next_hooks() -> None:
    assert runtime_size("ShareClassToken") <= TOKEN_LIMIT


def test_the_build_lists_the_runtime_size_of_every_deployed_contract() -> None:
    sizes = compile_project(REPO).sizes
    assert sizes == {name: runtime_size(name) for name in DEPLOYED}


def test_the_sizes_are_those_of_the_code_on_chain(chain: Chain, offering: Offering) -> None:
    deployed = dict(offering.contracts)
    assert offering.lockup_book is not None
    deployed["LockupBook"] = offering.lockup_book
    for label, contract in deployed.items():
        name = label.split(":")[0]
        on_chain = len(chain.w3.eth.get_code(contract.address))
        assert on_chain == runtime_size(name) <= PROJECT_LIMIT, label
