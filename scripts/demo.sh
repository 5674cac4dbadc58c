#!/usr/bin/env bash
# Open clinic-desk on a demo database: scripts/demo.sh [more clinic-desk arguments...]
#
# Installs the system packages Qt needs (apt, skipped when already present), creates or reuses
# .venv, installs the project into it, and starts `clinic-desk --demo`. Runs from any directory.
# Set PYTHON=/path/to/python3.x to choose the interpreter for a new .venv (scripts/venv.sh).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-packages.sh

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
ensure_venv ""

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
    echo "demo.sh: warning: neither DISPLAY nor WAYLAND_DISPLAY is set; Qt may not be able to open a window" >&2
fi

exec .venv/bin/clinic-desk --demo "$@"
