"""The SecondaryMarket contract (issue 13, point 1) on a real anvil: delivery versus payment of
signed orders, with the class token's rules deciding every settlement."""

from __future__ import annotations

from eth_account.messages import encode_typed_data
from eth_utils import keccak

from tests.contracts.offering_chain import Chain, events
from tests.market.market_world import BUY, USD, MarketWorld
from toolkit.chain.accounts import dev_account

PRICE = 12_500_000  # 12.50 USDT per share


def test_a_fill_moves_the_shares_and_the_payment_together_in_parts_up_to_the_order(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller = world.seller(accounts[1], "ALICE", 1_000)
    buyer = world.buyer(accounts[2], "BOB", 1_000 * PRICE)
    offer = world.signed(seller, 600, PRICE)
    receipt = world.fill(offer, 200, buyer)
    assert world.actors.balance("COMMON", buyer) == 200
    assert world.actors.balance("COMMON", seller) == 800
    assert world.money(seller) == 200 * PRICE
    assert world.money(buyer) == 800 * PRICE
    digest = world.market.functions.hashOrder(offer.order.as_tuple()).call()
    assert events(world.market, "Trade", receipt) == [
        {
            "orderHash": digest,
            "seller": seller,
            "buyer": buyer,
            "shareClass": offer.order.share_class,
            "shares": 200,
            "paymentToken": world.usdt.address,
            "payment": 200 * PRICE,
        }
    ]
    assert world.market.functions.remaining(offer.order.as_tuple()).call() == 400
    assert world.fill_error(offer, 401, buyer) == ("Overfill", (401, 400))
    world.fill(offer, 400, buyer)
    assert world.fill_error(offer, 1, buyer) == ("Overfill", (1, 0))  # no replay
    assert world.market.functions.remaining(offer.order.as_tuple()).call() == 0
    assert world.market.functions.nonceState(seller, 1).call() == [600, False, digest[:16]]


def test_the_contract_hashes_an_order_as_eth_account_encodes_it(
    world: MarketWorld, accounts: list[str]
) -> None:
    order = world.order(accounts[1], 10, PRICE)
    signable = encode_typed_data(full_message=world.typed(order))
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert world.market.functions.hashOrder(order.as_tuple()).call() == digest


def test_a_bid_is_filled_by_a_seller_who_delivers_and_is_paid(
    world: MarketWorld, accounts: list[str]
) -> None:
    bidder = world.buyer(accounts[2], "BOB", 100 * PRICE)
    seller = world.seller(accounts[1], "ALICE", 100)
    bid = world.signed(bidder, 100, PRICE, side=BUY)
    world.fill(bid, 100, seller)
    assert world.actors.balance("COMMON", bidder) == 100
    assert world.money(seller) == 100 * PRICE and world.money(bidder) == 0


def test_a_refused_receiver_gets_nothing_and_pays_nothing(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller = world.seller(accounts[1], "ALICE", 100)
    american = world.buyer(accounts[3], "SAM", 100 * PRICE, jurisdiction="US")  # COMMON blocks US
    offer = world.signed(seller, 100, PRICE)
    assert world.fill_error(offer, 100, american) == (
        "TransferRestricted",
        (6, seller, american, 100),
    )
    assert world.money(american) == 100 * PRICE and world.actors.balance("COMMON", american) == 0
    locked = world.seller(accounts[4], "LOCKED", 0)
    world.actors.issue("COMMON", locked, 50, locked_until=world.chain.now() + 86_400 * 365)
    buyer = world.buyer(accounts[2], "BOB", 50 * PRICE)
    assert world.fill_error(world.signed(locked, 50, PRICE), 50, buyer)[1][0] == 8  # SHARES_LOCKED


def test_an_expired_a_cancelled_or_a_reused_nonce_order_cannot_be_filled(
    chain: Chain, world: MarketWorld, accounts: list[str]
) -> None:
    seller = world.seller(accounts[1], "ALICE", 1_000)
    buyer = world.buyer(accounts[2], "BOB", 1_000 * PRICE)
    expiry = chain.now() + 100
    expiring = world.signed(seller, 10, PRICE, expiry=expiry, nonce=7)
    chain.mine_at(expiry)
    assert world.fill_error(expiring, 10, buyer) == ("OrderExpired", (expiry,))

    first = world.signed(seller, 100, PRICE, nonce=8)
    world.fill(first, 10, buyer)
    other = world.signed(seller, 100, 1, nonce=8)  # same nonce, another (cheaper) order
    assert world.fill_error(other, 10, buyer) == ("NonceUsed", (seller, 8))

    chain.send(world.market.functions.cancel(8), seller)
    assert world.fill_error(first, 10, buyer) == ("NonceUsed", (seller, 8))
    assert world.market.functions.remaining(first.order.as_tuple()).call() == 0
    assert chain.revert_of(world.market.functions.cancel(8), seller) == ("NonceUsed", (seller, 8))
    unused = world.signed(seller, 100, PRICE, nonce=9)
    chain.send(world.market.functions.cancel(9), seller)  # cancelled before any fill
    assert world.fill_error(unused, 1, buyer) == ("NonceUsed", (seller, 9))
    assert world.actors.balance("COMMON", buyer) == 10


def test_only_the_named_taker_fills_and_only_the_makers_signature_counts(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller = world.seller(accounts[1], "ALICE", 100)
    buyer = world.buyer(accounts[2], "BOB", 100 * PRICE)
    stranger = world.buyer(accounts[3], "CAROL", 100 * PRICE)
    named = world.signed(seller, 50, PRICE, taker=buyer)
    assert world.fill_error(named, 50, stranger) == ("NotTheTaker", (buyer, stranger))
    forged = world.sign(world.order(seller, 50, 1, nonce=2), signer=stranger)
    assert world.fill_error(forged, 50, buyer) == ("InvalidSignature", (seller,))
    assert world.fill_error(named, 50, seller) == ("SelfTrade", (seller,))
    world.fill(named, 50, buyer)


def test_a_fee_taking_payment_token_is_refused_whole(
    world: MarketWorld, accounts: list[str]
) -> None:
    odd = world.rounds.odd_token("FeeOnTransferToken")
    seller = world.seller(accounts[1], "ALICE", 100)
    buyer = world.buyer(accounts[2], "BOB", 0)
    world.rounds.fund(odd, buyer, 100 * PRICE, spender=world.market.address)
    offer = world.signed(seller, 100, PRICE, payment=odd)
    name, (expected, received) = world.fill_error(offer, 100, buyer)
    assert name == "PaymentShortfall" and received < expected == 100 * PRICE
    assert world.actors.balance("COMMON", seller) == 100


def test_a_buyer_permits_and_fills_in_one_multicall(
    world: MarketWorld, accounts: list[str]
) -> None:
    from toolkit.rounds.rounds import permit_typed_data

    seller = world.seller(accounts[1], "ALICE", 100)
    buyer = world.holder(accounts[2], "BOB")
    world.rounds.fund(world.usdt, buyer, 100 * PRICE)  # no approval
    offer = world.signed(seller, 100, PRICE)
    deadline = world.chain.now() + 3_600
    permit = permit_typed_data(
        token_name=world.usdt.functions.name().call(),
        chain_id=world.w3.eth.chain_id,
        token=world.usdt.address,
        owner=buyer,
        spender=world.market.address,
        value=100 * PRICE,
        nonce=0,
        deadline=deadline,
    )
    signed = dev_account(2).sign_message(encode_typed_data(full_message=permit))
    market = world.market
    calls = [
        market.encode_abi(
            "permit",
            [
                world.usdt.address,
                buyer,
                100 * PRICE,
                deadline,
                signed.v,
                signed.r.to_bytes(32, "big"),
                signed.s.to_bytes(32, "big"),
            ],
        ),
        market.encode_abi("fill", list(offer.args(100))),
    ]
    world.chain.send(market.functions.multicall(calls), buyer)
    assert world.actors.balance("COMMON", buyer) == 100 and world.money(seller) == 100 * PRICE


def test_a_published_order_is_checked_and_emitted_for_the_list(
    world: MarketWorld, accounts: list[str]
) -> None:
    seller = world.seller(accounts[1], "ALICE", 100)
    offer = world.signed(seller, 100, PRICE)
    receipt = world.chain.send(world.market.functions.publish(*offer.args(0)[:2]), accounts[5])
    published = events(world.market, "OrderPublished", receipt)
    assert published[0]["maker"] == seller and published[0]["signature"] == offer.signature
    forged = world.sign(world.order(seller, 100, 1, nonce=3), signer=accounts[2])
    assert world.chain.revert_of(
        world.market.functions.publish(*forged.args(0)[:2]), accounts[5]
    ) == ("InvalidSignature", (seller,))
    assert USD == 10**6


def test_a_contract_wallet_makes_an_offer_its_owner_signs_for_it_by_erc_1271(
    world: MarketWorld, accounts: list[str]
) -> None:
    import json
    from pathlib import Path

    from toolkit.compile import build_dir, compile_project
    from toolkit.market.trades import MAX_UINT256, sign_order

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    compile_project(fixtures)
    artifact = json.loads((build_dir(fixtures) / "ContractWallet.json").read_text())
    owner = accounts[1]
    wallet = world.chain.deploy(
        "ContractWallet", owner, sender=owner, abi=artifact["abi"], bytecode=artifact["bytecode"]
    )
    world.holder(wallet.address, "TREASURY")
    world.actors.issue("COMMON", wallet.address, 100)
    token = world.offering.token("COMMON")
    approve = token.encode_abi("approve", [world.market.address, MAX_UINT256])
    world.chain.send(wallet.functions.call(token.address, approve), owner)
    buyer = world.buyer(accounts[2], "BOB", 100 * PRICE)
    order = world.order(wallet.address, 100, PRICE)
    signature = sign_order(
        dev_account(1), order, chain_id=world.w3.eth.chain_id, market=world.market.address
    )
    forged = sign_order(
        dev_account(3), order, chain_id=world.w3.eth.chain_id, market=world.market.address
    )
    fill = world.market.functions.fill
    assert world.chain.revert_of(fill(order.as_tuple(), bytes.fromhex(forged[2:]), 100), buyer) == (
        "InvalidSignature",
        (wallet.address,),
    )
    world.chain.send(fill(order.as_tuple(), bytes.fromhex(signature[2:]), 100), buyer)
    assert world.actors.balance("COMMON", buyer) == 100
    assert world.money(wallet.address) == 100 * PRICE
