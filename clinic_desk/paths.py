"""Where the program's shipped files and the clinic's own files live.

Shipped files (fonts, catalogs) sit beside the package in a source checkout and inside
the bundle folder of a frozen build; the clinic's data goes to the per-user folders that
platformdirs names for each operating system.
"""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_NAME = "clinic_desk"
APP_AUTHOR = "clinic_desk"


def install_root() -> Path:
    """The folder holding `resources/` and `translations/`."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return install_root() / "resources"


def translations_dir() -> Path:
    return install_root() / "translations"


def cjk_font_path() -> Path:
    """The TrueType CJK font used on screen and embedded in every printed document."""
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def data_dir() -> Path:
    path = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "clinic.sqlite3"


def demo_database_path() -> Path:
    return data_dir() / "demo.sqlite3"


def backups_dir_for(database_path: Path) -> Path:
    """Backups sit in a folder next to the database file they protect."""
    return database_path.parent / "backups"
