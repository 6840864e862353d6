"""Helpers for the CLI's own tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from toolkit.cli.main import cli


@contextmanager
def added_command(command: click.Command) -> Iterator[None]:
    """``command`` as a subcommand of ``equity`` for the duration (a probe of the group's
    behaviour that no real command isolates as well)."""
    cli.add_command(command)
    try:
        yield
    finally:
        cli.commands.pop(command.name or "")
