"""The bundle a wheel carries (toolkit/bundled/): what the package build writes, and how an
installed toolkit reads it instead of compiling, never writing into its own package."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from toolkit import bundle
from toolkit.bundle import bundled_build_info
from toolkit.compile import (
    EVM_VERSION,
    OPTIMIZER_RUNS,
    SOLC_VERSION,
    build_dir,
    compile_in_folder,
    compile_project,
    template_artifacts_dir,
)
from toolkit.packaging import template_build_info, write_bundle

TEMPLATES = ("HolderRegistry", "ShareClassToken", "ClassWeightedVotes", "EquityTimelock")
DIVIDEND_TEMPLATES = ("Distribution", "DistributionFactory", "TestStablecoin")


@pytest.fixture(scope="module")
def written_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("package") / "bundled"
    write_bundle(target, REPO)
    return target


def test_the_bundle_holds_the_artifacts_make_compiles_byte_for_byte(written_bundle: Path) -> None:
    compile_project(REPO)
    made = build_dir(REPO)
    for path in [*made.glob("*.json"), *(made / "dependencies").glob("*.json")]:
        copy = written_bundle / "contracts" / path.relative_to(made)
        assert copy.read_bytes() == path.read_bytes(), path.name
    for name in (*TEMPLATES, "EquityGovernor", *DIVIDEND_TEMPLATES):
        assert (written_bundle / "contracts" / f"{name}.json").is_file()


def test_the_bundle_holds_every_solidity_source_and_the_verification_input(
    written_bundle: Path,
) -> None:
    solidity = written_bundle / "solidity"
    standard_input = json.loads((solidity / "standard-json-input.json").read_text())
    for source in (REPO / "contracts").rglob("*.sol"):
        unit = str(source.relative_to(REPO))
        assert (solidity / unit).read_text() == source.read_text()
        assert standard_input["sources"][unit]["content"] == source.read_text()
    oz = "@openzeppelin/contracts/governance/Governor.sol"
    assert (solidity / oz).read_text() == (REPO / "node_modules" / oz).read_text()


def test_the_build_record_names_the_compiler_and_openzeppelin(written_bundle: Path) -> None:
    info = bundled_build_info(written_bundle)
    assert info is not None
    assert (info.solc, info.openzeppelin) == (SOLC_VERSION, "5.3.0")
    assert (info.evm_version, info.optimizer_runs) == (EVM_VERSION, OPTIMIZER_RUNS)
    assert info.source == "bundled" and info.fingerprint
    assert (written_bundle / "examples" / "offering.toml").is_file()


def test_an_installed_toolkit_reads_its_bundle_and_compiles_nothing(
    written_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"  # no contracts/, no node_modules: nothing to compile with
    site.mkdir()
    monkeypatch.setenv("EQUITY_HOME_PROJECT", str(site))
    monkeypatch.setattr(bundle, "BUNDLE_DIR", written_bundle)
    before = sorted((p, p.stat().st_mtime_ns) for p in written_bundle.rglob("*"))

    assert template_artifacts_dir() == written_bundle / "contracts"
    assert template_build_info().source == "bundled"
    empty = tmp_path / "company"
    empty.mkdir()
    result = compile_in_folder(empty, force=True)
    assert result.precompiled and not result.compiled
    assert "ShareClassToken" in result.contracts
    assert not (empty / "build").exists() and not (site / "build").exists()
    assert sorted((p, p.stat().st_mtime_ns) for p in written_bundle.rglob("*")) == before


def test_a_checkout_without_a_bundle_compiles_its_templates_on_demand() -> None:
    assert bundle.bundled_artifacts_dir() is None  # the package build never writes into toolkit/
    assert template_artifacts_dir() == build_dir(REPO)
    info = template_build_info()
    assert info.source == "checkout" and info.openzeppelin == "5.3.0"


@pytest.mark.slow
def test_the_bundled_sources_recompile_to_the_bundled_bytecode(
    written_bundle: Path, tmp_path: Path
) -> None:
    """What a block explorer does with the bundled standard JSON input: solc alone, with no
    node_modules and no include path, gives every template's bytecode back, byte for byte."""
    solcjs = REPO / "node_modules" / "solc" / "solc.js"
    standard_input = written_bundle / "solidity" / "standard-json-input.json"
    with standard_input.open() as stdin, (tmp_path / "output.json").open("w") as out:
        subprocess.run(
            ["node", str(solcjs), "--standard-json"],
            stdin=stdin,  # a file: solc-js cannot read a large piped stdin
            stdout=out,
            cwd=tmp_path,
            check=True,
            timeout=600,
        )
    text = (tmp_path / "output.json").read_text()
    output = json.loads(text[text.index("{") :])
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    compared = []
    for unit, contracts in output["contracts"].items():
        if not unit.startswith("contracts/"):
            continue
        for name, data in contracts.items():
            bundled = json.loads((written_bundle / "contracts" / f"{name}.json").read_text())
            assert data["evm"]["bytecode"]["object"] == bundled["bytecode"], name
            assert data["evm"]["deployedBytecode"]["object"] == bundled["deployedBytecode"], name
            compared.append(name)
    assert set(TEMPLATES) | {"EquityGovernor", *DIVIDEND_TEMPLATES} <= set(compared)
