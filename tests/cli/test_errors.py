"""Errors are handled inside click, once: every failure of a command is one or two lines on
stderr, the SPEC §6 JSON document (with its hint) on stdout with --json, and its exit code;
the scripts show an error exactly as `equity` does."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import click
import pytest

from tests.cli.conftest import added_command
from tests.conftest import invoke_cli
from toolkit.cli.context import AppContext, pass_app
from toolkit.cli.options import global_options
from toolkit.cli.scripting import run_script, script_parser
from toolkit.errors import ChainError, UsageError


def fail(kind: str) -> int:
    if kind == "usage":
        raise UsageError("the widget count is wrong", hint="give a whole number of widgets")
    if kind == "chain":
        raise ChainError("the node refused it")
    if kind == "bug":
        raise ZeroDivisionError("division by zero")
    if kind == "interrupt":
        raise KeyboardInterrupt
    if kind == "abort":
        raise click.Abort
    return 1  # a finding, as `check` and `reconcile` report one


@click.command()
@click.argument("kind")
@global_options
@pass_app
def probe(app: AppContext, kind: str) -> int:
    """Fails the way KIND says."""
    return fail(kind)


@pytest.fixture(autouse=True)
def probe_command() -> Iterator[None]:
    with added_command(probe):
        yield


def test_an_equity_error_is_its_two_lines_on_stderr_and_its_exit_code() -> None:
    result = invoke_cli("probe", "usage")
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: the widget count is wrong",
        "hint: give a whole number of widgets",
    ]
    assert result.out == ""


def test_with_json_the_error_document_carries_code_kind_message_and_hint() -> None:
    result = invoke_cli("--json", "probe", "usage")
    assert result.code == 2
    assert result.json() == {
        "error": {
            "code": 2,
            "kind": "usage",
            "message": "the widget count is wrong",
            "hint": "give a whole number of widgets",
        }
    }
    chain = invoke_cli("probe", "chain", "--json")
    assert chain.code == 3
    assert chain.json()["error"] == {
        "code": 3,
        "kind": "chain",
        "message": "the node refused it",
        "hint": None,
    }


def test_a_usage_error_of_click_is_shown_the_same_way_naming_the_help() -> None:
    result = invoke_cli("--json", "probe")
    assert result.code == 2
    error = result.json()["error"]
    assert error["kind"] == "usage" and "KIND" in error["message"]
    assert error["hint"] == "see `equity probe --help`"
    assert result.err.splitlines()[0].startswith("error: Missing argument")


def test_an_unexpected_exception_is_one_line_and_exit_3_unless_debugging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = invoke_cli("probe", "bug")
    assert result.code == 3
    assert result.err.splitlines() == [
        "error: unexpected ZeroDivisionError: division by zero",
        "hint: run again with EQUITY_DEBUG=1 for the traceback, and report it",
    ]
    monkeypatch.setenv("EQUITY_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        invoke_cli("probe", "bug")
    assert invoke_cli("probe", "usage").code == 2  # typed errors stay messages


def test_ctrl_c_exits_130_and_an_abort_says_nothing_more_was_sent() -> None:
    interrupted = invoke_cli("probe", "interrupt")
    assert (interrupted.code, interrupted.err.strip()) == (130, "error: interrupted")
    aborted = invoke_cli("probe", "abort")
    assert (aborted.code, aborted.err.strip()) == (2, "error: aborted; nothing more was sent")


def test_a_command_that_returns_a_code_exits_with_it() -> None:
    assert invoke_cli("probe", "finding").code == 1


def test_a_script_shows_an_error_exactly_as_equity_does(capsys: pytest.CaptureFixture[str]) -> None:
    parser = script_parser("probe.py", "fails")
    parser.add_argument("kind")

    def action(app: AppContext, args: argparse.Namespace) -> Any:
        return fail(args.kind)

    for kind in ("usage", "chain"):
        with pytest.raises(SystemExit) as exited:
            run_script(parser, action, [kind, "json=true"])
        script_out, script_err = capsys.readouterr()
        command = invoke_cli("--json", "probe", kind)
        assert exited.value.code == command.code
        assert (script_out, script_err) == (command.out, command.err)
