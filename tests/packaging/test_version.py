"""`equity --version` names the toolkit, and the solc and OpenZeppelin its templates use."""

from __future__ import annotations

import json
from importlib.metadata import version

from tests.conftest import REPO, run_cli
from toolkit.compile import SOLC_VERSION


def test_version_names_the_toolkit_solc_and_openzeppelin() -> None:
    proc = run_cli("--version", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"equity {version('equity')}"
    assert lines[1].startswith(f"templates: solc {SOLC_VERSION}, OpenZeppelin Contracts 5.3.0 ")
    assert lines[2].startswith("artifacts: compiled on demand into the checkout's build/")


def test_version_with_json_is_one_document() -> None:
    proc = run_cli("--json", "--version", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["equity"] == version("equity")
    assert (data["solc"], data["openzeppelin"]) == (SOLC_VERSION, "5.3.0")
    assert data["templates"] == "checkout"
