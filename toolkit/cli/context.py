"""The object every command receives (click's "complex applications" pattern): the global
options, a lazy chain connection, the signer, the offering's contracts, and the output
channel (human text, or one JSON document on stdout with ``--json``). The options that fill
it are ``options.global_options``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from toolkit.chain.connection import Chain
    from toolkit.chain.tx import Transactor, TxResult
    from toolkit.governance.governor import Governance
    from toolkit.offering.contracts import OfferingContracts
    from toolkit.offering.deployments import Deployment


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
    _deployment: Deployment | None = None
    _contracts: OfferingContracts | None = None
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
        if self._deployment is None:
            self._deployment = self._find_deployment()
        return self._deployment

    def _find_deployment(self) -> Deployment:
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

    def governance(self) -> Governance:
        """The offering's governor, votes source and class tokens."""
        from toolkit.governance.governor import Governance

        return Governance(self.chain(), self.deployment())

    def contracts(self) -> OfferingContracts:
        """The registry and class tokens of the offering, as web3 contracts."""
        if self._contracts is None:
            from toolkit.offering.contracts import OfferingContracts

            self._contracts = OfferingContracts(self.chain().w3, self.deployment())
        return self._contracts

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

    def sent(
        self,
        headline: str,
        transactions: Sequence[TxResult],
        data: Mapping[str, Any] | None = None,
        *,
        then: Callable[[], str] | None = None,
    ) -> None:
        """The result of a command that sent transactions: SPEC §9's ``{"transactions":
        [...], ...data}`` with --json; else the headline, one ``tx HASH (block N, G gas)``
        line per transaction, and ``then()`` (a next step worth a read) last."""

        def render() -> None:
            self.say(headline)
            for tx in transactions:
                self.say(f"  tx {tx.hash} (block {tx.block}, {tx.gas_used} gas)")
            if then is not None:
                self.say(f"  {then()}")

        self.result({"transactions": [tx.to_json() for tx in transactions], **(data or {})}, render)

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
    "preference",
    "payout",
}


pass_app = click.make_pass_decorator(AppContext, ensure=True)
