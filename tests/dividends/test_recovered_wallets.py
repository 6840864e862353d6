"""A reserved leaf of a lost wallet is paid, once, to the wallet the registry now maps to the
same investor (``payRecovered``, the distributor only); every other case is refused."""

from __future__ import annotations

from tests.contracts.offering_chain import events
from tests.dividends.world import DAY, TAX, Declared, DividendWorld

PAID, RESERVED, UNPAID = 1, 2, 0


def reserved_leaf_of_a_lost_wallet(world: DividendWorld, **declare: object) -> tuple[Declared, int]:
    """dev1 (ALICE, US: 30 % withheld) held 1,000 COMMON at the record date, then lost her
    wallet: it is frozen, and her claim reserved her entitlement."""
    alice = world.accounts[1]
    world.register(alice, "ALICE", "US")
    world.issue("COMMON", alice, 1_000)
    world.register(world.accounts[2], "BOB")
    world.issue("COMMON", world.accounts[2], 500)
    declared = world.declare(**declare)  # type: ignore[arg-type]
    (leaf,) = declared.entitlements.of_wallet(alice)
    world.freeze(alice)
    world.claim(declared, leaf.index)
    assert world.state(declared, leaf.index) == RESERVED
    return declared, leaf.index


def recover(world: DividendWorld, lost: str, new: str, investor: str = "ALICE") -> None:
    """The issuer registers the new wallet for the investor and moves the shares to it."""
    world.register(new, investor, "US")
    world.send(world.offering.token("COMMON").functions.recover(lost, new))


def pay_recovered(world: DividendWorld, declared: Declared, index: int, new: str) -> object:
    leaf = declared.leaf(index)
    return declared.contract.functions.payRecovered(leaf.leaf(), declared.proof(index), new)


def test_a_reserved_leaf_of_a_recovered_wallet_is_paid_once_to_the_new_wallet(
    world: DividendWorld,
) -> None:
    declared, index = reserved_leaf_of_a_lost_wallet(world)
    lost, new = world.accounts[1], world.accounts[5]
    leaf = declared.leaf(index)
    recover(world, lost, new)
    receipt = world.send(pay_recovered(world, declared, index, new))
    assert world.balance(new) == leaf.net and world.balance(lost) == 0
    assert world.balance(TAX) == leaf.withheld > 0
    assert world.state(declared, index) == PAID
    assert declared.contract.functions.reserved().call() == 0
    (event,) = events(declared.contract, "PaidToRecoveredWallet", receipt)
    assert (event["lostWallet"], event["newWallet"], event["index"]) == (lost, new, index)
    assert (event["net"], event["withheld"]) == (leaf.net, leaf.withheld)
    assert world.chain.revert_of(pay_recovered(world, declared, index, new), world.issuer) == (
        "AlreadyPaid",
        (index,),
    )
    world.freeze(lost, False)  # the lost wallet coming back changes nothing: paid is final
    assert world.claim_error(declared, index) == ("AlreadyPaid", (index,))


def test_a_reserved_leaf_stays_payable_to_the_new_wallet_after_the_deadline_and_reclaim(
    world: DividendWorld,
) -> None:
    declared, index = reserved_leaf_of_a_lost_wallet(world, deadline_in=DAY)
    world.chain.advance(DAY)
    world.send(declared.contract.functions.reclaim())
    recover(world, world.accounts[1], world.accounts[5])
    world.send(pay_recovered(world, declared, index, world.accounts[5]))
    assert world.balance(world.accounts[5]) == declared.leaf(index).net
    assert world.balance(declared.contract.address) == 0


def test_paying_to_a_wallet_of_another_investor_or_to_the_lost_wallet_is_refused(
    world: DividendWorld,
) -> None:
    declared, index = reserved_leaf_of_a_lost_wallet(world)
    lost, bob, stranger = world.accounts[1], world.accounts[2], world.accounts[6]
    for wallet in (bob, stranger, lost):  # another investor, nobody's, the lost wallet itself
        assert world.chain.revert_of(
            pay_recovered(world, declared, index, wallet), world.issuer
        ) == ("NotSameInvestor", (lost, wallet))
    assert world.state(declared, index) == RESERVED


def test_a_new_wallet_that_may_not_receive_is_refused(world: DividendWorld) -> None:
    declared, index = reserved_leaf_of_a_lost_wallet(world)
    new = world.accounts[5]
    recover(world, world.accounts[1], new)
    world.freeze(new)
    assert world.chain.revert_of(pay_recovered(world, declared, index, new), world.issuer) == (
        "WalletBlocked",
        (new,),
    )


def test_only_a_reserved_leaf_is_paid_to_a_recovered_wallet(world: DividendWorld) -> None:
    declared, index = reserved_leaf_of_a_lost_wallet(world)
    bob = world.accounts[2]
    (bobs,) = declared.entitlements.of_wallet(bob)
    world.register(world.accounts[5], "BOB")
    assert world.chain.revert_of(
        pay_recovered(world, declared, bobs.index, world.accounts[5]), world.issuer
    ) == ("NotReserved", (bobs.index,))
    leaf = declared.leaf(index).leaf()
    forged = (leaf[0], leaf[1], leaf[2], leaf[3] + 1, leaf[4])
    call = declared.contract.functions.payRecovered(forged, declared.proof(index), bob)
    assert world.chain.revert_of(call, world.issuer) == ("InvalidProof", ())


def test_only_the_distributor_pays_a_recovered_wallet(world: DividendWorld) -> None:
    declared, index = reserved_leaf_of_a_lost_wallet(world)
    new = world.accounts[5]
    recover(world, world.accounts[1], new)
    role = declared.contract.functions.DISTRIBUTOR_ROLE().call()
    assert world.chain.revert_of(pay_recovered(world, declared, index, new), new) == (
        "AccessControlUnauthorizedAccount",
        (new, role),
    )
