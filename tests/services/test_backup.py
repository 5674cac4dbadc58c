"""Backups of the clinic file: consistent copies, the daily and monthly rotation, copies on a
USB stick, what a backup holds, damaged files, and putting a backup back."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from clinic_desk.services.backup import (BackupCancelled, BackupFailed, BackupKind,
                                         DatabaseDamaged, back_up_to_folder, backup_now,
                                         backup_sqlite_file,
                                         integrity_problem, list_backups, read_contents,
                                         rotate)
from clinic_desk.services.errors import Conflict
from clinic_desk.services.restore import (newest_good_backup, recover_from_backup,
                                          restore_backup)

from tests.clinics import Clinic
from tests.damaged_files import break_an_index, overwrite_header
from .cash import Till
from .helpers import Patients, audit_actions, dump, expect_denied, expect_field_error, \
    last_audit_entry, raw_connection, rows

SHANGHAI = timezone(timedelta(hours=8))


def backups_of(clinic: Clinic) -> Path:
    return clinic.path.parent / "backups"


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def paid_visit(till: Till) -> None:
    """One patient, one visit, one charge paid in cash."""
    patient = till.new_patient()
    visit = till.visit(patient)
    till.charge(visit, till.items.exam)
    till.pay(patient, visit, till.cash("50.00"))


# --- the copy itself ---------------------------------------------------------------------------

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
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
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


def test_a_copy_that_cannot_be_written_says_why_and_leaves_nothing(clinic: Clinic,
                                                                  tmp_path: Path) -> None:
    not_a_folder = tmp_path / "stick"
    not_a_folder.write_text("a file where the folder should be")

    with pytest.raises(BackupFailed) as info:
        backup_sqlite_file(clinic.path, not_a_folder / "clinic-copy.sqlite3")

    assert info.value.message == "The copy could not be made: File exists"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "clinic.sqlite3", "clinic.sqlite3-shm", "clinic.sqlite3-wal", "stick"]


# --- integrity ---------------------------------------------------------------------------------

def test_integrity_problems_are_named_and_a_sound_file_has_none(clinic: Clinic,
                                                                tmp_path: Path) -> None:
    assert integrity_problem(clinic.path) is None
    unreadable = tmp_path / "unreadable.sqlite3"
    shutil.copyfile(clinic.path, unreadable)
    overwrite_header(unreadable)
    assert integrity_problem(unreadable) == "file is not a database"
    assert integrity_problem(tmp_path / "missing.sqlite3") == "the file does not exist"

    clinic.desk.db.dispose()
    break_an_index(clinic.path)
    problem = integrity_problem(clinic.path)
    assert problem is not None and "missing from index sqlite_autoindex_staff" in problem


def test_a_damaged_file_never_replaces_a_good_backup(clinic: Clinic) -> None:
    good = backup_now(clinic.desk)
    assert good is not None
    before = good.read_bytes()
    clinic.clock.advance(hours=2)
    clinic.desk.db.dispose()
    break_an_index(clinic.path)

    with pytest.raises(DatabaseDamaged) as info:
        backup_now(clinic.desk)

    assert "missing from index" in info.value.problem
    assert good.read_bytes() == before
    assert names(backups_of(clinic)) == ["clinic-daily-2026-03-02.sqlite3",
                                         "clinic-monthly-2026-03.sqlite3"]


# --- automatic backups and rotation -------------------------------------------------------

def test_the_automatic_backup_is_named_by_the_clinics_day_and_stamped_by_its_clock(
        clinic: Clinic) -> None:
    clinic.clock.set(datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI))  # 15:30 UTC

    daily = backup_now(clinic.desk)

    assert daily == backups_of(clinic) / "clinic-daily-2026-03-31.sqlite3"
    assert names(backups_of(clinic)) == ["clinic-daily-2026-03-31.sqlite3",
                                         "clinic-monthly-2026-03.sqlite3"]
    assert dump(daily) == dump(clinic.desk)
    files = list_backups(clinic.path)
    assert {f.kind for f in files} == {BackupKind.DAILY, BackupKind.MONTHLY}
    assert {f.made_at for f in files} == {clinic.clock.now()}


def test_a_later_backup_the_same_day_replaces_that_days_copy(clinic: Clinic) -> None:
    patients = Patients(clinic)
    backup_now(clinic.desk)
    patients.add("王芳")
    clinic.clock.advance(hours=6)

    daily = backup_now(clinic.desk)

    assert daily is not None
    assert names(backups_of(clinic)) == ["clinic-daily-2026-03-02.sqlite3",
                                         "clinic-monthly-2026-03.sqlite3"]
    assert read_contents(daily).patients == 1
    assert read_contents(backups_of(clinic) / "clinic-monthly-2026-03.sqlite3").patients == 1


def test_fourteen_daily_backups_are_kept(clinic: Clinic) -> None:
    for _ in range(40):
        backup_now(clinic.desk)
        clinic.clock.advance(days=1)

    last = date(2026, 3, 2) + timedelta(days=39)
    daily = [n for n in names(backups_of(clinic)) if "-daily-" in n]
    assert daily == [f"clinic-daily-{last - timedelta(days=d)}.sqlite3" for d in range(13, -1, -1)]
    assert [n for n in names(backups_of(clinic)) if "-monthly-" in n] == [
        "clinic-monthly-2026-03.sqlite3", "clinic-monthly-2026-04.sqlite3"]


def test_twelve_monthly_backups_are_kept_and_other_copies_are_never_deleted(
        clinic: Clinic) -> None:
    folder = backups_of(clinic)
    folder.mkdir()
    kept = ["clinic-before-0001-20260101-020000.sqlite3",
            "clinic-before-restore-20260102-020000.sqlite3", "clinic-2026-01-03-100000.sqlite3"]
    for name in kept:
        shutil.copyfile(clinic.path, folder / name)

    for month in range(15):
        clinic.clock.set(datetime(2026 + (2 + month) // 12, (2 + month) % 12 + 1, 10, 9,
                                  tzinfo=SHANGHAI))
        backup_now(clinic.desk)

    monthly = [n for n in names(folder) if "-monthly-" in n]
    assert monthly == [f"clinic-monthly-{2026 + m // 12}-{m % 12 + 1:02d}.sqlite3"
                       for m in range(5, 17)]  # June 2026 to May 2027
    assert set(kept) <= set(names(folder))
    assert rotate(folder, "clinic") == []


# --- a copy on a USB stick --------------------------------------------------------------------

def test_a_manager_copies_the_clinic_to_a_chosen_folder(clinic: Clinic, tmp_path: Path) -> None:
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    before = dump(clinic.desk)

    copy = back_up_to_folder(clinic.desk, clinic.manager, f"  {stick}  ")

    assert copy == stick / "clinic-2026-03-02-100000.sqlite3"
    assert dump(copy) == before
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.actor_id, entry.details) == (
        "backup_copied", clinic.manager.staff_id, {"file": str(copy)})


def test_a_copy_needs_an_existing_folder_and_a_manager(clinic: Clinic, tmp_path: Path) -> None:
    desk, manager = clinic.desk, clinic.manager
    error = expect_field_error(desk, "folder", lambda: back_up_to_folder(desk, manager, " "))
    assert error.errors["folder"] == "Choose a folder."
    error = expect_field_error(desk, "folder", lambda: back_up_to_folder(
        desk, manager, str(tmp_path / "no-such-stick")))
    assert error.errors["folder"] == "This folder does not exist."
    expect_denied(desk, lambda: back_up_to_folder(desk, clinic.receptionist, str(tmp_path)))


# --- what a backup holds ------------------------------------------------------------------------

def test_a_backups_contents_are_counted_without_changing_it(till: Till) -> None:
    clinic = till.clinic
    paid_visit(till)
    paid_visit(till)
    till.new_patient("没来过")
    daily = backup_now(clinic.desk)
    assert daily is not None
    stamp = daily.stat().st_mtime

    contents = read_contents(daily)

    assert (contents.patients, contents.visits, contents.payments) == (3, 2, 2)
    assert contents.last_change_at == clinic.clock.now()
    assert contents.revision == rows(clinic.desk, "SELECT version_num FROM alembic_version")[0][0]
    assert daily.stat().st_mtime == stamp
    assert sorted(p.name for p in daily.parent.iterdir()) == [
        "clinic-daily-2026-03-02.sqlite3", "clinic-monthly-2026-03.sqlite3"]


def test_reading_a_file_that_is_not_a_clinic_database_says_so(tmp_path: Path) -> None:
    other = tmp_path / "notes.sqlite3"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()

    with pytest.raises(DatabaseDamaged) as info:
        read_contents(other)
    assert info.value.problem == "no such table: patients"
    assert "is damaged or is not a clinic database" in info.value.message


# --- restoring ------------------------------------------------------------------------------------

def test_restoring_puts_the_backup_back_after_copying_the_current_data(till: Till) -> None:
    clinic = till.clinic
    paid_visit(till)
    daily = backup_now(clinic.desk)
    assert daily is not None
    at_backup = dump(daily)
    clinic.clock.advance(hours=3)
    paid_visit(till)  # done after the backup: the restore takes it away
    current = dump(clinic.desk)
    seen: list[tuple[int, int]] = []

    safety = restore_backup(clinic.desk, clinic.manager, daily,
                            progress=lambda done, total: seen.append((done, total)) or True)

    assert safety == backups_of(clinic) / "clinic-before-restore-20260302-050000.sqlite3"
    assert dump(safety) == current
    restored = dump(clinic.desk)
    assert {t: r for t, r in restored.items() if t not in ("audit_entries", "audit_head")} == \
        {t: r for t, r in at_backup.items() if t not in ("audit_entries", "audit_head")}
    assert restored["audit_entries"][:-1] == at_backup["audit_entries"]
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.actor_id) == ("backup_restored", clinic.manager.staff_id)
    assert entry.details["backup"] == daily.name and entry.details["safety_copy"] == safety.name
    assert read_contents(clinic.path).payments == 1
    assert seen[-1][0] == seen[-1][1] and seen == sorted(seen, key=lambda s: s[0] / s[1])


def test_a_cancelled_restore_leaves_the_clinic_as_it_was(till: Till) -> None:
    clinic = till.clinic
    daily = backup_now(clinic.desk)
    assert daily is not None
    paid_visit(till)
    before = dump(clinic.desk)

    with pytest.raises(BackupCancelled):
        restore_backup(clinic.desk, clinic.manager, daily, pages_per_step=4,
                       progress=lambda done, total: done <= total // 2 + 4)

    assert dump(clinic.desk) == before


def test_a_restore_needs_a_manager_and_a_sound_backup_of_this_program(
        clinic: Clinic, tmp_path: Path) -> None:
    daily = backup_now(clinic.desk)
    assert daily is not None
    expect_denied(clinic.desk, lambda: restore_backup(clinic.desk, clinic.receptionist, daily))

    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(daily, newer)
    with raw_connection(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'from-the-future'")
    before = dump(clinic.desk)
    with pytest.raises(Conflict):
        restore_backup(clinic.desk, clinic.manager, newer)
    damaged = tmp_path / "damaged.sqlite3"
    shutil.copyfile(daily, damaged)
    break_an_index(damaged)
    with pytest.raises(DatabaseDamaged):
        restore_backup(clinic.desk, clinic.manager, damaged)
    assert dump(clinic.desk) == before
    assert names(backups_of(clinic)) == ["clinic-daily-2026-03-02.sqlite3",
                                         "clinic-monthly-2026-03.sqlite3"]


def test_the_newest_good_backup_skips_damaged_ones(till: Till) -> None:
    clinic = till.clinic
    paid_visit(till)
    backup_now(clinic.desk)
    clinic.clock.advance(days=7)  # the next Monday: the doctors work on Mondays
    paid_visit(till)
    newest = backup_now(clinic.desk)
    assert newest is not None
    for name in (newest.name, "clinic-monthly-2026-03.sqlite3"):
        break_an_index(backups_of(clinic) / name)

    good = newest_good_backup(clinic.path)

    assert good is not None
    assert good.file.path == backups_of(clinic) / "clinic-daily-2026-03-02.sqlite3"
    assert good.file.kind == BackupKind.DAILY
    assert (good.contents.patients, good.contents.visits, good.contents.payments) == (1, 1, 1)


def test_a_damaged_file_is_kept_aside_and_replaced_by_the_backup(till: Till) -> None:
    clinic = till.clinic
    paid_visit(till)
    daily = backup_now(clinic.desk)
    assert daily is not None
    at_backup = dump(daily)
    clinic.desk.db.dispose()
    overwrite_header(clinic.path)
    now = datetime(2026, 3, 3, 1, 0, tzinfo=timezone.utc)

    damaged = recover_from_backup(clinic.path, daily, now)

    assert damaged == clinic.path.parent / "clinic-damaged-20260303-010000.sqlite3"
    assert integrity_problem(damaged) == "file is not a database"
    assert integrity_problem(clinic.path) is None
    recovered = dump(clinic.path)
    assert recovered["payments"] == at_backup["payments"]
    assert audit_actions(clinic.desk)[-1] == "database_recovered"
    assert names(backups_of(clinic)) == ["clinic-daily-2026-03-02.sqlite3",
                                         "clinic-monthly-2026-03.sqlite3"]


def test_a_file_busy_with_another_programs_write_is_not_called_damaged(clinic: Clinic) -> None:
    clinic.desk.db.dispose()
    with raw_connection(clinic.path) as writer:
        writer.execute("PRAGMA journal_mode = DELETE")  # a rollback journal blocks readers
        writer.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError) as info:
            integrity_problem(clinic.path)
        writer.execute("ROLLBACK")
    assert info.value.sqlite_errorname == "SQLITE_BUSY"
    assert integrity_problem(clinic.path) is None
