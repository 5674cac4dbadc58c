"""The program's log: a rotating file in the per-user log folder.

Unexpected errors (with their tracebacks), backups, restores and problems found at start are
written here, so a clinic can send the file to whoever looks after its PCs. Patients' data
is never logged, only ids and file names.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from clinic_desk.paths import APP_AUTHOR, APP_NAME

LOG_FILE = "clinic_desk.log"
MAX_BYTES = 1_000_000
KEEP_FILES = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def _file_handler() -> RotatingFileHandler | None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, RotatingFileHandler):
            return handler
    return None


def set_up_logging(folder: Path | None = None) -> Path:
    """Send the program's log to `folder` (default: the per-user log folder), 1 MB a file,
    the last five kept. Calling it again keeps the file already chosen."""
    existing = _file_handler()
    if existing is not None:
        return Path(existing.baseFilename)
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=MAX_BYTES, backupCount=KEEP_FILES,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return Path(handler.baseFilename)


def log_file() -> Path | None:
    """The file the log goes to, once `set_up_logging` has run."""
    handler = _file_handler()
    return Path(handler.baseFilename) if handler else None
