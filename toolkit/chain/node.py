"""Local development nodes: anvil (default) and ganache, started on a free port.

A node started for one command is tied to the process that started it: it gets SIGTERM
when its parent dies, however the parent dies (Linux ``PR_SET_PDEATHSIG``), and is stopped
on normal exit, on an error and on Ctrl-C. A node started by ``equity node start`` is
detached on purpose; where it listens is written to ``.equity/node.json`` so that later
commands in the same directory find it and ``equity node stop`` can end it.

The node binary is looked for on PATH, then in ``node_modules`` of the project folder, of the
toolkit's checkout (when it runs from one) and of its tool folder (``equity node install``).

This module speaks JSON-RPC with urllib only, so starting or probing a node imports
nothing heavy.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from toolkit.chain.tool_folder import PINNED_NODE_PACKAGES, npm_install, tools_dir
from toolkit.compile import checkout_root
from toolkit.errors import ChainError, ToolchainError, UsageError

NodeKind = Literal["anvil", "ganache"]
NODE_KINDS: tuple[NodeKind, ...] = ("anvil", "ganache")

# The well-known development mnemonic of anvil and hardhat. Ganache is started with it too,
# so dev0..dev9 are the same ten accounts on either node.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
CHAIN_IDS: dict[NodeKind, int] = {"anvil": 31337, "ganache": 1337}
LOCAL_CHAIN_IDS = frozenset(CHAIN_IDS.values())
READY_TIMEOUT_S = 60.0
STATE_DIR = ".equity"
REGISTRY_FILE = "node.json"


@dataclass
class NodeInfo:
    """What ``equity node start`` records so that later commands find the node."""

    kind: NodeKind
    pid: int
    port: int
    rpc_url: str
    state_file: str | None = None
    log_file: str | None = None


@dataclass
class LocalNode:
    kind: NodeKind
    port: int
    process: subprocess.Popen[bytes]
    state_file: Path | None = None
    log_file: Path | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def info(self) -> NodeInfo:
        return NodeInfo(
            kind=self.kind,
            pid=self.pid,
            port=self.port,
            rpc_url=self.rpc_url,
            state_file=str(self.state_file) if self.state_file else None,
            log_file=str(self.log_file) if self.log_file else None,
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (anvil writes its --state file on SIGTERM), then kill if needed."""
        terminate_process(self.process.pid, timeout=timeout, process=self.process)


# --- binaries -------------------------------------------------------------------------------
#
# Discovery order (issue 21): the binary on PATH; then ``node_modules`` of the project folder
# (the command's working directory); of the toolkit's own checkout, when it runs from one; and
# of the tool folder that ``equity node install`` fills (``~/.equity/tools``).


def node_modules_search_path(project: Path | None = None) -> list[Path]:
    """The ``node_modules`` folders searched after PATH, in order, without repeats."""
    candidates = [(project or Path.cwd()) / "node_modules"]
    checkout = checkout_root()
    if checkout is not None:
        candidates.append(checkout / "node_modules")
    candidates.append(tools_dir() / "node_modules")
    unique: list[Path] = []
    for folder in candidates:
        if all(folder.resolve() != seen.resolve() for seen in unique):
            unique.append(folder)
    return unique


def _anvil_in(modules: Path) -> list[str] | None:
    """The anvil binary of ``@foundry-rs/anvil``'s platform package in ``modules``."""
    machine = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    binary = modules / "@foundry-rs" / f"anvil-{sys.platform}-{machine}" / "bin" / "anvil"
    if not binary.is_file():
        return None
    if not os.access(binary, os.X_OK):  # npm without install scripts may leave it plain
        binary.chmod(binary.stat().st_mode | 0o111)
    return [str(binary)]


def _ganache_in(modules: Path) -> list[str] | None:
    cli = modules / "ganache" / "dist" / "node" / "cli.js"
    if not cli.is_file():
        return None
    node = shutil.which("node")
    if node is None:
        raise ToolchainError(
            f"node not found: ganache ({cli}) needs Node.js",
            hint="install Node.js 20+, or use anvil (`--kind anvil`)",
        )
    return [node, str(cli)]


_FINDERS = {"anvil": _anvil_in, "ganache": _ganache_in}


def installed_node_command(kind: NodeKind, modules: Path) -> list[str] | None:
    """The command that runs ``kind`` from one ``node_modules`` folder, if it is there."""
    return _FINDERS[kind](modules)


def local_node_command(kind: NodeKind, project: Path | None = None) -> list[str]:
    """The command that runs a local node of ``kind``, found in the discovery order."""
    on_path = shutil.which(kind)
    if on_path:
        return [on_path]
    searched = node_modules_search_path(project)
    for modules in searched:
        command = installed_node_command(kind, modules)
        if command is not None:
            return command
    places = ", ".join(_display(folder) for folder in searched)
    other = "put Foundry's anvil on your PATH" if kind == "anvil" else "use --kind anvil"
    raise ToolchainError(
        f"no {kind} found: not on PATH, nor in {places}",
        hint=f"run `equity node install` (it needs npm), or {other}",
    )


def _display(folder: Path) -> str:
    home = Path.home()
    return f"~/{folder.relative_to(home)}" if folder.is_relative_to(home) else str(folder)


def anvil_command(project: Path | None = None) -> list[str]:
    return local_node_command("anvil", project)


def ganache_command(project: Path | None = None) -> list[str]:
    return local_node_command("ganache", project)


def install_nodes(kinds: tuple[NodeKind, ...]) -> dict[NodeKind, list[str]]:
    """``equity node install``: npm installs the pinned packages into the tool folder; the
    command of each node, run from there, is returned."""
    npm_install(
        [f"{PINNED_NODE_PACKAGES[kind][0]}@{PINNED_NODE_PACKAGES[kind][1]}" for kind in kinds],
        tools_dir(),
    )
    commands: dict[NodeKind, list[str]] = {}
    for kind in kinds:
        command = installed_node_command(kind, tools_dir() / "node_modules")
        if command is None:
            raise ToolchainError(
                f"npm finished, but {kind} is not in {tools_dir() / 'node_modules'}",
                hint=f"check that npm has a build of {PINNED_NODE_PACKAGES[kind][0]} "
                f"for {sys.platform}-{platform.machine()}",
            )
        commands[kind] = command
    return commands


def node_command(
    kind: NodeKind,
    port: int,
    state_file: Path | None,
    project: Path | None = None,
    fork_url: str | None = None,
    chain_id: int | None = None,
) -> list[str]:
    if kind == "anvil":
        # a fork keeps the forked chain's id (a dry run signs for that chain)
        chain = (
            ["--fork-url", fork_url]
            if fork_url
            else ["--chain-id", str(chain_id or CHAIN_IDS["anvil"])]
        )
        cmd = [
            *anvil_command(project),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *chain,
            "--mnemonic",
            DEV_MNEMONIC,
            "--accounts",
            "10",
            "--silent",
        ]
        if state_file is not None:
            cmd += ["--state", str(state_file), "--state-interval", "1"]
        return cmd
    if state_file is not None or fork_url is not None:
        raise UsageError(
            "--state is supported for anvil only", hint="drop --state or use --kind anvil"
        )
    return [
        *ganache_command(project),
        "--server.host",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--chain.chainId",
        str(chain_id or CHAIN_IDS["ganache"]),
        "--chain.hardfork",
        "shanghai",
        "--wallet.mnemonic",
        DEV_MNEMONIC,
        "--wallet.totalAccounts",
        "10",
        "--logging.quiet",
    ]


# --- ports and readiness --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def rpc_call(url: str, method: str, params: list[Any] | None = None, timeout: float = 2.0) -> Any:
    """One JSON-RPC call with urllib (no web3 import); raises OSError or ValueError on failure."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload = json.loads(response.read())
    if "error" in payload:
        raise ValueError(str(payload["error"]))
    return payload.get("result")


def is_responding(url: str, timeout: float = 1.0) -> bool:
    try:
        rpc_call(url, "eth_chainId", timeout=timeout)
    except (OSError, ValueError, urllib.error.URLError):
        return False
    return True


def _set_parent_death_signal() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_node(
    kind: NodeKind = "anvil",
    *,
    port: int | None = None,
    state_file: Path | None = None,
    detach: bool = False,
    log_file: Path | None = None,
    on_port_change: Any = None,
    project: Path | None = None,
    fork_url: str | None = None,
    chain_id: int | None = None,
) -> LocalNode:
    """Start a node and wait until it answers JSON-RPC.

    ``fork_url``: anvil only, a fork of that chain at its latest block (a dry run).
    ``chain_id``: another chain id than the kind's local one (a stand-in for a live chain).

    ``project``: the folder whose ``node_modules`` is searched for the node (default: the
    working directory; see ``local_node_command`` for the whole order).

    ``port`` in use: another free port is chosen (``on_port_change(old, new)`` is told).
    ``detach``: the node outlives this process (``equity node start``); otherwise it dies
    with this process. A node that fails to become ready is killed, never left behind.
    """
    if kind not in NODE_KINDS:
        raise UsageError(f"unknown node kind {kind!r}", hint="use --kind anvil or --kind ganache")
    if port is not None and port_in_use(port):
        new_port = free_port()
        if on_port_change is not None:
            on_port_change(port, new_port)
        port = new_port
    last_error = ""
    for _attempt in range(3):
        chosen = port if port is not None else free_port()
        command = node_command(kind, chosen, state_file, project, fork_url, chain_id)
        log_handle: Any = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
        stderr_target: Any = log_handle if log_file else subprocess.PIPE
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_handle,
                stderr=stderr_target,
                start_new_session=detach,
                preexec_fn=None if detach else _set_parent_death_signal,
            )
        except OSError as exc:
            raise ToolchainError(
                f"cannot start {kind}: {exc}", hint="run `npm ci` (or `make`)"
            ) from exc
        finally:
            if log_file:
                log_handle.close()
        node = LocalNode(kind, chosen, process, state_file, log_file)
        try:
            if _wait_ready(node):
                return node
        except BaseException:
            node.stop(timeout=2)
            raise
        last_error = _stderr_tail(node)
        node.stop(timeout=2)
        if port is not None and "in use" not in last_error.lower():
            break
        port = None  # the port was taken between choosing and binding: choose again
    raise ChainError(
        f"{kind} did not start: {last_error or 'no answer on its port'}",
        hint="check the node's output, or run `equity node start` to see it",
    )


def _wait_ready(node: LocalNode) -> bool:
    """True once ``node`` answers JSON-RPC on its port; False when it exits first.

    An answer alone is not enough: when two processes (pytest workers, other users) chose the
    same "free" port, ours fails to bind while the other one answers there. So the answer
    counts only once the listening socket is shown to be our process's (Linux), or, where
    that cannot be read, once our process is still alive after it."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    delay = 0.02
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            return False
        if is_responding(node.rpc_url, timeout=1.0):
            owner = listens_on(node.pid, node.port)
            if owner is None:  # no /proc: our node has not exited on a failed bind
                time.sleep(0.2)
                return node.process.poll() is None
            if owner:
                return True
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)
    return False


def listens_on(pid: int, port: int) -> bool | None:
    """Whether ``pid`` (or a process it started) holds the TCP socket listening on ``port``;
    None where the system does not say (no Linux ``/proc``)."""
    inodes = _listening_inodes(port)
    if inodes is None:
        return None
    return any(_socket_inodes(each) & inodes for each in _process_tree(pid))


def _listening_inodes(port: int) -> set[str] | None:
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].is_file():
        return None
    wanted = f":{port:04X}"
    inodes: set[str] = set()
    for table in tables:
        with contextlib.suppress(OSError):
            for line in table.read_text().splitlines()[1:]:
                fields = line.split()
                # local address, remote address, state (0A: listening), ..., inode
                if len(fields) > 9 and fields[1].endswith(wanted) and fields[3] == "0A":
                    inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    found: set[str] = set()
    with contextlib.suppress(OSError):
        for entry in os.scandir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(entry.path)
                if target.startswith("socket:["):
                    found.add(target[len("socket:[") : -1])
    return found


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (a launcher script may run the node as its child)."""
    tree, index = [pid], 0
    while index < len(tree):
        with contextlib.suppress(OSError):
            for task in os.scandir(f"/proc/{tree[index]}/task"):
                children = Path(task.path, "children").read_text().split()
                tree.extend(int(child) for child in children)
        index += 1
    return tree


def _stderr_tail(node: LocalNode) -> str:
    if node.process.stderr is None:
        if node.log_file and node.log_file.exists():
            return node.log_file.read_text(errors="replace").strip()[-300:]
        return ""
    with contextlib.suppress(Exception):
        if node.process.poll() is not None:
            return node.process.stderr.read().decode(errors="replace").strip()[-300:]
    return ""


def terminate_process(
    pid: int, *, timeout: float = 10.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """SIGTERM, wait up to ``timeout``, then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None:
            if process.poll() is not None:
                return
        elif not pid_alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if process is not None:
        with contextlib.suppress(Exception):
            process.wait(timeout=5)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still "exists"; treat it as dead
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/stat").read_text().split()
        if len(status) > 2 and status[2] == "Z":
            return False
    return True


# --- the record of a detached node (`equity node start`) ------------------------------------


def registry_path(cwd: Path | None = None) -> Path:
    return (cwd or Path.cwd()) / STATE_DIR / REGISTRY_FILE


def read_registered_node(cwd: Path | None = None) -> NodeInfo | None:
    """The node recorded by ``equity node start`` if it still runs, else None (record dropped)."""
    path = registry_path(cwd)
    try:
        data = json.loads(path.read_text())
        info = NodeInfo(**data)
    except (OSError, ValueError, TypeError):
        return None
    if pid_alive(info.pid) and is_responding(info.rpc_url):
        return info
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def write_registered_node(info: NodeInfo, cwd: Path | None = None) -> Path:
    path = registry_path(cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(info), indent=2))
    return path


def stop_registered_node(cwd: Path | None = None) -> NodeInfo | None:
    path = registry_path(cwd)
    try:
        info = NodeInfo(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if pid_alive(info.pid):
        terminate_process(info.pid)
    with contextlib.suppress(OSError):
        path.unlink()
    return info


@contextlib.contextmanager
def temporary_node(kind: NodeKind = "anvil", **kwargs: Any) -> Iterator[LocalNode]:
    """A node for the duration of a block: stopped on exit, error or Ctrl-C."""
    node = start_node(kind, **kwargs)
    previous = signal.getsignal(signal.SIGTERM)

    def _on_sigterm(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not in the main thread: keep the default
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield node
    finally:
        node.stop()
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, previous)
