"""Where a local node comes from: PATH, then the project's node_modules, the toolkit
checkout's, then the tool folder `equity node install` fills; none found is one plain error.

The nodes are the real anvil and ganache of the checkout's node_modules, laid out (by symlink)
where each test needs them; PATH, EQUITY_HOME and the checkout are isolated per test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from toolkit.chain.node import (
    NodeKind,
    installed_node_command,
    local_node_command,
    node_modules_search_path,
    rpc_call,
    start_node,
)
from toolkit.chain.tool_folder import PINNED_NODE_PACKAGES
from toolkit.compile import OZ_VERSION, SOLC_VERSION
from toolkit.errors import ToolchainError

CHECKOUT_MODULES = REPO / "node_modules"
REAL_ANVIL = installed_node_command("anvil", CHECKOUT_MODULES)
NODE = shutil.which("node")


def lay_out(modules: Path, kind: NodeKind) -> Path:
    """Put the checkout's real ``kind`` package into ``modules`` (a symlink) and return it."""
    if kind == "anvil":
        assert REAL_ANVIL is not None
        package = Path(REAL_ANVIL[0]).parent.parent  # .../@foundry-rs/anvil-<platform>
        target = modules / "@foundry-rs" / package.name
    else:
        package = CHECKOUT_MODULES / "ganache"
        target = modules / "ganache"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(package)
    return target


class Places:
    """An isolated world: a PATH with only node, a project, a tool home, and no checkout."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch, *, checkout: bool) -> None:
        self.bin = tmp / "bin"
        self.bin.mkdir()
        assert NODE is not None
        (self.bin / "node").symlink_to(NODE)
        self.project = tmp / "project"
        self.project.mkdir()
        self.home = tmp / "equity-home"
        self.tools_modules = self.home / "tools" / "node_modules"
        monkeypatch.setenv("PATH", str(self.bin))
        monkeypatch.setenv("EQUITY_HOME", str(self.home))
        if not checkout:  # as when installed: the package's folder has no contracts/
            site = tmp / "site-packages"
            site.mkdir()
            monkeypatch.setenv("EQUITY_HOME_PROJECT", str(site))


def test_anvil_on_path_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    places = Places(tmp_path, monkeypatch, checkout=True)
    lay_out(places.project / "node_modules", "anvil")
    marker = tmp_path / "path-anvil-ran"
    wrapper = places.bin / "anvil"
    assert REAL_ANVIL is not None
    wrapper.write_text(f'#!/bin/sh\n: > "{marker}"\nexec "{REAL_ANVIL[0]}" "$@"\n')
    wrapper.chmod(0o755)

    assert local_node_command("anvil", places.project) == [str(wrapper)]
    node = start_node("anvil", project=places.project)
    try:
        assert int(rpc_call(node.rpc_url, "eth_chainId"), 16) == 31337
    finally:
        node.stop()
    assert marker.is_file()


def test_the_project_node_modules_come_before_the_checkout_and_the_tool_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = Places(tmp_path, monkeypatch, checkout=True)
    in_project = lay_out(places.project / "node_modules", "anvil")
    lay_out(places.tools_modules, "anvil")
    command = local_node_command("anvil", places.project)
    assert command[0].startswith(str(in_project))


def test_a_checkout_s_node_modules_come_before_the_tool_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = Places(tmp_path, monkeypatch, checkout=True)
    lay_out(places.tools_modules, "anvil")
    assert node_modules_search_path(places.project) == [
        places.project / "node_modules",
        CHECKOUT_MODULES,
        places.tools_modules,
    ]
    assert local_node_command("anvil", places.project)[0].startswith(str(CHECKOUT_MODULES))


@pytest.mark.parametrize("kind,chain_id", [("anvil", 31337), ("ganache", 1337)])
def test_an_installed_toolkit_runs_a_node_from_its_tool_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: NodeKind, chain_id: int
) -> None:
    places = Places(tmp_path, monkeypatch, checkout=False)
    in_tools = lay_out(places.tools_modules, kind)
    assert node_modules_search_path(places.project) == [
        places.project / "node_modules",
        places.tools_modules,
    ]
    node = start_node(kind, project=places.project)
    try:
        args = node.process.args
        assert isinstance(args, list) and str(in_tools) in " ".join(args)
        assert int(rpc_call(node.rpc_url, "eth_chainId"), 16) == chain_id
    finally:
        node.stop()


def test_no_node_anywhere_is_one_plain_error_that_names_equity_node_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = Places(tmp_path, monkeypatch, checkout=False)
    with pytest.raises(ToolchainError) as caught:
        local_node_command("anvil", places.project)
    assert "no anvil found" in caught.value.message
    assert "equity node install" in (caught.value.hint or "")

    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.cli.main", "node", "start"],
        capture_output=True,
        text=True,
        cwd=places.project,
        env=os.environ.copy(),
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in proc.stderr
    assert lines[0].startswith("error: no anvil found: not on PATH")
    assert lines[1] == (
        "hint: run `equity node install` (it needs npm), or put Foundry's anvil on your PATH"
    )
    assert not (places.project / ".equity" / "node.json").exists()


def test_node_install_without_npm_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = Places(tmp_path, monkeypatch, checkout=False)  # PATH holds node, not npm
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.cli.main", "--json", "node", "install"],
        capture_output=True,
        text=True,
        cwd=places.project,
        env=os.environ.copy(),
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    error = json.loads(proc.stdout)["error"]
    assert error["kind"] == "toolchain" and error["message"].startswith("npm not found")
    assert not places.home.exists()


def test_a_failing_npm_install_is_a_plain_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = Places(tmp_path, monkeypatch, checkout=False)
    npm = shutil.which("npm", path=os.defpath + os.pathsep + "/usr/local/bin")
    assert npm is not None
    (places.bin / "npm").symlink_to(npm)
    unreachable = {  # a closed port on this machine, and an empty cache: npm cannot fetch
        "npm_config_registry": "http://127.0.0.1:9/",
        "npm_config_cache": str(tmp_path / "npm-cache"),
        "npm_config_fetch_retries": "0",
        "npm_config_offline": "true",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.cli.main", "node", "install", "--kind", "anvil"],
        capture_output=True,
        text=True,
        cwd=places.project,
        env={**os.environ, **unreachable},
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    error_line = next(line for line in proc.stderr.splitlines() if line.startswith("error:"))
    assert error_line.startswith(
        f"error: npm install @foundry-rs/anvil@{PINNED_NODE_PACKAGES['anvil'][1]} failed"
    )


def test_the_pinned_versions_are_the_ones_package_json_pins() -> None:
    pins = json.loads((REPO / "package.json").read_text())["dependencies"]
    for package, version in PINNED_NODE_PACKAGES.values():
        assert pins[package] == version
    assert pins["solc"] == SOLC_VERSION
    assert pins["@openzeppelin/contracts"] == OZ_VERSION
