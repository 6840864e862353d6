"""Help that teaches: every command's ``--help`` ends with real examples, and names the
global options in one line instead of listing them under every command.

A command declares its examples above its click decorator::

    @examples(
        "equity captable show",
        ("one class; piped, every wallet is printed in full", "equity captable show --class FOUNDERS | cat"),
    )
    @captable.command()
    ...

An example is a command line, or ``(what it does, command line)``. ``tests/cli/test_help.py``
fails for a command without one, and for an example that its command's parser refuses.
Options that take a date say its format with ``options.DATE_FORMAT``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from toolkit.cli.options import GLOBAL_OPTIONS_LINE

C = TypeVar("C", bound=click.Command)
Example = str | tuple[str, str]

EXAMPLES_HEADING = "Examples:"


def example_lines(items: tuple[Example, ...]) -> list[str]:
    lines: list[str] = []
    for item in items:
        if isinstance(item, tuple):
            what, command = item
            lines.append(f"  # {what}")
        else:
            command = item
        lines.append(f"  {command}")
    return lines


def examples(*items: Example, global_options_line: bool = True) -> Callable[[C], C]:
    """Give a command (or group) its examples, and the line naming the global options
    (not for the ``equity`` group itself, whose help lists them)."""
    if not items:
        raise ValueError("give at least one example")

    def attach(command: C) -> C:
        if not isinstance(command, click.Command):
            raise TypeError("put @examples(...) above the @...command() decorator")
        pointer = (
            f"Global options ({GLOBAL_OPTIONS_LINE}) go before or after the command "
            "name: see `equity --help`."
        )
        lines = ["\b", EXAMPLES_HEADING, *example_lines(items)]
        command.epilog = "\n".join([*lines, "", pointer] if global_options_line else lines)
        return command

    return attach
