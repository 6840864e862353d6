"""``equity init``: a new company's folder, ready for its first hour with the toolkit.

The files are templates shipped with the package (``templates/``): an offering file with every
key explained, sample holders, issuances and register CSVs that work together on a local
chain, an ``equity.toml`` with a network entry to fill in, a ``.gitignore`` and a README that
walks the first hour. Nothing is ever overwritten: when any of the files is already there,
nothing is written at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from toolkit.errors import UsageError

# file written -> template it comes from (a leading dot would hide a template from packaging)
FILES: dict[str, str] = {
    "offering.toml": "offering.toml",
    "holders.csv": "holders.csv",
    "issuances.csv": "issuances.csv",
    "register.csv": "register.csv",
    "equity.toml": "equity.toml",
    ".gitignore": "gitignore",
    "README.md": "README.md",
}


@dataclass(frozen=True)
class CompanyFolder:
    folder: Path
    written: tuple[Path, ...]


def template_text(name: str) -> str:
    """The text of one template (``FILES`` values)."""
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def write_company_folder(folder: Path) -> CompanyFolder:
    """Write the starter files into ``folder`` (created if needed); refuse to overwrite."""
    folder = folder.resolve()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder", hint="choose another DIR")
    existing = [name for name in FILES if (folder / name).exists()]
    if existing:
        raise UsageError(
            f"{folder} already has {', '.join(existing)}; nothing was written",
            hint="run `equity init` in an empty folder (or move those files away)",
        )
    texts = {name: template_text(template) for name, template in FILES.items()}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        path = folder / name
        with path.open("x", encoding="utf-8") as handle:  # "x": never replace a file
            handle.write(text)
        written.append(path)
    return CompanyFolder(folder, tuple(written))
