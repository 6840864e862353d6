"""The first hour of the README that `equity init` writes, run command by command.

The README is the test script: every `equity ...` line of its shell blocks runs in order, and a
comment line just above a command that says "exit N" is the exit code it must end with (else 0).
Both the checkout's CLI and an installed one (the wheel test) walk it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

SKIPPED = ("equity node install",)  # the caller provides the node its own way


@dataclass(frozen=True)
class Step:
    args: tuple[str, ...]
    expected_exit: int


def readme_steps(readme: str) -> Iterator[Step]:
    """The README's `equity` commands in order, each with its expected exit code."""
    in_shell = False
    expected = 0
    for line in readme.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_shell = stripped == "```sh"
            expected = 0
            continue
        if not in_shell:
            continue
        if stripped.startswith("#"):
            match = re.search(r"\bexit (\d)\b", stripped)
            expected = int(match.group(1)) if match else expected
            continue
        if stripped.startswith("equity ") and not stripped.startswith(SKIPPED):
            yield Step(tuple(shlex.split(stripped, comments=True)[1:]), expected)
        expected = 0


def walk_first_hour(
    folder: Path, run: Callable[[tuple[str, ...]], subprocess.CompletedProcess[str]]
) -> list[tuple[Step, subprocess.CompletedProcess[str]]]:
    """Run every step in ``folder`` (``run`` runs `equity ARGS` there); stop the node at the end
    whatever happens. Returns each step with its process, all exit codes already checked."""
    steps = list(readme_steps((folder / "README.md").read_text()))
    assert steps[0].args == ("node", "start") and steps[-1].args == ("node", "stop")
    done: list[tuple[Step, subprocess.CompletedProcess[str]]] = []
    try:
        for step in steps:
            proc = run(step.args)
            assert proc.returncode == step.expected_exit, (
                f"`equity {' '.join(step.args)}` exited {proc.returncode}, "
                f"not {step.expected_exit}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
            )
            assert "Traceback" not in proc.stderr
            done.append((step, proc))
    finally:
        run(("node", "stop"))
    return done
