"""Fixtures of the corporate actions' tests: the governance tests' sample offering with holders
(tests/governance/conftest.py), reused by the split's; and the example offering (tests/issuer's
session deployment, which has PREFERRED converting 1:1 into COMMON) with its holders and
issuances, driven through the real CLI, for conversions and repurchases."""

from __future__ import annotations

from web3 import Web3

from tests.governance.conftest import offering, offering_module
from tests.issuer import conftest as issuer_fixtures
from tests.issuer.conftest import Issuer

session_offering = issuer_fixtures.session_offering
issuer = issuer_fixtures.issuer
funded = issuer_fixtures.funded

__all__ = ["funded", "issuer", "offering", "offering_module", "session_offering"]


def as_timelock(issuer_: Issuer, call: object) -> None:
    """What a passed proposal makes the timelock do (the governance path itself is tested in
    tests/governance; here the timelock is impersonated)."""
    w3: Web3 = issuer_.chain.w3
    timelock = issuer_.deployment.timelock
    w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_setBalance", [timelock, hex(10**20)])  # type: ignore[arg-type]
    tx = call.transact({"from": timelock})  # type: ignore[attr-defined]
    assert w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
