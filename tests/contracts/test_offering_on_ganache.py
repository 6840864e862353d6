"""The templates also run on Ganache 7.9.2 (shanghai, contract size limit enforced)."""

from __future__ import annotations

import pytest

from tests.conftest import RunningNode, load_artifact
from tests.contracts.conftest import STANDARD_CLASSES
from tests.contracts.offering_chain import NEVER, Chain, cc, investor_id


@pytest.mark.ganache
def test_an_offering_deploys_issues_transfers_and_refuses_on_ganache(ganache: RunningNode) -> None:
    chain = Chain(ganache.w3, load_artifact)
    snapshot = ganache.snapshot()
    try:
        issuer, alice, bob, carol = ganache.accounts[:4]
        offering = chain.deploy_offering(issuer, STANDARD_CLASSES)
        registry, common = offering.registry, offering.token("COMMON")
        for wallet, name in ((alice, "alice"), (bob, "bob")):
            chain.send(
                registry.functions.addHolder(wallet, investor_id(name), cc("DE"), NEVER, True),
                issuer,
            )
        chain.send(common.functions.issueBatch([alice, bob], [100, 50], [0, NEVER]), issuer)
        chain.send(common.functions.transfer(bob, 40), alice)
        assert common.functions.balanceOf(bob).call() == 90
        assert common.functions.lockedBalanceOf(bob).call() == 50
        assert common.functions.detectTransferRestriction(alice, carol, 1).call() == 4
        assert chain.revert_of(common.functions.transfer(carol, 1), alice) == (
            "TransferRestricted",
            (4, alice, carol, 1),
        )
        assert offering.votes.functions.getVotes(bob).call() == 90
    finally:
        ganache.revert(snapshot)
