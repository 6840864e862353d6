"""``equity init [DIR]``: start a company's folder (offering, sample CSVs, settings, README)."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options


@examples(
    ("a folder for Acme, then its README's first hour", "equity init acme"),
    ("here", "equity init"),
)
@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path), default=None)
@global_options
@pass_app
def init(app: AppContext, folder: Path | None) -> None:
    """Write a new company folder in DIR (default: here); never overwrites a file."""
    from toolkit.company_folder import write_company_folder

    target = folder if folder is None or folder.is_absolute() else app.cwd / folder
    result = write_company_folder(target or app.cwd)
    data = {
        "folder": str(result.folder),
        "files": [path.name for path in result.written],
    }

    def render() -> None:
        app.say(f"wrote a company folder in {result.folder}:")
        for path in result.written:
            app.say(f"  {path.name}")
        where = "" if result.folder == app.cwd.resolve() else f"cd {result.folder} && "
        app.note(f"next: {where}read README.md (a first hour on a local chain)")

    app.result(data, render)
