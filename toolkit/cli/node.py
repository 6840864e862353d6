"""``equity node start|stop|status|install``: a local anvil or ganache that outlives one command.

``start`` records where the node listens in ``.equity/node.json``; later commands in this
directory use it instead of starting their own. ``install`` puts the pinned anvil and ganache
in the toolkit's tool folder, for an installed toolkit that has no checkout's ``node_modules``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options


@examples(
    ("one anvil for the commands that follow", "equity node start"),
    "equity node status",
    "equity node stop",
)
@click.group()
def node() -> None:
    """Start, stop or inspect a local development node."""


@examples(
    (
        "an anvil that keeps its chain in a file across restarts",
        "equity node start --state chain.json",
    ),
    ("ganache on a port of your choice", "equity node start --kind ganache --port 8545"),
)
@node.command()
@click.option("--kind", type=click.Choice(["anvil", "ganache"]), default="anvil", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (another free port if taken).",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="anvil only: load chain state from FILE and keep saving it there.",
)
@global_options
@pass_app
def start(app: AppContext, kind: str, port: int | None, state_file: Path | None) -> None:
    """Start a node in the background and record it for later commands."""
    from toolkit.chain.node import read_registered_node, start_node, write_registered_node
    from toolkit.errors import UsageError

    running = read_registered_node(app.cwd)
    if running is not None:
        raise UsageError(
            f"a {running.kind} node already runs here at {running.rpc_url} (pid {running.pid})",
            hint="stop it first with `equity node stop`",
        )

    def moved(old: int, new: int) -> None:
        app.note(f"port {old} is in use; using port {new}")

    log = app.cwd / ".equity" / "node.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = start_node(
        kind,  # type: ignore[arg-type]
        port=port,
        state_file=state_file.resolve() if state_file else None,
        detach=True,
        log_file=log,
        on_port_change=moved,
        project=app.cwd,
    )
    info = started.info()
    write_registered_node(info, app.cwd)
    data = {
        "kind": info.kind,
        "rpc_url": info.rpc_url,
        "port": info.port,
        "pid": info.pid,
        "state_file": info.state_file,
    }

    def render() -> None:
        state = f", state in {info.state_file}" if info.state_file else ""
        app.say(f"{info.kind} listening on {info.rpc_url} (pid {info.pid}){state}")
        app.note("stop it with `equity node stop`")

    app.result(data, render)


@examples(
    "equity node stop",
)
@node.command()
@global_options
@pass_app
def stop(app: AppContext) -> None:
    """Stop the node started by `equity node start` in this directory."""
    from toolkit.chain.node import stop_registered_node

    info = stop_registered_node(app.cwd)
    if info is None:
        app.result({"stopped": False}, lambda: app.say("no node was running here"))
        return
    app.result(
        {"stopped": True, "kind": info.kind, "pid": info.pid},
        lambda: app.say(f"stopped {info.kind} (pid {info.pid})"),
    )


@examples(
    ("the node started here", "equity node status"),
    ("any chain", "equity --rpc-url http://127.0.0.1:8545 node status"),
)
@node.command()
@global_options
@pass_app
def status(app: AppContext) -> None:
    """Show the node started here (or, with --rpc-url/--network, that chain)."""
    from toolkit.chain.node import read_registered_node

    if app.options.rpc_url or (app.options.network not in (None, "anvil", "ganache")):
        chain = app.chain()
        block = int(chain.w3.eth.block_number)
        data = {
            "running": True,
            "rpc_url": chain.rpc_url,
            "chain_id": chain.chain_id,
            "block": block,
            "local": chain.is_local,
        }
        app.result(
            data,
            lambda: app.say(
                f"{chain.rpc_url}: chain {chain.chain_id}, block {block}"
                + (" (local)" if chain.is_local else "")
            ),
        )
        return
    info = read_registered_node(app.cwd)
    if info is None:
        app.result(
            {"running": False},
            lambda: app.say(
                "no node running here; commands start a temporary anvil (or run `equity node start`)"
            ),
        )
        return
    from toolkit.chain.node import rpc_call

    block = int(rpc_call(info.rpc_url, "eth_blockNumber"), 16)
    chain_id = int(rpc_call(info.rpc_url, "eth_chainId"), 16)
    data = {
        "running": True,
        "kind": info.kind,
        "rpc_url": info.rpc_url,
        "pid": info.pid,
        "chain_id": chain_id,
        "block": block,
        "state_file": info.state_file,
    }
    app.result(
        data,
        lambda: app.say(
            f"{info.kind} running at {info.rpc_url} (pid {info.pid}), chain {chain_id}, block {block}"
        ),
    )


@examples(
    ("anvil and ganache, pinned, for an installed toolkit", "equity node install"),
    "equity node install --kind anvil",
)
@node.command()
@click.option(
    "--kind",
    type=click.Choice(["anvil", "ganache", "all"]),
    default="all",
    show_default=True,
    help="Which node to install.",
)
@global_options
@pass_app
def install(app: AppContext, kind: str) -> None:
    """Install the pinned anvil and ganache with npm into ~/.equity/tools (or $EQUITY_HOME/tools)."""
    from toolkit.chain.node import install_nodes
    from toolkit.chain.tool_folder import PINNED_NODE_PACKAGES, tools_dir

    kinds: tuple[Any, ...] = ("anvil", "ganache") if kind == "all" else (kind,)
    specs = [f"{PINNED_NODE_PACKAGES[k][0]}@{PINNED_NODE_PACKAGES[k][1]}" for k in kinds]
    app.note(f"npm install {' '.join(specs)} into {tools_dir()} ...")
    commands = install_nodes(kinds)
    data = {
        "folder": str(tools_dir()),
        "installed": {
            k: {
                "package": PINNED_NODE_PACKAGES[k][0],
                "version": PINNED_NODE_PACKAGES[k][1],
                "command": commands[k],
            }
            for k in kinds
        },
    }

    def render() -> None:
        for k in kinds:
            app.say(f"{k} {PINNED_NODE_PACKAGES[k][1]}: {' '.join(commands[k])}")
        app.note("commands find them there when no node is on PATH or in ./node_modules")

    app.result(data, render)
