"""Which chain a command talks to, and the connection to it.

Resolution (SPEC §4, §16): ``--rpc-url`` (or ``EQUITY_RPC_URL``) wins; else ``--network``:
``anvil`` or ``ganache`` use the node of that kind that ``equity node start`` runs in this
directory, or start one for the duration of the command; any other name comes from
``[networks.NAME]`` in ``equity.toml``. With neither, ``ETH_RPC_URL`` is read as foundry reads
it; without that, the node ``equity node start`` runs here, whatever its kind, or a temporary
anvil. An explicit ``--network`` wins over ``ETH_RPC_URL``, which is a shell-wide default.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Mapping
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
FOUNDRY_RPC_ENV = "ETH_RPC_URL"


@dataclass(frozen=True)
class Target:
    """Where to connect: an RPC URL, or a local node kind to find or start."""

    rpc_url: str | None = None
    node_kind: NodeKind | None = None  # None: whatever node runs here, else a temporary anvil
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


def resolve_target(
    network: str | None,
    rpc_url: str | None,
    cwd: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Target:
    """Where a command connects (see the module docstring for the order)."""
    if rpc_url:
        return Target(rpc_url=checked_url(rpc_url, "--rpc-url"), name=rpc_url)
    if network is None:
        from_foundry = (os.environ if environ is None else environ).get(FOUNDRY_RPC_ENV, "")
        if from_foundry.strip():
            url = checked_url(from_foundry.strip(), FOUNDRY_RPC_ENV)
            return Target(rpc_url=url, name=url)
        return Target(node_kind=None, name="local")
    if network in NODE_KINDS:
        kind: NodeKind = "ganache" if network == "ganache" else "anvil"
        return Target(node_kind=kind, name=network)
    networks = _configured_networks(cwd)
    if network not in networks:
        known = ", ".join(["anvil", "ganache", *sorted(networks)])
        raise UsageError(
            f"unknown network {network!r}",
            hint=f"use one of: {known} (define others under [networks.NAME] in {CONFIG_FILE})",
        )
    entry = networks[network]
    if not isinstance(entry, dict) or "rpc_url" not in entry:
        raise UsageError(
            f"network {network!r} in {CONFIG_FILE} has no rpc_url",
            hint='add rpc_url = "https://..." under [networks.' + network + "]",
        )
    url = entry["rpc_url"]
    if not isinstance(url, str):
        raise UsageError(
            f"network {network!r} in {CONFIG_FILE}: rpc_url must be a quoted URL, not {url!r}",
            hint=f'write rpc_url = "https://..." under [networks.{network}]',
        )
    chain_id = entry.get("chain_id")
    if chain_id is not None and (isinstance(chain_id, bool) or not isinstance(chain_id, int)):
        raise UsageError(
            f"network {network!r} in {CONFIG_FILE}: chain_id must be a whole number, not {chain_id!r}",
            hint=f"write e.g. chain_id = 11155111 under [networks.{network}]",
        )
    return Target(
        rpc_url=checked_url(url, f"rpc_url of network {network!r} in {CONFIG_FILE}"),
        expected_chain_id=chain_id,
        name=network,
    )


def checked_url(url: str, source: str) -> str:
    """An http(s) JSON-RPC URL, or a UsageError naming where the bad one came from."""
    from urllib.parse import urlsplit

    text = url.strip()
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise UsageError(
            f"{source}: {text!r} is not an http(s) URL of a JSON-RPC endpoint",
            hint="e.g. http://127.0.0.1:8545 or https://rpc.example.org; nothing was sent",
        )
    return text


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
        registered = read_registered_node(cwd)
        if registered is not None and target.node_kind in (None, registered.kind):
            url = registered.rpc_url
        else:
            node = start_node(target.node_kind or "anvil", project=cwd)
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
            f"cannot reach the node at {url} ({short_reason(exc)})",
            hint="check the URL and that the node runs, or start one with `equity node start`",
        ) from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        from toolkit.errors import WrongChainError

        raise WrongChainError(
            f"{url} is chain {chain_id}, expected {expected_chain_id}",
            hint="check --rpc-url / the network's chain_id in equity.toml",
        )
    return Chain(w3=w3, rpc_url=url, chain_id=chain_id)


def short_reason(exc: BaseException) -> str:
    """The cause of a connection failure in a few words, not urllib3's whole story."""
    text = str(exc)
    lowered = text.lower()
    for needle, words in (
        ("connection refused", "connection refused"),
        ("connection reset", "the connection was reset"),
        ("remote end closed", "the node closed the connection"),
        ("connection aborted", "the connection was cut"),
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
