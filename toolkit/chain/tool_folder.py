"""The toolkit's own tool folder, where ``equity node install`` puts the local nodes.

An installed toolkit has no checkout with a ``node_modules``; ``equity node install`` runs
npm for the pinned ``@foundry-rs/anvil`` and ``ganache`` into ``$EQUITY_HOME/tools`` (default
``~/.equity/tools``), and node discovery (``toolkit.chain.node``) looks there last.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from toolkit.errors import ToolchainError

EQUITY_HOME_ENV = "EQUITY_HOME"

# node kind -> (npm package, exact version); package.json pins the same (a test checks it)
PINNED_NODE_PACKAGES: dict[str, tuple[str, str]] = {
    "anvil": ("@foundry-rs/anvil", "1.7.1"),
    "ganache": ("ganache", "7.9.2"),
}


def equity_home() -> Path:
    """``$EQUITY_HOME``, else ``~/.equity``."""
    override = os.environ.get(EQUITY_HOME_ENV)
    return Path(override).expanduser() if override else Path.home() / ".equity"


def tools_dir() -> Path:
    return equity_home() / "tools"


def npm_install(packages: list[str], folder: Path) -> None:
    """``npm install`` exact versions into ``folder`` (an npm prefix of its own).

    ``--prefer-offline``: the versions are exact, so a copy in npm's cache is the same
    package and saves a download.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise ToolchainError(
            "npm not found: `equity node install` installs the local nodes with npm",
            hint="install Node.js 20+ with npm (e.g. `apt-get install nodejs npm`), "
            "or put Foundry's anvil on your PATH",
        )
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "package.json"
    if not manifest.is_file():
        manifest.write_text(
            json.dumps({"private": True, "description": "local nodes for equity"}, indent=2)
        )
    command = [
        npm,
        "install",
        "--prefix",
        str(folder),
        "--save-exact",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        *packages,
    ]
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolchainError(f"cannot run npm: {exc}", hint="check your Node.js install") from exc
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if "ERR" in line] or [
            line for line in proc.stderr.splitlines() if line.strip()
        ]
        cause = lines[-1].strip() if lines else f"exit {proc.returncode}"
        raise ToolchainError(
            f"npm install {' '.join(packages)} failed: {cause}",
            hint=f"check npm's access to the registry, then run `npm {' '.join(command[1:])}` "
            "by hand to see its output",
        )
