"""The object every command receives: global options, a lazy chain connection, the signer
and the output channel (human text, or one JSON document on stdout with ``--json``).

Shared options follow ApeWorX ape's pattern: ``@global_options`` adds ``--network``,
``--rpc-url``, ``--account``, ``--deployment``, ``--json`` and ``--yes`` to a command, so they
work before the command name (``equity --json check ...``) and after it alike.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from toolkit.chain.connection import Chain
    from toolkit.chain.tx import Transactor
    from toolkit.offering.deployments import Deployment

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Options:
    network: str | None = None
    rpc_url: str | None = None
    account: str | None = None
    deployment: str | None = None
    json: bool = False
    yes: bool = False


@dataclass
class AppContext:
    options: Options = field(default_factory=Options)
    cwd: Path = field(default_factory=Path.cwd)
    _chain: Chain | None = None
    _signer: LocalAccount | None = None
    _transactor: Transactor | None = None
    flags_given: set[str] = field(default_factory=set)  # options given as flags, not env

    # --- chain and signer ----------------------------------------------------------------

    def chain(self) -> Chain:
        """Connect on first use (starting a temporary anvil when nothing else is given)."""
        if self._chain is None:
            from toolkit.chain.connection import connect, resolve_target

            target = resolve_target(self.options.network, self.options.rpc_url, self.cwd)
            self._chain = connect(target, cwd=self.cwd)
        return self._chain

    def close(self) -> None:
        if self._chain is not None:
            self._chain.close()
            self._chain = None

    def signer(self, *, offline: bool = False) -> LocalAccount:
        """The ``--account`` signer; dev0 by default on a local chain."""
        if self._signer is None:
            from toolkit.chain.accounts import is_dev_alias, resolve_signer
            from toolkit.errors import UsageError

            is_local = None if offline else self.chain().is_local
            alias = self.options.account
            if alias is None:
                if is_local is False:
                    raise UsageError(
                        "no --account given for a non-local chain",
                        hint="pass --account ALIAS (see `equity accounts list`) or set EQUITY_ACCOUNT",
                    )
                alias = "dev0"
            password = None if is_dev_alias(alias) else self.password(f"Password for {alias}")
            self._signer = resolve_signer(alias, is_local_chain=is_local, password=password)
        return self._signer

    def deployment(self) -> Deployment:
        """The offering to act on: ``--deployment NAME`` or the only one on this chain."""
        from toolkit.errors import WrongChainError
        from toolkit.offering.deployments import find_deployment, is_on_chain

        chain = self.chain()
        found = find_deployment(chain.chain_id, self.options.deployment, self.cwd)
        if not is_on_chain(chain.w3, found):
            started_here = chain.node is not None
            raise WrongChainError(
                f"offering {found.name!r} is recorded for chain {chain.chain_id}, but its "
                f"contracts are not on {'the anvil started for this command' if started_here else chain.rpc_url}",
                hint="start the node it was deployed on (`equity node start --state FILE`), "
                "or deploy it again",
            )
        return found

    def transactor(self, confirmations: int = 0) -> Transactor:
        if self._transactor is None:
            from toolkit.chain.tx import Transactor

            signer = self.signer()
            self._transactor = Transactor(self.chain(), signer, confirmations=confirmations)
        return self._transactor

    def password(self, prompt: str, *, confirm: bool = False) -> str:
        """``EQUITY_PASSWORD``, else a hidden prompt on a terminal, else an error."""
        from toolkit.chain.accounts import PASSWORD_ENV
        from toolkit.errors import KeystoreError

        value = os.environ.get(PASSWORD_ENV)
        if value is not None:
            return value
        if not sys.stdin.isatty():
            raise KeystoreError(
                "a keystore password is needed and there is no terminal to ask on",
                hint=f"set {PASSWORD_ENV}",
            )
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))

    # --- output --------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        """Human text: stdout normally, stderr with --json (stdout is the JSON document)."""
        click.echo(text, err=self.options.json)

    def result(self, data: Any, render: Callable[[], None] | None = None) -> None:
        """The command's result: JSON on stdout with --json, else the human rendering."""
        if self.options.json:
            click.echo(json.dumps(data, indent=2, default=str))
        elif render is not None:
            render()
        else:
            click.echo(json.dumps(data, indent=2, default=str))

    def table(self, title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for column in columns:
            justify: Any = "right" if column.lower() in NUMERIC_COLUMNS else "left"
            table.add_column(column, justify=justify)
        for row in rows:
            table.add_row(*[str(cell) for cell in row])
        Console(stderr=self.options.json, soft_wrap=True).print(table)

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[Callable[[int], None]]:
        """A progress bar on a terminal (stderr); silent otherwise. Yields ``advance(n)``."""
        if not sys.stderr.isatty():
            yield lambda n: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=False,
        ) as bar:
            task = bar.add_task(label, total=total)
            yield lambda n: bar.advance(task, n)

    def confirm(self, question: str) -> None:
        from toolkit.errors import UsageError

        if self.options.yes:
            return
        if not sys.stdin.isatty():
            raise UsageError(f"{question} needs confirmation", hint="pass --yes to confirm")
        if not click.confirm(question, err=True):
            raise UsageError("cancelled; nothing was sent", hint="pass --yes to skip the question")


NUMERIC_COLUMNS = {
    "shares",
    "locked",
    "votes",
    "%",
    "gas",
    "block",
    "balance",
    "authorized",
    "supply",
    "holders",
    "percent",
    "% class",
    "% outstanding",
    "% diluted",
}


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Record an option on the shared context; a value given later (after the command
    name) overrides one given earlier, and an absent flag never unsets a given one. A value
    from the environment never overrides a flag given on the command line (the subcommand
    reads the environment again after the group saw the flag)."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        app = ctx.ensure_object(AppContext)
        if value is None or value is False:
            return value
        from_env = (
            ctx.get_parameter_source(param.name or "") == click.core.ParameterSource.ENVIRONMENT
        )
        if from_env and name in app.flags_given:
            return value
        if not from_env:
            app.flags_given.add(name)
        setattr(app.options, name, value)
        return value

    return callback


def global_options(func: F) -> F:
    """Add the global options of SPEC §4 to a command (or group)."""
    options = [
        click.option(
            "--network",
            envvar="EQUITY_NETWORK",
            expose_value=False,
            callback=_store("network"),
            help="anvil (default), ganache, or a network from equity.toml.",
        ),
        click.option(
            "--rpc-url",
            envvar="EQUITY_RPC_URL",
            expose_value=False,
            callback=_store("rpc_url"),
            help="Any Ethereum JSON-RPC endpoint (overrides --network).",
        ),
        click.option(
            "--account",
            envvar="EQUITY_ACCOUNT",
            expose_value=False,
            callback=_store("account"),
            help="Signer: a keystore alias, or dev0..dev9 on local chains.",
        ),
        click.option(
            "--deployment",
            envvar="EQUITY_DEPLOYMENT",
            expose_value=False,
            callback=_store("deployment"),
            help="Which recorded offering to act on.",
        ),
        click.option(
            "--json",
            "json_",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_store("json"),
            help="Machine output on stdout (one JSON document).",
        ),
        click.option(
            "--yes",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_store("yes"),
            help="No confirmation prompts.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


pass_app = click.make_pass_decorator(AppContext, ensure=True)
