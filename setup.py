"""Package build hooks: the wheel and the sdist carry the compiled templates.

Metadata lives in pyproject.toml; this file only adds ``toolkit/bundled/`` (see
``toolkit/bundle.py``) to what setuptools builds:

- ``sdist``: the release tree gets the bundle, so a wheel built from the sdist (as
  ``python -m build`` does) needs no compiler and no node_modules;
- ``build_py``: a wheel built from a checkout compiles ``contracts/`` with the same code
  and cache as ``make`` (``toolkit.compile``: the same bytecode) into the wheel's build tree;
  a wheel built from an sdist copies the sdist's bundle as package data.

An editable install (``pip install -e .``, what ``make`` does) gets no bundle: a checkout
compiles on demand into its own ``build/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
BUNDLE = Path("toolkit", "bundled")


def write_bundle(target: Path) -> None:
    sys.path.insert(0, str(ROOT))  # the toolkit being built, not an installed one
    from toolkit.packaging import write_bundle as write

    info = write(target, ROOT)
    print(f"bundled templates: solc {info.solc}, OpenZeppelin {info.openzeppelin} -> {target}")


class BuildPyWithTemplates(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode or (ROOT / BUNDLE / "build-info.json").is_file():
            return  # editable: compiled on demand; from an sdist: copied as package data
        write_bundle(Path(self.build_lib) / BUNDLE)


class SdistWithTemplates(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        write_bundle(Path(base_dir) / BUNDLE)


setup(cmdclass={"build_py": BuildPyWithTemplates, "sdist": SdistWithTemplates})
