"""The fee flags and what a confirmation shows, as pure functions: exact wei, never a float."""

from __future__ import annotations

import pytest

from toolkit.chain.fees import Outgoing, OutgoingTx, TxSettings
from toolkit.errors import UsageError
from toolkit.inputs import InvalidValue, format_ether, parse_wei

GWEI = 10**9


@pytest.mark.parametrize(
    ("text", "wei"),
    [("30gwei", 30 * GWEI), ("1.5 gwei", 1_500_000_000), ("0.01ether", 10**16),
     ("0.01 ETH", 10**16), ("12", 12), ("1_000 wei", 1000), (".5gwei", 500_000_000)],
)  # fmt: skip
def test_amounts_read_exactly_in_wei(text: str, wei: int) -> None:
    assert parse_wei(text) == wei


@pytest.mark.parametrize(
    ("text", "message"),
    [("cheap", "is not an amount"), ("3 dollars", "unknown unit 'dollars'"),
     ("0.5 wei", "not a whole number of wei"), ("-1gwei", "is not an amount"), ("1e9", "is not an amount")],
)  # fmt: skip
def test_bad_amounts_say_why(text: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        parse_wei(text)


def test_flags_set_the_fees_and_defaults_follow_the_base_fee() -> None:
    assert TxSettings().fees(10 * GWEI, 2 * GWEI) == {
        "maxPriorityFeePerGas": 2 * GWEI,
        "maxFeePerGas": 22 * GWEI,
    }
    assert TxSettings(gas_price=7 * GWEI).fees(10 * GWEI, 2 * GWEI) == {
        "maxPriorityFeePerGas": 2 * GWEI,
        "maxFeePerGas": 7 * GWEI,
    }
    assert TxSettings(gas_price=GWEI).fees(10 * GWEI, 2 * GWEI)["maxPriorityFeePerGas"] == GWEI
    assert TxSettings(priority_fee=3).fees(0, None) == {"maxPriorityFeePerGas": 3, "maxFeePerGas": 3}


def test_contradictory_flags_are_refused() -> None:
    with pytest.raises(UsageError, match="exceeds --gas-price"):
        TxSettings(gas_price=GWEI, priority_fee=2 * GWEI)
    with pytest.raises(UsageError, match="below 21000"):
        TxSettings(gas_limit=20_000)


def test_a_confirmation_lists_the_calls_their_count_and_the_fee_in_eth() -> None:
    outgoing = Outgoing(
        sender="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        chain_id=11155111,
        base_fee=GWEI,
        priority_fee=GWEI,
        max_fee=3 * GWEI,
        transactions=tuple(OutgoingTx(f"call {i}", 100_000, 150_000) for i in range(26)),
    )
    lines = outgoing.lines()
    assert lines[0] == "26 transactions from 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 on chain 11155111:"
    assert lines[1:25] == [f"  call {i}" for i in range(24)]
    assert lines[25] == "  ... and 2 more"
    assert lines[26] == "fee: about 0.0052 ETH (2,600,000 gas at 2 gwei); at most 0.0117 ETH"
    assert outgoing.fee == 2_600_000 * 2 * GWEI and outgoing.max_cost == 26 * 150_000 * 3 * GWEI
    assert format_ether(outgoing.fee) == "0.0052"
