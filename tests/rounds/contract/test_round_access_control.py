"""Every state-changing function of a round is either open to anyone (with its own rules, tested
in test_subscription_round.py) or behind a role that refuses every other account (found by
enumerating the ABI, as tests/contracts/test_access_control.py does for the offering)."""

from __future__ import annotations

from tests.contracts.offering_chain import DEFAULT_ADMIN_ROLE, Chain
from tests.contracts.test_access_control import calls, expected_refusal, state_changing
from tests.rounds.round_chain import MANAGER_ROLE, Rounds, RoundTerms

PUBLIC = {"subscribe", "subscribeWithPermit", "close", "settle", "refund", "renounceRole"}
GUARDED = {
    "cancel": MANAGER_ROLE,
    "grantRole": DEFAULT_ADMIN_ROLE,
    "revokeRole": DEFAULT_ADMIN_ROLE,
}


def test_every_state_changing_function_of_a_round_is_classified(
    rounds: Rounds, terms: RoundTerms
) -> None:
    round_ = rounds.open(terms)
    assert state_changing(round_) == PUBLIC | set(GUARDED)


def test_every_privileged_function_of_a_round_refuses_every_account_without_its_role(
    chain: Chain, rounds: Rounds, terms: RoundTerms, accounts: list[str]
) -> None:
    round_ = rounds.open(terms)
    checked = 0
    for function, role in GUARDED.items():
        for account in accounts:
            if round_.functions.hasRole(role, account).call():
                continue
            for call in calls(round_, function, accounts[1]):
                assert chain.revert_of(call, account) == expected_refusal(role, account)
                checked += 1
    assert checked >= len(GUARDED) * (len(accounts) - 1)


def test_the_issuer_manages_and_the_timelock_administers_a_round(
    rounds: Rounds, terms: RoundTerms, issuer: str
) -> None:
    round_ = rounds.open(terms)
    timelock = rounds.offering.timelock.address
    assert round_.functions.hasRole(MANAGER_ROLE, issuer).call()
    assert round_.functions.hasRole(DEFAULT_ADMIN_ROLE, timelock).call()
    assert not round_.functions.hasRole(DEFAULT_ADMIN_ROLE, issuer).call()


def test_the_round_messages_are_the_toolkits_word_for_word(
    rounds: Rounds, terms: RoundTerms
) -> None:
    from toolkit.restrictions import ROUND_RESTRICTIONS, restriction_message

    round_ = rounds.open(terms)
    for code in [*ROUND_RESTRICTIONS, 3, 6, 9]:
        assert round_.functions.messageForRestriction(code).call() == restriction_message(code)
