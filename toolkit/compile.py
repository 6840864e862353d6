"""Compile the Solidity templates in ``contracts/`` into one artifact format in ``build/``.

One code path: a standard-JSON input goes to a native ``solc`` of the pinned version when
py-solc-x can find one, else to the npm ``solc`` package (solc-js) through node. Both get
the same flags, so ``@openzeppelin/...`` imports resolve from ``node_modules`` either way.

Artifacts are written one per contract as ``build/contracts/<Name>.json`` (dependencies
under ``build/contracts/dependencies/``) in a brownie-compatible shape, so brownie and
slither (``--compile-force-framework brownie --ignore-compile``) can read them too.

Incremental: a fingerprint of every source, the compiler and the settings is kept in
``build/compile-cache.json``; when nothing changed, nothing is compiled and this module
does no more than hash a few files (it imports nothing heavy). Beside it,
``build/standard-json-input.json`` keeps exactly what the compiler was given, every imported
source included: the input a block explorer's "Standard JSON input" verification asks for.

Where the shipped templates' artifacts come from (``template_artifacts_dir``): an installed
toolkit carries them precompiled in its package (``toolkit/bundled/``, see
``toolkit.bundle``) and never writes there; a checkout of the repository compiles its
``contracts/`` on demand into its own ``build/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import CompileError, ToolchainError

SOLC_VERSION = "0.8.28"
OZ_VERSION = "5.3.0"  # package.json pins the same (a test keeps the two equal)
EVM_VERSION = "shanghai"  # the newest Ganache 7.9.2 runs; Anvil runs it too
OPTIMIZER_RUNS = 200
OZ_PACKAGE = "@openzeppelin/contracts"

SETTINGS: dict[str, Any] = {
    "evmVersion": EVM_VERSION,
    "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
    "outputSelection": {
        "*": {
            "*": [
                "abi",
                "evm.bytecode.object",
                "evm.bytecode.sourceMap",
                "evm.bytecode.linkReferences",
                "evm.deployedBytecode.object",
                "evm.deployedBytecode.sourceMap",
                "evm.methodIdentifiers",
                "storageLayout",
                "devdoc",
                "userdoc",
            ],
            "": ["ast"],
        }
    },
}


def package_root() -> Path:
    """The folder above the ``toolkit`` package: a checkout of the repository (with
    ``contracts/`` and ``node_modules``), or ``site-packages`` when installed."""
    override = os.environ.get("EQUITY_HOME_PROJECT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parent.parent


def checkout_root() -> Path | None:
    """The toolkit's own checkout when it runs from one (its templates are in ``contracts/``)."""
    root = package_root()
    return root if (root / "contracts").is_dir() else None


def build_dir(root: Path | None = None) -> Path:
    return (root or package_root()) / "build" / "contracts"


def template_artifacts_dir(*, compile_if_needed: bool = True) -> Path:
    """The folder of the shipped templates' artifacts (``<Name>.json``, ``dependencies/``).

    An installed toolkit reads the ones bundled in its package; a checkout compiles its
    ``contracts/`` into its ``build/`` first (a no-op when up to date).
    """
    from toolkit.bundle import bundled_artifacts_dir

    bundled = bundled_artifacts_dir()
    if bundled is not None:
        return bundled
    if compile_if_needed:
        compile_project(package_root())
    return build_dir(package_root())


def node_modules_dir(root: Path | None = None) -> Path:
    """``node_modules`` of the project, or of the toolkit's own checkout as a fallback."""
    for base in (root, package_root()):
        if base is not None and (base / "node_modules").is_dir():
            return base / "node_modules"
    raise ToolchainError(
        "node_modules not found: the npm toolchain (solc, OpenZeppelin) is not installed",
        hint=npm_toolchain_hint(root or package_root()),
    )


def npm_toolchain_hint(root: Path) -> str:
    """How to install the compiler and OpenZeppelin in a project folder."""
    if (root / "package-lock.json").is_file():
        return f"run `npm ci` in {root} (or `make` in a checkout of the toolkit)"
    return (
        f"run `npm install --save-exact solc@{SOLC_VERSION} @openzeppelin/contracts@{OZ_VERSION}` "
        f"in {root} (or `npm ci` where a package-lock.json pins them)"
    )


@dataclass(frozen=True)
class Compiler:
    """How to invoke the compiler: a command prefix and a human description."""

    command: tuple[str, ...]
    description: str


EIP170_LIMIT = 24_576  # bytes of runtime code a contract may deploy (EIP-170)


@dataclass(frozen=True)
class CompileResult:
    compiled: bool
    contracts: tuple[str, ...]
    compiler: str
    build_dir: Path
    precompiled: bool = False  # the installed package's bundled templates: nothing to compile
    sizes: dict[str, int] = field(default_factory=dict)  # runtime bytes of each deployable contract


def _source_files(contracts_dir: Path) -> list[Path]:
    return sorted(p for p in contracts_dir.rglob("*.sol") if p.is_file())


def _fingerprint(root: Path, sources: list[Path]) -> str:
    digest = hashlib.sha256()
    digest.update(SOLC_VERSION.encode())
    digest.update(json.dumps(SETTINGS, sort_keys=True).encode())
    try:
        oz = node_modules_dir(root) / OZ_PACKAGE / "package.json"
        digest.update(oz.read_bytes())
    except (ToolchainError, OSError):
        digest.update(b"no-oz")
    for path in sources:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_file(root: Path) -> Path:
    return root / "build" / "compile-cache.json"


def standard_json_input_file(root: Path | None = None) -> Path:
    """What the compiler was last given for ``root``, every imported source inlined."""
    return (root or package_root()) / "build" / "standard-json-input.json"


def compile_record(root: Path | None = None) -> dict[str, Any]:
    """The last compile of ``root``: its fingerprint and compiler ({} before the first)."""
    try:
        record = json.loads(_cache_file(root or package_root()).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def is_up_to_date(root: Path | None = None) -> bool:
    """True when ``build/`` already holds artifacts of exactly the current sources."""
    root = root or package_root()
    sources = _source_files(root / "contracts")
    cached = compile_record(root)
    return bool(cached) and cached.get("fingerprint") == _fingerprint(root, sources)


def find_compiler(root: Path | None = None) -> Compiler:
    """A native solc of the pinned version if py-solc-x finds one, else solc-js through node
    (from the project's ``node_modules``, else the checkout's)."""
    native = _find_native_solc()
    if native is not None:
        return Compiler((str(native),), f"solc {SOLC_VERSION} (native, {native})")
    node = shutil.which("node")
    if node is None:
        raise ToolchainError(
            "node not found: the Solidity compiler (npm package solc) needs Node.js",
            hint="install Node.js 20+ (e.g. `apt-get install nodejs npm`), then run `npm ci`",
        )
    solcjs = node_modules_dir(root) / "solc" / "solc.js"
    if not solcjs.is_file():
        raise ToolchainError(
            "the npm package solc is not installed",
            hint=npm_toolchain_hint(root or package_root()),
        )
    return Compiler((node, str(solcjs)), f"solc-js {SOLC_VERSION} (node)")


def _find_native_solc() -> Path | None:
    """Ask py-solc-x for an installed solc of the pinned version (its folder, then PATH)."""
    if os.environ.get("EQUITY_SOLC") == "js":
        return None
    try:
        # imported here: py-solc-x pulls in requests, too slow for every start
        from solcx.exceptions import SolcNotInstalled
        from solcx.install import get_executable
    except ImportError:  # pragma: no cover - py-solc-x is a hard dependency
        return None
    candidates: list[Path] = []
    with contextlib.suppress(SolcNotInstalled, Exception):  # any failure means "not there"
        candidates.append(Path(get_executable(SOLC_VERSION)))
    on_path = shutil.which("solc")
    if on_path:
        candidates.append(Path(on_path))
    for path in candidates:
        if _native_version(path) == SOLC_VERSION:
            return path
    return None


def _native_version(path: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(path), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            env={k: v for k, v in os.environ.items() if k != "SOLC_VERSION"},
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"Version:\s*(\d+\.\d+\.\d+)", out.stdout)
    return match.group(1) if match else None


def compile_project(
    root: Path | None = None, *, force: bool = False, compiler: Compiler | None = None
) -> CompileResult:
    """Compile ``<root>/contracts`` into ``<root>/build/contracts`` unless already up to date."""
    root = (root or package_root()).resolve()
    contracts_dir = root / "contracts"
    if not contracts_dir.is_dir():
        raise CompileError(
            f"no contracts/ folder in {root}",
            hint="run from a project with a contracts/ folder, or leave the default templates",
        )
    sources = _source_files(contracts_dir)
    fingerprint = _fingerprint(root, sources)
    out_dir = build_dir(root)
    if not force and is_up_to_date(root):
        names = tuple(sorted(p.stem for p in out_dir.glob("*.json")))
        return CompileResult(False, names, "(up to date)", out_dir, sizes=contract_sizes(root))

    with _exclusive(root):  # one compiler at a time per project; the others wait, then reuse
        if not force and is_up_to_date(root):
            names = tuple(sorted(p.stem for p in out_dir.glob("*.json")))
            return CompileResult(False, names, "(up to date)", out_dir, sizes=contract_sizes(root))
        compiler = compiler or find_compiler(root)
        node_modules = node_modules_dir(root)
        standard_input = {
            "language": "Solidity",
            "sources": {
                str(p.relative_to(root)): {"content": p.read_text(encoding="utf-8")}
                for p in sources
            },
            "settings": SETTINGS,
        }
        output = _run_compiler(compiler, standard_input, root, node_modules)
        staging = out_dir.with_name(f".contracts-{os.getpid()}")
        written, sizes = _write_artifacts(output, root, staging, node_modules, compiler)
        _swap_in(staging, out_dir)
        _write_whole(
            standard_json_input_file(root),
            json.dumps(_self_contained_input(standard_input, output, root, node_modules)),
        )
        _write_whole(
            _cache_file(root),
            json.dumps(
                {"fingerprint": fingerprint, "compiler": compiler.description, "sizes": sizes}
            ),
        )
    return CompileResult(True, written, compiler.description, out_dir, sizes=sizes)


def contract_sizes(root: Path | None = None) -> dict[str, int]:
    """Runtime bytes of each of the project's contracts that deploys code, as the last
    compilation measured them (``deployedBytecode``, library placeholders counted at their
    linked size); empty before a compilation."""
    sizes = compile_record(root).get("sizes") or {}
    return {str(name): int(size) for name, size in dict(sizes).items()}


def artifact_sizes(folder: Path) -> dict[str, int]:
    """The same, read from a folder of artifacts (an installed package's bundled templates)."""
    sizes: dict[str, int] = {}
    for path in sorted(folder.glob("*.json")):
        artifact = json.loads(path.read_text())
        if _deploys_code(artifact):
            sizes[str(artifact["contractName"])] = len(artifact["deployedBytecode"]) // 2
    return sizes


def _self_contained_input(
    standard_input: dict[str, Any], output: dict[str, Any], root: Path, node_modules: Path
) -> dict[str, Any]:
    """The input with every source the compiler read (imports from node_modules included),
    so that it compiles to the same bytecode with no include path at all."""
    sources = dict(standard_input["sources"])
    for unit in sorted(output.get("sources", {})):
        if unit not in sources:
            path = node_modules / unit
            if not path.is_file():
                path = root / unit
            sources[unit] = {"content": path.read_text(encoding="utf-8")}
    return {**standard_input, "sources": dict(sorted(sources.items()))}


def compile_in_folder(folder: Path, *, force: bool = False) -> CompileResult:
    """What ``equity compile`` does in ``folder``: its own ``contracts/`` into its own
    ``build/``; else the shipped templates, which a checkout compiles on demand and an
    installed package carries precompiled (it never writes into its own package)."""
    if (folder / "contracts").is_dir():
        return compile_project(folder, force=force)
    from toolkit.bundle import bundled_artifacts_dir, bundled_build_info

    bundled = bundled_artifacts_dir()
    info = bundled_build_info()
    if bundled is None or info is None:
        return compile_project(package_root(), force=force)
    names = tuple(sorted(p.stem for p in bundled.glob("*.json")))
    compiler = f"solc {info.solc}, OpenZeppelin Contracts {info.openzeppelin}"
    return CompileResult(
        False, names, compiler, bundled, precompiled=True, sizes=artifact_sizes(bundled)
    )


@contextlib.contextmanager
def _exclusive(root: Path) -> Iterator[None]:
    import fcntl

    lock_path = root / "build" / ".compile.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_whole(path: Path, text: str) -> None:
    """Replace ``path`` in one rename: a process reading the compile record without the lock
    (``is_up_to_date``, another pytest worker) sees the old file or the new, never half."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text)
    os.replace(partial, path)


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Replace the artifacts in two renames, so a reader never sees a half-written folder."""
    old = out_dir.with_name(f".contracts-old-{os.getpid()}")
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _run_compiler(
    compiler: Compiler, standard_input: dict[str, Any], root: Path, node_modules: Path
) -> dict[str, Any]:
    command = [
        *compiler.command,
        "--standard-json",
        "--base-path",
        str(root),
        "--include-path",
        str(node_modules),
    ]
    # stdin and stdout are files, not pipes: solc-js reads stdin with readFileSync, which fails
    # with EAGAIN on a pipe holding more than one buffer (64 KiB), and exits before a large
    # piped output is flushed
    with (
        tempfile.TemporaryFile(mode="w+", encoding="utf-8") as source,
        tempfile.TemporaryFile(mode="w+", encoding="utf-8") as out,
    ):
        source.write(json.dumps(standard_input))
        source.seek(0)
        try:
            proc = subprocess.run(
                command,
                stdin=source,
                stdout=out,
                stderr=subprocess.PIPE,
                text=True,
                cwd=root,
                timeout=600,
            )
        except FileNotFoundError as exc:
            raise ToolchainError(
                f"cannot run the compiler: {exc}", hint="run `make` to install it"
            ) from exc
        out.seek(0)
        stdout = out.read()
    start = stdout.find("{")  # solc-js may print a ">>>" line before the JSON
    if start < 0:
        raise CompileError(
            f"the compiler gave no output (exit {proc.returncode}): {proc.stderr.strip()[:300]}",
            hint="check the toolchain with `npm ci`",
        )
    output: dict[str, Any] = json.loads(stdout[start:])
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        first = errors[0]
        message = _format_compile_error(first)
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CompileError(
            message + more, hint="fix the Solidity source and run `equity compile` again"
        )
    return output


def _format_compile_error(error: dict[str, Any]) -> str:
    """``file:line: message`` from solc's error object (first line of its formatted text)."""
    location = error.get("sourceLocation") or {}
    formatted = str(error.get("formattedMessage") or error.get("message", "")).strip()
    # formattedMessage looks like "ParserError: msg\n --> file:line:col:\n ..."
    match = re.search(r"-->\s*([^\s:]+):(\d+):(\d+)", formatted)
    headline = f"{error.get('type', 'Error')}: {error.get('message', '').strip()}"
    if match:
        return f"{match.group(1)}:{match.group(2)}: {headline}"
    if location.get("file"):
        return f"{location['file']}: {headline}"
    return headline


def _write_artifacts(
    output: dict[str, Any], root: Path, out_dir: Path, node_modules: Path, compiler: Compiler
) -> tuple[tuple[str, ...], dict[str, int]]:
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    (out_dir / "dependencies").mkdir()
    sources_out = output.get("sources", {})
    written: list[str] = []
    sizes: dict[str, int] = {}
    compiler_info = {
        "version": f"{SOLC_VERSION}+{compiler.description}",
        "evm_version": EVM_VERSION,
        "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
        "optimize": True,
        "runs": OPTIMIZER_RUNS,
    }
    for source_path, contracts in sorted(output.get("contracts", {}).items()):
        is_dependency = not source_path.startswith("contracts/")
        source_file = (node_modules / source_path) if is_dependency else (root / source_path)
        source_text = source_file.read_text(encoding="utf-8") if source_file.is_file() else ""
        source_hash = hashlib.sha256(source_text.encode()).hexdigest()
        for name, data in sorted(contracts.items()):
            evm = data.get("evm", {})
            artifact = {
                "contractName": name,
                "sourcePath": source_path,
                "sourceHash": source_hash,
                "abi": data.get("abi", []),
                "bytecode": evm.get("bytecode", {}).get("object", ""),
                "deployedBytecode": evm.get("deployedBytecode", {}).get("object", ""),
                "sourceMap": evm.get("bytecode", {}).get("sourceMap", ""),
                "deployedSourceMap": evm.get("deployedBytecode", {}).get("sourceMap", ""),
                "linkReferences": evm.get("bytecode", {}).get("linkReferences", {}),
                "methodIdentifiers": evm.get("methodIdentifiers", {}),
                "storageLayout": data.get("storageLayout", {}),
                "ast": sources_out.get(source_path, {}).get("ast", {}),
                "devdoc": data.get("devdoc", {}),
                "userdoc": data.get("userdoc", {}),
                "compiler": compiler_info,
                "language": "Solidity",
                "type": _contract_kind(sources_out.get(source_path, {}).get("ast", {}), name),
            }
            target = (
                out_dir / "dependencies" / f"{name}.json"
                if is_dependency
                else out_dir / f"{name}.json"
            )
            if is_dependency and target.exists():
                continue  # same name in two OZ files: the first wins, both decode the same
            target.write_text(json.dumps(artifact, separators=(",", ":")))
            if not is_dependency:
                written.append(name)
                if _deploys_code(artifact):
                    sizes[name] = len(artifact["deployedBytecode"]) // 2
    return tuple(sorted(written)), dict(sorted(sizes.items()))


def _deploys_code(artifact: dict[str, Any]) -> bool:
    """A contract with runtime code, or a library with external functions (a linked library);
    not an interface, an abstract contract or a library of internal functions only."""
    if not artifact["deployedBytecode"]:
        return False
    if artifact["type"] == "library":  # external functions (storage arguments are not in the ABI)
        return bool(artifact["methodIdentifiers"])
    return True


def _contract_kind(ast: dict[str, Any], name: str) -> str:
    for node in ast.get("nodes", []):
        if node.get("nodeType") == "ContractDefinition" and node.get("name") == name:
            return str(node.get("contractKind", "contract"))
    return "contract"


def iter_artifact_files(root: Path | None = None) -> Iterator[Path]:
    """Every artifact file, the project's own first, then its dependencies' (``root``
    None: the shipped templates', as they are now, without compiling)."""
    out = build_dir(root) if root is not None else template_artifacts_dir(compile_if_needed=False)
    yield from sorted(out.glob("*.json"))
    yield from sorted((out / "dependencies").glob("*.json"))


if __name__ == "__main__":  # pragma: no cover - convenience for contract developers
    result = compile_project(force=False)
    print(f"{'compiled' if result.compiled else 'up to date'}: {len(result.contracts)} contracts")
    for contract, size in result.sizes.items():
        print(f"  {contract:<24} {size:>6,} bytes of runtime code (EIP-170 limit {EIP170_LIMIT:,})")
