"""``equity --version``: the toolkit's version and what its templates are compiled with."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def versions() -> dict[str, Any]:
    """The toolkit's version, and the compiler and OpenZeppelin behind its templates."""
    from importlib.metadata import PackageNotFoundError, version

    from toolkit.packaging import template_build_info

    try:
        toolkit = version("equity")
    except PackageNotFoundError:  # run from a checkout that was never pip-installed
        toolkit = "unknown (not installed)"
    info = template_build_info()
    return {
        "equity": toolkit,
        "solc": info.solc,
        "openzeppelin": info.openzeppelin,
        "evm_version": info.evm_version,
        "optimizer_runs": info.optimizer_runs,
        "templates": info.source,
        "artifacts": info.location,
    }


def _show_versions(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    data = versions()
    options = getattr(ctx.obj, "options", None)
    if getattr(options, "json", False):
        click.echo(json.dumps(data, indent=2))
    else:
        where = (
            "bundled in the package"
            if data["templates"] == "bundled"
            else "compiled on demand into the checkout's build/"
        )
        click.echo(
            f"equity {data['equity']}\n"
            f"templates: solc {data['solc']}, OpenZeppelin Contracts {data['openzeppelin']} "
            f"(EVM {data['evm_version']}, optimizer {data['optimizer_runs']} runs)\n"
            f"artifacts: {where} ({data['artifacts']})"
        )
    ctx.exit()


def version_option(func: F) -> F:
    """``--version``: print the versions (JSON with ``--json``) and exit."""
    return click.option(
        "--version",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_show_versions,
        help="Show the toolkit, solc and OpenZeppelin versions and exit.",
    )(func)
