"""Copies of the clinic's SQLite file, made with SQLite's online backup API.

The online backup copies a consistent snapshot even while other PCs are writing, which
copying the file (and its WAL) by hand does not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

#: progress(pages_done, pages_total); return False to cancel.
Progress = Callable[[int, int], bool]


class BackupCancelled(Exception):
    pass


def backup_sqlite_file(source: Path, destination: Path, progress: Progress | None = None,
                       pages_per_step: int = 256) -> Path:
    """Write a consistent copy of `source` to `destination` (a partial file never remains)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    cancelled = False

    def _step(_status: int, remaining: int, total: int) -> None:
        nonlocal cancelled
        if progress is not None and not progress(total - remaining, total):
            cancelled = True
            raise BackupCancelled()

    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=pages_per_step, progress=_step)
    except BackupCancelled:
        pass
    finally:
        dst.close()
        src.close()
    if cancelled:
        partial.unlink(missing_ok=True)
        raise BackupCancelled()
    partial.replace(destination)
    return destination
