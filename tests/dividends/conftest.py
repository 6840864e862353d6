"""Fixtures for distributions on the session's real anvil.

One offering (COMMON with whole shares, PREFERRED with two decimals), a 6-decimal test
stablecoin and the distribution factory are deployed once; every test runs in an EVM snapshot
reverted afterwards.

    dev0            issuer: registrar, class issuer, stablecoin owner, distributor
    dev1 .. dev9    holders, registered by the tests that need them
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import RunningNode, load_artifact
from tests.contracts.offering_chain import Chain
from tests.dividends.world import CLASSES, DividendWorld


@pytest.fixture(scope="session")
def dividend_chain(anvil: RunningNode) -> Chain:
    return Chain(anvil.w3, load_artifact)


@pytest.fixture(scope="session")
def worlds() -> dict[str, DividendWorld]:
    return {}


@pytest.fixture
def world(
    dividend_chain: Chain, anvil: RunningNode, worlds: dict[str, DividendWorld]
) -> Iterator[DividendWorld]:
    current = worlds.get("standard")
    if current is None or not dividend_chain.w3.eth.get_code(current.factory.address):
        offering = dividend_chain.deploy_offering(anvil.accounts[0], CLASSES)
        current = DividendWorld(dividend_chain, offering, list(anvil.accounts), load_artifact)
        worlds["standard"] = current
    dividend_chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    snapshot = anvil.snapshot()
    yield current
    current.jurisdiction.clear()
    anvil.revert(snapshot)


# the example offering and a working directory per test, for the CLI tests
from tests.issuer.conftest import funded, issuer, session_offering  # noqa: E402, F401
