"""The subscription round contract (issue 12, points 1 and 2) on a real anvil."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from web3.contract import Contract

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering, events, investor_id
from tests.rounds.round_chain import GAS, ISSUER_ROLE, Rounds, RoundTerms
from toolkit.rounds.rounds import permit_typed_data

DAY = 86_400
PRICE = 12_500_000  # 12.50 USDT per share
STATES = ("Scheduled", "Open", "Closed", "Settled", "Cancelled", "Failed")
# anvil's first dev keys (the permit test signs with dev2's)
DEV2_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"


def opened(chain: Chain, round_: Contract) -> None:
    chain.mine_at(round_.functions.terms().call()[3])


def state(round_: Contract) -> str:
    return STATES[round_.functions.state().call()]


@pytest.fixture
def buyer(accounts: list[str], actors: Actors) -> str:
    actors.register(accounts[1], "ALICE", "DE")
    return accounts[1]


def test_an_atomic_subscription_pays_the_proceeds_and_issues_locked_shares_in_one_transaction(
    chain: Chain,
    offering: Offering,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    buyer: str,
    actors: Actors,
) -> None:
    round_ = rounds.open(terms)
    rounds.fund(usdt, buyer, 1_000 * PRICE, spender=round_.address)
    opened(chain, round_)
    receipt = chain.send(round_.functions.subscribe(1_000), buyer)
    timelock = offering.timelock.address
    assert usdt.functions.balanceOf(timelock).call() == 1_000 * PRICE
    assert usdt.functions.balanceOf(buyer).call() == 0
    assert actors.balance("COMMON", buyer) == 1_000
    assert actors.locked("COMMON", buyer) == 1_000
    assert events(round_, "SharesSold", receipt) == [
        {"wallet": buyer, "shares": 1_000, "paid": 1_000 * PRICE, "pricePerUnit": PRICE}
    ]
    assert round_.functions.sold().call() == round_.functions.issued().call() == 1_000
    assert round_.functions.escrowed().call() == 0
    assert round_.functions.investors().call() == 1


def test_the_class_issuance_code_comes_before_the_round_codes(
    chain: Chain,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    accounts: list[str],
    actors: Actors,
) -> None:
    round_ = rounds.open(terms)
    escrow = rounds.open(terms.but(soft_cap=1_000))
    sam = accounts[2]
    actors.register(sam, "SAM", "US")  # COMMON blocks the US
    # before the round opens, the class's refusal is still what is answered first
    assert round_.functions.restrictionOf(sam, 1_000).call() == 6
    assert round_.functions.restrictionOf(accounts[3], 1_000).call() == 4  # not registered
    assert round_.functions.messageForRestriction(6).call() == (
        "The receiver's jurisdiction is blocked for this class"
    )
    opened(chain, round_)
    # an escrowed subscription is refused by the round itself; an atomic one by the token's own
    # issue in the same transaction (nothing paid: the payment reverts with it)
    rounds.fund(usdt, sam, 2_000 * PRICE)
    for spender in (round_, escrow):
        chain.send(usdt.functions.approve(spender.address, 1_000 * PRICE), sam)
    assert chain.revert_of(escrow.functions.subscribe(1_000), sam) == (
        "RoundRestricted",
        (6, sam, 1_000),
    )
    assert chain.revert_of(round_.functions.subscribe(1_000), sam) == (
        "TransferRestricted",
        (6, "0x0000000000000000000000000000000000000000", sam, 1_000),
    )


def test_each_round_code_is_answered_by_the_view_and_enforced_by_subscribe(
    chain: Chain,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    accounts: list[str],
    actors: Actors,
) -> None:
    round_ = rounds.open(terms.but(accredited_only=True, hard_cap=12_000, max_ticket=7_000))
    alice, alice2, bob, carol = accounts[1], accounts[2], accounts[3], accounts[4]
    actors.register(alice, "ALICE")
    actors.register(alice2, "ALICE")  # a second wallet of the same investor
    actors.register(bob, "BOB")
    actors.register(carol, "CAROL", accredited=False)
    for wallet in (alice, alice2, bob, carol):
        rounds.fund(usdt, wallet, 10_000 * PRICE, spender=round_.address)

    def code(wallet: str, shares: int) -> int:
        answered = int(round_.functions.restrictionOf(wallet, shares).call())
        if answered:
            assert chain.revert_of(round_.functions.subscribe(shares), wallet) == (
                "RoundRestricted",
                (answered, wallet, shares),
            )
        return answered

    assert code(alice, 1_000) == 20  # ROUND_NOT_OPEN
    opened(chain, round_)
    assert code(alice, 99) == 22  # BELOW_MIN_TICKET
    assert code(alice, 5_001) == 24  # ABOVE_TRANSACTION_LIMIT
    assert code(carol, 1_000) == 26  # NOT_ACCREDITED
    chain.send(round_.functions.subscribe(5_000), alice)
    assert code(alice2, 2_001) == 23  # ABOVE_MAX_TICKET: both wallets of ALICE count
    assert code(alice2, 50) == 0  # the minimum is met by the investor's total
    chain.send(round_.functions.subscribe(50), alice2)
    chain.send(round_.functions.subscribe(5_000), bob)
    assert code(bob, 1_951) == 25  # ROUND_SOLD_OUT: 10,050 sold of 12,000
    assert round_.functions.subscribedBy(1).call() == 5_050  # ALICE's investor index
    assert round_.functions.investors().call() == 2
    chain.mine_at(terms.closes)
    assert code(bob, 1_000) == 21  # ROUND_CLOSED
    assert state(round_) == "Closed"


def test_investors_count_once_and_neighbouring_running_totals_stay_apart_in_their_packed_words(
    chain: Chain,
    offering: Offering,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    accounts: list[str],
    actors: Actors,
) -> None:
    limited = rounds.open(terms.but(max_per_transaction=0))  # totals: two investors a word
    plain = rounds.open(terms.but(min_ticket=0, max_ticket=0, max_per_transaction=0))  # flags
    names = ("ANN", "ANN", "BEN", "CID", "DOT")  # ANN has two wallets
    wallets = accounts[1:6]
    for wallet, name in zip(wallets, names, strict=True):
        actors.register(wallet, name)
        for round_ in (limited, plain):
            rounds.fund(usdt, wallet, 10_000 * PRICE, spender=round_.address)
    registry = offering.registry.functions
    index = {n: registry.investorIndexOf(investor_id(n)).call() for n in set(names)}
    assert sorted(index.values()) == list(range(min(index.values()), min(index.values()) + 4))
    opened(chain, limited)
    for wallet, shares in zip(wallets, (6_000, 3_000, 10_000, 1_000, 9_999), strict=True):
        chain.send(limited.functions.subscribe(shares), wallet)
        chain.send(plain.functions.subscribe(shares), wallet)
    totals = {"ANN": 9_000, "BEN": 10_000, "CID": 1_000, "DOT": 9_999}
    assert {n: limited.functions.subscribedBy(i).call() for n, i in index.items()} == totals
    assert {n: plain.functions.subscribedBy(i).call() for n, i in index.items()} == dict.fromkeys(
        totals, 1
    )  # without ticket limits the round keeps only that the investor subscribed
    assert limited.functions.investors().call() == plain.functions.investors().call() == 4
    assert limited.functions.restrictionOf(wallets[0], 1_001).call() == 23  # ANN: 10,001
    assert limited.functions.restrictionOf(wallets[4], 2).call() == 23  # DOT: 10,001
    assert limited.functions.restrictionOf(wallets[3], 9_000).call() == 0  # CID: 10,000
    assert plain.functions.restrictionOf(wallets[2], 5_000).call() == 0  # no maximum


def test_without_the_class_issuing_power_the_view_answers_27_and_the_round_sells_nothing(
    chain: Chain,
    offering: Offering,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    buyer: str,
    actors: Actors,
) -> None:
    round_ = rounds.open(terms, approve=False)
    rounds.fund(usdt, buyer, 2_000 * PRICE, spender=round_.address)
    opened(chain, round_)
    assert round_.functions.restrictionOf(buyer, 1_000).call() == 27
    assert round_.functions.messageForRestriction(27).call() == (
        "Governance has not given the round the class's issuing power for these shares"
    )
    assert chain.revert_of(round_.functions.subscribe(1_000), buyer) == (
        "RoundRestricted",
        (27, buyer, 1_000),
    )
    # the issuer's role is not enough: a round issues as a minter, outside the issuer's bound
    rounds.grant_role(terms.share_class, ISSUER_ROLE, round_.address)
    assert round_.functions.restrictionOf(buyer, 1_000).call() == 27
    rounds.grant_issuing_power(terms.share_class, round_.address, 1_500)  # below the hard cap
    assert round_.functions.restrictionOf(buyer, 1_000).call() == 0
    chain.send(round_.functions.subscribe(1_000), buyer)
    assert round_.functions.restrictionOf(buyer, 501).call() == 27  # 500 left of the allowance
    assert round_.functions.restrictionOf(buyer, 500).call() == 0
    assert offering.token("COMMON").functions.mintAllowance(round_.address).call() == 500


def test_a_soft_cap_round_rejects_at_settlement_what_its_allowance_no_longer_covers(
    chain: Chain,
    offering: Offering,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    accounts: list[str],
    actors: Actors,
) -> None:
    round_ = rounds.open(terms.but(soft_cap=1_000))
    wallets = accounts[1:3]
    for n, wallet in enumerate(wallets):
        actors.register(wallet, f"INV{n}")
        rounds.fund(usdt, wallet, 1_000 * PRICE, spender=round_.address)
    opened(chain, round_)
    for wallet in wallets:
        chain.send(round_.functions.subscribe(1_000), wallet)
    # escrowed shares count against the allowance: 2,000 of 100,000 are spoken for
    rounds.grant_issuing_power(terms.share_class, round_.address, 2_000)
    assert round_.functions.restrictionOf(accounts[1], 100).call() == 27
    rounds.grant_issuing_power(terms.share_class, round_.address, 1_500)  # governance lowers it
    chain.send(round_.functions.close(), rounds.issuer)
    receipt = chain.send(round_.functions.settle(10), accounts[7])
    assert events(round_, "SubscriptionRejected", receipt) == [
        {"wallet": wallets[1], "code": 27, "shares": 1_000, "payment": 1_000 * PRICE}
    ]
    assert [actors.balance("COMMON", w) for w in wallets] == [1_000, 0]
    chain.send(round_.functions.refund(wallets[1]), accounts[7])
    assert usdt.functions.balanceOf(wallets[1]).call() == 1_000 * PRICE
    assert usdt.functions.balanceOf(round_.address).call() == 0


def test_the_class_authorized_shares_bound_the_round_as_sold_out(
    chain: Chain, rounds: Rounds, terms: RoundTerms, buyer: str, actors: Actors, accounts: list[str]
) -> None:
    round_ = rounds.open(terms)
    actors.register(accounts[5], "BIG")
    actors.issue("COMMON", accounts[5], 999_500)  # COMMON authorizes 1,000,000
    opened(chain, round_)
    assert round_.functions.restrictionOf(buyer, 501).call() == 25
    assert round_.functions.restrictionOf(buyer, 500).call() == 0


def test_a_soft_cap_round_holds_payments_until_close_and_settles_in_batches(
    chain: Chain,
    offering: Offering,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    accounts: list[str],
    actors: Actors,
) -> None:
    round_ = rounds.open(terms.but(soft_cap=1_500))
    wallets = accounts[1:4]
    for n, wallet in enumerate(wallets):
        actors.register(wallet, f"INV{n}")
        rounds.fund(usdt, wallet, 1_000 * PRICE, spender=round_.address)
    opened(chain, round_)
    for wallet in wallets:
        receipt = chain.send(round_.functions.subscribe(1_000), wallet)
        assert events(round_, "Subscribed", receipt)[0]["paid"] == 1_000 * PRICE
        assert events(round_, "SharesSold", receipt) == []
    assert actors.balance("COMMON", wallets[0]) == 0
    assert usdt.functions.balanceOf(round_.address).call() == 3_000 * PRICE
    assert round_.functions.escrowed().call() == 3_000 * PRICE
    assert chain.revert_of(round_.functions.close(), accounts[5]) == (
        "RoundStillOpen",
        (terms.closes,),
    )
    chain.send(round_.functions.close(), rounds.issuer)  # the manager may close early
    assert state(round_) == "Settled"
    actors.freeze(wallets[2])  # the class refuses this one at settlement
    chain.send(round_.functions.settle(2), accounts[7])
    assert round_.functions.unsettledCount().call() == 1
    receipt = chain.send(round_.functions.settle(10), accounts[7])
    assert events(round_, "SubscriptionRejected", receipt) == [
        {"wallet": wallets[2], "code": 3, "shares": 1_000, "payment": 1_000 * PRICE}
    ]
    assert [actors.balance("COMMON", w) for w in wallets] == [1_000, 1_000, 0]
    assert usdt.functions.balanceOf(offering.timelock.address).call() == 2_000 * PRICE
    assert round_.functions.issued().call() == round_.functions.sold().call() == 2_000
    chain.send(round_.functions.refund(wallets[2]), accounts[7])
    assert usdt.functions.balanceOf(wallets[2]).call() == 1_000 * PRICE
    assert usdt.functions.balanceOf(round_.address).call() == 0
    assert chain.revert_of(round_.functions.refund(wallets[2]), accounts[7]) == (
        "NothingToRefund",
        (wallets[2],),
    )
    assert chain.revert_of(round_.functions.refund(wallets[0]), wallets[0]) == (
        "NothingToRefund",
        (wallets[0],),
    )


def test_below_the_soft_cap_at_close_nothing_is_issued_and_each_subscriber_is_refunded_once(
    chain: Chain,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    buyer: str,
    actors: Actors,
    accounts: list[str],
) -> None:
    round_ = rounds.open(terms.but(soft_cap=5_000))
    rounds.fund(usdt, buyer, 1_000 * PRICE, spender=round_.address)
    opened(chain, round_)
    chain.send(round_.functions.subscribe(1_000), buyer)
    chain.mine_at(terms.closes)
    chain.send(round_.functions.close(), accounts[6])  # anyone, once the time is over
    assert state(round_) == "Failed"
    assert chain.revert_of(round_.functions.settle(1), accounts[6])[0] == "InvalidRoundState"
    chain.send(round_.functions.refund(buyer), accounts[6])
    assert usdt.functions.balanceOf(buyer).call() == 1_000 * PRICE
    assert actors.balance("COMMON", buyer) == 0
    assert chain.revert_of(round_.functions.refund(buyer), buyer)[0] == "NothingToRefund"


def test_the_manager_may_cancel_before_close_and_everyone_escrowed_is_refunded(
    chain: Chain,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    buyer: str,
    accounts: list[str],
) -> None:
    round_ = rounds.open(terms.but(soft_cap=5_000))
    rounds.fund(usdt, buyer, 1_000 * PRICE, spender=round_.address)
    opened(chain, round_)
    chain.send(round_.functions.subscribe(1_000), buyer)
    assert (
        chain.revert_of(round_.functions.cancel(), buyer)[0] == "AccessControlUnauthorizedAccount"
    )
    chain.send(round_.functions.cancel(), rounds.issuer)
    assert state(round_) == "Cancelled"
    assert round_.functions.restrictionOf(buyer, 100).call() == 21
    assert chain.revert_of(round_.functions.close(), rounds.issuer)[0] == "InvalidRoundState"
    chain.send(round_.functions.refund(buyer), accounts[5])
    assert usdt.functions.balanceOf(buyer).call() == 1_000 * PRICE


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("FeeOnTransferToken", "PaymentShortfall"),
        ("FalseReturningToken", "SafeERC20FailedOperation"),
    ],
)
def test_a_payment_token_that_does_not_deliver_the_full_amount_is_refused(
    chain: Chain,
    rounds: Rounds,
    terms: RoundTerms,
    buyer: str,
    actors: Actors,
    token: str,
    error: str,
) -> None:
    coin = rounds.odd_token(token)
    for soft_cap in (0, 100):
        round_ = rounds.open(terms.but(payment_token=coin.address, soft_cap=soft_cap))
        rounds.fund(coin, buyer, 1_000 * PRICE, spender=round_.address)
        opened(chain, round_)
        assert chain.revert_of(round_.functions.subscribe(1_000), buyer)[0] == error
        assert actors.balance("COMMON", buyer) == 0
        terms = terms.but(opens=chain.now() + 60, closes=chain.now() + DAY)


def test_a_token_that_calls_back_into_the_round_is_refused_reentry(
    chain: Chain,
    offering: Offering,
    rounds: Rounds,
    terms: RoundTerms,
    buyer: str,
    actors: Actors,
) -> None:
    coin = rounds.odd_token("ReentrantToken")
    round_ = rounds.open(terms.but(payment_token=coin.address, soft_cap=100))
    rounds.fund(coin, buyer, 3_000 * PRICE, spender=round_.address)
    opened(chain, round_)
    for payload in (
        round_.encode_abi("subscribe", [1_000]),
        round_.encode_abi("refund", [buyer]),
        round_.encode_abi("settle", [10]),
    ):
        chain.send(coin.functions.arm(round_.address, payload), buyer)
        chain.send(round_.functions.subscribe(1_000), buyer, gas=GAS)
    assert coin.functions.reentered().call() == 0
    assert coin.functions.refused().call() == 3
    assert round_.functions.pendingOf(buyer).call() == 3_000
    assert coin.functions.balanceOf(round_.address).call() == round_.functions.escrowed().call()


def test_permit_makes_a_subscription_one_transaction(
    chain: Chain,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    accounts: list[str],
    actors: Actors,
) -> None:
    investor = Account.from_key(DEV2_KEY)
    assert investor.address == accounts[2]
    actors.register(investor.address, "PERMIT")
    round_ = rounds.open(terms)
    rounds.fund(usdt, investor.address, 1_000 * PRICE)  # no approval
    opened(chain, round_)
    deadline = chain.now() + 3600
    signature = sign_permit(chain, usdt, DEV2_KEY, round_.address, 1_000 * PRICE, deadline)
    chain.send(round_.functions.subscribeWithPermit(1_000, deadline, *signature), investor.address)
    assert actors.balance("COMMON", investor.address) == 1_000
    assert usdt.functions.allowance(investor.address, round_.address).call() == 0


def test_a_vesting_round_issues_vesting_lots(
    chain: Chain,
    rounds: Rounds,
    usdt: Contract,
    terms: RoundTerms,
    buyer: str,
    actors: Actors,
    offering: Offering,
) -> None:
    now = chain.now()
    round_ = rounds.open(
        terms.but(lock_start=now, lock_cliff=now + 90 * DAY, lock_end=now + 720 * DAY)
    )
    rounds.fund(usdt, buyer, 1_000 * PRICE, spender=round_.address)
    opened(chain, round_)
    chain.send(round_.functions.subscribe(1_000), buyer)
    lots = offering.token("COMMON").functions.lockupLotsOf(buyer).call()
    assert lots == [(1_000, now, now + 90 * DAY, now + 720 * DAY)]


def test_inconsistent_terms_are_refused_at_deployment(
    chain: Chain, rounds: Rounds, terms: RoundTerms
) -> None:
    artifact = rounds.artifacts["SubscriptionRound"]
    cases = {
        "price must be positive": terms.but(price_per_unit=0),
        "opens must be before closes": terms.but(closes=terms.opens),
        "soft cap above hard cap": terms.but(soft_cap=terms.hard_cap + 1),
        "min ticket above max ticket": terms.but(min_ticket=20_000),
    }
    for reason, bad in cases.items():
        factory = chain.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        data = factory.constructor(
            bad.but(proceeds_to=rounds.issuer).as_tuple(), rounds.issuer, rounds.issuer
        ).data_in_transaction
        with pytest.raises(Exception) as refused:
            chain.w3.eth.call({"from": rounds.issuer, "data": data})
        assert chain.decode_revert(refused.value).args_ == (reason,)


def sign_permit(
    chain: Chain, coin: Contract, key: str, spender: str, value: int, deadline: int
) -> tuple[int, bytes, bytes]:
    """A permit signed as `equity round subscribe --permit` signs it (the toolkit's document)."""
    owner = Account.from_key(key).address
    document = permit_typed_data(
        token_name=coin.functions.name().call(),
        chain_id=chain.w3.eth.chain_id,
        token=coin.address,
        owner=owner,
        spender=spender,
        value=value,
        nonce=coin.functions.nonces(owner).call(),
        deadline=deadline,
    )
    signed = Account.sign_message(encode_typed_data(full_message=document), key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
