"""``equity compile``: compile the templates (incremental; ``--force`` recompiles).

In a folder with its own ``contracts/`` it compiles those into that folder's ``build/``;
elsewhere it compiles the shipped templates of a checkout, or says that an installed
toolkit's come precompiled.
"""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options


@examples(
    ("compile what changed in contracts/", "equity compile"),
    ("recompile everything", "equity compile --force"),
)
@click.command("compile")
@click.option("--force", is_flag=True, help="Recompile even when nothing changed.")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A project with its own contracts/ (default: this folder if it has contracts/, "
    "else the shipped templates).",
)
@global_options
@pass_app
def compile_command(app: AppContext, force: bool, project: Path | None) -> None:
    """Compile contracts/ into build/contracts (nothing to do when no source changed)."""
    from toolkit.compile import EIP170_LIMIT, compile_in_folder, compile_project

    if project is not None:
        result = compile_project(project, force=force)
    else:
        result = compile_in_folder(app.cwd, force=force)
    data = {
        "compiled": result.compiled,
        "contracts": list(result.contracts),
        "compiler": result.compiler,
        "build_dir": str(result.build_dir),
        "precompiled": result.precompiled,
        "sizes": result.sizes,
    }

    def render() -> None:
        if result.precompiled:
            app.say(
                f"nothing to compile: the {len(result.contracts)} shipped templates come "
                f"precompiled with {result.compiler} in {result.build_dir}\n"
                "to compile templates of your own, put them in contracts/ here"
            )
        elif result.compiled:
            app.say(
                f"compiled {len(result.contracts)} contracts with {result.compiler} "
                f"into {result.build_dir}"
            )
        else:
            app.say(
                f"nothing to compile: {len(result.contracts)} contracts up to date "
                f"in {result.build_dir}"
            )
        for name, size in result.sizes.items():
            app.say(f"  {name:<24} {size:>6,} bytes of runtime code (limit {EIP170_LIMIT:,})")

    app.result(data, render)
