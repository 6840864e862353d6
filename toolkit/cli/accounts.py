"""``equity accounts new|import|list|show|delete|export|password``: encrypted keystores.
Addresses only, never a key in the clear (an export is the encrypted keystore)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options


@examples(
    "equity accounts new issuer",
    "equity accounts list",
)
@click.group()
def accounts() -> None:
    """Manage encrypted keystore accounts (Web3 Secret Storage)."""


@examples(
    ("a new key, encrypted with a password you are asked for", "equity accounts new issuer"),
    (
        "without a prompt (the password from the environment)",
        "EQUITY_PASSWORD=... equity accounts new issuer",
    ),
)
@accounts.command()
@click.argument("alias")
@global_options
@pass_app
def new(app: AppContext, alias: str) -> None:
    """Create a new random key stored encrypted under ALIAS."""
    from toolkit.chain.accounts import create_account

    password = app.password(f"Password for {alias}", confirm=True)
    entry = create_account(alias, password)
    app.result(
        {"alias": entry.alias, "address": entry.address, "keystore": str(entry.path)},
        lambda: app.say(f"created {entry.alias}: {entry.address}\nkeystore: {entry.path}"),
    )


@examples(
    ("the key is asked for, hidden", "equity accounts import treasury"),
    (
        "or read from a file on stdin",
        "EQUITY_PASSWORD=... equity accounts import treasury < key.txt",
    ),
)
@accounts.command("import")
@click.argument("alias")
@global_options
@pass_app
def import_(app: AppContext, alias: str) -> None:
    """Import an existing private key (asked for, hidden; or read from stdin) under ALIAS."""
    from toolkit.chain.accounts import import_account

    if sys.stdin.isatty():
        key = str(click.prompt("Private key (hex)", hide_input=True, err=True))
    else:
        key = sys.stdin.readline()
    password = app.password(f"Password for {alias}", confirm=True)
    entry = import_account(alias, key, password)
    app.result(
        {"alias": entry.alias, "address": entry.address, "keystore": str(entry.path)},
        lambda: app.say(f"imported {entry.alias}: {entry.address}\nkeystore: {entry.path}"),
    )


@examples(
    "equity accounts list",
)
@accounts.command("list")
@global_options
@pass_app
def list_(app: AppContext) -> None:
    """List keystore accounts (and note the local dev accounts)."""
    from toolkit.chain.accounts import keystore_dir, list_accounts

    entries = list_accounts()
    data = {
        "keystore_dir": str(keystore_dir()),
        "accounts": [{"alias": e.alias, "address": e.address} for e in entries],
    }

    def render() -> None:
        if entries:
            app.table(
                f"accounts in {keystore_dir()}",
                ["alias", "address"],
                [[e.alias, e.address] for e in entries],
            )
        else:
            app.say(
                f"no keystore accounts in {keystore_dir()} (create one: `equity accounts new ALIAS`)"
            )
        app.note("dev0..dev9: the local node's test accounts (local chains only)")

    app.result(data, render)


@examples(
    "equity accounts show issuer",
)
@accounts.command()
@click.argument("alias")
@global_options
@pass_app
def show(app: AppContext, alias: str) -> None:
    """Show the address of ALIAS (never its key)."""
    from toolkit.chain.accounts import show_account

    entry = show_account(alias)
    app.result(
        {"alias": entry.alias, "address": entry.address, "keystore": str(entry.path)},
        lambda: app.say(f"{entry.alias}: {entry.address}\nkeystore: {entry.path}"),
    )


@examples(
    ("asks first; export it before if you may need the key", "equity accounts delete old-issuer"),
    ("without the question", "equity accounts delete old-issuer --yes"),
)
@accounts.command()
@click.argument("alias")
@global_options
@pass_app
def delete(app: AppContext, alias: str) -> None:
    """Delete the keystore of ALIAS (asks first; export it before if you may need the key)."""
    from toolkit.chain.accounts import delete_account, show_account

    entry = show_account(alias)
    app.confirm(
        f"delete the keystore of {entry.alias} ({entry.address})? Without a copy "
        "(`equity accounts export`), its key is lost",
        refused=f"deleting the keystore of {entry.alias} needs confirmation; nothing was deleted",
    )
    deleted = delete_account(alias)
    app.result(
        {"alias": deleted.alias, "address": deleted.address, "deleted": str(deleted.path)},
        lambda: app.say(f"deleted {deleted.alias} ({deleted.address}): {deleted.path}"),
    )


@examples(
    ("a backup, readable by you only", "equity accounts export issuer --out issuer-keystore.json"),
    ("or on stdout", "equity accounts export issuer > issuer-keystore.json"),
)
@accounts.command()
@click.argument("alias")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the keystore JSON to this new file (readable by you only); default: stdout.",
)
@global_options
@pass_app
def export(app: AppContext, alias: str, out: Path | None) -> None:
    """Print (or write to --out) the keystore JSON of ALIAS: the key stays encrypted under
    its password; import it elsewhere with any Web3 Secret Storage tool."""
    import json
    import os

    from toolkit.chain.accounts import export_keystore, show_account
    from toolkit.errors import UsageError

    entry = show_account(alias)
    text = export_keystore(alias)
    if out is not None:
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise UsageError(f"{out} exists already", hint="choose a new file for --out") from None
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        app.result(
            {"alias": entry.alias, "address": entry.address, "out": str(out)},
            lambda: app.say(f"wrote the keystore of {entry.alias} ({entry.address}) to {out}"),
        )
        return
    app.result(
        {"alias": entry.alias, "address": entry.address, "keystore": json.loads(text)},
        lambda: click.echo(text),
    )


@examples(
    ("both passwords are asked for, hidden", "equity accounts password issuer"),
    (
        "without a terminal",
        "EQUITY_PASSWORD=old EQUITY_NEW_PASSWORD=new equity accounts password issuer",
    ),
)
@accounts.command()
@click.argument("alias")
@global_options
@pass_app
def password(app: AppContext, alias: str) -> None:
    """Change the password of ALIAS's keystore (the current one is asked first; without a
    terminal: EQUITY_PASSWORD, then EQUITY_NEW_PASSWORD)."""
    from toolkit.chain.accounts import NEW_PASSWORD_ENV, change_password, require_keystore

    require_keystore(alias)
    current = app.password(f"Current password for {alias}")
    new_password = app.password(f"New password for {alias}", confirm=True, env=NEW_PASSWORD_ENV)
    entry = change_password(alias, current, new_password)
    app.result(
        {"alias": entry.alias, "address": entry.address, "keystore": str(entry.path)},
        lambda: app.say(f"changed the password of {entry.alias} ({entry.address})"),
    )
