"""Install it like a tool: `python -m build` gives a wheel and an sdist that carry the compiled
templates; installed into a fresh venv outside the repository, `equity` works from an empty
folder with no checkout and no solc: node install, init, deploy, holders import, issue,
reconcile, the governance demo, and compiling a folder's own contracts.

Slow (a package build, a venv, a pip install and an npm install: two to four minutes, most of it
pip resolving the dependencies).
The installed commands run with a PATH of the venv and Node.js only, HOME in a temporary
folder, and no EQUITY_* variables from the test's own environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.packaging.first_hour import walk_first_hour
from toolkit.compile import OZ_VERSION, SOLC_VERSION, build_dir, compile_project

pytestmark = pytest.mark.slow

BUNDLE = "toolkit/bundled"
PROBE = REPO / "tests" / "fixtures" / "probe"


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path

    def wheel_files(self) -> dict[str, bytes]:
        with zipfile.ZipFile(self.wheel) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    def sdist_files(self) -> dict[str, bytes]:
        with tarfile.open(self.sdist) as archive:
            prefix = f"{self.sdist.name.removesuffix('.tar.gz')}/"
            return {
                member.name.removeprefix(prefix): archive.extractfile(member).read()  # type: ignore[union-attr]
                for member in archive.getmembers()
                if member.isfile()
            }


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = out.glob("equity-*.whl")
    (sdist,) = out.glob("equity-*.tar.gz")
    return Dist(wheel, sdist)


@dataclass
class Installed:
    """`equity` installed from the wheel into a venv of its own, run as a user runs it."""

    venv: Path
    home: Path
    bin: Path

    @property
    def package(self) -> Path:
        (toolkit,) = self.venv.glob("lib/python*/site-packages/toolkit")
        return toolkit

    def env(self) -> dict[str, str]:
        kept = {k: v for k, v in os.environ.items() if not k.startswith(("EQUITY_", "PYTHON"))}
        kept.pop("VIRTUAL_ENV", None)
        return {**kept, "HOME": str(self.home), "PATH": f"{self.venv / 'bin'}:{self.bin}"}

    def equity(
        self, *args: str, cwd: Path, home: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = self.env() if home is None else {**self.env(), "HOME": str(home)}
        return subprocess.run(
            [str(self.venv / "bin" / "equity"), *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**env, "COLUMNS": "160"},
            timeout=600,
        )

    def package_state(self) -> dict[str, tuple[int, int]]:
        """Every file of the installed package (bytecode caches aside), with size and mtime."""
        return {
            str(p.relative_to(self.package)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in self.package.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }


@pytest.fixture(scope="module")
def installed(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    proc = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(dist.wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    bin_dir = root / "bin"  # Node.js and npm, and nothing else: no anvil on this PATH
    bin_dir.mkdir()
    for tool in ("node", "npm", "sh"):
        found = shutil.which(tool)
        assert found is not None, f"{tool} is needed"
        (bin_dir / tool).symlink_to(found)
    home = root / "home"
    home.mkdir()
    return Installed(venv, home, bin_dir)


@pytest.fixture(scope="module")
def node_tools(installed: Installed) -> dict[str, Any]:
    """`equity node install --kind anvil`, once: the anvil every later test finds."""
    folder = installed.home / "somewhere"
    folder.mkdir(exist_ok=True)
    proc = installed.equity("--json", "node", "install", "--kind", "anvil", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


@pytest.fixture
def empty_folder(installed: Installed, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "company"
    folder.mkdir()
    assert not str(folder).startswith(str(REPO))
    before = installed.package_state()
    yield folder
    assert installed.package_state() == before, "the installed toolkit wrote into its package"


# --- the artifacts ---------------------------------------------------------------------------


def test_the_wheel_and_the_sdist_carry_every_template_compiled_as_make_compiles_it(
    dist: Dist,
) -> None:
    compile_project(REPO)  # what `make` (and every test) compiles
    made = build_dir(REPO)
    artifacts = [*made.glob("*.json"), *(made / "dependencies").glob("*.json")]
    assert len(artifacts) > 20
    for files in (dist.wheel_files(), dist.sdist_files()):
        for artifact in artifacts:
            name = f"{BUNDLE}/contracts/{artifact.relative_to(made)}"
            assert files[name] == artifact.read_bytes(), name
        for source in (REPO / "contracts").rglob("*.sol"):
            name = f"{BUNDLE}/solidity/{source.relative_to(REPO)}"
            assert files[name] == source.read_bytes(), name
        info = json.loads(files[f"{BUNDLE}/build-info.json"])
        assert (info["solc"], info["openzeppelin"]) == (SOLC_VERSION, OZ_VERSION)
        assert f"{BUNDLE}/examples/offering.toml" in files
        assert "toolkit/company_folder/templates/offering.toml" in files


# --- the installed tool ----------------------------------------------------------------------


def test_installed_equity_names_the_compiler_and_openzeppelin_of_its_templates(
    installed: Installed, empty_folder: Path
) -> None:
    proc = installed.equity("--version", cwd=empty_folder)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:2] == [
        "equity 0.1.0",
        f"templates: solc {SOLC_VERSION}, OpenZeppelin Contracts {OZ_VERSION} "
        "(EVM shanghai, optimizer 200 runs)",
    ]
    assert "bundled in the package" in proc.stdout


def test_installed_equity_without_a_node_says_how_to_get_one(
    installed: Installed, empty_folder: Path, tmp_path: Path
) -> None:
    fresh_home = tmp_path / "fresh-home"  # no tool folder yet
    fresh_home.mkdir()
    proc = installed.equity("node", "start", cwd=empty_folder, home=fresh_home)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: no anvil found: not on PATH, nor in {empty_folder / 'node_modules'}, "
        "~/.equity/tools/node_modules",
        "hint: run `equity node install` (it needs npm), or put Foundry's anvil on your PATH",
    ]


def test_node_install_puts_the_pinned_anvil_in_the_tool_folder(
    installed: Installed, node_tools: dict[str, Any]
) -> None:
    tools = installed.home / ".equity" / "tools"
    assert node_tools["folder"] == str(tools)
    anvil = node_tools["installed"]["anvil"]
    assert (anvil["package"], anvil["version"]) == ("@foundry-rs/anvil", "1.7.1")
    assert anvil["command"][0].startswith(str(tools / "node_modules"))
    lock = json.loads((tools / "package.json").read_text())
    assert lock["dependencies"] == {"@foundry-rs/anvil": "1.7.1"}


def test_a_folder_from_equity_init_deploys_imports_issues_and_reconciles(
    installed: Installed, node_tools: dict[str, Any], empty_folder: Path
) -> None:
    init = installed.equity("init", "acme", cwd=empty_folder)
    assert init.returncode == 0, init.stderr
    company = empty_folder / "acme"
    done = walk_first_hour(company, lambda args: installed.equity(*args, cwd=company))
    ran = [step.args[:2] for step, _ in done]
    for command in (("deploy", "offering.toml"), ("holders", "import"), ("issue", "--csv")):
        assert command in ran
    reconcile = next(p for s, p in done if s.args[:2] == ("captable", "reconcile"))
    assert reconcile.stdout.startswith("clean: register.csv agrees with chain 31337")

    compiled = installed.equity("--json", "compile", "--force", cwd=company)
    assert compiled.returncode == 0, compiled.stderr
    assert json.loads(compiled.stdout)["precompiled"] is True
    assert not (company / "build").exists()


def test_the_installed_demo_governs_and_reconciles_without_a_checkout(
    installed: Installed, node_tools: dict[str, Any], empty_folder: Path
) -> None:
    proc = installed.equity("--json", "demo", cwd=empty_folder)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout)["steps"] >= 15
    for proof in ("voted for", "Executed", "clean:", "balance_mismatch"):
        assert proof in proc.stderr, proof


def test_compile_in_a_folder_with_its_own_contracts_writes_there_not_into_the_package(
    installed: Installed, empty_folder: Path
) -> None:
    project = empty_folder / "own-templates"
    shutil.copytree(PROBE, project)
    (project / "node_modules").symlink_to(REPO / "node_modules")  # its own solc and OZ
    proc = installed.equity("--json", "compile", cwd=project)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["compiled"] is True and result["contracts"] == ["Probe"]
    assert (project / "build" / "contracts" / "Probe.json").is_file()
