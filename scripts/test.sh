#!/usr/bin/env bash
# Run the test suite: scripts/test.sh [pytest arguments...]
#
# Installs the system packages the tests need (apt, skipped when already present), creates or
# reuses .venv, installs the project with its [test] extra, and runs pytest offscreen from the
# repository root. Exits with pytest's status; "no tests collected" (pytest's 5) counts as a failure.
# Set PYTHON=/path/to/python3.x to choose the interpreter for a new .venv (scripts/venv.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-packages.sh --tests

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
ensure_venv "[test]"

status=0
QT_QPA_PLATFORM=offscreen "$venv_python" -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
exit "$status"
