"""The Converter contract (SPEC §14): lock-ups and vesting carried over, the order shares leave in,
exact ratios."""

from __future__ import annotations

import pytest
from web3.contract import Contract
from web3.logs import DISCARD  # the receipts hold the class tokens' logs too

from tests.contracts.conftest import Actors
from tests.contracts.offering_chain import Chain, Offering, Reverted
from tests.corporate.corporate_chain import as_timelock, deploy_converter


def lots(offering: Offering, class_id: str, wallet: str) -> list[tuple[int, int, int, int]]:
    return [tuple(lot) for lot in offering.token(class_id).functions.lockupLotsOf(wallet).call()]


def locked(offering: Offering, class_id: str, wallet: str) -> int:
    return int(offering.token(class_id).functions.lockedBalanceOf(wallet).call())


def test_a_vesting_lot_past_its_cliff_keeps_releasing_on_the_same_line_in_the_target_class(
    chain: Chain, offering: Offering, actors: Actors, accounts: list[str], converter: Contract
) -> None:
    holder = accounts[1]
    actors.register(holder, "HOLDER")
    now = chain.now()
    start, cliff, end = now - 1_000, now - 500, now + 9_000
    actors.issue_vested("PREFERRED", holder, 100_000, start, cliff, end)
    chain.send(converter.functions.convert(100_000), holder)
    converted_at = chain.now()
    assert lots(offering, "COMMON", holder) == [
        (
            100_000 - 100_000 * (converted_at - start) // (end - start),
            converted_at,
            converted_at,
            end,
        )
    ]
    for later in (2_000, 6_000):
        chain.advance(later)
        t = chain.now()
        would_be = 100_000 - 100_000 * (t - start) // (end - start)
        assert abs(locked(offering, "COMMON", holder) - would_be) <= 1
    chain.advance(9_000)
    assert locked(offering, "COMMON", holder) == 0


def test_a_partial_conversion_takes_unlocked_shares_then_the_latest_lock_as_redemption_does(
    chain: Chain, offering: Offering, actors: Actors, accounts: list[str], converter: Contract
) -> None:
    holder = accounts[2]
    actors.register(holder, "HOLDER")
    early, late = chain.now() + 1_000, chain.now() + 5_000
    actors.issue("PREFERRED", holder, 1_000)
    actors.issue("PREFERRED", holder, 2_000, early)
    actors.issue("PREFERRED", holder, 3_000, late)
    chain.send(converter.functions.convert(4_000), holder)
    assert lots(offering, "COMMON", holder) == [(3_000, late, late, late)]
    assert offering.token("COMMON").functions.balanceOf(holder).call() == 4_000
    assert offering.token("PREFERRED").functions.balanceOf(holder).call() == 2_000
    assert locked(offering, "PREFERRED", holder) == 2_000  # the earlier lock stayed behind
    assert locked(offering, "COMMON", holder) == 3_000


def test_the_target_class_refuses_a_holder_it_would_refuse_an_issuance(
    chain: Chain, offering: Offering, actors: Actors, accounts: list[str], converter: Contract
) -> None:
    holder = accounts[3]
    actors.register(holder, "AMERICAN", jurisdiction="US")  # COMMON blocks US receivers
    actors.issue("PREFERRED", holder, 500)
    assert converter.functions.restrictionOf(holder, 500).call() == 6
    assert converter.functions.restrictionOf(holder, 501).call() == 7
    with pytest.raises(Reverted) as refused:
        chain.send(converter.functions.convert(500), holder)
    assert refused.value.name == "TransferRestricted" and refused.value.args_[0] == 6


def test_a_ratio_that_would_leave_a_fraction_of_a_share_is_refused_with_code_30(
    chain: Chain, offering: Offering, actors: Actors, accounts: list[str]
) -> None:
    from tests.conftest import load_artifact

    three_for_two = deploy_converter(chain, offering, load_artifact, "PREFERRED", "COMMON", (3, 2))
    holder = accounts[4]
    actors.register(holder, "HOLDER")
    actors.issue("PREFERRED", holder, 5)
    assert three_for_two.functions.restrictionOf(holder, 3).call() == 30
    with pytest.raises(Reverted) as refused:
        chain.send(three_for_two.functions.convert(3), holder)
    assert refused.value.name == "ConversionRestricted" and refused.value.args_[0] == 30
    chain.send(three_for_two.functions.convert(4), holder)
    assert offering.token("COMMON").functions.balanceOf(holder).call() == 6


def test_holders_are_converted_in_batches_only_after_governance_mandated_it(
    chain: Chain, offering: Offering, actors: Actors, accounts: list[str], converter: Contract
) -> None:
    holders = accounts[5:8]
    for i, holder in enumerate(holders):
        actors.register(holder, f"H{i}", jurisdiction="US" if i == 2 else "DE")
        actors.issue("PREFERRED", holder, 100 * (i + 1))
    with pytest.raises(Reverted) as refused:
        chain.send(converter.functions.convertHolders(holders), accounts[9])
    assert refused.value.name == "ConversionNotMandated"
    with pytest.raises(Reverted) as misnamed:  # the classes the wrong way round
        chain.send(
            converter.functions.mandate(
                offering.token("COMMON").address, offering.token("PREFERRED").address
            ),
            as_timelock(chain, offering),
        )
    assert misnamed.value.name == "InvalidConversionTerms"
    chain.send(
        converter.functions.mandate(
            offering.token("PREFERRED").address, offering.token("COMMON").address
        ),
        as_timelock(chain, offering),
    )
    receipt = chain.send(converter.functions.convertHolders(holders), accounts[9])
    skipped = converter.events.ConversionSkipped().process_receipt(receipt, errors=DISCARD)
    assert [(e.args.holder, e.args.code) for e in skipped] == [(holders[2], 6)]
    balances = [offering.token("COMMON").functions.balanceOf(h).call() for h in holders]
    assert balances == [100, 200, 0]
    again = chain.send(converter.functions.convertHolders(holders[:2]), accounts[9])
    assert converter.events.SharesConverted().process_receipt(again, errors=DISCARD) == ()
