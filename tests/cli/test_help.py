"""Help that teaches (issue 18.3): every command's --help ends with examples its own parser
accepts, DATE options say their format, the global options are listed once, and shell
completion works in a real bash."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tests.cli.conftest import added_command
from tests.conftest import invoke_cli
from toolkit.cli.helptext import EXAMPLES_HEADING, examples
from toolkit.cli.main import cli
from toolkit.cli.options import DATE_FORMAT, GLOBAL_OPTIONS_LINE

# global options as they may stand between `equity` and the command name
GLOBAL_WITH_VALUE = {"--network", "--rpc-url", "--account", "--deployment", "--gas-price", "--priority-fee", "--gas-limit", "--nonce"}
GLOBAL_FLAGS = {"--json", "--yes", "-q", "--quiet", "-v", "--verbose"}


def every_command() -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command and group under `equity`, with its path of names (the root is ())."""

    def walk(path: tuple[str, ...], command: click.Command) -> Iterator[tuple[tuple[str, ...], click.Command]]:
        yield path, command
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                yield from walk((*path, name), sub)

    yield from walk((), cli)


COMMANDS = list(every_command())
IDS = [" ".join(path) or "equity" for path, _ in COMMANDS]


def help_text(path: tuple[str, ...]) -> str:
    result = invoke_cli(*path, "--help", env={"COLUMNS": "200"})
    assert result.code == 0, result.err
    return result.out


def examples_of(text: str) -> list[str]:
    """The command lines of the help's Examples section (comment lines left out)."""
    if EXAMPLES_HEADING not in text:
        return []
    section = text.split(EXAMPLES_HEADING, 1)[1]
    lines = []
    for line in section.splitlines()[1:]:
        if not line.strip():
            break
        if not line.strip().startswith("#"):
            lines.append(line.strip())
    return lines


def equity_words(line: str) -> list[str]:
    """The words of the `equity ...` invocation on a shell line (after env assignments,
    inside `$(...)`, before a pipe or a redirection)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    for token in tokens:
        if token.startswith("$(") and token.endswith(")"):
            return equity_words(token[2:-1])
    start = tokens.index("equity")
    words = []
    for token in tokens[start + 1 :]:
        if token in {"|", "<", ">", ";", "&&", ")", "||"}:
            break
        words.append(token)
    return words


def refusal(line: str, path: tuple[str, ...]) -> str | None:
    """Why the example ``line`` is not a valid call of the command at ``path`` (or under it,
    for a group), or None when its parser accepts it."""
    words = equity_words(line)
    while words and (words[0] in GLOBAL_FLAGS or words[0] in GLOBAL_WITH_VALUE):
        words = words[2:] if words[0] in GLOBAL_WITH_VALUE else words[1:]
    command: click.Command = cli
    walked: list[str] = []
    while isinstance(command, click.Group) and words:
        sub = command.get_command(click.Context(command), words[0])
        if sub is None:
            return f"{words[0]!r} is not a command of `equity {' '.join(walked)}`"
        walked.append(words.pop(0))
        command = sub
    if tuple(walked[: len(path)]) != path:
        return f"it runs `equity {' '.join(walked)}`, not `equity {' '.join(path)}`"
    if isinstance(command, click.Group):
        return f"it names no command of the group `equity {' '.join(walked)}`"
    words = [w for w in words if w not in GLOBAL_FLAGS]  # flags may follow the name too
    ctx = click.Context(command, info_name=walked[-1])
    try:
        given, extra, _ = command.make_parser(ctx).parse_args(list(words))
    except click.UsageError as exc:
        return exc.format_message()
    if extra:
        return f"extra arguments {extra}"
    missing = [
        p.name
        for p in command.params
        if isinstance(p, click.Argument) and p.required and p.name not in given
    ]
    return f"missing {missing}" if missing else None


def problems_with_examples(path: tuple[str, ...]) -> list[str]:
    found = examples_of(help_text(path))
    if not found:
        return [f"`equity {' '.join(path)} --help` has no {EXAMPLES_HEADING} section"]
    return [f"{line!r}: {why}" for line in found if (why := refusal(line, path))]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_command_has_examples_its_parser_accepts(path: tuple[str, ...], command: click.Command) -> None:
    assert problems_with_examples(path) == []


def test_a_command_without_examples_is_caught() -> None:
    @click.command("probe-no-examples")
    def bare() -> None:
        """A command whose author forgot the examples."""

    with added_command(bare):
        assert problems_with_examples(("probe-no-examples",)) == [
            f"`equity probe-no-examples --help` has no {EXAMPLES_HEADING} section"
        ]


def test_an_example_with_an_unknown_option_is_caught() -> None:
    @examples("equity probe-bad-example --colour red")
    @click.command("probe-bad-example")
    @click.option("--color")
    def probe(color: str) -> None:
        """A command whose example misspells an option."""

    with added_command(probe):
        [problem] = problems_with_examples(("probe-bad-example",))
        assert "--colour" in problem


def date_options() -> Iterator[tuple[str, click.Option]]:
    for path, command in COMMANDS:
        for param in command.params:
            if isinstance(param, click.Option) and "DATE" in (param.make_metavar(click.Context(command)) or ""):
                yield " ".join(path), param


def test_every_option_that_takes_a_date_says_its_format() -> None:
    options = list(date_options())
    names = {(where, o.opts[0]) for where, o in options}
    assert {("holders add", "--expires"), ("issue", "--lockup-until"), ("captable show", "--as-of")} <= names
    for where, option in options:
        assert DATE_FORMAT in (option.help or ""), f"{where} {option.opts[0]} does not say DATE's format"


def test_global_options_are_listed_once_under_equity_and_named_in_one_line_elsewhere() -> None:
    root = help_text(())
    for option in (*GLOBAL_WITH_VALUE, "--json", "--yes", "--quiet", "--verbose"):
        assert len(re.findall(rf"^\s+(-\w, )?{option}\b", root, re.M)) == 1, option
    show = help_text(("captable", "show"))
    assert not re.search(r"^\s+--rpc-url", show, re.M)
    assert f"Global options ({GLOBAL_OPTIONS_LINE})" in " ".join(show.split())
    assert set(GLOBAL_OPTIONS_LINE.split(", ")) == {*GLOBAL_WITH_VALUE, *GLOBAL_FLAGS} - {"--quiet", "--verbose"}


def test_global_options_still_work_after_the_command_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke_cli("completion", "bash", "--json")
    assert result.code == 0 and json.loads(result.out)["shell"] == "bash"


def bash_completes(words: list[str], cwd: Path) -> list[str]:
    """What a real bash offers after loading `equity completion bash` and pressing Tab."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash here")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    script = (
        'source <(equity completion bash)\n'
        f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_equity_completion equity\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run([bash, "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_bash_completes_commands_options_and_class_ids(tmp_path: Path) -> None:
    (tmp_path / "deployments").mkdir()
    record = {"chain_id": 31337, "offerings": {"acme": {"classes": [{"id": "COMMON"}, {"id": "FOUNDERS"}]}}}
    (tmp_path / "deployments" / "31337.json").write_text(json.dumps(record))
    assert bash_completes(["equity", "capt"], tmp_path) == ["captable"]
    assert bash_completes(["equity", "captable", "show", "--cl"], tmp_path) == ["--class"]
    assert bash_completes(["equity", "captable", "show", "--class", "F"], tmp_path) == ["FOUNDERS"]
    assert bash_completes(["equity", "gov", "vote", "latest", "a"], tmp_path) == ["against", "abstain"]


def test_completion_for_an_unknown_shell_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke_cli("completion", env={"SHELL": "/bin/tcsh"})
    assert result.code == 2
    assert "no completion for the shell 'tcsh'" in result.err and "bash|zsh|fish" in result.err
