"""`equity init [DIR]`: a new company's folder whose files parse, work together on a local chain
as its README says, and that is never written over."""

from __future__ import annotations

import json
import re
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.packaging.first_hour import readme_steps, walk_first_hour
from toolkit.captable.api import read_register
from toolkit.chain.connection import resolve_target
from toolkit.company_folder import FILES, template_text
from toolkit.holders.holders_csv import validate_holders
from toolkit.offering.offering_file import (
    CLASS_KEYS,
    COMPANY_KEYS,
    GOVERNANCE_KEYS,
    load_offering,
)


@pytest.fixture
def company(tmp_path: Path) -> Path:
    proc = run_cli("init", "acme", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "acme"


def test_init_writes_every_starter_file_into_a_new_folder(company: Path) -> None:
    assert sorted(p.name for p in company.iterdir()) == sorted(FILES)
    for name, template in FILES.items():
        assert (company / name).read_text() == template_text(template)


def test_init_without_dir_writes_into_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")  # other files may be there already
    proc = run_cli("--json", "init", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"folder": str(tmp_path), "files": list(FILES)}
    assert (tmp_path / ".gitignore").is_file() and (tmp_path / "notes.txt").read_text() == "mine"


def test_init_refuses_to_overwrite_and_then_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "register.csv").write_text("the register counsel keeps\n")
    proc = run_cli("init", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == (
        f"error: {tmp_path} already has register.csv; nothing was written"
    )
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "register.csv").read_text() == "the register counsel keeps\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["register.csv"]


def test_init_a_second_time_is_refused(company: Path) -> None:
    proc = run_cli("--json", "init", str(company), cwd=company.parent)
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["kind"] == "usage"


def test_init_into_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "acme").write_text("a file")
    proc = run_cli("init", "acme", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {tmp_path / 'acme'} is a file, not a folder")
    assert (tmp_path / "acme").read_text() == "a file"


def test_the_offering_template_parses_and_explains_every_key(company: Path) -> None:
    offering = load_offering(company / "offering.toml")
    assert offering.company and offering.voting_classes
    text = (company / "offering.toml").read_text()
    for key in (*COMPANY_KEYS, *CLASS_KEYS, *GOVERNANCE_KEYS):
        explained = re.search(rf"^\s*#?\s*{key}\s*=[^#\n]*#\s*\S", text, re.MULTILINE)
        assert explained, f"offering.toml does not show and explain the key {key!r}"


def test_the_sample_holders_and_register_are_valid(company: Path) -> None:
    holders = validate_holders(company / "holders.csv", now=int(time.time()))
    register = read_register(company / "register.csv")
    offering = load_offering(company / "offering.toml")
    assert holders.rows == 4
    assert {row.class_id for row in register.rows} <= {c.id for c in offering.classes}


def test_the_equity_toml_network_entry_resolves_once_uncommented(company: Path) -> None:
    settings = company / "equity.toml"
    assert tomllib.loads(settings.read_text()) == {}  # nothing configured until you fill it in
    lines = settings.read_text().splitlines()
    uncommented = [re.sub(r"^# (\[networks|rpc_url|chain_id)", r"\1", line) for line in lines]
    settings.write_text("\n".join(uncommented) + "\n")
    target = resolve_target("sepolia", None, company)
    assert target.rpc_url and target.rpc_url.startswith("https://")
    assert target.expected_chain_id == 11155111


def test_the_gitignore_keeps_local_state_and_keystores_out_of_git(company: Path) -> None:
    subprocess.run(["git", "init", "-q", str(company)], check=True)

    def ignored(path: str) -> bool:
        check = subprocess.run(["git", "check-ignore", "-q", path], cwd=company)
        return check.returncode == 0

    for path in (".equity/journals/31337/x.jsonl", "keystores/issuer.json", "a.keystore.json"):
        assert ignored(path), path
    for path in ("deployments/31337.json", "offering.toml", "register.csv", "equity.toml"):
        assert not ignored(path), path


def test_the_readme_names_the_sample_files_and_the_first_hour_commands(company: Path) -> None:
    readme = (company / "README.md").read_text()
    for name in FILES.keys() - {"README.md"}:
        assert f"`{name}`" in readme
    commands = [" ".join(step.args) for step in readme_steps(readme)]
    for command in (
        "deploy offering.toml",
        "holders import holders.csv",
        "issue --csv issuances.csv",
        "captable reconcile register.csv",
    ):
        assert command in commands


def test_the_first_hour_of_the_readme_runs_as_written_on_a_local_anvil(company: Path) -> None:
    done = walk_first_hour(company, lambda args: run_cli(*args, cwd=company))
    reconciles = [proc for step, proc in done if step.args[:2] == ("captable", "reconcile")]
    assert reconciles[0].stdout.startswith("clean: register.csv agrees with chain 31337")
    assert "balance_mismatch" in reconciles[-1].stdout  # after the README's own transfer
