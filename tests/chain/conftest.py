"""A throwaway project with its own contract, compiled by the real compiler."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from toolkit.chain.revert import add_artifact_dir
from toolkit.compile import compile_project, package_root

FIXTURE = Path(__file__).parent.parent / "fixtures" / "probe"


def make_project(tmp: Path) -> Path:
    project = tmp / "probe"
    shutil.copytree(FIXTURE, project)
    (project / "node_modules").symlink_to(package_root() / "node_modules")
    return project


@pytest.fixture(scope="session")
def probe_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("probe"))
    compile_project(project)
    add_artifact_dir(project)
    return project


@pytest.fixture(scope="session")
def probe_artifact(probe_project: Path) -> dict[str, Any]:
    import json

    return dict(json.loads((probe_project / "build/contracts/Probe.json").read_text()))
