"""The ``equity`` command: a click group, its commands, and where errors meet click.

Commands live in one module each and import the library (and web3) inside their bodies,
so ``equity --help`` stays fast. Errors are handled inside click, once: the group turns a
typed ``EquityError`` (or a usage error, an abort, anything unexpected) into a
``cli.errors.ReportedError``, which click shows (one or two plain lines on stderr, the SPEC
§6 JSON on stdout with ``--json``) and exits with. A command may return an exit code (1 for
``check`` and ``reconcile`` findings). ``EQUITY_DEBUG=1`` lets an unexpected exception
through with its traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from toolkit.cli.context import AppContext
from toolkit.cli.errors import NEGATIVE_NUMBER, debugging, report
from toolkit.cli.helptext import examples
from toolkit.cli.options import listed_global_options, without_shadowed
from toolkit.cli.output import color_allowed
from toolkit.cli.version import version_option
from toolkit.errors import EquityError
from toolkit.safe.proposal import Proposed

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
    "dividend": "toolkit.cli.dividend:dividend",
    "demo": "toolkit.cli.demo:demo",
    "init": "toolkit.cli.init:init",
    "stablecoin": "toolkit.cli.stablecoin:stablecoin",
    "round": "toolkit.cli.round:round_group",
    "market": "toolkit.cli.market:market",
    "completion": "toolkit.cli.completion:completion",
    "safe": "toolkit.cli.safe:safe",
    "split": "toolkit.cli.split:split",
    "convert": "toolkit.cli.corporate:convert",
    "repurchase": "toolkit.cli.corporate:repurchase",
}


class EquityGroup(click.Group):
    """The top-level group: subcommands imported on demand, errors reported inside click."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = [name for name in COMMANDS if self.get_command(ctx, name) is not None]
        return [*lazy, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        added = super().get_command(ctx, cmd_name)  # one added with add_command
        if added is not None:
            return added
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
        return without_shadowed(command)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """The context, with the AppContext every command receives; ``--json`` anywhere on
        the line makes even a usage error of the line a JSON document."""
        app = extra.get("obj")
        if app is None:
            app = extra["obj"] = AppContext()
        if "--json" in args:
            app.options.json = True
        # click reads "-5" as an option, char by char: keep the whole tokens for the message
        app.negative_numbers = [a for a in args if NEGATIVE_NUMBER.match(a)]
        if not color_allowed():
            extra.setdefault("color", False)  # NO_COLOR: click's styles off too
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, EquityError) as exc:  # a bad value of a global option
            raise report(exc, json_output=app.options.json) from exc

    def invoke(self, ctx: click.Context) -> Any:
        app = ctx.ensure_object(AppContext)
        try:
            result = super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except Proposed as proposed:  # --account safe:ADDRESS: a file written, nothing sent
            from toolkit.cli.safe import render_proposal

            render_proposal(app, proposed.proposal)
            return None
        except BrokenPipeError:  # `equity ... | head`: the reader left, nothing to report
            # (the Python docs' recipe: point stdout at devnull so the exit flush is quiet)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except Exception as exc:
            if debugging() and not isinstance(
                exc, EquityError | click.ClickException | click.Abort
            ):
                raise  # an unexpected exception, with its traceback
            raise report(exc, json_output=app.options.json) from exc
        except KeyboardInterrupt as exc:
            raise report(exc, json_output=app.options.json) from exc
        if isinstance(result, int) and result:
            ctx.exit(result)
        return result


@examples(
    ("the whole story on a temporary local chain", "equity demo"),
    ("a company folder to start from", "equity init acme"),
    ("machine output of any command", "equity --json captable show"),
    ("shell completion for bash", 'eval "$(equity completion bash)"'),
    global_options_line=False,
)
@click.group(
    cls=EquityGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@listed_global_options
@version_option
@click.pass_context
def cli(ctx: click.Context) -> None:
    """equity: private-company shares on Ethereum, with the controls securities law requires.

    Qualified holders, lock-ups, holder caps and blocked jurisdictions (ERC-1404),
    class-weighted shareholder governance through a timelock, and reconciliation of the
    on-chain cap table against the legal share register.

    The options below work before or after any command's name (`equity --json captable show`
    or `equity captable show --json`); `equity COMMAND --help` shows a command's own options
    and examples.
    """
    app = ctx.ensure_object(AppContext)
    ctx.call_on_close(app.close)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: click's own main loop (it exits with the code)."""
    cli.main(args=list(sys.argv[1:] if argv is None else argv), prog_name="equity")


if __name__ == "__main__":  # pragma: no cover
    main()
