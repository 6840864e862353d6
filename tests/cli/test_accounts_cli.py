"""``equity accounts delete|export|password`` (issue 17.3), and a mistyped ``--account``
named before any password is asked for (issue 10.8)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from eth_account import Account

from tests.conftest import invoke_cli
from toolkit.chain.accounts import import_account

# a throwaway key for these tests only
KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
ADDRESS = Account.from_key(KEY).address


@pytest.fixture
def keystores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "keystores"
    monkeypatch.setenv("EQUITY_KEYSTORE_DIR", str(folder))
    monkeypatch.delenv("EQUITY_PASSWORD", raising=False)
    monkeypatch.delenv("EQUITY_NEW_PASSWORD", raising=False)
    monkeypatch.chdir(tmp_path)
    import_account("treasurer", KEY, "old password")
    return folder


def test_delete_asks_first_and_without_an_answer_keeps_the_keystore(keystores: Path) -> None:
    result = invoke_cli("accounts", "delete", "treasurer")
    assert result.code == 2
    assert "deleting the keystore of treasurer needs confirmation; nothing was deleted" in result.err
    assert (keystores / "treasurer.json").is_file()


def test_delete_with_yes_removes_the_keystore(keystores: Path) -> None:
    result = invoke_cli("--json", "--yes", "accounts", "delete", "treasurer")
    assert result.code == 0, result.err
    assert result.json()["address"] == ADDRESS
    assert not (keystores / "treasurer.json").exists()
    assert invoke_cli("accounts", "show", "treasurer").code == 2


def test_deleting_an_unknown_or_a_dev_account_is_refused(keystores: Path) -> None:
    unknown = invoke_cli("--yes", "accounts", "delete", "tresurer")
    assert unknown.code == 2 and "no account named 'tresurer'" in unknown.err
    dev = invoke_cli("--yes", "accounts", "delete", "dev0")
    assert dev.code == 2 and "dev account, not a keystore" in dev.err


def test_export_prints_the_encrypted_keystore_which_opens_with_its_password(
    keystores: Path,
) -> None:
    result = invoke_cli("accounts", "export", "treasurer")
    assert result.code == 0, result.err
    assert KEY.removeprefix("0x") not in result.out  # the key is never printed in the clear
    keystore = json.loads(result.out)
    assert Account.from_key(Account.decrypt(keystore, "old password")).address == ADDRESS


def test_export_to_a_file_is_owner_only_and_never_overwrites(keystores: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup.json"
    result = invoke_cli("--json", "accounts", "export", "treasurer", "--out", out)
    assert result.code == 0, result.err
    assert result.json() == {"alias": "treasurer", "address": ADDRESS, "out": str(out)}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text()) == json.loads((keystores / "treasurer.json").read_text())
    again = invoke_cli("accounts", "export", "treasurer", "--out", out)
    assert again.code == 2 and "exists already" in again.err


def test_password_changes_it_and_the_old_one_no_longer_opens_the_key(
    keystores: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EQUITY_PASSWORD", "old password")
    monkeypatch.setenv("EQUITY_NEW_PASSWORD", "new password")
    result = invoke_cli("accounts", "password", "treasurer")
    assert result.code == 0, result.err
    assert f"changed the password of treasurer ({ADDRESS})" in result.out
    keystore = json.loads((keystores / "treasurer.json").read_text())
    assert Account.from_key(Account.decrypt(keystore, "new password")).address == ADDRESS
    with pytest.raises(ValueError):
        Account.decrypt(keystore, "old password")
    assert stat.S_IMODE((keystores / "treasurer.json").stat().st_mode) == 0o600
    assert [p.name for p in keystores.iterdir()] == ["treasurer.json"]  # no temporary left


def test_a_wrong_current_password_changes_nothing(
    keystores: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (keystores / "treasurer.json").read_text()
    monkeypatch.setenv("EQUITY_PASSWORD", "guess")
    monkeypatch.setenv("EQUITY_NEW_PASSWORD", "new password")
    result = invoke_cli("accounts", "password", "treasurer")
    assert result.code == 2 and "wrong password for account 'treasurer'" in result.err
    assert (keystores / "treasurer.json").read_text() == before


def test_password_asks_on_a_terminal_current_then_new_twice(
    keystores: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("toolkit.cli.context.AppContext.interactive", lambda self: True)
    typed = "old password\nnew password\nnew password\n"
    result = invoke_cli("accounts", "password", "treasurer", input=typed)
    assert result.code == 0, result.err
    keystore = json.loads((keystores / "treasurer.json").read_text())
    assert Account.from_key(Account.decrypt(keystore, "new password")).address == ADDRESS


def test_a_mistyped_account_is_named_before_any_password_is_asked(
    keystores: Path, monkeypatch: pytest.MonkeyPatch, anvil: object
) -> None:
    monkeypatch.setattr("toolkit.cli.context.AppContext.interactive", lambda self: True)
    result = invoke_cli(
        "--rpc-url", anvil.rpc_url, "--account", "tresurer",  # type: ignore[attr-defined]
        "holders", "add", ADDRESS, "--investor-id", "X", "--jurisdiction", "DE", "--expires", "2099-01-01",
        input="a password typed for nothing\n",
    )  # fmt: skip
    assert result.code == 2
    assert "no account named 'tresurer'" in result.err
    assert "the accounts are: treasurer" in result.err
    assert "Password" not in result.err + result.out
