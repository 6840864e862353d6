"""Issue 10.7: a revert that depends on the block time is found before sending, at the next
block's time, and one that still happens on chain is decoded from the node."""

from __future__ import annotations

import pytest

from tests.conftest import invoke_cli
from tests.governance.conftest import Offering
from toolkit.errors import TransactionRevertedError

ACTION = "set-max-holders COMMON 9"


def delegate_away_then_wait(offering: Offering, seconds: int = 5) -> int:
    """Alice delegates her 1000 votes to Dave (her votes fall to 0 in that block), and the
    next block is mined ``seconds`` later, as on a real chain. Returns the block number."""
    alice = offering.transactor("alice")
    offering.governance.delegate(alice, offering.address("dave"))
    latest = offering.chain.w3.eth.get_block("latest")
    offering.node.w3.provider.make_request(  # type: ignore[arg-type]
        "evm_setNextBlockTimestamp", [int(latest["timestamp"]) + seconds]
    )
    return int(latest["number"])


def test_a_proposer_whose_votes_fell_in_the_last_block_is_refused_before_sending(
    offering: Offering, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(offering.workdir)
    block = delegate_away_then_wait(offering)
    alice = offering.address("alice")
    nonce = offering.chain.w3.eth.get_transaction_count(alice)
    result = invoke_cli(
        "--json", "--rpc-url", offering.node.rpc_url, "--account", "dev1",
        "gov", "propose", "--title", "Too late", "--action", ACTION,
    )  # fmt: skip
    assert result.code == 3, result.err
    message = result.json()["error"]["message"]
    assert "has 0 votes, below the proposal threshold of 1" in message
    assert offering.chain.w3.eth.get_transaction_count(alice) == nonce  # nothing was sent
    assert offering.chain.w3.eth.block_number == block  # nothing was mined


def test_a_revert_that_happens_only_once_mined_is_decoded_from_the_node(
    offering: Offering,
) -> None:
    governance = offering.governance
    plan = governance.plan([ACTION], "Raced")
    alice = offering.transactor("alice")
    call = governance.governor.functions.propose(
        plan.targets, plan.values, plan.calldatas, plan.description
    )
    tx = alice.build(call, label="propose")  # alice still has her votes: the simulation passes
    delegate_away_then_wait(offering)  # ... and loses them before it is mined
    pending = alice.submit(tx, label="propose")
    with pytest.raises(TransactionRevertedError) as caught:
        alice.wait(pending, tx=tx)
    error = caught.value
    assert error.exit_code == 3
    assert error.error_name == "GovernorInsufficientProposerVotes"
    assert error.error_args["votes"] == 0 and error.error_args["threshold"] == 1
    assert "propose reverted on chain: GovernorInsufficientProposerVotes(" in error.message
    assert pending.hash in error.message  # it was mined, and paid for: say which
    receipt = offering.chain.w3.eth.get_transaction_receipt(pending.hash)  # type: ignore[arg-type]
    assert receipt["status"] == 0
