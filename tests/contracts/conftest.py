"""Fixtures for the offering contracts on the session's real anvil.

The standard offering (three classes, no holders yet) is deployed once; every test runs inside
an EVM snapshot taken after it and reverted afterwards, so each one starts from the same fresh
offering and may move time freely.

    dev0            deployer and issuer (REGISTRAR, ISSUER, PAUSER); holds no shares
    dev1 .. dev9    plain accounts, registered on demand by the tests
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import RunningNode, load_artifact
from tests.contracts.offering_chain import (
    NEVER,
    Chain,
    ClassSpec,
    Offering,
    cc,
    investor_id,
)

STANDARD_CLASSES = (
    ClassSpec("COMMON", votes_per_share=1, authorized=1_000_000, blocked=("US",)),
    ClassSpec("FOUNDERS", votes_per_share=10, authorized=100_000, max_holders=3),
    ClassSpec("PREFERRED", votes_per_share=0, authorized=500_000),
)


@pytest.fixture(scope="session")
def chain(anvil: RunningNode) -> Chain:
    return Chain(anvil.w3, load_artifact)


@pytest.fixture(scope="session")
def deployed(chain: Chain, anvil: RunningNode) -> dict[str, Offering]:
    """The standard offering, deployed once per session (and again if a revert wiped it)."""
    return {}


@pytest.fixture(autouse=True)
def offering(chain: Chain, anvil: RunningNode, deployed: dict[str, Offering]) -> Iterator[Offering]:
    """A fresh-looking standard offering: every test runs in a snapshot reverted afterwards."""
    current = deployed.get("standard")
    if current is None or not chain.w3.eth.get_code(current.registry.address):
        current = chain.deploy_offering(anvil.accounts[0], STANDARD_CLASSES)
        deployed["standard"] = current
    # an empty block first: it uses up any block timestamp a previous test set but never mined,
    # so `chain.now()` is where the next block builds on
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    snapshot = anvil.snapshot()
    yield current
    anvil.revert(snapshot)


@pytest.fixture
def accounts(anvil: RunningNode) -> list[str]:
    return list(anvil.accounts)


@pytest.fixture
def issuer(accounts: list[str]) -> str:
    return accounts[0]


@pytest.fixture
def timelock(chain: Chain, offering: Offering) -> str:
    """The timelock's address, impersonated on anvil: sends what a passed proposal would execute
    (tests of the full governance path are in test_governance_contracts.py)."""
    address = offering.timelock.address
    chain.w3.provider.make_request("anvil_impersonateAccount", [address])  # type: ignore[arg-type]
    chain.w3.provider.make_request("anvil_setBalance", [address, hex(10**20)])  # type: ignore[arg-type]
    return address


@dataclass
class Actors:
    """Helpers bound to one offering: register wallets, issue, transfer, read."""

    chain: Chain
    offering: Offering
    issuer: str

    def register(
        self,
        wallet: str,
        investor: str,
        jurisdiction: str = "DE",
        expires_at: int = NEVER,
        accredited: bool = True,
    ) -> Any:
        return self.chain.send(
            self.offering.registry.functions.addHolder(
                wallet, investor_id(investor), cc(jurisdiction), expires_at, accredited
            ),
            self.issuer,
        )

    def issue(self, class_id: str, to: str, amount: int, locked_until: int = 0) -> Any:
        return self.chain.send(
            self.offering.token(class_id).functions.issue(to, amount, locked_until), self.issuer
        )

    def issue_vested(
        self, class_id: str, to: str, amount: int, start: int, cliff: int, end: int
    ) -> Any:
        token = self.offering.token(class_id)
        return self.chain.send(
            token.functions.issueVested(to, amount, start, cliff, end), self.issuer
        )

    def transfer(
        self, class_id: str, sender: str, to: str, amount: int, gas: int | None = None
    ) -> Any:
        """Transfer; give `gas` when the next block's time is set (no estimate before that block)."""
        return self.chain.send(
            self.offering.token(class_id).functions.transfer(to, amount), sender, gas=gas
        )

    def freeze(self, wallet: str, frozen: bool = True) -> Any:
        return self.chain.send(
            self.offering.registry.functions.setFrozen(wallet, frozen), self.issuer
        )

    def balance(self, class_id: str, wallet: str) -> int:
        return int(self.offering.token(class_id).functions.balanceOf(wallet).call())

    def locked(self, class_id: str, wallet: str) -> int:
        return int(self.offering.token(class_id).functions.lockedBalanceOf(wallet).call())

    def votes(self, class_id: str, wallet: str) -> int:
        return int(self.offering.token(class_id).functions.getVotes(wallet).call())

    def detect(self, class_id: str, sender: str, to: str, amount: int) -> int:
        token = self.offering.token(class_id)
        return int(token.functions.detectTransferRestriction(sender, to, amount).call())

    def transfer_error(
        self, class_id: str, sender: str, to: str, amount: int
    ) -> tuple[str, tuple[Any, ...]]:
        return self.chain.revert_of(
            self.offering.token(class_id).functions.transfer(to, amount), sender
        )


@pytest.fixture
def actors(chain: Chain, offering: Offering, issuer: str) -> Actors:
    return Actors(chain, offering, issuer)
