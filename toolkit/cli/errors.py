"""Every failure of a command, shown one way (SPEC §6): one or two plain lines on stderr (the
cause, then the fix), the JSON error document on stdout with ``--json``, and the exit code.

Library code raises typed errors (``toolkit.errors``); the ``equity`` group turns them, and
click's own usage errors, aborts and anything unexpected, into a ``ReportedError``: a click
exception that click shows and exits with, inside its own main loop. ``show_error`` is the
one renderer; the scripts in ``scripts/`` (``cli/scripting.py``) and the demo use it too.
"""

from __future__ import annotations

import json
import os
import re
from typing import IO, Any

import click

from toolkit.errors import EquityError, UsageError

DEBUG_ENV = "EQUITY_DEBUG"


def error_document(error: EquityError) -> dict[str, Any]:
    """The ``--json`` error shape: ``{"error": {"code", "kind", "message", "hint"}}``."""
    return {
        "error": {
            "code": error.exit_code,
            "kind": error.kind,
            "message": error.message,
            "hint": error.hint,
        }
    }


def show_error(error: EquityError, *, json_output: bool, indent: str = "") -> None:
    """The lines on stderr; with ``json_output`` the JSON document on stdout as well."""
    for line in error.lines():
        click.echo(f"{indent}{line}", err=True)
    if json_output:
        click.echo(json.dumps(error_document(error)))


class ReportedError(click.ClickException):
    """An ``EquityError`` as click shows it: ``show()`` renders it, click exits with its code."""

    def __init__(self, error: EquityError, *, json_output: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.json_output = json_output

    @property  # click reads the exit code from here; ours depends on the error
    def exit_code(self) -> int:  # type: ignore[override]
        return self.error.exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        show_error(self.error, json_output=self.json_output)


def as_equity_error(exc: BaseException) -> EquityError:
    """Whatever ended a command, as the typed error the user sees (see the module docstring)."""
    if isinstance(exc, EquityError):
        return exc
    if isinstance(exc, click.NoSuchOption) and NEGATIVE_NUMBER.match(exc.option_name):
        return negative_number_error(exc)
    if isinstance(exc, click.UsageError):
        ctx = exc.ctx
        hint = f"see `{ctx.command_path} --help`" if ctx is not None else None
        return UsageError(exc.format_message(), hint=hint)
    if isinstance(exc, click.ClickException):
        return UsageError(exc.format_message())
    if isinstance(exc, click.Abort):
        return UsageError("aborted; nothing more was sent", kind="aborted")
    if isinstance(exc, KeyboardInterrupt):
        interrupted = UsageError("interrupted", kind="interrupted")
        interrupted.exit_code = 130
        return interrupted
    first = str(exc).splitlines()[0][:200] if str(exc) else ""
    internal = EquityError(
        f"unexpected {type(exc).__name__}: {first}",
        hint=f"run again with {DEBUG_ENV}=1 for the traceback, and report it",
        kind="internal",
    )
    internal.exit_code = 3
    return internal


NEGATIVE_NUMBER = re.compile(r"^-[0-9.]")


def negative_number_error(exc: click.NoSuchOption) -> EquityError:
    """``issue COMMON W -5``: click reads ``-5`` as an option; say what the value is wrong
    for, in the words of the command's shares parameter when it has one."""
    from toolkit.cli.context import AppContext
    from toolkit.cli.paramtypes import SharesType

    ctx = exc.ctx
    app = ctx.find_object(AppContext) if ctx is not None else None
    typed = [t for t in (app.negative_numbers if app else []) if t.startswith(exc.option_name)]
    token = typed[0] if typed else exc.option_name
    params = ctx.command.params if ctx is not None else []
    shares = next((p for p in params if isinstance(p.type, SharesType)), None)
    if shares is not None:
        try:
            shares.type.convert(token, shares, ctx)
        except EquityError as error:
            return error
    return UsageError(
        f"{token}: a negative number is not accepted here",
        hint="nothing was sent; give a positive number",
    )


def report(exc: BaseException, *, json_output: bool) -> ReportedError:
    """``exc`` as the click exception the ``equity`` group raises."""
    if isinstance(exc, ReportedError):
        return exc
    return ReportedError(as_equity_error(exc), json_output=json_output)


def debugging() -> bool:
    """``EQUITY_DEBUG=1``: let unexpected exceptions through with their traceback."""
    return bool(os.environ.get(DEBUG_ENV))
