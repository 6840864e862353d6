"""``equity completion [bash|zsh|fish]``: the shell completion script (click's own)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.helptext import examples
from toolkit.cli.options import global_options

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_EQUITY_COMPLETE"


@examples(
    ("bash: add this line to ~/.bashrc", 'eval "$(equity completion bash)"'),
    ("zsh: add this line to ~/.zshrc", 'eval "$(equity completion zsh)"'),
    ("fish", "equity completion fish > ~/.config/fish/completions/equity.fish"),
)
@click.command()
@click.argument("shell", required=False, type=click.Choice(SHELLS))
@global_options
@pass_app
def completion(app: AppContext, shell: str | None) -> None:
    """Print the completion script for bash, zsh or fish (default: the one $SHELL names).

    Commands, options, share class ids (from deployments/ here) and vote choices complete
    with Tab once the script is loaded.
    """
    from click.shell_completion import get_completion_class

    from toolkit.errors import UsageError

    name = shell or Path(os.environ.get("SHELL", "")).name
    completer = get_completion_class(name) if name in SHELLS else None
    if completer is None:
        raise UsageError(
            f"no completion for the shell {name or '(unknown)'!r}",
            hint="name one: equity completion bash|zsh|fish",
        )
    root = click.get_current_context().find_root()
    script = completer(root.command, {}, root.info_name or "equity", COMPLETE_VAR).source()
    app.result({"shell": name, "script": script}, lambda: click.echo(script, nl=False))
