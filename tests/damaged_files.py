"""Damaging a clinic file the ways disks and power cuts do, for the backup and start tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def fold_wal(path: Path) -> None:
    """Move everything from the WAL into the file itself (the engine must be disposed)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def break_an_index(path: Path, table: str = "staff", value: bytes = b"boss") -> None:
    """Change one byte of `value` inside `table`'s own page, not in its unique index: the
    file still opens and reads, but `PRAGMA integrity_check` finds the row missing from the
    index (what a torn write leaves behind)."""
    fold_wal(path)
    connection = sqlite3.connect(path)
    try:
        (page_size,), = connection.execute("PRAGMA page_size").fetchall()
        (root,), = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?",
            (table,)).fetchall()
    finally:
        connection.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    at = data.index(value, start, start + page_size)
    data[at] ^= 0x20  # boss -> Boss
    path.write_bytes(bytes(data))


def overwrite_header(path: Path) -> None:
    """Garbage over the first page's header: SQLite no longer recognises the file."""
    fold_wal(path)
    data = bytearray(path.read_bytes())
    data[:100] = b"\xde\xad\xbe\xef" * 25
    path.write_bytes(bytes(data))
