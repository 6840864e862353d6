"""The round contract's tests run on the standard offering of tests/contracts, each in a snapshot."""

from __future__ import annotations

import pytest
from web3.contract import Contract

from tests.conftest import load_artifact
from tests.contracts import conftest as offering_fixtures
from tests.contracts.offering_chain import Chain, Offering
from tests.rounds.round_chain import Rounds, RoundTerms

DAY = 86_400

# the standard offering of tests/contracts, every test in a snapshot reverted afterwards
chain = offering_fixtures.chain
deployed = offering_fixtures.deployed
offering = offering_fixtures.offering
accounts = offering_fixtures.accounts
issuer = offering_fixtures.issuer
timelock = offering_fixtures.timelock
actors = offering_fixtures.actors


@pytest.fixture
def rounds(chain: Chain, offering: Offering, issuer: str) -> Rounds:
    return Rounds(chain, offering, load_artifact, issuer)


@pytest.fixture
def usdt(rounds: Rounds) -> Contract:
    return rounds.stablecoin()


@pytest.fixture
def terms(chain: Chain, offering: Offering, usdt: Contract) -> RoundTerms:
    """COMMON at 12.50 USDT a share, open from the next hour for 30 days, 100,000 shares, tickets
    of 100 to 10,000 shares per investor, 5,000 per transaction, a one-year lock-up."""
    now = chain.now()
    return RoundTerms(
        share_class=offering.token("COMMON").address,
        payment_token=usdt.address,
        price_per_unit=12_500_000,
        opens=now + 3600,
        closes=now + 30 * DAY,
        hard_cap=100_000,
        min_ticket=100,
        max_ticket=10_000,
        max_per_transaction=5_000,
        lock_start=now + 365 * DAY,
        lock_cliff=now + 365 * DAY,
        lock_end=now + 365 * DAY,
    )
