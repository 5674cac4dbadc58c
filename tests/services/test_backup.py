"""Consistent copies of the clinic file with SQLite's online backup."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_desk.services.backup import BackupCancelled, backup_sqlite_file

from tests.clinics import Clinic
from .helpers import dump, raw_connection


def test_the_backup_is_a_readable_copy_with_the_same_rows(clinic: Clinic, tmp_path: Path) -> None:
    destination = tmp_path / "copies" / "clinic-copy.sqlite3"
    seen: list[tuple[int, int]] = []

    result = backup_sqlite_file(clinic.path, destination,
                                progress=lambda done, total: seen.append((done, total)) or True,
                                pages_per_step=4)

    assert result == destination
    assert sorted(p.name for p in destination.parent.iterdir()) == ["clinic-copy.sqlite3"]
    with raw_connection(destination) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    original = dump(clinic.desk)
    assert original["staff"] and original["audit_entries"]
    assert dump(destination) == original
    assert len(seen) > 1 and seen[-1][0] == seen[-1][1]
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_backup_cancelled_by_its_progress_callback_leaves_no_file(clinic: Clinic,
                                                                   tmp_path: Path) -> None:
    destination = tmp_path / "copies" / "clinic-copy.sqlite3"
    calls: list[tuple[int, int]] = []

    def cancel(done: int, total: int) -> bool:
        calls.append((done, total))
        return False

    with pytest.raises(BackupCancelled):
        backup_sqlite_file(clinic.path, destination, progress=cancel, pages_per_step=2)

    assert len(calls) == 1 and calls[0][0] < calls[0][1]
    assert list(destination.parent.iterdir()) == []
