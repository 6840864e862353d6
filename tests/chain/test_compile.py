"""equity compile: one code path, one artifact format, incremental, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.chain.conftest import make_project
from tests.conftest import REPO
from toolkit.compile import (
    SOLC_VERSION,
    compile_project,
    is_up_to_date,
    standard_json_input_file,
)
from toolkit.errors import CompileError, ToolchainError

EQUITY = [sys.executable, "-m", "toolkit.cli.main"]


def run_equity(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*EQUITY, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_compile_writes_one_artifact_per_contract_with_abi_bytecode_and_settings(
    probe_project: Path,
) -> None:
    artifact = json.loads((probe_project / "build/contracts/Probe.json").read_text())
    assert artifact["contractName"] == "Probe"
    assert any(item.get("name") == "ProbeRefused" for item in artifact["abi"])
    assert len(artifact["bytecode"]) > 100 and len(artifact["deployedBytecode"]) > 100
    assert artifact["compiler"]["version"].startswith(SOLC_VERSION)
    assert artifact["compiler"]["evm_version"] == "shanghai"
    assert len(artifact["sourceHash"]) == 64
    # OpenZeppelin imports resolved from node_modules and kept as dependencies
    assert (probe_project / "build/contracts/dependencies/ERC20.json").is_file()


def test_compile_with_no_source_change_compiles_nothing(probe_project: Path) -> None:
    assert is_up_to_date(probe_project)
    result = compile_project(probe_project)
    assert result.compiled is False
    assert "Probe" in result.contracts


def test_the_build_prints_the_runtime_size_of_each_contract(probe_project: Path) -> None:
    size = (
        len(
            json.loads((probe_project / "build/contracts/Probe.json").read_text())[
                "deployedBytecode"
            ]
        )
        // 2
    )
    assert compile_project(probe_project).sizes["Probe"] == size
    proc = run_equity("compile", "--project", str(probe_project))
    assert proc.returncode == 0, proc.stderr
    lines = [line.split() for line in (proc.stdout + proc.stderr).splitlines()]
    assert ["Probe", f"{size:,}", "bytes", "of", "runtime", "code", "(limit", "24,576)"] in lines
    as_json = json.loads(run_equity("--json", "compile", "--project", str(probe_project)).stdout)
    assert as_json["sizes"]["Probe"] == size


def test_a_changed_source_is_recompiled(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert compile_project(project).compiled
    source = project / "contracts/Probe.sol"
    source.write_text(source.read_text().replace("1_000", "2_000"))
    assert not is_up_to_date(project)
    assert compile_project(project).compiled


def test_a_solidity_error_names_file_and_line_and_exits_2(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    source = project / "contracts/Probe.sol"
    lines = source.read_text().splitlines()
    lines[12] = lines[12] + " this is not solidity"
    source.write_text("\n".join(lines))
    with pytest.raises(CompileError) as caught:
        compile_project(project)
    assert "contracts/Probe.sol:13:" in caught.value.message

    proc = run_equity("compile", "--project", str(project))
    assert proc.returncode == 2
    assert "contracts/Probe.sol:13:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_without_node_the_error_names_the_fix(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    env = {"PATH": str(tmp_path / "empty-bin"), "EQUITY_SOLC": "js"}
    proc = run_equity("compile", "--project", str(project), env=env)
    assert proc.returncode == 2
    assert "node not found" in proc.stderr and "install Node.js" in proc.stderr


def test_without_npm_packages_the_error_says_run_npm_ci(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "node_modules").unlink()
    empty_home = tmp_path / "toolkit-home"
    empty_home.mkdir()
    with pytest.raises(ToolchainError) as caught:
        os.environ["EQUITY_HOME_PROJECT"] = str(empty_home)
        try:
            compile_project(project, force=True)
        finally:
            del os.environ["EQUITY_HOME_PROJECT"]
    assert "npm install --save-exact solc@0.8.28 @openzeppelin/contracts@5.3.0" in (
        caught.value.hint or ""
    )


def test_the_json_error_shape_is_on_stdout(tmp_path: Path) -> None:
    proc = run_equity("--json", "compile", "--project", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert error["code"] == 2 and error["kind"] == "compile" and "contracts/" in error["message"]


def test_equity_works_from_any_directory_with_the_shipped_templates(tmp_path: Path) -> None:
    proc = run_equity("--json", "compile", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert {"HolderRegistry", "ShareClassToken", "EquityGovernor"} <= set(result["contracts"])
    assert not (tmp_path / "build").exists()  # the templates' artifacts live with the package


def test_compile_in_a_folder_with_its_own_contracts_writes_that_folders_build(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    checkout_cache = REPO / "build" / "compile-cache.json"
    compile_project(REPO)
    before = checkout_cache.stat().st_mtime_ns
    proc = run_equity("--json", "compile", "--force", cwd=project)  # no --project: here
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["compiled"] is True and result["contracts"] == ["Probe"]
    assert result["build_dir"] == str(project / "build" / "contracts")
    assert (project / "build/contracts/Probe.json").is_file()
    assert checkout_cache.stat().st_mtime_ns == before  # the toolkit's own build untouched


def test_a_compile_keeps_the_self_contained_input_a_block_explorer_verifies(
    probe_project: Path,
) -> None:
    standard_input = json.loads(standard_json_input_file(probe_project).read_text())
    assert standard_input["language"] == "Solidity"
    assert standard_input["settings"]["evmVersion"] == "shanghai"
    units = set(standard_input["sources"])
    assert "contracts/Probe.sol" in units
    # every import is inlined, so it compiles with no node_modules and no include path
    assert "@openzeppelin/contracts/token/ERC20/ERC20.sol" in units
    assert all(source["content"] for source in standard_input["sources"].values())
