#!/usr/bin/env bash
# Build the one-folder program: scripts/build-bundle.sh [extra PyInstaller arguments...]
#
# Installs the system packages the build needs (the Qt libraries the bundle carries come from
# the system), creates or reuses .venv with the [build] extra (PyInstaller), and runs
# installer/clinic_desk.spec. The result is dist/clinic-desk/: copy the folder anywhere with the
# same or a newer glibc and run dist/clinic-desk/clinic-desk. Prints the bundle's size.
# The Windows installer is built on Windows by scripts/build-bundle.ps1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-packages.sh --build

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
ensure_venv "[build]"

"$venv_python" -m PyInstaller --noconfirm --log-level WARN --distpath dist \
    --workpath build/pyinstaller "$@" installer/clinic_desk.spec
echo "build-bundle.sh: dist/clinic-desk is $(du -sm dist/clinic-desk | cut -f1) MB" >&2
