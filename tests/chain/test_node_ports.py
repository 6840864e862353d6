"""A started node is ours: two processes (pytest workers, other users of the machine) may pick
the same "free" port, and a node that failed to bind must never be taken for the one that
answers there."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import RunningNode
from toolkit.chain import node as node_module
from toolkit.chain.node import listens_on, rpc_call, start_node


def test_a_node_that_lost_its_port_to_another_is_not_taken_for_it(
    anvil: RunningNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = anvil.node.port  # another process's node answers on the first port chosen
    choices, kernel_choice = iter([taken]), node_module.free_port
    monkeypatch.setattr(node_module, "free_port", lambda: next(choices, 0) or kernel_choice())
    ours = start_node("anvil")
    try:
        assert ours.port != taken
        assert listens_on(ours.pid, ours.port) is True
        rpc_call(ours.rpc_url, "evm_mine")  # a block on ours, none on the other
        assert int(rpc_call(ours.rpc_url, "eth_blockNumber"), 16) == 1
    finally:
        ours.stop()


def test_the_listening_socket_is_found_only_in_its_owner(anvil: RunningNode) -> None:
    assert listens_on(anvil.node.pid, anvil.node.port) is True
    bystander = subprocess.Popen(["sleep", "30"])
    try:
        assert listens_on(bystander.pid, anvil.node.port) is False
    finally:
        bystander.kill()
        bystander.wait()
