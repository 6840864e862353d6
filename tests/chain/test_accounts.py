"""Keystores and dev accounts: encrypted at rest, passwords never on the command line,
private keys never printed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.chain.accounts import dev_account, load_keystore, resolve_signer
from toolkit.errors import KeystoreError, UsageError

EQUITY = [sys.executable, "-m", "toolkit.cli.main"]
# a throwaway key for these tests only
KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


@pytest.fixture
def keystores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "keystores"
    monkeypatch.setenv("EQUITY_KEYSTORE_DIR", str(folder))
    return folder


def equity(
    *args: str, password: str | None = "s3cret", stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("EQUITY_PASSWORD", None)
    if password is not None:
        full_env["EQUITY_PASSWORD"] = password
    return subprocess.run(
        [*EQUITY, *args], capture_output=True, text=True, input=stdin, env=full_env, timeout=60
    )


def test_new_account_is_an_owner_only_encrypted_keystore(keystores: Path) -> None:
    proc = equity("--json", "accounts", "new", "issuer")
    assert proc.returncode == 0, proc.stderr
    created = json.loads(proc.stdout)
    path = keystores / "issuer.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["crypto"]["kdf"] in ("scrypt", "pbkdf2")  # Web3 Secret Storage
    assert load_keystore("issuer", "s3cret").address == created["address"]


def test_import_list_and_show_print_addresses_but_never_the_key(keystores: Path) -> None:
    imported = equity("accounts", "import", "cfo", stdin=KEY + "\n")
    assert imported.returncode == 0, imported.stderr
    listed = equity("accounts", "list")
    shown = equity("--json", "accounts", "show", "cfo")
    address = json.loads(shown.stdout)["address"]
    assert address in imported.stdout and address in listed.stdout
    for proc in (imported, listed, shown):
        assert KEY[2:] not in proc.stdout + proc.stderr


def test_a_password_cannot_be_given_as_a_flag(keystores: Path) -> None:
    proc = equity("accounts", "new", "x", "--password", "pw")
    assert proc.returncode == 2
    assert "--password" in proc.stderr


def test_no_terminal_and_no_password_env_is_a_clear_error(keystores: Path) -> None:
    proc = equity("accounts", "new", "y", password=None)
    assert proc.returncode == 2
    assert "EQUITY_PASSWORD" in proc.stderr


def test_wrong_keystore_password_is_exit_2(keystores: Path) -> None:
    assert equity("accounts", "import", "cfo", stdin=KEY + "\n").returncode == 0
    with pytest.raises(KeystoreError) as caught:
        resolve_signer("cfo", is_local_chain=False, password="wrong")
    assert caught.value.exit_code == 2
    assert "wrong password" in caught.value.message


def test_a_bad_private_key_is_refused_without_echoing_it(keystores: Path) -> None:
    proc = equity("accounts", "import", "bad", stdin="0x1234zz\n")
    assert proc.returncode == 2
    assert "1234zz" not in proc.stderr


def test_dev_accounts_are_the_nodes_test_accounts(anvil) -> None:  # type: ignore[no-untyped-def]
    assert [dev_account(i).address for i in range(10)] == anvil.accounts


def test_dev_accounts_are_refused_on_a_non_local_chain() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_signer("dev3", is_local_chain=False, password=None)
    assert caught.value.exit_code == 2
    assert "local chains" in caught.value.message
