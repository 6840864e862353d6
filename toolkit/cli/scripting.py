"""The runtime of the scripts in ``scripts/``: one ``main`` for brownie and for plain Python.

``brownie run scripts/vote.py main latest for account=dev2 --network anvil`` calls
``main("latest", "for", "account=dev2")`` after brownie connected; ``python scripts/vote.py
latest for --account dev2`` calls the same ``main`` with ``sys.argv[1:]``. Both parse the
arguments with the script's argparse parser (brownie's own command line refuses unknown
``--options``, hence the ``key=value`` spelling) and build the same ``AppContext`` the CLI
uses: under brownie it talks to the node brownie connected to; otherwise ``--rpc-url``,
``--network`` or a node ``equity node start`` runs here, as for ``equity``. Addresses come
from ``deployments/`` in the working directory.

Errors are shown as ``equity`` shows them (``cli.errors.show_error``): one or two lines on
stderr, the JSON error document with ``--json``, and the exit code of SPEC §6.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from toolkit.cli.context import AppContext, Options
from toolkit.cli.errors import show_error
from toolkit.errors import EquityError

COMMON_OPTIONS = ("account", "deployment", "rpc-url", "network", "json")


def script_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """An argparse parser with the global options of SPEC §4 (and their environment)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        epilog="Under brownie, write options as key=value (account=dev1): brownie's own "
        "command line takes --network.",
    )
    env = os.environ.get
    parser.add_argument("--account", default=env("EQUITY_ACCOUNT"), help="signer alias")
    parser.add_argument("--deployment", default=env("EQUITY_DEPLOYMENT"), help="offering name")
    parser.add_argument("--rpc-url", default=env("EQUITY_RPC_URL"), help="JSON-RPC endpoint")
    parser.add_argument("--network", default=env("EQUITY_NETWORK"), help="anvil, ganache, ...")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def normalize_args(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """``key=value`` (brownie's way) as ``--key value``; known options only."""
    known = {
        option.lstrip("-")
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--")
    }
    out: list[str] = []
    for arg in argv:
        key, sep, value = str(arg).partition("=")
        name = key.replace("_", "-")
        if sep and not key.startswith("-") and name in known:
            flag = next(a for a in parser._actions if f"--{name}" in a.option_strings)
            if flag.nargs == 0:  # a flag: json=true
                if value.lower() in ("1", "true", "yes"):
                    out.append(f"--{name}")
                continue
            out += [f"--{name}", value]
        else:
            out.append(str(arg))
    return out


def brownie_rpc_url() -> str | None:
    """The endpoint of the network brownie connected to, when running under ``brownie run``."""
    brownie = sys.modules.get("brownie")
    if brownie is None:
        return None
    try:
        if not brownie.network.is_connected():
            return None
        return str(brownie.web3.provider.endpoint_uri)
    except Exception:  # noqa: BLE001 - not brownie's runtime after all
        return None


def run_script(
    parser: argparse.ArgumentParser,
    action: Callable[[AppContext, argparse.Namespace], Any],
    argv: Sequence[str],
) -> Any:
    """Parse ``argv``, run ``action`` with a ready AppContext, map errors to exit codes."""
    args = parser.parse_args(normalize_args(argv, parser))
    options = Options(
        network=args.network,
        rpc_url=args.rpc_url or brownie_rpc_url(),
        account=args.account,
        deployment=args.deployment,
        json=bool(args.json),
        yes=True,
    )
    app = AppContext(options=options)
    try:
        return action(app, args)
    except EquityError as exc:
        show_error(exc, json_output=options.json)
        raise SystemExit(exc.exit_code) from None
    finally:
        app.close()
