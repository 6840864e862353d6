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


def _validate_each_abi_once() -> None:
    """web3 7.16 checks a contract's whole ABI for colliding selectors (a keccak of every
    function's signature) again each time it encodes one call: for the class token that is over
    half the CPU of a call, and the suite makes tens of thousands. An ABI does not change during
    a run, so each ABI object is checked the first time it is used (and still refused then)."""
    import web3.utils.abi as abi_utils

    validate = abi_utils.validate_abi
    checked: dict[int, Any] = {}

    def validate_once(abi: Any) -> None:
        if checked.get(id(abi)) is not abi:
            validate(abi)
            checked[id(abi)] = abi  # kept alive, so its id is never reused

    abi_utils.validate_abi = validate_once


_validate_each_abi_once()


@pytest.hookimpl(tryfirst=True)  # before xdist adds each test's group to its id
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `pytest -n 2 --dist loadgroup` (what `make test` runs), a test module goes to one
    worker whole, so its module-scoped deployments are built once; modules that share a
    resource outside their own tmp folders carry an ``xdist_group`` mark of their own and go to
    one worker together (e.g. "brownie": its build cache in tools/brownie is shared)."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


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


def _worker_port() -> int:
    """A port for a session node below the kernel's ephemeral range (32768+ on Linux), where
    no client connection and no other process's ``free_port()`` lands, in a range of this
    xdist worker's own (gw0: 21000-21499, gw1: 21500-...), at an offset of this process's.
    Taken anyway (another run on the machine): ``start_node`` moves to a free port."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) if worker.isdigit() else 0
    return 21_000 + 500 * (index % 20) + (os.getpid() * 7 + time.monotonic_ns()) % 500


def _running(kind: NodeKind) -> Iterator[RunningNode]:
    node = start_node(kind, port=_worker_port())
    try:
        # the chain id is asked before every transaction web3 sends; a node's never changes
        provider = Web3.HTTPProvider(
            node.rpc_url,
            request_kwargs={"timeout": 60},
            cache_allowed_requests=True,
            cacheable_requests={"eth_chainId"},
        )
        w3 = Web3(provider)
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
