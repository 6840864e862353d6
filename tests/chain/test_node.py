"""Local nodes: free ports, readiness, --state persistence, and never an orphan."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import default_sigint, wait_dead
from tests.conftest import run_cli as equity
from toolkit.chain.node import pid_alive, rpc_call, start_node


@pytest.mark.parametrize("kind,chain_id", [("anvil", 31337), ("ganache", 1337)])
def test_node_start_status_stop_round_trip(tmp_path: Path, kind: str, chain_id: int) -> None:
    started = equity("--json", "node", "start", "--kind", kind, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    info = json.loads(started.stdout)
    try:
        status = json.loads(equity("--json", "node", "status", cwd=tmp_path).stdout)
        assert status["running"] and status["chain_id"] == chain_id
        assert status["rpc_url"] == info["rpc_url"]
        again = equity("node", "start", cwd=tmp_path)
        assert again.returncode == 2 and "already runs" in again.stderr
    finally:
        stopped = equity("--json", "node", "stop", cwd=tmp_path)
    assert json.loads(stopped.stdout)["stopped"] is True
    assert wait_dead(info["pid"])
    assert json.loads(equity("--json", "node", "status", cwd=tmp_path).stdout)["running"] is False


def test_a_port_in_use_gives_another_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = equity("--json", "node", "start", "--port", str(port), cwd=tmp_path)
        try:
            assert proc.returncode == 0, proc.stderr
            info = json.loads(proc.stdout)
            assert info["port"] != port
            assert f"port {port} is in use" in proc.stderr
        finally:
            equity("node", "stop", cwd=tmp_path)


def test_anvil_state_file_keeps_the_chain_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "chain.json"
    node = start_node("anvil", state_file=state)
    try:
        for _ in range(3):
            rpc_call(node.rpc_url, "evm_mine")
        mined = int(rpc_call(node.rpc_url, "eth_blockNumber"), 16)
    finally:
        node.stop()
    assert state.is_file()
    node = start_node("anvil", state_file=state)
    try:
        assert int(rpc_call(node.rpc_url, "eth_blockNumber"), 16) == mined
    finally:
        node.stop()


SCRIPT_THAT_STARTS_A_NODE = textwrap.dedent(
    """
    import sys, time
    from toolkit.cli.context import AppContext
    app = AppContext()
    chain = app.chain()             # no --network/--rpc-url: a temporary anvil
    print(chain.node.pid, flush=True)
    if sys.argv[1] == "error":
        raise RuntimeError("boom")  # dies without closing anything
    time.sleep(60)
    """
)


@pytest.mark.parametrize("ending", ["sigkill", "sigint", "error"])
def test_a_temporary_node_never_outlives_its_command(tmp_path: Path, ending: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT_THAT_STARTS_A_NODE, ending],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=default_sigint,  # SIGINT stops it even when the suite runs in the background
    )
    assert proc.stdout is not None
    node_pid = int(proc.stdout.readline())
    assert pid_alive(node_pid)
    if ending == "sigkill":
        proc.send_signal(signal.SIGKILL)
    elif ending == "sigint":
        proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert wait_dead(node_pid), f"node {node_pid} outlived its parent ({ending})"


def test_a_command_uses_the_node_that_equity_node_start_runs(tmp_path: Path) -> None:
    started = json.loads(equity("--json", "node", "start", cwd=tmp_path).stdout)
    try:
        code = (
            "from toolkit.cli.context import AppContext\n"
            "c = AppContext().chain()\n"
            "print(c.rpc_url, c.node is None)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            env=os.environ.copy(),
        )
        assert out.stdout.split() == [started["rpc_url"], "True"]
    finally:
        equity("node", "stop", cwd=tmp_path)


def test_after_node_start_kind_ganache_a_command_without_network_uses_that_ganache(
    tmp_path: Path,
) -> None:
    from tests.conftest import REPO

    started = equity("--json", "node", "start", "--kind", "ganache", cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    try:
        deployed = equity("--json", "deploy", str(REPO / "examples" / "offering.toml"), cwd=tmp_path)
        assert deployed.returncode == 0, deployed.stderr
        assert json.loads(deployed.stdout)["chain_id"] == 1337
        # an explicit --network anvil still means anvil: a temporary one, which deploy refuses
        explicit = equity("--network", "anvil", "deploy", str(REPO / "examples" / "offering.toml"),
                          "--name", "other", cwd=tmp_path)  # fmt: skip
        assert explicit.returncode == 2 and "no node is running here" in explicit.stderr
    finally:
        equity("node", "stop", cwd=tmp_path)
