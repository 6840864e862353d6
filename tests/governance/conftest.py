"""An offering with holders on the session's anvil, rolled back after every test.

The sample offering (examples/offering.toml: COMMON 1 vote per share, FOUNDERS 10, PREFERRED
non-voting; quorum 50 %, threshold 1, voting delay 1 d, period 7 d, timelock 2 d) is deployed
once per module by the toolkit's own ``deploy_offering``, with these holders:

    alice  dev1  COMMON 1000      weight 1000
    bob    dev2  FOUNDERS 100     weight 1000   (ten votes per share)
    carol  dev3  PREFERRED 5000   weight 0      (non-voting)
    dave   dev4  COMMON 200       weight 200

Total weighted supply 2200, so the quorum is 1100. dev0 deployed it and holds the issuer's
roles but no shares (so it cannot propose). Time moves only by ``evm_increaseTime``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, RunningNode
from toolkit.chain.accounts import dev_account
from toolkit.chain.connection import Chain, connect_url
from toolkit.chain.tx import Transactor
from toolkit.governance.governor import Governance
from toolkit.offering.deployments import Deployment

HOLDINGS = {"alice": ("COMMON", 1000), "bob": ("FOUNDERS", 100), "carol": ("PREFERRED", 5000), "dave": ("COMMON", 200)}
DEV_INDEX = {"issuer": 0, "alice": 1, "bob": 2, "carol": 3, "dave": 4, "erin": 5}
DAY = 86_400
FAR_FUTURE = 4_102_444_800  # 2100-01-01


@dataclass
class Offering:
    chain: Chain
    deployment: Deployment
    workdir: Path
    node: RunningNode

    @property
    def governance(self) -> Governance:
        return Governance(self.chain, self.deployment)

    def address(self, who: str) -> str:
        return str(dev_account(DEV_INDEX[who]).address)

    def transactor(self, who: str) -> Transactor:
        return Transactor(self.chain, dev_account(DEV_INDEX[who]))

    def token(self, class_id: str) -> Any:
        return self.governance.token(self.deployment.class_by_id(class_id))

    def advance(self, seconds: int) -> None:
        self.node.advance_time(seconds)


def forget_nonces() -> None:
    """After evm_revert the chain's nonces go back; the transaction layer must not remember."""
    Transactor._next_nonce.clear()


def register_and_issue(chain: Chain, deployment: Deployment) -> None:
    from toolkit.offering.contracts import OfferingContracts

    issuer = Transactor(chain, dev_account(0))
    contracts = OfferingContracts(chain.w3, deployment)
    registry = contracts.registry
    for who, (class_id, shares) in HOLDINGS.items():
        wallet = dev_account(DEV_INDEX[who]).address
        investor = who.encode().ljust(16, b"\x00")
        issuer.transact(
            registry.functions.addHolder(wallet, investor, b"DE", FAR_FUTURE, True), label="add"
        )
        issuer.transact(contracts.token(class_id).functions.issue(wallet, shares, 0), label="issue")
    erin = dev_account(DEV_INDEX["erin"]).address
    issuer.transact(
        registry.functions.addHolder(erin, b"erin".ljust(16, b"\x00"), b"DE", FAR_FUTURE, True),
        label="add",
    )


@pytest.fixture(scope="module")
def offering_module(
    anvil: RunningNode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Offering]:
    from toolkit.offering.deploy import deploy_offering
    from toolkit.offering.offering_file import load_offering

    forget_nonces()  # another module may have rolled the chain back under the cache
    before = anvil.snapshot()
    workdir = tmp_path_factory.mktemp("gov")
    chain = connect_url(anvil.rpc_url)
    report = deploy_offering(
        Transactor(chain, dev_account(0)),
        load_offering(REPO / "examples" / "offering.toml"),
        name="acme",
        cwd=workdir,
    )
    register_and_issue(chain, report.deployment)
    anvil.advance_time(60)  # the holdings are in the past of every later snapshot
    try:
        yield Offering(chain, report.deployment, workdir, anvil)
    finally:
        anvil.revert(before)
        forget_nonces()


@pytest.fixture
def offering(offering_module: Offering) -> Iterator[Offering]:
    """The module's offering, and every change a test makes undone after it."""
    node = offering_module.node
    snapshot = node.snapshot()
    try:
        yield offering_module
    finally:
        node.revert(snapshot)
        forget_nonces()
