"""The compiled templates an installed toolkit carries, so it needs no solc and no checkout.

The package build (``setup.py``) writes ``toolkit/bundled/`` into the wheel and the sdist with
``packaging.write_bundle``; an installed toolkit only reads it (here, below ``compile.py``,
which takes its artifacts from it), and never writes into its own package.
A checkout has no ``bundled/`` folder: it compiles ``contracts/`` on demand into ``build/``.

Layout of ``toolkit/bundled/``::

    build-info.json                     solc and OpenZeppelin versions, EVM, optimizer, fingerprint
    contracts/<Name>.json               the artifacts of ``build/contracts``, byte for byte
    contracts/dependencies/<Name>.json  (the same compile ``make`` runs: the same bytecode)
    solidity/standard-json-input.json   every source compiled, inlined: for block-explorer
                                        verification ("Solidity (Standard-Json-Input)")
    solidity/<source unit>              the same sources as files (contracts/..., @openzeppelin/...)
    examples/                           the sample offering ``equity demo`` tells its story with
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

BUNDLE_DIR = Path(__file__).resolve().parent / "bundled"
BUILD_INFO = "build-info.json"


@dataclass(frozen=True)
class BuildInfo:
    """What the templates were (or, in a checkout, are) compiled with."""

    solc: str
    openzeppelin: str
    evm_version: str
    optimizer_runs: int
    source: str  # "bundled" (installed package) or "checkout" (compiled on demand)
    location: str  # the folder holding the artifacts
    fingerprint: str | None = None  # of sources, settings and OpenZeppelin (compile cache)


def bundled_build_info(bundle: Path | None = None) -> BuildInfo | None:
    """The bundle's build record, or None when this toolkit carries no bundle (a checkout)."""
    bundle = bundle or BUNDLE_DIR
    try:
        data = json.loads((bundle / BUILD_INFO).read_text())
    except (OSError, ValueError):
        return None
    return BuildInfo(**{**data, "source": "bundled", "location": str(bundle / "contracts")})


def bundled_artifacts_dir(bundle: Path | None = None) -> Path | None:
    """``bundled/contracts`` when this toolkit is an installed package, else None."""
    bundle = bundle or BUNDLE_DIR
    return bundle / "contracts" if (bundle / BUILD_INFO).is_file() else None


def bundled_examples_dir(bundle: Path | None = None) -> Path | None:
    folder = (bundle or BUNDLE_DIR) / "examples"
    return folder if (folder / "offering.toml").is_file() else None
