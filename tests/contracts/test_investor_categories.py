"""Investor categories (SPEC §15): the registry's category field, the per-class category rules
(codes 10-12) with their per-category investor counts, and the dated rules that lift themselves
(a holding period, a jurisdiction blocked until a date)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering, Reverted, cc, events, investor_id

NONE, ACCREDITED, QUALIFIED_PURCHASER, PROFESSIONAL, RETAIL = range(5)
YEAR = 365 * 86_400


def allowed(*categories: int) -> int:
    return sum(1 << c for c in categories)


def rules(
    allowed_mask: int = 0, holding_period_end: int = 0, caps: dict[int, int] | None = None
) -> tuple[int, int, list[int]]:
    caps = caps or {}
    return (allowed_mask, holding_period_end, [caps.get(c, 0) for c in range(1, 5)])


def set_rules(chain: Chain, offering: Offering, timelock: str, class_id: str, ruleset: Any) -> Any:
    token = offering.token(class_id)
    return chain.send(
        offering.registry.functions.setCategoryRules(token.address, ruleset), timelock
    )


def categorise(actors: Actors, wallet: str, category: int, until: int = 0) -> Any:
    registry = actors.offering.registry
    return actors.chain.send(registry.functions.setCategory(wallet, category, until), actors.issuer)


def count(offering: Offering, class_id: str, category: int) -> int:
    token = offering.token(class_id)
    return int(offering.registry.functions.categoryHolderCount(token.address, category).call())


def register(actors: Actors, wallet: str, investor: str, category: int, until: int = 0) -> None:
    actors.register(wallet, investor, accredited=category == ACCREDITED)
    categorise(actors, wallet, category, until)


# ------------------------------------------------------------------ the registry's field


def test_a_category_is_recorded_with_its_own_expiry_and_survives_an_update(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    wallet = accounts[1]
    actors.register(wallet, "alice")
    receipt = categorise(actors, wallet, QUALIFIED_PURCHASER, 2_000_000_000)
    assert offering.registry.functions.categoryOf(wallet).call() == [
        QUALIFIED_PURCHASER,
        2_000_000_000,
    ]
    (event,) = events(offering.registry, "HolderCategorySet", receipt)
    assert event["category"] == QUALIFIED_PURCHASER and event["until"] == 2_000_000_000
    actors.chain.send(
        offering.registry.functions.updateHolder(wallet, cc("FR"), 2**40 - 1, False), actors.issuer
    )
    assert offering.registry.functions.categoryOf(wallet).call() == [
        QUALIFIED_PURCHASER,
        2_000_000_000,
    ]
    actors.chain.send(offering.registry.functions.removeHolder(wallet), actors.issuer)
    assert offering.registry.functions.categoryOf(wallet).call() == [NONE, 0]


def test_an_unknown_category_or_an_unregistered_wallet_is_refused(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    set_category = offering.registry.functions.setCategory
    assert chain.revert_of(set_category(accounts[1], 5, 0), actors.issuer) == (
        "InvalidCategory",
        (5,),
    )
    assert chain.revert_of(set_category(accounts[2], RETAIL, 0), actors.issuer) == (
        "HolderNotRegistered",
        (accounts[2],),
    )


def test_the_registrar_adds_a_holder_and_its_category_in_one_multicall(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    registry = offering.registry
    calls = [
        registry.encode_abi(
            "addHolder", [accounts[3], investor_id("carol"), cc("DE"), 2**40 - 1, False]
        ),
        registry.encode_abi("setCategory", [accounts[3], PROFESSIONAL, 0]),
    ]
    actors.chain.send(registry.functions.multicall(calls), actors.issuer)
    assert registry.functions.categoryOf(accounts[3]).call() == [PROFESSIONAL, 0]


# ------------------------------------------------------------------ rules: setting them


def test_rules_are_set_by_the_admin_before_the_class_has_a_holder(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    token = offering.token("COMMON")
    ruleset = rules(allowed(ACCREDITED), 1_900_000_000, {RETAIL: 35})
    receipt = set_rules(chain, offering, timelock, "COMMON", ruleset)
    (event,) = events(offering.registry, "CategoryRulesSet", receipt)
    assert event["token"] == token.address and event["maxHolders"] == [0, 0, 0, 35]
    assert offering.registry.functions.categoryRulesOf(token.address).call() == [
        True,
        (allowed(ACCREDITED), 1_900_000_000, [0, 0, 0, 35]),
    ]
    register(actors, accounts[1], "alice", ACCREDITED)
    actors.issue("FOUNDERS", accounts[1], 10)
    founders = offering.token("FOUNDERS").address
    assert chain.revert_of(
        offering.registry.functions.setCategoryRules(founders, rules(allowed(ACCREDITED))), timelock
    ) == ("ClassAlreadyHeld", (founders, 1))
    stranger = accounts[5]
    assert chain.revert_of(
        offering.registry.functions.setCategoryRules(stranger, rules()), timelock
    ) == ("InvalidClassToken", (stranger,))


def test_a_cap_cannot_go_below_the_investors_already_counted(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    set_rules(chain, offering, timelock, "COMMON", rules(caps={RETAIL: 5}))
    for n, wallet in enumerate(accounts[1:3]):
        register(actors, wallet, f"r{n}", RETAIL)
        actors.issue("COMMON", wallet, 10)
    token = offering.token("COMMON").address
    assert chain.revert_of(
        offering.registry.functions.setCategoryRules(token, rules(caps={RETAIL: 1})), timelock
    ) == ("CategoryCapBelowCount", (token, RETAIL, 1, 2))


# ------------------------------------------------------------------ code 10


def test_code_10_refuses_a_receiver_whose_category_is_not_allowed_on_issuance_and_transfer(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    set_rules(chain, offering, timelock, "COMMON", rules(allowed(ACCREDITED, QUALIFIED_PURCHASER)))
    alice, bob, carol = accounts[1:4]
    register(actors, alice, "alice", ACCREDITED)
    register(actors, bob, "bob", RETAIL)
    actors.register(carol, "carol")  # no category
    actors.issue("COMMON", alice, 100)
    assert actors.detect("COMMON", alice, bob, 1) == 10
    assert actors.detect("COMMON", alice, carol, 1) == 10
    assert actors.transfer_error("COMMON", alice, bob, 1) == (
        "TransferRestricted",
        (10, alice, bob, 1),
    )
    assert chain.revert_of(offering.token("COMMON").functions.issue(bob, 1, 0), actors.issuer) == (
        "TransferRestricted",
        (10, "0x" + "00" * 20, bob, 1),
    )
    assert actors.detect("COMMON", "0x" + "00" * 20, bob, 1) == 10
    categorise(actors, bob, QUALIFIED_PURCHASER)
    actors.transfer("COMMON", alice, bob, 1)
    assert actors.balance("COMMON", bob) == 1


def test_a_lapsed_category_is_no_category_with_no_transaction(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    set_rules(chain, offering, timelock, "COMMON", rules(allowed(ACCREDITED)))
    alice, bob = accounts[1:3]
    register(actors, alice, "alice", ACCREDITED)
    until = chain.now() + 1_000
    register(actors, bob, "bob", ACCREDITED, until)
    actors.issue("COMMON", alice, 10)
    assert actors.detect("COMMON", alice, bob, 1) == 0
    chain.mine_at(until)
    assert actors.detect("COMMON", alice, bob, 1) == 10


def test_a_class_without_rules_ignores_categories(actors: Actors, accounts: list[str]) -> None:
    alice, bob = accounts[1:3]
    register(actors, alice, "alice", RETAIL)
    register(actors, bob, "bob", NONE)
    actors.issue("PREFERRED", alice, 10)
    actors.transfer("PREFERRED", alice, bob, 5)
    assert actors.balance("PREFERRED", bob) == 5


# ------------------------------------------------------------------ code 11 and the counts


def test_code_11_caps_investors_of_a_category_and_counts_investors_not_wallets(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    set_rules(chain, offering, timelock, "COMMON", rules(caps={RETAIL: 2}))
    a1, a2, b, c, big = accounts[1:6]
    register(actors, a1, "ann", RETAIL)
    register(actors, a2, "ann", RETAIL)  # a second wallet of the same investor
    register(actors, b, "bob", RETAIL)
    register(actors, c, "cid", RETAIL)
    register(actors, big, "big", ACCREDITED)
    actors.issue("COMMON", a1, 10)
    actors.issue("COMMON", a2, 10)
    actors.issue("COMMON", b, 10)
    assert count(offering, "COMMON", RETAIL) == 2
    assert actors.detect("COMMON", "0x" + "00" * 20, c, 1) == 11
    assert (
        chain.revert_of(offering.token("COMMON").functions.issue(c, 1, 0), actors.issuer)[1][0]
        == 11
    )
    actors.issue("COMMON", big, 10)  # other categories are not capped
    assert count(offering, "COMMON", ACCREDITED) == 1
    assert actors.detect("COMMON", b, c, 5) == 11
    # bob leaving in the same transfer frees his place
    assert actors.detect("COMMON", b, c, 10) == 0
    actors.transfer("COMMON", b, c, 10)
    assert count(offering, "COMMON", RETAIL) == 2


def test_counts_follow_forced_transfers_recoveries_and_redemptions(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    set_rules(chain, offering, timelock, "COMMON", rules(caps={RETAIL: 1}))
    token = offering.token("COMMON")
    ann, ann2, bob, pro = accounts[1:5]
    register(actors, ann, "ann", RETAIL)
    register(actors, ann2, "ann", RETAIL)
    register(actors, bob, "bob", RETAIL)
    register(actors, pro, "pro", PROFESSIONAL)
    actors.issue("COMMON", ann, 10)
    assert chain.revert_of(
        token.functions.forceTransfer(ann, bob, 5, "court order"), actors.issuer
    ) == ("TransferRestricted", (11, ann, bob, 5))
    chain.send(token.functions.forceTransfer(ann, pro, 4, "court order"), actors.issuer)
    assert (count(offering, "COMMON", RETAIL), count(offering, "COMMON", PROFESSIONAL)) == (1, 1)
    chain.send(token.functions.recover(ann, ann2), actors.issuer)
    assert count(offering, "COMMON", RETAIL) == 1
    chain.send(token.functions.redeem(ann2, 6), actors.issuer)
    assert count(offering, "COMMON", RETAIL) == 0
    actors.issue("COMMON", bob, 1)
    assert count(offering, "COMMON", RETAIL) == 1


def test_a_category_change_by_the_registrar_moves_the_investor_between_counts(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    set_rules(chain, offering, timelock, "COMMON", rules(caps={RETAIL: 1}))
    set_rules(chain, offering, timelock, "PREFERRED", rules())
    ann, ann2, bob = accounts[1:4]
    register(actors, ann, "ann", RETAIL)
    register(actors, ann2, "ann", RETAIL)
    register(actors, bob, "bob", RETAIL)
    actors.issue("COMMON", ann, 10)
    actors.issue("PREFERRED", ann, 10)
    assert actors.detect("COMMON", "0x" + "00" * 20, bob, 1) == 11
    # ann becomes accredited through her other (empty) wallet: every class counting her follows
    categorise(actors, ann2, ACCREDITED)
    for class_id in ("COMMON", "PREFERRED"):
        assert (count(offering, class_id, RETAIL), count(offering, class_id, ACCREDITED)) == (0, 1)
    actors.issue("COMMON", bob, 1)
    # she leaves through the wallet that still says retail: she leaves the count she is in
    actors.transfer("COMMON", ann, bob, 10)
    assert (count(offering, "COMMON", RETAIL), count(offering, "COMMON", ACCREDITED)) == (1, 0)


def test_only_a_class_with_rules_reports_holders_to_the_registry(
    chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    token = offering.token("COMMON").address
    assert chain.revert_of(
        offering.registry.functions.countHolder(accounts[1], 1, True), token
    ) == ("ClassWithoutCategoryRules", (token,))


# ------------------------------------------------------------------ code 12 and dated rules


def test_code_12_holds_transfers_until_the_holding_period_ends_with_no_transaction(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    end = chain.now() + YEAR
    set_rules(chain, offering, timelock, "COMMON", rules(holding_period_end=end))
    token = offering.token("COMMON")
    alice, bob = accounts[1:3]
    register(actors, alice, "alice", RETAIL)
    register(actors, bob, "bob", RETAIL)
    actors.issue("COMMON", alice, 10)  # issuance is not held
    assert actors.detect("COMMON", alice, bob, 1) == 12
    assert actors.transfer_error("COMMON", alice, bob, 1) == (
        "TransferRestricted",
        (12, alice, bob, 1),
    )
    chain.send(
        token.functions.forceTransfer(alice, bob, 1, "estate"), actors.issuer
    )  # nor the issuer
    assert actors.detect("COMMON", alice, bob, 0) == 0  # zero-value transfers meet codes 1-6 only
    chain.mine_at(end)
    assert actors.detect("COMMON", alice, bob, 1) == 0
    actors.transfer("COMMON", alice, bob, 1)
    assert actors.balance("COMMON", bob) == 2


def test_codes_come_in_the_order_of_spec_section_15(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    end = chain.now() + YEAR
    set_rules(
        chain, offering, timelock, "FOUNDERS", rules(allowed(ACCREDITED), end, {ACCREDITED: 1})
    )
    holders = accounts[1:4]
    for n, wallet in enumerate(holders):
        register(actors, wallet, f"h{n}", ACCREDITED)
    actors.issue("FOUNDERS", holders[0], 10, locked_until=end)
    retail, late = accounts[5], accounts[6]
    register(actors, retail, "retail", RETAIL)
    register(actors, late, "late", ACCREDITED)
    assert actors.detect("FOUNDERS", holders[0], late, 1) == 8  # locked before held
    actors.issue("FOUNDERS", holders[0], 10)
    assert actors.detect("FOUNDERS", holders[0], retail, 1) == 10  # category before cap
    assert actors.detect("FOUNDERS", holders[0], late, 1) == 11  # cap before holding period
    assert (
        actors.detect("FOUNDERS", holders[0], holders[0], 1) == 0
    )  # a self transfer moves nothing


def test_a_jurisdiction_blocked_until_a_date_answers_code_6_and_lifts_itself(
    actors: Actors, chain: Chain, offering: Offering, timelock: str, accounts: list[str]
) -> None:
    token = offering.token("PREFERRED")
    until = chain.now() + YEAR
    receipt = chain.send(token.functions.setJurisdictionBlockedUntil(cc("US"), until), timelock)
    (event,) = events(token, "JurisdictionBlockedUntil", receipt)
    assert event["until"] == until
    alice, yank = accounts[1:3]
    actors.register(alice, "alice")
    actors.register(yank, "yank", jurisdiction="US")
    actors.issue("PREFERRED", alice, 10)
    assert token.functions.isJurisdictionBlocked(cc("US")).call()
    assert actors.detect("PREFERRED", alice, yank, 1) == 6
    assert actors.detect("PREFERRED", alice, yank, 11) == 6  # before the balance (7)
    chain.mine_at(until)
    assert not token.functions.isJurisdictionBlocked(cc("US")).call()
    actors.transfer("PREFERRED", alice, yank, 1)
    # a permanent block still works beside it, and unblocking clears a dated one
    chain.send(token.functions.setJurisdictionBlockedUntil(cc("US"), until + YEAR), timelock)
    assert actors.detect("PREFERRED", alice, yank, 1) == 6
    chain.send(token.functions.setJurisdictionBlocked(cc("US"), False), timelock)
    assert actors.detect("PREFERRED", alice, yank, 1) == 0


def test_a_bad_jurisdiction_code_is_refused_for_a_dated_block(
    chain: Chain, offering: Offering, timelock: str
) -> None:
    token = offering.token("PREFERRED")
    with pytest.raises(Reverted) as refused:
        chain.send(token.functions.setJurisdictionBlockedUntil(b"us", 1), timelock)
    assert refused.value.name == "InvalidJurisdiction"
