"""Signers: encrypted keystores (Web3 Secret Storage) and the local chains' dev accounts.

Keystores live in ``$EQUITY_KEYSTORE_DIR`` (default ``~/.equity/keystores``), one
``<alias>.json`` each, readable by the owner only. Passwords come from a prompt or
``EQUITY_PASSWORD`` (a new one for ``accounts password``: ``EQUITY_NEW_PASSWORD``), never
from a command-line flag. No private key is ever printed or
logged: the objects here show addresses only.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.chain.node import DEV_MNEMONIC
from toolkit.errors import KeystoreError, UsageError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

DEV_ALIAS = re.compile(r"^dev([0-9])$")
ALIAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
PASSWORD_ENV = "EQUITY_PASSWORD"
NEW_PASSWORD_ENV = "EQUITY_NEW_PASSWORD"  # `accounts password` without a terminal


def keystore_dir() -> Path:
    return Path(os.environ.get("EQUITY_KEYSTORE_DIR", Path.home() / ".equity" / "keystores"))


def is_dev_alias(alias: str) -> bool:
    return DEV_ALIAS.match(alias) is not None


@dataclass(frozen=True)
class KeystoreEntry:
    alias: str
    address: str
    path: Path


def _validate_alias(alias: str) -> None:
    if is_dev_alias(alias):
        raise UsageError(
            f"{alias!r} is reserved for the local chains' dev accounts", hint="choose another alias"
        )
    if not ALIAS.match(alias):
        raise UsageError(
            f"invalid alias {alias!r}", hint="use letters, digits, '.', '_' or '-' (at most 64)"
        )


def _path(alias: str) -> Path:
    return keystore_dir() / f"{alias}.json"


def _write_keystore(alias: str, private_key: bytes, password: str) -> KeystoreEntry:
    from eth_account import Account

    _validate_alias(alias)
    path = _path(alias)
    if path.exists():
        raise UsageError(
            f"an account named {alias!r} exists already ({path})", hint="pick another alias"
        )
    if not password:
        raise UsageError("an empty password is not accepted", hint="choose a password")
    encrypted = Account.encrypt(private_key, password)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(encrypted, handle)
    return KeystoreEntry(alias, Account.from_key(private_key).address, path)


def create_account(alias: str, password: str) -> KeystoreEntry:
    """A new random key, stored encrypted under ``alias``."""
    from eth_account import Account

    _validate_alias(alias)
    account = Account.create()
    return _write_keystore(alias, bytes(account.key), password)


def import_account(alias: str, private_key_hex: str, password: str) -> KeystoreEntry:
    """An existing key (hex, with or without 0x), stored encrypted under ``alias``."""
    text = private_key_hex.strip().removeprefix("0x").removeprefix("0X")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        # never echo what was typed: it may be most of a key
        raise UsageError("that is not a private key (64 hex digits)", hint="paste the key again")
    return _write_keystore(alias, bytes.fromhex(text), password)


def list_accounts() -> list[KeystoreEntry]:
    entries = []
    folder = keystore_dir()
    if not folder.is_dir():
        return []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text())
            address = "0x" + str(data["address"]).removeprefix("0x")
        except (OSError, ValueError, KeyError):
            continue
        from eth_utils import to_checksum_address

        entries.append(KeystoreEntry(path.stem, to_checksum_address(address), path))
    return entries


def show_account(alias: str) -> KeystoreEntry:
    if is_dev_alias(alias):
        index = int(alias[3:])
        return KeystoreEntry(alias, dev_account(index).address, Path("(node dev account)"))
    for entry in list_accounts():
        if entry.alias == alias:
            return entry
    raise UsageError(f"no account named {alias!r}", hint="see `equity accounts list`")


def require_keystore(alias: str) -> Path:
    """The keystore file of ``alias``, or a UsageError naming the aliases there are."""
    path = _path(alias)
    if path.is_file():
        return path
    known = [entry.alias for entry in list_accounts()]
    listed = (
        f"the accounts are: {', '.join(known)}" if known else "there is no keystore account yet"
    )
    raise UsageError(
        f"no account named {alias!r} in {keystore_dir()}; nothing was sent",
        hint=f"{listed} (and dev0..dev9 on local chains); see `equity accounts list`",
    )


def delete_account(alias: str) -> KeystoreEntry:
    """Remove the keystore of ``alias`` (its key is gone unless exported or backed up)."""
    if is_dev_alias(alias):
        raise UsageError(
            f"{alias} is a local node's dev account, not a keystore", hint="nothing to delete"
        )
    entry = show_account(alias)
    entry.path.unlink()
    return entry


def export_keystore(alias: str) -> str:
    """The keystore JSON of ``alias`` as stored: the key stays encrypted under its password."""
    if is_dev_alias(alias):
        raise UsageError(
            f"{alias} is a local node's dev account, not a keystore",
            hint="its key is the public development mnemonic's",
        )
    path = require_keystore(alias)
    text = path.read_text()
    try:
        json.loads(text)
    except ValueError as exc:
        raise KeystoreError(f"keystore {path} is unreadable: {exc}") from exc
    return text


def change_password(alias: str, old_password: str, new_password: str) -> KeystoreEntry:
    """Encrypt ``alias``'s key under ``new_password`` (the old one must open it), replacing
    the keystore file atomically: a crash leaves the old file or the new, never neither."""
    from eth_account import Account

    if is_dev_alias(alias):
        raise UsageError(
            f"{alias} is a local node's dev account, not a keystore", hint="nothing to change"
        )
    if not new_password:
        raise UsageError("an empty password is not accepted", hint="choose a password")
    account = load_keystore(alias, old_password)
    path = _path(alias)
    encrypted = Account.encrypt(account.key, new_password)
    fresh = path.with_name(f".{path.name}.new")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(encrypted, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(fresh, path)
    return KeystoreEntry(alias, account.address, path)


def load_keystore(alias: str, password: str) -> LocalAccount:
    """Decrypt a keystore; a wrong password is a KeystoreError (exit 2), nothing sent."""
    from eth_account import Account

    path = require_keystore(alias)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise KeystoreError(f"keystore {path} is unreadable: {exc}") from exc
    try:
        key = Account.decrypt(data, password)
    except ValueError as exc:
        raise KeystoreError(
            f"wrong password for account {alias!r}; nothing was sent",
            hint=f"try again (or check {PASSWORD_ENV})",
        ) from exc
    account: LocalAccount = Account.from_key(key)
    return account


_DEV_CACHE: dict[int, Any] = {}


def dev_account(index: int) -> LocalAccount:
    """The node's dev account ``index`` (0-9), derived from the development mnemonic."""
    if index not in _DEV_CACHE:
        from eth_account import Account

        Account.enable_unaudited_hdwallet_features()
        _DEV_CACHE[index] = Account.from_mnemonic(
            DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}"
        )
    account: LocalAccount = _DEV_CACHE[index]
    return account


def resolve_signer(
    alias: str, *, is_local_chain: bool | None, password: str | None
) -> LocalAccount:
    """The signer for ``--account``: a dev account (local chains only) or a keystore.

    ``is_local_chain`` None means no chain is known (offline signing): dev accounts allowed.
    """
    match = DEV_ALIAS.match(alias)
    if match:
        if is_local_chain is False:
            raise UsageError(
                f"{alias} exists only on local chains (chain id 31337 or 1337)",
                hint="use a keystore account: `equity accounts new ALIAS` or `accounts import`",
            )
        return dev_account(int(match.group(1)))
    if password is None:
        raise KeystoreError(
            f"account {alias!r} needs its password", hint=f"set {PASSWORD_ENV} or answer the prompt"
        )
    return load_keystore(alias, password)
