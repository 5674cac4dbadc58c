#!/usr/bin/env bash
# Run the test suite: scripts/test.sh [pytest arguments...]
#
# Installs the system packages the tests need (apt, skipped when already present), creates or
# reuses .venv, installs the project with its [test] extra, and runs pytest offscreen from the
# repository root. Exits with pytest's status; "no tests collected" (pytest's 5) counts as a failure.
# Set PYTHON=/path/to/python3.x to choose the interpreter for a new .venv.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-packages.sh --tests

# --- .venv (same block in scripts/demo.sh) -------------------------------------------------------
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
    echo "test.sh: .venv is broken or older than Python 3.11; recreating it" >&2
    rm -rf .venv
fi
if [ ! -e .venv ]; then
    python="$(find_python)"
    echo "test.sh: creating .venv with $python ($("$python" --version 2>&1))" >&2
    "$python" -m venv .venv
fi

# pip install -e only when pyproject.toml (or the extra) changed since the last install.
extras="[test]"
stamp=.venv/.clinic-desk-install-stamp
want_stamp="$extras $("$venv_python" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want_stamp" ]; then
    echo "test.sh: pip install -e .$extras" >&2
    rm -f "$stamp"
    PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv_python" -m pip install -q -e ".$extras"
    echo "$want_stamp" > "$stamp"
fi
# -------------------------------------------------------------------------------------------------

status=0
QT_QPA_PLATFORM=offscreen "$venv_python" -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
exit "$status"
