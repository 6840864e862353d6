"""Shared fixtures: real nodes on free ports and the compiled templates.

Every chain test talks to a real anvil (or ganache) started here; contracts are compiled by
the real compiler (incrementally, so only the first run of a session pays for it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from web3 import Web3

from toolkit.chain.node import LocalNode, NodeKind, start_node
from toolkit.compile import build_dir, compile_project, package_root

REPO = package_root()

# Property tests: no per-example deadline (a loaded 2-core CI machine is slow, not wrong),
# and on CI a fixed search so a run is reproducible; locally, fresh examples every run.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@dataclass
class RunningNode:
    """A node started by the tests, with a connected Web3 and its ten dev accounts."""

    node: LocalNode
    w3: Web3
    accounts: list[str] = field(default_factory=list)

    @property
    def rpc_url(self) -> str:
        return self.node.rpc_url

    @property
    def kind(self) -> NodeKind:
        return self.node.kind

    def snapshot(self) -> Any:
        return self.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]

    def revert(self, snapshot_id: Any) -> None:
        self.w3.provider.make_request("evm_revert", [snapshot_id])  # type: ignore[arg-type]

    def advance_time(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def _running(kind: NodeKind) -> Iterator[RunningNode]:
    node = start_node(kind)
    try:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 60}))
        yield RunningNode(node, w3, list(w3.eth.accounts))
    finally:
        node.stop()


@pytest.fixture(scope="session")
def anvil() -> Iterator[RunningNode]:
    """One real anvil for the whole session (tests isolate themselves with snapshots)."""
    yield from _running("anvil")


@pytest.fixture(scope="session")
def ganache() -> Iterator[RunningNode]:
    yield from _running("ganache")


@pytest.fixture(scope="session")
def compiled() -> Path:
    """The templates compiled into build/contracts (a no-op when already up to date)."""
    compile_project(REPO)
    return build_dir(REPO)


def load_artifact(name: str) -> dict[str, Any]:
    """A compiled artifact (abi, bytecode, ...) of the templates, compiling first if needed."""
    compile_project(REPO)
    for folder in (build_dir(REPO), build_dir(REPO) / "dependencies"):
        path = folder / f"{name}.json"
        if path.is_file():
            return dict(json.loads(path.read_text()))
    raise FileNotFoundError(f"no artifact named {name} in {build_dir(REPO)}")


@pytest.fixture(scope="session")
def artifact() -> Any:
    return load_artifact


EQUITY_CLI = [sys.executable, "-m", "toolkit.cli.main"]


@dataclass
class CliResult:
    """What a run of ``equity`` left: its exit code, stdout and stderr."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def invoke_cli(
    *args: str | Path, env: Mapping[str, str | None] | None = None, input: str | None = None
) -> CliResult:
    """`equity ARGS` in this process through click's CliRunner (stdout and stderr kept apart,
    the exit code click exits with), in the current working directory. For every test where
    a separate process is not the point (``run_cli`` is for those where it is)."""
    from click.testing import CliRunner

    from toolkit.cli.main import cli

    result = CliRunner().invoke(
        cli, [str(a) for a in args], input=input, env=env, catch_exceptions=False, prog_name="equity"
    )
    return CliResult(result.exit_code, result.stdout, result.stderr)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`equity ARGS` as a separate process, as a user runs it."""
    return subprocess.run(
        [*EQUITY_CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def default_sigint() -> None:
    """``preexec_fn`` for a child that a test stops with SIGINT, as Ctrl-C in a terminal would.

    A process started in the background by a non-interactive shell (``make test &``, a CI
    runner, nohup) inherits SIGINT *ignored*, and Python then installs no KeyboardInterrupt
    handler: the child would sleep through the test's SIGINT. The default is restored here.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_dead(pid: int, seconds: float = 15) -> bool:
    """True once the process ``pid`` is gone (a node must not outlive its command)."""
    from toolkit.chain.node import pid_alive

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def run_in_terminal(
    *args: str, cwd: Path, columns: int, env: Mapping[str, str] | None = None
) -> str:
    """`equity ARGS` in a real pseudo-terminal ``columns`` wide (what a person at a terminal
    sees, escape sequences included; stdout and stderr together)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environment.update({"TERM": "xterm-256color", **(env or {})})
    process = subprocess.Popen(
        [*EQUITY_CLI, *args], cwd=cwd, env=environment, stdin=slave, stdout=slave, stderr=slave
    )
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the process ended
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(master)
        process.wait(timeout=60)
    return output.decode(errors="replace")
