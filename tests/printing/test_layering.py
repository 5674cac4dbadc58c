"""Printed documents are pure functions: the printing floor never loads Qt."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_printing_package_loads_no_qt() -> None:
    script = """
import importlib, pkgutil, sys
import clinic_desk.printing as printing
for info in pkgutil.walk_packages(printing.__path__, printing.__name__ + "."):
    importlib.import_module(info.name)
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "shiboken6"})))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == ""
