"""The domain floors (models, services) never import the GUI toolkit or the PDF library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import clinic_desk

PACKAGE = Path(clinic_desk.__file__).resolve().parent
DOMAIN_FLOORS = ("models", "services")
FORBIDDEN = ("PySide6", "shiboken6", "reportlab")


def imported_modules(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def is_forbidden(module: str) -> bool:
    return module.split(".")[0] in FORBIDDEN


def domain_files() -> list[Path]:
    return sorted(p for floor in DOMAIN_FLOORS for p in (PACKAGE / floor).rglob("*.py"))


def test_the_import_scanner_sees_every_kind_of_import() -> None:
    source = ("import PySide6\nfrom PySide6.QtCore import Qt\nimport reportlab.pdfgen as pdf\n"
              "def later():\n    from shiboken6 import isValid\n")
    assert {m for m in imported_modules(source) if is_forbidden(m)} == {
        "PySide6", "PySide6.QtCore", "reportlab.pdfgen", "shiboken6"}
    assert not any(is_forbidden(m) for m in imported_modules("import PySide6_helpers\n"))


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_domain_module_imports_the_gui_or_pdf_library(path: Path) -> None:
    found = {m for m in imported_modules(path.read_text(encoding="utf-8")) if is_forbidden(m)}
    assert not found, f"{path.relative_to(PACKAGE)} imports {sorted(found)}"


def test_importing_every_domain_module_loads_no_gui_or_pdf_library() -> None:
    script = f"""
import importlib, pkgutil, sys
import clinic_desk.models, clinic_desk.services
names = []
for package in (clinic_desk.models, clinic_desk.services):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
print(len(names))
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)
    count, loaded = result.stdout.splitlines()
    assert int(count) == len([p for p in domain_files() if p.name != "__init__.py"])
    assert loaded == ""
