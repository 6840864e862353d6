"""The ``equity`` command: a click group, its commands, and the one error handler.

Commands live in one module each and import the library (and web3) inside their bodies,
so ``equity --help`` stays fast. Errors are handled here only: a typed ``EquityError``
becomes one or two plain lines on stderr (and the SPEC §6 JSON shape on stdout with
``--json``) and its exit code; anything unexpected is reported in one line too, with the
traceback only when ``EQUITY_DEBUG=1``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any

import click

from toolkit.cli.context import AppContext, global_options
from toolkit.cli.version import version_option
from toolkit.errors import EquityError

# command name -> "module:attribute"; imported only when the command (or --help) needs it
COMMANDS: dict[str, str] = {
    "compile": "toolkit.cli.compile_cmd:compile_command",
    "node": "toolkit.cli.node:node",
    "accounts": "toolkit.cli.accounts:accounts",
    "deploy": "toolkit.cli.deploy:deploy",
    "holders": "toolkit.cli.holders:holders",
    "issue": "toolkit.cli.issue:issue",
    "transfer": "toolkit.cli.transfers:transfer",
    "check": "toolkit.cli.transfers:check",
    "force-transfer": "toolkit.cli.transfers:force_transfer",
    "recover": "toolkit.cli.transfers:recover",
    "pause": "toolkit.cli.transfers:pause",
    "unpause": "toolkit.cli.transfers:unpause",
    "gov": "toolkit.cli.gov:gov",
    "captable": "toolkit.cli.captable:captable",
    "demo": "toolkit.cli.demo:demo",
    "init": "toolkit.cli.init:init",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on demand; missing modules are skipped."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self.get_command(ctx, name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None  # not built yet
            raise
        command: click.Command = getattr(module, attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@version_option
@click.pass_context
def cli(ctx: click.Context) -> None:
    """equity: private-company shares on Ethereum, with the controls securities law requires.

    Qualified holders, lock-ups, holder caps and blocked jurisdictions (ERC-1404),
    class-weighted shareholder governance through a timelock, and reconciliation of the
    on-chain cap table against the legal share register.
    """
    app = ctx.ensure_object(AppContext)
    ctx.call_on_close(app.close)


def _print_error(app: AppContext, code: int, kind: str, lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    if app.options.json:
        message = " ".join(
            line.removeprefix("error: ").removeprefix("hint: ") for line in lines[:1]
        )
        click.echo(json.dumps({"error": {"code": code, "kind": kind, "message": message}}))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and map every failure to SPEC §6."""
    app = AppContext()
    args = sys.argv[1:] if argv is None else argv
    if "--json" in args:
        app.options.json = True  # so that even a usage error is reported as JSON
    code = 0
    try:
        result: Any = cli.main(args=args, prog_name="equity", obj=app, standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except EquityError as exc:
        _print_error(app, exc.exit_code, exc.kind, exc.lines())
        code = exc.exit_code
    except click.exceptions.Abort:
        _print_error(app, 2, "aborted", ["error: aborted; nothing more was sent"])
        code = 2
    except click.exceptions.ClickException as exc:
        usage = exc.format_message()
        lines = [f"error: {usage}"]
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            lines.append(f"hint: see `{ctx.command_path} --help`")
        _print_error(app, 2, "usage", lines)
        code = 2
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except KeyboardInterrupt:
        _print_error(app, 130, "interrupted", ["error: interrupted"])
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:
        if os.environ.get("EQUITY_DEBUG"):
            raise
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        _print_error(
            app,
            3,
            "internal",
            [
                f"error: unexpected {type(exc).__name__}: {first}",
                "hint: run again with EQUITY_DEBUG=1 for the traceback, and report it",
            ],
        )
        code = 3
    finally:
        app.close()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
