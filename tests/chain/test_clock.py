"""--advance-time moves anvil and ganache clocks, and nothing else."""

from __future__ import annotations

import pytest

from tests.conftest import RunningNode
from toolkit.chain.clock import advance_to, latest_timestamp
from toolkit.chain.connection import Chain, connect_url
from toolkit.errors import UsageError


def test_a_chain_that_is_not_local_keeps_real_time() -> None:
    remote = Chain(w3=None, rpc_url="https://example.invalid", chain_id=1)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="only on a local anvil or ganache") as caught:
        advance_to(remote, 2**40)
    assert caught.value.exit_code == 2


def test_anvil_time_moves_past_the_target(anvil: RunningNode) -> None:
    chain = connect_url(anvil.rpc_url)
    snapshot = anvil.snapshot()
    try:
        target = latest_timestamp(chain.w3) + 9 * 86_400
        assert advance_to(chain, target) >= target
        assert latest_timestamp(chain.w3) >= target
    finally:
        anvil.revert(snapshot)


@pytest.mark.ganache
def test_ganache_time_moves_past_the_target(ganache: RunningNode) -> None:
    chain = connect_url(ganache.rpc_url)
    target = latest_timestamp(chain.w3) + 2 * 86_400 + 17
    assert advance_to(chain, target) >= target


def test_a_target_in_the_past_mines_nothing(anvil: RunningNode) -> None:
    chain = connect_url(anvil.rpc_url)
    block = chain.w3.eth.block_number
    assert advance_to(chain, latest_timestamp(chain.w3) - 10) >= latest_timestamp(chain.w3) - 10
    assert chain.w3.eth.block_number == block
