"""The package build's side of the bundle: write ``toolkit/bundled/`` from a checkout's
compile (``setup.py`` calls ``write_bundle``), and say what the templates are built with
(``equity --version``). It sits above ``compile.py``; the bundle's readers (``bundle.py``)
sit below it, so the compiler can take an installed package's artifacts without a cycle.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

from toolkit.bundle import BUILD_INFO, BuildInfo, bundled_build_info


def template_build_info() -> BuildInfo:
    """The versions behind the shipped templates: the bundle's record when installed, else
    the checkout's pinned compiler and the OpenZeppelin it has in ``node_modules``."""
    from toolkit.compile import EVM_VERSION, OPTIMIZER_RUNS, SOLC_VERSION, build_dir, package_root

    bundled = bundled_build_info()
    if bundled is not None:
        return bundled
    root = package_root()
    return BuildInfo(
        solc=SOLC_VERSION,
        openzeppelin=installed_openzeppelin(root) or "not installed (run `make`)",
        evm_version=EVM_VERSION,
        optimizer_runs=OPTIMIZER_RUNS,
        source="checkout",
        location=str(build_dir(root)),
    )


def installed_openzeppelin(root: Path) -> str | None:
    """The version of ``@openzeppelin/contracts`` in the project's ``node_modules``."""
    from toolkit.compile import OZ_PACKAGE

    try:
        data = json.loads((root / "node_modules" / OZ_PACKAGE / "package.json").read_text())
    except (OSError, ValueError):
        return None
    version = data.get("version")
    return str(version) if version else None


def write_bundle(target: Path, root: Path) -> BuildInfo:
    """Compile ``root``'s templates (incrementally, as ``make`` does) and write the bundle.

    ``target`` is replaced whole. Everything written is a copy of what the compile produced
    or read, so two builds of the same sources give the same files.
    """
    from toolkit.compile import (
        EVM_VERSION,
        OPTIMIZER_RUNS,
        SOLC_VERSION,
        build_dir,
        compile_project,
        compile_record,
        standard_json_input_file,
    )
    from toolkit.errors import ToolchainError

    root = root.resolve()
    compile_project(root)
    if not standard_json_input_file(root).is_file():  # a build/ from before it was kept
        compile_project(root, force=True)
    openzeppelin = installed_openzeppelin(root)
    if openzeppelin is None:
        raise ToolchainError(
            f"@openzeppelin/contracts is not installed in {root}", hint="run `npm ci` (or `make`)"
        )
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(build_dir(root), target / "contracts")

    standard_input = json.loads(standard_json_input_file(root).read_text())
    solidity = target / "solidity"
    solidity.mkdir()
    shutil.copyfile(standard_json_input_file(root), solidity / "standard-json-input.json")
    for unit, source in standard_input["sources"].items():
        path = solidity / unit
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source["content"], encoding="utf-8")

    examples = root / "examples"
    if examples.is_dir():
        shutil.copytree(examples, target / "examples")

    info = BuildInfo(
        solc=SOLC_VERSION,
        openzeppelin=openzeppelin,
        evm_version=EVM_VERSION,
        optimizer_runs=OPTIMIZER_RUNS,
        source="bundled",
        location=str(target / "contracts"),
        fingerprint=compile_record(root).get("fingerprint"),
    )
    record = {k: v for k, v in asdict(info).items() if k not in ("source", "location")}
    (target / BUILD_INFO).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return info
