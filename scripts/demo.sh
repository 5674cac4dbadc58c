#!/usr/bin/env bash
# Open clinic-desk on a demo database: scripts/demo.sh [more clinic-desk arguments...]
#
# Installs the system packages Qt needs (apt, skipped when already present), creates or reuses
# .venv, installs the project into it, and starts `clinic-desk --demo`. Runs from any directory.
# Set PYTHON=/path/to/python3.x to choose the interpreter for a new .venv.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-packages.sh

# --- .venv (same block in scripts/test.sh) -------------------------------------------------------
find_python() {
    local py
    for py in ${PYTHON:-python3 python3.13 python3.12 python3.11}; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    echo "no Python >= 3.11 found (tried: ${PYTHON:-python3 python3.13 python3.12 python3.11})" >&2
    return 1
}

venv_python=.venv/bin/python
if [ -e .venv ] && ! "$venv_python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "demo.sh: .venv is broken or older than Python 3.11; recreating it" >&2
    rm -rf .venv
fi
if [ ! -e .venv ]; then
    python="$(find_python)"
    echo "demo.sh: creating .venv with $python ($("$python" --version 2>&1))" >&2
    "$python" -m venv .venv
fi

# pip install -e only when pyproject.toml (or the extra) changed since the last install. A venv
# made by scripts/test.sh (with [test]) already has everything the program needs.
stamp=.venv/.clinic-desk-install-stamp
pyproject_hash="$("$venv_python" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
current_stamp="$(cat "$stamp" 2>/dev/null || true)"
if [ "$current_stamp" != "$pyproject_hash" ] && [ "$current_stamp" != "[test] $pyproject_hash" ]; then
    echo "demo.sh: pip install -e ." >&2
    rm -f "$stamp"
    PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv_python" -m pip install -q -e .
    echo "$pyproject_hash" > "$stamp"
fi
# -------------------------------------------------------------------------------------------------

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
    echo "demo.sh: warning: neither DISPLAY nor WAYLAND_DISPLAY is set; Qt may not be able to open a window" >&2
fi

exec .venv/bin/clinic-desk --demo "$@"
