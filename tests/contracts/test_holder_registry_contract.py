"""The qualified-holder registry: records, several wallets per investor, events for every change."""

from __future__ import annotations

import pytest

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import NEVER, ZERO, Chain, Offering, cc, events, investor_id


def test_add_holder_stores_the_record_and_emits_holder_added(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    wallet = accounts[1]
    receipt = actors.register(
        wallet, "alice", jurisdiction="GB", expires_at=2_000_000_000, accredited=True
    )
    registry = offering.registry
    assert registry.functions.holderOf(wallet).call() == [
        investor_id("alice"),
        b"GB",
        2_000_000_000,
        True,
        False,
    ]
    assert registry.functions.investorOf(wallet).call() == investor_id("alice")
    assert registry.functions.isQualified(wallet).call()
    assert events(registry, "HolderAdded", receipt) == [
        {
            "wallet": wallet,
            "investorId": investor_id("alice"),
            "jurisdiction": b"GB",
            "expiresAt": 2_000_000_000,
            "accredited": True,
        }
    ]


def test_record_word_matches_the_documented_layout(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    actors.register(
        accounts[1], "alice", jurisdiction="GB", expires_at=2_000_000_000, accredited=True
    )
    actors.freeze(accounts[1])
    word = offering.registry.functions.recordOf(accounts[1]).call()
    assert word & (2**128 - 1) == int.from_bytes(investor_id("alice"), "big")
    assert (word >> 128) & 0xFFFF == int.from_bytes(b"GB", "big")
    assert (word >> 144) & (2**40 - 1) == 2_000_000_000
    assert (word >> 184) & 1 == 1  # accredited
    assert (word >> 185) & 1 == 1  # frozen
    assert (word >> 192) & (2**32 - 1) == 1  # first investor
    assert offering.registry.functions.recordsOf(accounts[1], accounts[2]).call() == [word, 0]


def test_several_wallets_share_one_investor_and_its_index(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    actors.register(accounts[2], "bob")
    actors.register(accounts[3], "alice")
    registry = offering.registry
    assert registry.functions.investorOf(accounts[3]).call() == investor_id("alice")
    assert registry.functions.investorIndexOf(investor_id("alice")).call() == 1
    assert registry.functions.investorIndexOf(investor_id("bob")).call() == 2
    assert registry.functions.investorCount().call() == 2
    assert (registry.functions.recordOf(accounts[3]).call() >> 192) & 0xFFFFFFFF == 1


def test_adding_a_registered_wallet_is_refused(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    call = offering.registry.functions.addHolder(
        accounts[1], investor_id("bob"), b"DE", NEVER, False
    )
    assert chain.revert_of(call, actors.issuer) == (
        "HolderAlreadyRegistered",
        (accounts[1], investor_id("alice")),
    )


@pytest.mark.parametrize(
    ("wallet_index", "investor", "jurisdiction", "error"),
    [
        (None, "alice", b"DE", "InvalidWallet"),
        (1, "", b"DE", "InvalidInvestorId"),
        (1, "alice", b"de", "InvalidJurisdiction"),
        (1, "alice", b"D1", "InvalidJurisdiction"),
        (1, "alice", b"\x00\x00", "InvalidJurisdiction"),
    ],
)
def test_bad_records_are_refused(
    chain: Chain,
    offering: Offering,
    issuer: str,
    accounts: list[str],
    wallet_index: int | None,
    investor: str,
    jurisdiction: bytes,
    error: str,
) -> None:
    wallet = ZERO if wallet_index is None else accounts[wallet_index]
    call = offering.registry.functions.addHolder(
        wallet, investor_id(investor), jurisdiction, NEVER, False
    )
    assert chain.revert_of(call, issuer)[0] == error


def test_batch_add_registers_every_wallet(
    chain: Chain, offering: Offering, issuer: str, accounts: list[str]
) -> None:
    wallets = accounts[1:4]
    receipt = chain.send(
        offering.registry.functions.addHolders(
            wallets,
            [investor_id("a"), investor_id("b"), investor_id("a")],
            [b"DE", b"FR", b"DE"],
            [NEVER, NEVER, 1],
            [True, False, True],
        ),
        issuer,
    )
    assert len(events(offering.registry, "HolderAdded", receipt)) == 3
    assert offering.registry.functions.holderOf(accounts[2]).call() == [
        investor_id("b"),
        b"FR",
        NEVER,
        False,
        False,
    ]
    assert not offering.registry.functions.isQualified(accounts[3]).call()  # expired in 1970


def test_batch_add_is_all_or_nothing(
    chain: Chain, offering: Offering, issuer: str, accounts: list[str]
) -> None:
    call = offering.registry.functions.addHolders(
        accounts[1:3],
        [investor_id("a"), investor_id("b")],
        [b"DE", b"xx"],
        [NEVER, NEVER],
        [True, True],
    )
    assert chain.revert_of(call, issuer) == ("InvalidJurisdiction", (b"xx",))
    short = offering.registry.functions.addHolders(
        accounts[1:3], [investor_id("a")], [b"DE"] * 2, [NEVER] * 2, [True] * 2
    )
    assert chain.revert_of(short, issuer) == ("BatchLengthMismatch", (2, 1))


def test_update_changes_jurisdiction_expiry_and_accreditation_but_keeps_id_and_freeze(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    wallet = accounts[1]
    actors.register(wallet, "alice", jurisdiction="DE", accredited=False)
    actors.freeze(wallet)
    receipt = chain.send(
        offering.registry.functions.updateHolder(wallet, b"FR", 123, True), actors.issuer
    )
    assert offering.registry.functions.holderOf(wallet).call() == [
        investor_id("alice"),
        b"FR",
        123,
        True,
        True,
    ]
    assert events(offering.registry, "HolderUpdated", receipt) == [
        {
            "wallet": wallet,
            "investorId": investor_id("alice"),
            "jurisdiction": b"FR",
            "expiresAt": 123,
            "accredited": True,
        }
    ]


def test_update_or_remove_of_an_unregistered_wallet_is_refused(
    chain: Chain, offering: Offering, issuer: str, accounts: list[str]
) -> None:
    registry = offering.registry
    assert chain.revert_of(
        registry.functions.updateHolder(accounts[1], b"DE", 1, True), issuer
    ) == (
        "HolderNotRegistered",
        (accounts[1],),
    )
    assert (
        chain.revert_of(registry.functions.removeHolder(accounts[1]), issuer)[0]
        == "HolderNotRegistered"
    )


def test_remove_unregisters_but_keeps_the_frozen_flag(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    wallet = accounts[1]
    actors.register(wallet, "alice")
    actors.freeze(wallet)
    receipt = chain.send(offering.registry.functions.removeHolder(wallet), actors.issuer)
    assert events(offering.registry, "HolderRemoved", receipt) == [
        {"wallet": wallet, "investorId": investor_id("alice")}
    ]
    assert offering.registry.functions.holderOf(wallet).call() == [
        b"\x00" * 16,
        b"\x00\x00",
        0,
        False,
        True,
    ]
    assert not offering.registry.functions.isQualified(wallet).call()
    # re-registering keeps it frozen
    actors.register(wallet, "alice")
    assert offering.registry.functions.holderOf(wallet).call()[4] is True


def test_freeze_and_unfreeze_emit_holder_frozen(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    receipt = actors.freeze(accounts[1])
    assert events(offering.registry, "HolderFrozen", receipt) == [
        {"wallet": accounts[1], "frozen": True}
    ]
    receipt = actors.freeze(accounts[1], False)
    assert events(offering.registry, "HolderFrozen", receipt) == [
        {"wallet": accounts[1], "frozen": False}
    ]
    assert offering.registry.functions.holderOf(accounts[1]).call()[4] is False


def test_qualification_ends_at_the_expiry_second(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    expiry = chain.now() + 100
    actors.register(accounts[1], "alice", expires_at=expiry)
    chain.mine_at(expiry - 1)
    assert offering.registry.functions.isQualified(accounts[1]).call()
    chain.mine_at(expiry)
    assert not offering.registry.functions.isQualified(accounts[1]).call()


def test_frozen_wallet_stays_qualified(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    actors.freeze(accounts[1])
    assert offering.registry.functions.isQualified(accounts[1]).call()


def test_jurisdiction_helper_encodes_ascii(offering: Offering) -> None:
    assert cc("US") == bytes.fromhex("5553")


# ---------------------------------------------------------------- class tokens and re-keys


def test_the_registry_knows_the_offerings_class_tokens(offering: Offering) -> None:
    assert offering.registry.functions.classTokens().call() == [
        token.address for token in offering.classes.values()
    ]


def test_class_tokens_are_bound_once(chain: Chain, offering: Offering, timelock: str) -> None:
    call = offering.registry.functions.bindClasses([offering.token("COMMON").address])
    assert chain.revert_of(call, timelock) == ("ClassesAlreadyBound", ())


def test_binding_refuses_what_is_not_a_class_token_of_this_registry(
    chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    deployer = accounts[0]
    registry = chain.deploy("HolderRegistry", deployer, deployer, sender=deployer)
    foreign = offering.token("COMMON").address  # reads the standard offering's registry
    for token in (ZERO, accounts[5], foreign):
        call = registry.functions.bindClasses([token])
        assert chain.revert_of(call, deployer) == ("InvalidClassToken", (token,)), token
    call = registry.functions.bindClasses([accounts[5]] * 9)
    assert chain.revert_of(call, deployer) == ("TooManyClasses", (9, 8))


def test_removal_keeps_the_investor_index_for_the_re_key_check(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    chain.send(offering.registry.functions.removeHolder(accounts[1]), actors.issuer)
    word = offering.registry.functions.recordOf(accounts[1]).call()
    assert word == 1 << 192  # nothing but the investor index (and a frozen flag, if set)


def test_an_empty_wallet_may_be_re_added_under_another_investor(
    actors: Actors, chain: Chain, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    chain.send(offering.registry.functions.removeHolder(accounts[1]), actors.issuer)
    actors.register(accounts[1], "bob")
    assert offering.registry.functions.investorOf(accounts[1]).call() == investor_id("bob")
    word = offering.registry.functions.recordOf(accounts[1]).call()
    assert word >> 192 == 2
