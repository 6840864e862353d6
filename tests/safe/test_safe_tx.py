"""The Safe transaction file's pure core: the SafeTx hash, the batch, and what makes a file
refused before any node is asked."""

from __future__ import annotations

from dataclasses import replace

import pytest
from web3 import Web3

from toolkit.errors import InputError
from toolkit.safe.safe_tx import CALL, DELEGATECALL, SafeCall, SafeTransaction, batch

SAFE = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
TOKEN = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
MULTI_SEND = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
PAUSE = SafeCall("pause COMMON", TOKEN, "0x8456cb59")
UNPAUSE = SafeCall("unpause COMMON", TOKEN, "0x3f4ba83a")


def _tx(*calls: SafeCall, multi_send: str | None = None) -> SafeTransaction:
    to, value, data, operation = batch(calls, multi_send)
    to = Web3.to_checksum_address(to)  # as the proposer writes it
    return SafeTransaction(31337, SAFE, 4, to, value, data, operation, calls).with_hash()


def test_one_call_goes_directly_and_several_through_multisend_by_delegatecall() -> None:
    assert batch((PAUSE,), None) == (TOKEN.lower(), 0, PAUSE.data, CALL)
    to, value, data, operation = batch((PAUSE, UNPAUSE), MULTI_SEND)
    assert (to, value, operation) == (MULTI_SEND.lower(), 0, DELEGATECALL)
    assert data.startswith("0x8d80ff0a")  # multiSend(bytes)
    assert PAUSE.data[2:] in data and UNPAUSE.data[2:] in data


def test_several_calls_without_a_multisend_contract_are_refused() -> None:
    with pytest.raises(InputError, match="MultiSendCallOnly"):
        batch((PAUSE, UNPAUSE), None)


def test_the_file_reads_back_as_it_was_written() -> None:
    tx = _tx(PAUSE, UNPAUSE, multi_send=MULTI_SEND)
    assert SafeTransaction.from_json(tx.to_json()) == tx
    tx.check_fields(MULTI_SEND)


def test_the_hash_covers_the_chain_the_safe_and_the_nonce() -> None:
    tx = _tx(PAUSE)
    for changed in (replace(tx, chain_id=1), replace(tx, nonce=5), replace(tx, safe=TOKEN)):
        assert changed.computed_hash() != tx.safe_tx_hash
        with pytest.raises(InputError, match="changed after it was built"):
            changed.check_fields(None)


def test_a_file_that_is_not_a_safe_transaction_is_refused_in_words() -> None:
    with pytest.raises(InputError, match="not a Safe transaction"):
        SafeTransaction.from_json({"hello": 1})
    broken = _tx(PAUSE).to_json()
    del broken["nonce"]
    with pytest.raises(InputError, match="not a complete Safe transaction"):
        SafeTransaction.from_json(broken)
