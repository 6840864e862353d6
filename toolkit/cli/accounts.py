"""``equity accounts new|import|list|show``: encrypted keystores. Addresses only, never keys."""

from __future__ import annotations

import sys

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.options import global_options


@click.group()
def accounts() -> None:
    """Manage encrypted keystore accounts (Web3 Secret Storage)."""


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
        app.say("dev0..dev9: the local node's test accounts (local chains only)")

    app.result(data, render)


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
