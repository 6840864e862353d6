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
    from toolkit.chain.fees import Outgoing, TxSettings
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
    # SPEC §16: the fee and nonce of what is sent (wei, gas, a nonce); None: chosen here
    gas_price: int | None = None
    priority_fee: int | None = None
    gas_limit: int | None = None
    nonce: int | None = None
    quiet: bool = False  # -q: the result only (no notes, no progress)
    verbose: bool = False  # -v: also the chain, account and record each command uses


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
    negative_numbers: list[str] = field(default_factory=list)  # "-5" on the line (click: an option)

    # --- chain and signer ----------------------------------------------------------------

    def chain(self) -> Chain:
        """Connect on first use (starting a temporary anvil when nothing else is given)."""
        if self._chain is None:
            from toolkit.chain.connection import connect, resolve_target

            target = resolve_target(self.options.network, self.options.rpc_url, self.cwd)
            self._chain = connect(target, cwd=self.cwd)
            started = " (a node started for this command)" if self._chain.node else ""
            self.detail(f"chain {self._chain.chain_id} at {self._chain.rpc_url}{started}")
        return self._chain

    def close(self) -> None:
        if self._chain is not None:
            self._chain.close()
            self._chain = None

    def signer(self, *, offline: bool = False) -> LocalAccount:
        """The ``--account`` signer; dev0 by default on a local chain."""
        if self._signer is None:
            from toolkit.chain.accounts import is_dev_alias, require_keystore, resolve_signer
            from toolkit.errors import UsageError
            from toolkit.safe.proposer import safe_address_of

            alias = self.options.account
            if safe_address_of(alias) is not None:
                raise UsageError(
                    "this command signs with a key of its own, and a Safe (--account "
                    f"{alias}) has none; nothing was sent",
                    hint="give --account ALIAS (a keystore or dev0..dev9)",
                )
            is_local = None if offline else self.chain().is_local
            if alias is None:
                if is_local is False:
                    raise UsageError(
                        "no --account given for a non-local chain",
                        hint="pass --account ALIAS (see `equity accounts list`) or set EQUITY_ACCOUNT",
                    )
                alias = "dev0"
            password = None
            if not is_dev_alias(alias):
                require_keystore(alias)  # a mistyped alias is named before any password prompt
                password = self.password(f"Password for {alias}")
            self._signer = resolve_signer(alias, is_local_chain=is_local, password=password)
            self.detail(f"account {alias}: {self._signer.address}")
        return self._signer

    def deployment(self) -> Deployment:
        """The offering to act on: ``--deployment NAME`` or the only one on this chain."""
        if self._deployment is None:
            self._deployment = self._find_deployment()
            self.detail(
                f"offering {self._deployment.name!r} of deployments/{self._deployment.chain_id}.json"
            )
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
        """The signer's transaction layer with the fee flags; on a chain that is not a local
        dev chain it shows what it will send and asks first (``approve``)."""
        if self._transactor is None:
            from toolkit.chain.tx import Transactor
            from toolkit.safe.proposer import SafeProposer, safe_address_of

            safe = safe_address_of(self.options.account)
            if safe is not None:  # SPEC §16: the calls become a Safe transaction in a file
                self._transactor = SafeProposer(
                    self.chain(), safe, cwd=self.cwd, settings=self.tx_settings()
                )
                return self._transactor
            signer = self.signer()
            chain = self.chain()
            self._transactor = Transactor(
                chain,
                signer,
                confirmations=confirmations,
                settings=self.tx_settings(),
                approve=None if chain.is_local else self.approve,
            )
        return self._transactor

    def tx_settings(self) -> TxSettings:
        from toolkit.chain.fees import TxSettings

        return TxSettings(
            gas_price=self.options.gas_price,
            priority_fee=self.options.priority_fee,
            gas_limit=self.options.gas_limit,
            nonce=self.options.nonce,
        )

    def approve(self, outgoing: Outgoing) -> None:
        """SPEC §16: show what will be sent and its fee, then ask (``--yes``: don't ask). On
        stderr, beside the question: stdout stays the command's result."""
        for line in outgoing.lines():
            click.echo(line, err=True)
        count = outgoing.count
        self.confirm(
            f"send {'it' if count == 1 else f'these {count} transactions'} "
            f"on chain {outgoing.chain_id}?",
            refused=f"sending {count} transaction{'s' if count != 1 else ''} on chain "
            f"{outgoing.chain_id} needs confirmation; nothing was sent",
        )

    def dry_run(self, run: Callable[[Transactor, Path], object]) -> Outgoing | None:
        """What ``run`` would send, found by running it on a temporary fork of the chain
        (anvil ``--fork-url``) from the same account, in a scratch folder: every transaction,
        its words and its exact gas, even when later ones call what earlier ones create.
        None when no anvil is installed (each transaction is then confirmed on its own)."""
        import tempfile

        from toolkit.chain.connection import connect_url
        from toolkit.chain.fees import Outgoing, OutgoingTx
        from toolkit.chain.node import local_node_command, start_node
        from toolkit.chain.tx import Transactor
        from toolkit.errors import ToolchainError

        real = self.transactor()
        try:
            local_node_command("anvil", self.cwd)
        except ToolchainError:
            click.echo(
                "note: no anvil to rehearse on; each transaction is asked for alone", err=True
            )
            return None
        click.echo(
            f"rehearsing on a fork of chain {self.chain().chain_id} (nothing is sent) ...", err=True
        )
        fork = start_node("anvil", fork_url=self.chain().rpc_url, project=self.cwd)
        try:
            chain = connect_url(fork.rpc_url)
            rehearsal = Transactor(chain, real.account, settings=self.tx_settings())
            with tempfile.TemporaryDirectory(prefix="equity-dry-run-") as scratch:
                run(rehearsal, Path(scratch))
            fees = real.build(to=real.address, gas=21_000)  # the real chain's fees, now
            latest = self.chain().w3.eth.get_block("latest")
            return Outgoing(
                sender=real.address,
                chain_id=self.chain().chain_id,
                base_fee=int(latest.get("baseFeePerGas") or 0),
                priority_fee=int(fees["maxPriorityFeePerGas"]),
                max_fee=int(fees["maxFeePerGas"]),
                transactions=tuple(
                    OutgoingTx(label, result.gas_used, _limit_for(result.gas_used, real))
                    for label, result in rehearsal.sent
                ),
            )
        finally:
            fork.stop()

    def password(self, prompt: str, *, confirm: bool = False, env: str | None = None) -> str:
        """``EQUITY_PASSWORD`` (or ``env``), else a hidden prompt on a terminal, else an error."""
        from toolkit.chain.accounts import PASSWORD_ENV
        from toolkit.errors import KeystoreError

        variable = env or PASSWORD_ENV
        value = os.environ.get(variable)
        if value is not None:
            return value
        if not self.interactive():
            raise KeystoreError(
                "a keystore password is needed and there is no terminal to ask on",
                hint=f"set {variable}",
            )
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))

    # --- output --------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        """Human text of the result: stdout normally, stderr with --json (stdout is the JSON
        document). Shown even with -q."""
        click.echo(text, err=self.options.json)

    def note(self, text: str = "") -> None:
        """A remark on the way (a step, a resumption, what to do next): hidden by -q."""
        if not self.options.quiet:
            self.say(text)

    def detail(self, text: str) -> None:
        """What only -v shows (the chain, account and record a command uses), on stderr."""
        if self.options.verbose:
            click.echo(f"# {text}", err=True)

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
                self.note(f"  tx {tx.hash} (block {tx.block}, {tx.gas_used:,} gas)")
            if then is not None and not self.options.quiet:
                self.note(f"  {then()}")

        self.result({"transactions": [tx.to_json() for tx in transactions], **(data or {})}, render)

    def table(self, title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
        """A table for a person (``cli/output.py``: full values off a terminal, wrapped on
        one); ints are shown with thousands separators."""
        from toolkit.cli.output import print_table

        print_table(title, columns, rows, stderr=self.options.json)

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[Callable[[int], None]]:
        """A progress bar on a terminal (stderr); silent otherwise and with -q. Yields
        ``advance(n)``."""
        if not sys.stderr.isatty() or self.options.quiet:
            yield lambda n: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        from toolkit.cli.output import console

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=False,
            console=console(stderr=True),
        ) as bar:
            task = bar.add_task(label, total=total)
            yield lambda n: bar.advance(task, n)

    def interactive(self) -> bool:
        """Whether a question can be asked: standard input is a terminal."""
        return sys.stdin.isatty()

    def confirm(self, question: str, *, refused: str | None = None) -> None:
        """Ask ``question`` (yes/no) unless ``--yes``; no terminal, or "no": nothing is sent."""
        from toolkit.errors import UsageError

        if self.options.yes:
            return
        if not self.interactive():
            raise UsageError(
                refused or f"{question} needs confirmation",
                hint="pass --yes to confirm without a question",
                kind="unconfirmed",
            )
        if not click.confirm(question, err=True):
            raise UsageError(
                "cancelled; nothing was sent",
                hint="pass --yes to skip the question",
                kind="cancelled",
            )


def _limit_for(gas_used: int, transactor: Transactor) -> int:
    """The gas limit the real run will set for a transaction a dry run saw use ``gas_used``."""
    from toolkit.chain.tx import CHECKPOINT_HEADROOM, GAS_HEADROOM

    if transactor.settings.gas_limit is not None:
        return transactor.settings.gas_limit
    return int(gas_used * GAS_HEADROOM) + CHECKPOINT_HEADROOM


pass_app = click.make_pass_decorator(AppContext, ensure=True)
