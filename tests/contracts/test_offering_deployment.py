"""The deployment wiring of SPEC §10: who holds which role once the offering is live."""

from __future__ import annotations

from tests.contracts.offering_chain import (
    CANCELLER_ROLE,
    DEFAULT_ADMIN_ROLE,
    EXECUTOR_ROLE,
    ISSUER_ROLE,
    PAUSER_ROLE,
    PROPOSER_ROLE,
    REGISTRAR_ROLE,
    ZERO,
    Offering,
)


def test_timelock_is_the_only_admin_of_registry_and_tokens(offering: Offering, issuer: str) -> None:
    timelock = offering.timelock.address
    for contract in [offering.registry, *offering.classes.values()]:
        assert contract.functions.hasRole(DEFAULT_ADMIN_ROLE, timelock).call()
        assert not contract.functions.hasRole(DEFAULT_ADMIN_ROLE, issuer).call()


def test_issuer_keeps_the_day_to_day_roles(offering: Offering, issuer: str) -> None:
    assert offering.registry.functions.hasRole(REGISTRAR_ROLE, issuer).call()
    for token in offering.classes.values():
        assert token.functions.hasRole(ISSUER_ROLE, issuer).call()
        assert token.functions.hasRole(PAUSER_ROLE, issuer).call()


def test_timelock_takes_proposals_only_from_the_governor_and_has_no_other_admin(
    offering: Offering, accounts: list[str]
) -> None:
    timelock, governor = offering.timelock, offering.governor.address
    assert timelock.functions.hasRole(PROPOSER_ROLE, governor).call()
    assert timelock.functions.hasRole(CANCELLER_ROLE, governor).call()
    assert timelock.functions.hasRole(EXECUTOR_ROLE, ZERO).call()
    assert timelock.functions.hasRole(DEFAULT_ADMIN_ROLE, timelock.address).call()
    for account in accounts:
        assert not timelock.functions.hasRole(DEFAULT_ADMIN_ROLE, account).call()
        assert not timelock.functions.hasRole(PROPOSER_ROLE, account).call()


def test_governor_reads_class_weighted_votes_through_the_timelock(offering: Offering) -> None:
    assert offering.governor.functions.token().call() == offering.votes.address
    assert offering.governor.functions.timelock().call() == offering.timelock.address
    assert offering.governor.functions.CLOCK_MODE().call() == "mode=timestamp"
    assert offering.votes.functions.classCount().call() == 3
    weights = [offering.votes.functions.classAt(i).call() for i in range(3)]
    assert weights == [
        [offering.token("COMMON").address, 1],
        [offering.token("FOUNDERS").address, 10],
        [offering.token("PREFERRED").address, 0],
    ]


def test_tokens_use_the_timestamp_clock_and_the_configured_caps(offering: Offering, chain) -> None:
    common = offering.token("COMMON")
    assert common.functions.CLOCK_MODE().call() == "mode=timestamp"
    assert common.functions.clock().call() == chain.now()
    assert common.functions.decimals().call() == 0
    assert common.functions.authorized().call() == 1_000_000
    assert offering.token("FOUNDERS").functions.maxHolders().call() == 3
    assert common.functions.registry().call() == offering.registry.address
    assert common.functions.isJurisdictionBlocked(b"US").call()
    assert common.functions.isJurisdictionBlocked(b"US").call()
    assert not common.functions.isJurisdictionBlocked(b"DE").call()
