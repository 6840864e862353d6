"""The distribution contract and its factory on a real anvil: funding, claims, pushes,
reservations, the deadline and reclaim, and every refusal with its custom error."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.contracts.offering_chain import events
from tests.dividends.world import DAY, DUST, TAX, USD, DividendWorld, fixture_artifacts
from toolkit.dividends.entitlements import Withholding

PAID, RESERVED, UNPAID = 1, 2, 0


def holders(world: DividendWorld) -> tuple[str, str, str]:
    """dev1 (DE) 1,000 COMMON + 2.50 PREFERRED, dev2 (US) 3,000 COMMON, dev3 (FR) 7 COMMON."""
    a, b, c = world.accounts[1:4]
    world.register(a, "ALICE", "DE")
    world.register(b, "BOB", "US")
    world.register(c, "CAROL", "FR")
    world.issue("COMMON", a, 1_000)
    world.issue("PREFERRED", a, 250)
    world.issue("COMMON", b, 3_000)
    world.issue("COMMON", c, 7)
    return a, b, c


def index_of(declared, wallet: str, class_id: str = "COMMON") -> int:
    (leaf,) = [e for e in declared.entitlements.of_wallet(wallet) if e.class_id == class_id]
    return leaf.index


def test_declaring_funds_the_entitlements_and_pays_the_dust_in_one_transaction(
    world: DividendWorld,
) -> None:
    holders(world)
    amounts = {"COMMON": Fraction(USD, 3), "PREFERRED": Fraction(USD)}  # a third of a dollar
    declared = world.declare(amounts)
    ent = declared.entitlements
    assert ent.dust > 0
    assert world.balance(declared.contract.address) == ent.entitled
    assert world.balance(DUST) == ent.dust
    assert world.balance(world.issuer) == 0  # minted exactly `funded`, all of it went out
    assert ent.net + ent.withheld + ent.dust == ent.funded
    contract = declared.contract
    assert contract.functions.root().call() == declared.tree.root
    assert contract.functions.entitled().call() == ent.entitled
    assert contract.functions.company().call() == world.issuer
    (event,) = events(world.factory, "DistributionDeclared", declared.receipt)
    assert event["distribution"] == contract.address
    assert event["registry"] == world.offering.registry.address


def test_dust_stays_with_the_declarer_when_it_is_the_dust_account(world: DividendWorld) -> None:
    holders(world)
    declared = world.declare({"COMMON": Fraction(USD, 3)}, dust_account=world.issuer)
    assert declared.entitlements.dust > 0
    assert world.balance(world.issuer) == declared.entitlements.dust


def test_a_fee_on_transfer_token_is_refused_at_funding(world: DividendWorld) -> None:
    holders(world)
    fee_token = world.deploy(
        "FeeOnTransferToken", artifact=fixture_artifacts()["FeeOnTransferToken"]
    )
    block = world.w3.eth.block_number
    ent = world.entitlements(world.holdings_at(block), {"COMMON": Fraction(USD)}, Withholding())
    from toolkit.dividends.entitlements import entitlement_tree

    tree = entitlement_tree(ent)
    world.send(fee_token.functions.approve(world.factory.address, ent.funded))
    terms = world.terms(ent, tree, block, world.chain.now() + DAY, fee_token)
    name, args = world.chain.revert_of(
        world.factory.functions.declare(tuple(terms.values())), world.issuer
    )
    assert name == "FundingShortfall"
    assert args[1] == ent.entitled and args[2] == ent.entitled - ent.entitled // 100


def test_declaring_with_a_deadline_in_the_past_or_no_leaves_is_refused(
    world: DividendWorld,
) -> None:
    holders(world)
    block = world.w3.eth.block_number
    ent = world.entitlements(world.holdings_at(block), {"COMMON": Fraction(USD)}, Withholding())
    from toolkit.dividends.entitlements import entitlement_tree

    tree = entitlement_tree(ent)
    world.mint(world.issuer, ent.funded)
    world.send(world.stablecoin.functions.approve(world.factory.address, ent.funded))
    past = world.terms(ent, tree, block, world.chain.now() - 1, world.stablecoin)
    assert world.chain.revert_of(
        world.factory.functions.declare(tuple(past.values())), world.issuer
    ) == ("InvalidTerms", ())
    future_record = world.terms(ent, tree, block + 100, world.chain.now() + DAY, world.stablecoin)
    assert world.chain.revert_of(
        world.factory.functions.declare(tuple(future_record.values())), world.issuer
    ) == ("InvalidTerms", ())
    no_tax = {**world.terms(ent, tree, block, world.chain.now() + DAY, world.stablecoin)}
    no_tax["taxAccount"] = "0x" + "00" * 20
    assert (
        world.chain.revert_of(
            world.factory.functions.declare(tuple(no_tax.values())), world.issuer
        )[0]
        == "InvalidAccount"
    )


def test_a_claim_pays_net_to_the_wallet_and_withheld_to_the_tax_account(
    world: DividendWorld,
) -> None:
    _, bob, _ = holders(world)
    declared = world.declare()
    i = index_of(declared, bob)
    leaf = declared.leaf(i)
    assert leaf.withheld == 3_000 * USD // 4 * 30 // 100  # US: 30 %
    receipt = world.claim(declared, i)
    assert world.balance(bob) == leaf.net
    assert world.balance(TAX) == leaf.withheld
    assert world.state(declared, i) == PAID
    (paid,) = events(declared.contract, "Paid", receipt)
    assert (paid["wallet"], paid["index"], paid["net"], paid["withheld"]) == (
        bob,
        i,
        leaf.net,
        leaf.withheld,
    )
    assert paid["classToken"] == world.offering.token("COMMON").address


def test_anyone_may_send_a_claim_but_the_money_goes_to_the_leaf_wallet(
    world: DividendWorld,
) -> None:
    alice, _, _ = holders(world)
    declared = world.declare()
    i = index_of(declared, alice)
    world.claim(declared, i, sender=world.accounts[7])
    assert world.balance(alice) == declared.leaf(i).net
    assert world.balance(world.accounts[7]) == 0


def test_a_leaf_is_never_paid_twice(world: DividendWorld) -> None:
    alice, _, _ = holders(world)
    declared = world.declare()
    i = index_of(declared, alice)
    world.claim(declared, i)
    assert world.claim_error(declared, i) == ("AlreadyPaid", (i,))
    world.pay(declared, [i])  # a push of a paid leaf pays nothing
    assert world.balance(alice) == declared.leaf(i).net


def test_a_claim_with_another_amount_or_a_foreign_proof_is_refused(world: DividendWorld) -> None:
    alice, bob, _ = holders(world)
    declared = world.declare()
    i, j = index_of(declared, alice), index_of(declared, bob)
    leaf = declared.leaf(i).leaf()
    inflated = (leaf[0], leaf[1], leaf[2], leaf[3] + 1, leaf[4])
    call = declared.contract.functions.claim(inflated, declared.proof(i))
    assert world.chain.revert_of(call, alice) == ("InvalidProof", ())
    stolen = (leaf[0], world.accounts[7], leaf[2], leaf[3], leaf[4])
    call = declared.contract.functions.claim(stolen, declared.proof(i))
    assert world.chain.revert_of(call, alice) == ("InvalidProof", ())
    call = declared.contract.functions.claim(leaf, declared.proof(j))
    assert world.chain.revert_of(call, alice) == ("InvalidProof", ())


def test_a_frozen_wallet_claim_reserves_its_entitlement_until_it_is_unfrozen(
    world: DividendWorld,
) -> None:
    alice, _, _ = holders(world)
    declared = world.declare()
    i = index_of(declared, alice)
    leaf = declared.leaf(i)
    world.freeze(alice)
    receipt = world.claim(declared, i)
    (reserved,) = events(declared.contract, "Reserved", receipt)
    assert reserved["index"] == i and reserved["net"] == leaf.net
    assert world.balance(alice) == 0
    assert world.state(declared, i) == RESERVED
    assert declared.contract.functions.reserved().call() == leaf.amount
    assert world.claim_error(declared, i) == ("WalletBlocked", (alice,))
    world.freeze(alice, False)
    world.claim(declared, i)
    assert world.balance(alice) == leaf.net
    assert declared.contract.functions.reserved().call() == 0


def test_an_expired_or_removed_holder_is_reserved_like_a_frozen_one(world: DividendWorld) -> None:
    alice, bob, _ = holders(world)
    declared = world.declare()
    world.send(world.offering.registry.functions.removeHolder(alice))
    world.send(
        world.offering.registry.functions.updateHolder(bob, b"US", world.chain.now() + 5, True)
    )
    world.chain.advance(10)
    assert declared.contract.functions.isBlocked(alice).call()
    assert declared.contract.functions.isBlocked(bob).call()
    world.claim(declared, index_of(declared, alice))
    world.claim(declared, index_of(declared, bob))
    assert world.state(declared, index_of(declared, alice)) == RESERVED
    assert world.state(declared, index_of(declared, bob)) == RESERVED


def test_after_the_deadline_only_reserved_leaves_are_paid(world: DividendWorld) -> None:
    alice, bob, _ = holders(world)
    declared = world.declare(deadline_in=DAY)
    world.freeze(bob)
    world.claim(declared, index_of(declared, bob))
    world.chain.advance(DAY)
    i = index_of(declared, alice)
    assert world.claim_error(declared, i) == (
        "ClaimDeadlinePassed",
        (declared.deadline,),
    )
    world.freeze(bob, False)
    world.claim(declared, index_of(declared, bob))
    assert world.balance(bob) == declared.leaf(index_of(declared, bob)).net


def test_reclaim_after_the_deadline_returns_only_the_unreserved_rest(world: DividendWorld) -> None:
    alice, bob, carol = holders(world)
    declared = world.declare(deadline_in=DAY)
    ent = declared.entitlements
    world.claim(declared, index_of(declared, alice))
    world.freeze(bob)
    world.claim(declared, index_of(declared, bob))
    call = declared.contract.functions.reclaim()
    assert world.chain.revert_of(call, world.issuer) == ("ClaimPeriodOpen", (declared.deadline,))
    world.chain.advance(DAY)
    receipt = world.send(call)
    bob_leaf = declared.leaf(index_of(declared, bob))
    unclaimed = ent.entitled - declared.leaf(index_of(declared, alice)).amount - bob_leaf.amount
    (event,) = events(declared.contract, "Reclaimed", receipt)
    assert event["amount"] == unclaimed
    assert world.balance(world.issuer) == unclaimed
    assert world.balance(declared.contract.address) == bob_leaf.amount
    assert world.chain.revert_of(call, world.issuer) == ("NothingToReclaim", ())
    assert world.claim_error(declared, index_of(declared, carol)) == (
        "ClaimDeadlinePassed",
        (declared.deadline,),
    )
    world.freeze(bob, False)
    world.claim(declared, index_of(declared, bob))
    assert world.balance(declared.contract.address) == 0


def test_a_pushed_batch_pays_allowed_wallets_and_reserves_blocked_ones(
    world: DividendWorld,
) -> None:
    alice, bob, carol = holders(world)
    declared = world.declare()
    world.freeze(carol)
    everything = list(range(len(declared.tree)))
    receipt = world.pay(declared, everything)
    paid = events(declared.contract, "Paid", receipt)
    reserved = events(declared.contract, "Reserved", receipt)
    assert sorted(e["index"] for e in paid) == [
        e.index for e in declared.entitlements.leaves if e.wallet != carol
    ]
    assert [e["wallet"] for e in reserved] == [carol]
    for wallet in (alice, bob):
        assert world.balance(wallet) == sum(e.net for e in declared.entitlements.of_wallet(wallet))
    assert world.balance(TAX) == declared.entitlements.withheld - sum(
        e.withheld for e in declared.entitlements.of_wallet(carol)
    )
    # the same batch again (a resumed run) moves nothing
    before = world.balance(declared.contract.address)
    again = world.pay(declared, everything)
    assert events(declared.contract, "Paid", again) == []
    assert world.balance(declared.contract.address) == before
    world.freeze(carol, False)
    world.pay(declared, everything)
    assert world.balance(declared.contract.address) == 0


def test_a_push_after_the_deadline_pays_only_reserved_leaves(world: DividendWorld) -> None:
    alice, bob, _ = holders(world)
    declared = world.declare(deadline_in=DAY)
    world.freeze(bob)
    everything = list(range(len(declared.tree)))
    world.pay(declared, [index_of(declared, bob)])
    world.chain.advance(DAY)
    world.freeze(bob, False)
    receipt = world.pay(declared, everything)
    assert [e["wallet"] for e in events(declared.contract, "Paid", receipt)] == [bob]
    assert world.balance(alice) == 0


def test_a_push_with_a_bad_multiproof_or_no_leaves_is_refused(world: DividendWorld) -> None:
    holders(world)
    declared = world.declare()
    multiproof = declared.tree.multiproof([0, 1])
    leaves = [declared.leaf(i).leaf() for i in multiproof.leaves]
    leaves[0] = (leaves[0][0], leaves[0][1], leaves[0][2], leaves[0][3] + 1, leaves[0][4])
    call = declared.contract.functions.pay(leaves, multiproof.proof, multiproof.flags)
    assert world.chain.revert_of(call, world.issuer) == ("InvalidProof", ())
    call = declared.contract.functions.pay([], [declared.tree.root], [])
    assert world.chain.revert_of(call, world.issuer) == ("EmptyBatch", ())


def test_only_the_distributor_pushes_and_reclaims(world: DividendWorld) -> None:
    alice, _, _ = holders(world)
    declared = world.declare()
    role = declared.contract.functions.DISTRIBUTOR_ROLE().call()
    assert world.chain.revert_of(world.pay_call(declared, [0]), alice) == (
        "AccessControlUnauthorizedAccount",
        (alice, role),
    )
    assert world.chain.revert_of(declared.contract.functions.reclaim(), alice) == (
        "AccessControlUnauthorizedAccount",
        (alice, role),
    )


def test_a_token_calling_back_into_the_distribution_cannot_reenter(world: DividendWorld) -> None:
    alice, _, _ = holders(world)
    token = world.deploy("ReentrantToken", artifact=fixture_artifacts()["ReentrantToken"])
    world.chain._index_errors(token.abi)
    declared = world.declare(token=token, withholding=Withholding())
    i = index_of(declared, alice)
    leaf = declared.leaf(i)
    claim = declared.contract.functions.claim(leaf.leaf(), declared.proof(i))
    world.send(token.functions.arm(declared.contract.address, claim._encode_transaction_data()))
    assert world.chain.revert_of(claim, alice) == ("ReentrancyGuardReentrantCall", ())
    assert world.state(declared, i) == UNPAID


def test_the_distribution_stays_within_the_size_limit(world: DividendWorld) -> None:
    for name in ("Distribution", "DistributionFactory", "TestStablecoin"):
        assert len(world.artifacts[name]["deployedBytecode"]) // 2 <= 22_500, name


@pytest.mark.parametrize("decimals", [0, 6, 18])
def test_the_stablecoin_has_the_decimals_it_was_given_and_only_its_owner_mints(
    world: DividendWorld, decimals: int
) -> None:
    coin = world.deploy("TestStablecoin", "Coin", "C", decimals, world.issuer)
    assert coin.functions.decimals().call() == decimals
    world.send(coin.functions.mint(world.accounts[1], 5))
    assert world.balance(world.accounts[1], coin) == 5
    assert world.chain.revert_of(coin.functions.mint(world.accounts[1], 5), world.accounts[1]) == (
        "OwnableUnauthorizedAccount",
        (world.accounts[1],),
    )
