#!/usr/bin/env bash
# Create .venv-brownie (eth-brownie 1.22.2 + this toolkit) once; a rerun is a no-op.
#
# brownie pins its own web3/eth-account/pytest/hypothesis, so it lives in a venv of its own
# rather than in .venv. Everything comes from PyPI; no solc is downloaded: py-solc-x is pointed at
# tools/solcx (solc-v0.8.28 there is a shim over the npm solc package) by a .pth file that sets
# SOLCX_BINARY_PATH whenever the venv's Python starts, so plain `brownie run ...` compiles
# offline from any directory.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv-brownie"
STAMP="$VENV/.installed"

ROOT="$(pwd)"

write_solcx_pth() {
    local site
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    printf 'import os; os.environ.setdefault("SOLCX_BINARY_PATH", %s)\n' \
        "'$ROOT/tools/solcx'" >"$site/equity-solcx.pth"
}

if [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ]; then
    write_solcx_pth  # cheap, and follows the checkout if it moved
    exit 0
fi
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "eth-brownie==1.22.2"
# the toolkit itself: pyproject pins web3/eth-account/py-solc-x to brownie's versions, so this
# adds click, rich and pyocf without moving any of brownie's pins (checked below)
"$VENV/bin/pip" install --quiet -e .
"$VENV/bin/pip" check >/dev/null || { "$VENV/bin/pip" check; exit 1; }
"$VENV/bin/python" - <<'PY'
import importlib
for name in ("brownie", "web3", "eth_account", "click", "rich", "toolkit"):
    importlib.import_module(name)
PY
write_solcx_pth
touch "$STAMP"
