"""The contract tests' standard offering (tests/contracts: one deployment per session, each test in
an EVM snapshot), with a Converter of PREFERRED into COMMON given its powers."""

from __future__ import annotations

import pytest
from web3.contract import Contract

from tests.conftest import load_artifact
from tests.contracts import conftest as contract_fixtures
from tests.contracts.offering_chain import Chain, Offering
from tests.corporate.corporate_chain import deploy_converter

chain = contract_fixtures.chain
deployed = contract_fixtures.deployed
offering = contract_fixtures.offering
accounts = contract_fixtures.accounts
issuer = contract_fixtures.issuer
timelock = contract_fixtures.timelock
actors = contract_fixtures.actors


@pytest.fixture
def converter(chain: Chain, offering: Offering) -> Contract:
    return deploy_converter(chain, offering, load_artifact, "PREFERRED", "COMMON")
