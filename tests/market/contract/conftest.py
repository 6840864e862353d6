"""The market contract's tests run on the standard offering of tests/contracts, each in a snapshot."""

from __future__ import annotations

import pytest

from tests.conftest import load_artifact
from tests.contracts import conftest as offering_fixtures
from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering
from tests.market.market_world import MarketWorld

chain = offering_fixtures.chain
deployed = offering_fixtures.deployed
offering = offering_fixtures.offering
accounts = offering_fixtures.accounts
issuer = offering_fixtures.issuer
timelock = offering_fixtures.timelock
actors = offering_fixtures.actors


@pytest.fixture
def world(chain: Chain, offering: Offering, actors: Actors) -> MarketWorld:
    return MarketWorld(chain, offering, actors, load_artifact)
