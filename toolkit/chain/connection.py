"""Which chain a command talks to, and the connection to it.

Resolution (SPEC §4): ``--rpc-url`` wins; else ``--network``: ``anvil`` (the default) or
``ganache`` use the node ``equity node start`` runs in this directory, or start one for the
duration of the command; any other name comes from ``[networks.NAME]`` in ``equity.toml``.
"""

from __future__ import annotations

import contextlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.chain.node import (
    LOCAL_CHAIN_IDS,
    NODE_KINDS,
    LocalNode,
    NodeKind,
    read_registered_node,
    start_node,
)
from toolkit.errors import NodeUnreachableError, UsageError

if TYPE_CHECKING:
    from web3 import Web3

CONFIG_FILE = "equity.toml"


@dataclass(frozen=True)
class Target:
    """Where to connect: an RPC URL, or a local node kind to find or start."""

    rpc_url: str | None = None
    node_kind: NodeKind | None = None
    expected_chain_id: int | None = None
    name: str = "anvil"


@dataclass
class Chain:
    """A live connection: the Web3 object plus what every command asks of it."""

    w3: Web3
    rpc_url: str
    chain_id: int
    node: LocalNode | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        """Anvil (31337) and Ganache (1337): dev accounts and time travel are allowed."""
        return self.chain_id in LOCAL_CHAIN_IDS

    def close(self) -> None:
        if self.node is not None:
            self.node.stop()
            self.node = None


def resolve_target(network: str | None, rpc_url: str | None, cwd: Path | None = None) -> Target:
    if rpc_url:
        return Target(rpc_url=rpc_url, name=rpc_url)
    name = network or "anvil"
    if name in NODE_KINDS:
        kind: NodeKind = "ganache" if name == "ganache" else "anvil"
        return Target(node_kind=kind, name=name)
    networks = _configured_networks(cwd)
    if name not in networks:
        known = ", ".join(["anvil", "ganache", *sorted(networks)])
        raise UsageError(
            f"unknown network {name!r}",
            hint=f"use one of: {known} (define others under [networks.NAME] in {CONFIG_FILE})",
        )
    entry = networks[name]
    url = entry.get("rpc_url")
    if not isinstance(url, str):
        raise UsageError(
            f"network {name!r} in {CONFIG_FILE} has no rpc_url", hint='add rpc_url = "https://..."'
        )
    chain_id = entry.get("chain_id")
    return Target(rpc_url=url, expected_chain_id=int(chain_id) if chain_id else None, name=name)


def _configured_networks(cwd: Path | None) -> dict[str, dict[str, Any]]:
    path = (cwd or Path.cwd()) / CONFIG_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: {exc}", hint="fix the TOML syntax") from exc
    networks = data.get("networks", {})
    return networks if isinstance(networks, dict) else {}


def connect(target: Target, *, cwd: Path | None = None) -> Chain:
    """Connect to the target, starting a temporary local node when nothing runs yet.

    A node started here is stopped by ``Chain.close()`` (and dies with this process in any
    case: see ``toolkit.chain.node``).
    """
    node: LocalNode | None = None
    url = target.rpc_url
    if url is None:
        kind = target.node_kind or "anvil"
        registered = read_registered_node(cwd)
        if registered is not None and registered.kind == kind:
            url = registered.rpc_url
        else:
            node = start_node(kind, project=cwd)
            url = node.rpc_url
    try:
        chain = connect_url(url, expected_chain_id=target.expected_chain_id)
    except BaseException:
        if node is not None:
            node.stop()
        raise
    chain.node = node
    return chain


def connect_url(url: str, *, expected_chain_id: int | None = None, timeout: float = 30) -> Chain:
    from web3 import Web3  # lazy: web3 costs ~0.5 s to import

    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        chain_id = int(w3.eth.chain_id)
    except Exception as exc:
        raise NodeUnreachableError(
            f"cannot reach the node at {url} ({_short(exc)})",
            hint="check the URL and that the node runs, or start one with `equity node start`",
        ) from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        from toolkit.errors import WrongChainError

        raise WrongChainError(
            f"{url} is chain {chain_id}, expected {expected_chain_id}",
            hint="check --rpc-url / the network's chain_id in equity.toml",
        )
    return Chain(w3=w3, rpc_url=url, chain_id=chain_id)


def _short(exc: BaseException) -> str:
    """The cause of a connection failure in a few words, not urllib3's whole story."""
    text = str(exc)
    lowered = text.lower()
    for needle, words in (
        ("connection refused", "connection refused"),
        ("failed to establish a new connection", "connection refused"),
        ("name or service not known", "host name not found"),
        ("nodename nor servname", "host name not found"),
        ("temporary failure in name resolution", "host name not found"),
        ("timed out", "timed out"),
        ("certificate verify failed", "TLS certificate not trusted"),
    ):
        if needle in lowered:
            return words
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:120]


@contextlib.contextmanager
def connected(target: Target, *, cwd: Path | None = None) -> Any:
    chain = connect(target, cwd=cwd)
    try:
        yield chain
    finally:
        chain.close()
