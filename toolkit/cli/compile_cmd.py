"""``equity compile``: compile the templates (incremental; ``--force`` recompiles)."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.context import AppContext, global_options, pass_app


@click.command("compile")
@click.option("--force", is_flag=True, help="Recompile even when nothing changed.")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A project with its own contracts/ (default: the shipped templates).",
)
@global_options
@pass_app
def compile_command(app: AppContext, force: bool, project: Path | None) -> None:
    """Compile contracts/ into build/contracts (nothing to do when no source changed)."""
    from toolkit.compile import compile_project

    result = compile_project(project, force=force)
    data = {
        "compiled": result.compiled,
        "contracts": list(result.contracts),
        "compiler": result.compiler,
        "build_dir": str(result.build_dir),
    }

    def render() -> None:
        if result.compiled:
            app.say(
                f"compiled {len(result.contracts)} contracts with {result.compiler} "
                f"into {result.build_dir}"
            )
        else:
            app.say(
                f"nothing to compile: {len(result.contracts)} contracts up to date "
                f"in {result.build_dir}"
            )

    app.result(data, render)
