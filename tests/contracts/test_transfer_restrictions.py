"""SPEC §8: every restriction code, its precedence, and the same answer from
`detectTransferRestriction` as from the transfer itself (transfer, transferFrom and issuance)."""

from __future__ import annotations

import pytest

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import ZERO, Chain, Offering, Reverted
from toolkit.restrictions import RESTRICTIONS

(
    OK,
    PAUSED,
    SENDER_FROZEN,
    RECEIVER_FROZEN,
    NOT_QUALIFIED,
    EXPIRED,
    BLOCKED,
    BALANCE,
    LOCKED,
    LIMIT,
) = range(10)


@pytest.fixture
def people(actors: Actors, accounts: list[str]) -> dict[str, str]:
    """alice and bob hold COMMON; carol is unregistered; dave is in the US (blocked for COMMON)."""
    alice, bob, carol, dave, erin = accounts[1:6]
    actors.register(alice, "alice")
    actors.register(bob, "bob")
    actors.register(dave, "dave", jurisdiction="US")
    actors.register(erin, "erin")
    actors.issue("COMMON", alice, 1000)
    actors.issue("COMMON", bob, 500)
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "erin": erin}


def assert_refused(
    actors: Actors, class_id: str, sender: str, to: str, amount: int, code: int
) -> None:
    assert actors.detect(class_id, sender, to, amount) == code
    assert actors.transfer_error(class_id, sender, to, amount) == (
        "TransferRestricted",
        (code, sender, to, amount),
    )


def test_compliant_transfer_succeeds_with_code_ok(actors: Actors, people: dict[str, str]) -> None:
    alice, bob = people["alice"], people["bob"]
    assert actors.detect("COMMON", alice, bob, 100) == OK
    actors.transfer("COMMON", alice, bob, 100)
    assert actors.balance("COMMON", alice) == 900
    assert actors.balance("COMMON", bob) == 600


def test_paused_class_refuses_transfers_with_paused(
    actors: Actors, offering: Offering, people: dict[str, str]
) -> None:
    actors.chain.send(offering.token("COMMON").functions.pause(), actors.issuer)
    assert_refused(actors, "COMMON", people["alice"], people["bob"], 1, PAUSED)
    # other classes are unaffected
    assert actors.detect("FOUNDERS", people["alice"], people["bob"], 0) == OK


def test_frozen_sender_is_refused_with_sender_frozen(
    actors: Actors, people: dict[str, str]
) -> None:
    actors.freeze(people["alice"])
    assert_refused(actors, "COMMON", people["alice"], people["bob"], 1, SENDER_FROZEN)


def test_frozen_receiver_is_refused_with_receiver_frozen(
    actors: Actors, people: dict[str, str]
) -> None:
    actors.freeze(people["bob"])
    assert_refused(actors, "COMMON", people["alice"], people["bob"], 1, RECEIVER_FROZEN)


def test_unfreezing_restores_transfers(actors: Actors, people: dict[str, str]) -> None:
    actors.freeze(people["bob"])
    actors.freeze(people["bob"], False)
    actors.transfer("COMMON", people["alice"], people["bob"], 1)


def test_unregistered_receiver_is_refused_with_not_qualified(
    actors: Actors, people: dict[str, str]
) -> None:
    assert_refused(actors, "COMMON", people["alice"], people["carol"], 1, NOT_QUALIFIED)


def test_removed_receiver_is_refused_with_not_qualified(
    actors: Actors, offering: Offering, people: dict[str, str]
) -> None:
    actors.chain.send(offering.registry.functions.removeHolder(people["bob"]), actors.issuer)
    assert_refused(actors, "COMMON", people["alice"], people["bob"], 1, NOT_QUALIFIED)


def test_removed_holder_may_still_sell_to_a_qualified_holder(
    actors: Actors, offering: Offering, people: dict[str, str]
) -> None:
    actors.chain.send(offering.registry.functions.removeHolder(people["alice"]), actors.issuer)
    actors.transfer("COMMON", people["alice"], people["bob"], 10)
    assert actors.balance("COMMON", people["bob"]) == 510


def test_receiver_expires_at_its_expiry_second(
    actors: Actors, chain: Chain, offering: Offering, people: dict[str, str]
) -> None:
    alice, erin = people["alice"], people["erin"]
    expiry = chain.now() + 1000
    chain.send(offering.registry.functions.updateHolder(erin, b"DE", expiry, True), actors.issuer)
    chain.mine_at(expiry - 1)
    assert actors.detect("COMMON", alice, erin, 1) == OK  # checked against the latest block
    chain.mine_at(expiry)
    assert_refused(actors, "COMMON", alice, erin, 1, EXPIRED)


def test_transfer_in_the_expiry_second_is_refused(
    actors: Actors, chain: Chain, offering: Offering, people: dict[str, str]
) -> None:
    alice, erin = people["alice"], people["erin"]
    expiry = chain.now() + 1000
    chain.send(offering.registry.functions.updateHolder(erin, b"DE", expiry, True), actors.issuer)
    chain.next_block_at(expiry - 1)
    actors.transfer("COMMON", alice, erin, 1)
    chain.next_block_at(expiry)
    # gas is estimated before that block exists, so the refusal shows as a reverted transaction
    with pytest.raises(Reverted):
        actors.chain.send(offering.token("COMMON").functions.transfer(erin, 1), alice, gas=300_000)
    assert actors.balance("COMMON", erin) == 1


def test_blocked_jurisdiction_is_refused_per_class(actors: Actors, people: dict[str, str]) -> None:
    alice, dave = people["alice"], people["dave"]
    assert_refused(actors, "COMMON", alice, dave, 1, BLOCKED)
    # FOUNDERS does not block the US
    actors.issue("FOUNDERS", alice, 10)
    actors.transfer("FOUNDERS", alice, dave, 1)


def test_amount_above_balance_is_refused_with_insufficient_balance(
    actors: Actors, people: dict[str, str]
) -> None:
    assert_refused(actors, "COMMON", people["alice"], people["bob"], 1001, BALANCE)


def test_locked_shares_are_refused_with_shares_locked(
    actors: Actors, chain: Chain, people: dict[str, str]
) -> None:
    alice, bob = people["alice"], people["bob"]
    actors.issue("COMMON", alice, 300, locked_until=chain.now() + 1000)
    assert_refused(actors, "COMMON", alice, bob, 1001, LOCKED)
    actors.transfer("COMMON", alice, bob, 1000)  # the unlocked part moves


def test_new_investor_beyond_the_cap_is_refused_with_holder_limit_reached(
    actors: Actors, accounts: list[str], people: dict[str, str]
) -> None:
    # FOUNDERS allows three investors
    alice, bob, erin, dave = people["alice"], people["bob"], people["erin"], people["dave"]
    for wallet in (alice, bob, erin):
        actors.issue("FOUNDERS", wallet, 10)
    assert_refused(actors, "FOUNDERS", alice, dave, 1, LIMIT)
    assert actors.detect("FOUNDERS", ZERO, dave, 1) == LIMIT


def test_zero_value_transfer_still_meets_the_receiver_rules(
    actors: Actors, people: dict[str, str]
) -> None:
    assert_refused(actors, "COMMON", people["alice"], people["carol"], 0, NOT_QUALIFIED)
    actors.transfer("COMMON", people["alice"], people["bob"], 0)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("pause+freeze_sender", PAUSED),
        ("freeze_sender+freeze_receiver", SENDER_FROZEN),
        ("freeze_unregistered_receiver", RECEIVER_FROZEN),
        ("expired_receiver_in_blocked_jurisdiction", EXPIRED),
        ("blocked_receiver+amount_above_balance", BLOCKED),
        ("locked_shares+holder_cap", LOCKED),
    ],
)
def test_codes_are_checked_in_spec_order(
    actors: Actors,
    chain: Chain,
    offering: Offering,
    people: dict[str, str],
    setup: str,
    expected: int,
) -> None:
    alice, bob, carol, dave = people["alice"], people["bob"], people["carol"], people["dave"]
    registry, common = offering.registry, offering.token("COMMON")
    receiver, amount, class_id = bob, 1, "COMMON"
    if setup == "pause+freeze_sender":
        chain.send(common.functions.pause(), actors.issuer)
        actors.freeze(alice)
    elif setup == "freeze_sender+freeze_receiver":
        actors.freeze(alice)
        actors.freeze(bob)
    elif setup == "freeze_unregistered_receiver":
        actors.freeze(carol)
        receiver = carol
    elif setup == "expired_receiver_in_blocked_jurisdiction":
        chain.send(
            registry.functions.updateHolder(dave, b"US", chain.now() - 1, True), actors.issuer
        )
        receiver = dave
    elif setup == "blocked_receiver+amount_above_balance":
        receiver, amount = dave, 10**6
    elif setup == "locked_shares+holder_cap":
        class_id = "FOUNDERS"
        actors.issue("FOUNDERS", alice, 10, locked_until=chain.now() + 1000)
        actors.issue("FOUNDERS", bob, 10)
        actors.issue("FOUNDERS", people["erin"], 10)
        receiver = dave  # a fourth investor, and every share of alice is locked
    assert_refused(actors, class_id, alice, receiver, amount, expected)


def test_transfer_from_obeys_the_same_rules(
    actors: Actors, chain: Chain, offering: Offering, people: dict[str, str], accounts: list[str]
) -> None:
    alice, carol, bob = people["alice"], people["carol"], people["bob"]
    spender = accounts[7]
    common = offering.token("COMMON")
    chain.send(common.functions.approve(spender, 100), alice)
    error = chain.revert_of(common.functions.transferFrom(alice, carol, 10), spender)
    assert error == ("TransferRestricted", (NOT_QUALIFIED, alice, carol, 10))
    actors.freeze(alice)
    error = chain.revert_of(common.functions.transferFrom(alice, bob, 10), spender)
    assert error == ("TransferRestricted", (SENDER_FROZEN, alice, bob, 10))
    actors.freeze(alice, False)
    chain.send(common.functions.transferFrom(alice, bob, 10), spender)
    assert actors.balance("COMMON", bob) == 510


@pytest.mark.parametrize(
    ("receiver_state", "expected"),
    [
        ("frozen", RECEIVER_FROZEN),
        ("unregistered", NOT_QUALIFIED),
        ("expired", EXPIRED),
        ("blocked", BLOCKED),
    ],
)
def test_issuance_obeys_the_receiver_rules(
    actors: Actors,
    chain: Chain,
    offering: Offering,
    accounts: list[str],
    receiver_state: str,
    expected: int,
) -> None:
    wallet = accounts[8]
    if receiver_state == "frozen":
        actors.register(wallet, "frida")
        actors.freeze(wallet)
    elif receiver_state == "expired":
        actors.register(wallet, "frida", expires_at=chain.now() - 1)
    elif receiver_state == "blocked":
        actors.register(wallet, "frida", jurisdiction="US")
    common = offering.token("COMMON")
    assert common.functions.detectTransferRestriction(ZERO, wallet, 5).call() == expected
    error = chain.revert_of(common.functions.issue(wallet, 5, 0), actors.issuer)
    assert error == ("TransferRestricted", (expected, ZERO, wallet, 5))


def test_issuance_goes_on_while_the_class_is_paused(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    actors.chain.send(offering.token("COMMON").functions.pause(), actors.issuer)
    actors.issue("COMMON", accounts[1], 5)
    assert actors.balance("COMMON", accounts[1]) == 5


def test_issuance_never_exceeds_authorized(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    founders = offering.token("FOUNDERS")  # authorized 100,000
    actors.issue("FOUNDERS", accounts[1], 99_999)
    error = actors.chain.revert_of(founders.functions.issue(accounts[1], 2, 0), actors.issuer)
    assert error == ("AuthorizedSharesExceeded", (100_001, 100_000))
    actors.issue("FOUNDERS", accounts[1], 1)
    assert founders.functions.totalSupply().call() == 100_000


def test_issuance_of_zero_shares_is_refused(
    actors: Actors, offering: Offering, accounts: list[str]
) -> None:
    actors.register(accounts[1], "alice")
    error = actors.chain.revert_of(
        offering.token("COMMON").functions.issue(accounts[1], 0, 0), actors.issuer
    )
    assert error == ("InvalidShareAmount", (0,))


def test_redemption_answers_insufficient_balance_only(
    actors: Actors, offering: Offering, people: dict[str, str]
) -> None:
    common = offering.token("COMMON")
    assert common.functions.detectTransferRestriction(people["alice"], ZERO, 1000).call() == OK
    assert common.functions.detectTransferRestriction(people["alice"], ZERO, 1001).call() == BALANCE


@pytest.mark.parametrize("code", [*range(13), 13, 255])
def test_messages_match_the_toolkit(offering: Offering, code: int) -> None:
    message = offering.token("COMMON").functions.messageForTransferRestriction(code).call()
    expected = RESTRICTIONS[code][1] if code in RESTRICTIONS else "Unknown restriction code"
    assert message == expected


def test_permit_then_transfer_from_obeys_the_rules(
    actors: Actors, chain: Chain, offering: Offering, people: dict[str, str], accounts: list[str]
) -> None:
    from eth_account.messages import encode_typed_data

    from toolkit.chain.accounts import dev_account

    owner, spender, carol, bob = dev_account(1), accounts[7], people["carol"], people["bob"]
    assert owner.address == people["alice"]
    common = offering.token("COMMON")
    deadline = chain.now() + 3600
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": common.functions.name().call(),
            "version": "1",
            "chainId": chain.w3.eth.chain_id,
            "verifyingContract": common.address,
        },
        "message": {
            "owner": owner.address,
            "spender": spender,
            "value": 50,
            "nonce": common.functions.nonces(owner.address).call(),
            "deadline": deadline,
        },
    }
    signed = owner.sign_message(encode_typed_data(full_message=typed))
    r, s = signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
    chain.send(
        common.functions.permit(owner.address, spender, 50, deadline, signed.v, r, s), accounts[9]
    )
    assert common.functions.allowance(owner.address, spender).call() == 50
    error = chain.revert_of(common.functions.transferFrom(owner.address, carol, 50), spender)
    assert error == ("TransferRestricted", (NOT_QUALIFIED, owner.address, carol, 50))
    chain.send(common.functions.transferFrom(owner.address, bob, 50), spender)
    assert actors.balance("COMMON", bob) == 550
