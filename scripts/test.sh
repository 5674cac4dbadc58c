#!/usr/bin/env bash
# Run the test suite: scripts/test.sh [pytest arguments...]
#
# Installs the system packages the tests need (apt, skipped when already present), creates or
# reuses .venv, installs the project with its [test] extra, lints with ruff (pyproject.toml's
# [tool.ruff]; under a second) and runs pytest offscreen from the repository root. Exits with
# pytest's status, or 1 when ruff found something; "no tests collected" (pytest's 5) counts as a
# failure.
# Set PYTHON=/path/to/python3.x to choose the interpreter for a new .venv (scripts/venv.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-packages.sh --tests

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
ensure_venv "[test]"

lint=0
"$venv_python" -m ruff check clinic_desk tests bench scripts || lint=$?

status=0
QT_QPA_PLATFORM=offscreen "$venv_python" -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
if [ "$status" -eq 0 ] && [ "$lint" -ne 0 ]; then
    echo "test.sh: the tests passed but ruff found problems (listed above)" >&2
    exit 1
fi
exit "$status"
