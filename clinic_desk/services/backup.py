"""Copies of the clinic's SQLite file, made with SQLite's online backup API.

The online backup copies a consistent snapshot even while other PCs are writing, which
copying the file (and its WAL) by hand does not. Every copy is checked with `PRAGMA
integrity_check` before it takes its final name, so a damaged database never replaces a
good backup.

Automatic backups sit in `backups/` next to the database: one per day, refreshed by the day
close and when the program closes, kept for 14 days; and one per month (that month's newest),
kept for 12 months. Copies made on a USB stick and the safety copies taken before an upgrade
or a restore are never deleted by the program.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import StrEnum
from pathlib import Path

from clinic_desk.clock import business_date, zone
from clinic_desk.i18n import gettext as _
from clinic_desk.paths import backups_dir_for
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import Conflict, DomainError, ValidationError
from clinic_desk.services.settings import get_settings

KEEP_DAILY = 14
KEEP_MONTHLY = 12
SUFFIX = ".sqlite3"

#: progress(pages_done, pages_total); return False to cancel.
Progress = Callable[[int, int], bool]


class BackupCancelled(Exception):
    pass


class DatabaseDamaged(DomainError):
    """A file failed SQLite's integrity check, or could not be read as a clinic database."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(_("The file {path} is damaged or is not a clinic database "
                           "({problem}).").format(path=path, problem=problem))
        self.path = path
        self.problem = problem


class BackupFailed(DomainError):
    """The copy could not be written: a full disk, a USB stick pulled out, no permission."""

    def __init__(self, reason: object) -> None:
        super().__init__(_("The copy could not be made: {reason}").format(reason=reason))


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that never creates the file (a URI, so any path is safe)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


#: SQLite's answers for a file another program is writing at that moment: busy, not damaged.
IN_USE = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})


def integrity_problem(path: Path) -> str | None:
    """None when `path` is a readable SQLite file passing `PRAGMA integrity_check`, else
    what SQLite reported. A file busy with another program's write raises, it is not damaged."""
    if not path.is_file():
        return _("the file does not exist")
    try:
        connection = _read_only(path)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "") in IN_USE:
            raise
        return str(error)
    if rows == [("ok",)]:
        return None
    return "; ".join(str(row[0]) for row in rows[:5])


def backup_sqlite_file(source: Path, destination: Path, progress: Progress | None = None,
                       pages_per_step: int = 256) -> Path:
    """Write a checked, consistent copy of `source` to `destination` (a single file without
    a WAL beside it). A partial or damaged copy never remains: BackupCancelled when `progress`
    returned False, DatabaseDamaged when `source` cannot be read or the copy fails the
    integrity check, BackupFailed when the copy cannot be written."""
    partial = destination.with_name(destination.name + ".partial")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        _copy_checked(source, partial, progress, pages_per_step)
        partial.replace(destination)
    except sqlite3.OperationalError as error:  # I/O, a full disk, a file that cannot be opened
        raise BackupFailed(error) from error
    except OSError as error:
        raise BackupFailed(error.strerror or error) from error
    finally:
        with suppress(OSError):  # nothing to clean up where nothing could be written
            partial.unlink(missing_ok=True)
    return destination


def _copy_checked(source: Path, partial: Path, progress: Progress | None,
                  pages_per_step: int) -> None:
    cancelled = False

    def _step(_status: int, remaining: int, total: int) -> None:
        nonlocal cancelled
        if progress is not None and not progress(total - remaining, total):
            cancelled = True
            raise BackupCancelled()

    src = _read_only(source)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=pages_per_step, progress=_step)
        dst.execute("PRAGMA journal_mode = DELETE")
    except BackupCancelled:
        pass
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as error:  # not a database, malformed
        raise DatabaseDamaged(source, str(error)) from error
    finally:
        dst.close()
        src.close()
    if cancelled:
        raise BackupCancelled()
    problem = integrity_problem(partial)
    if problem is not None:
        raise DatabaseDamaged(source, problem)


def _stamp_file(path: Path, moment: datetime) -> None:
    """The file's modification time is when the backup was made, by the clinic's clock."""
    seconds = moment.timestamp()
    os.utime(path, (seconds, seconds))


def _copy_file(source: Path, destination: Path) -> None:
    partial = destination.with_name(destination.name + ".partial")
    shutil.copyfile(source, partial)
    partial.replace(destination)


# --- automatic backups and their rotation ---------------------------------------------------

def daily_name(stem: str, day: date) -> str:
    return f"{stem}-daily-{day.isoformat()}{SUFFIX}"


def monthly_name(stem: str, day: date) -> str:
    return f"{stem}-monthly-{day:%Y-%m}{SUFFIX}"


def _dated(folder: Path, stem: str, kind: str) -> list[Path]:
    """The `kind` backups of `stem` in `folder`, oldest first (their names sort by date)."""
    pattern = re.compile(rf"{re.escape(stem)}-{kind}-\d{{4}}-\d{{2}}(-\d{{2}})?{re.escape(SUFFIX)}")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))


def rotate(folder: Path, stem: str, keep_daily: int = KEEP_DAILY,
           keep_monthly: int = KEEP_MONTHLY) -> list[Path]:
    """Delete the daily and monthly backups beyond the newest `keep_*`; returns what went."""
    removed: list[Path] = []
    for kind, keep in (("daily", keep_daily), ("monthly", keep_monthly)):
        files = _dated(folder, stem, kind)
        for path in files[:max(len(files) - keep, 0)]:
            path.unlink()
            removed.append(path)
    return removed


def backup_now(desk: Desk, progress: Progress | None = None) -> Path | None:
    """The automatic backup: today's daily copy (replacing today's earlier one), this month's
    copy, then the rotation. Called after the day close has committed and when the program
    closes; None when the clinic's database is not a file (a database server backs itself up).
    """
    source = desk.db.file_path
    if source is None:
        return None
    now = desk.clock.now()
    day = business_date(now, get_settings(desk).timezone)
    folder = backups_dir_for(source)
    daily = backup_sqlite_file(source, folder / daily_name(source.stem, day), progress)
    _stamp_file(daily, now)
    monthly = folder / monthly_name(source.stem, day)
    _copy_file(daily, monthly)
    _stamp_file(monthly, now)
    rotate(folder, source.stem)
    return daily


# --- copies elsewhere: a USB stick, another disk ---------------------------------------------

def check_backup_folder(text: str) -> Path:
    """The folder a user chose for a copy, or a ValidationError for the "folder" field."""
    if not text.strip():
        raise ValidationError.single("folder", _("Choose a folder."))
    folder = Path(text.strip()).expanduser()
    if not folder.is_dir():
        raise ValidationError.single("folder", _("This folder does not exist."))
    if not os.access(folder, os.W_OK):
        raise ValidationError.single("folder", _("This folder cannot be written to."))
    return folder


def database_file(desk: Desk) -> Path:
    """The clinic's SQLite file; a database server is backed up on the server instead."""
    path = desk.db.file_path
    if path is None:
        raise Conflict(_("This clinic's database is on a server: back it up there."))
    return path


def back_up_to_folder(desk: Desk, actor: Actor, folder_text: str,
                      progress: Progress | None = None) -> Path:
    """A manager's copy of the clinic file in a chosen folder, named by the local time."""
    require(actor, Permission.MANAGE_SETTINGS)
    source = database_file(desk)
    folder = check_backup_folder(folder_text)
    now = desk.clock.now()
    local = now.astimezone(zone(get_settings(desk).timezone))
    target = folder / f"{source.stem}-{local:%Y-%m-%d-%H%M%S}{SUFFIX}"
    backup_sqlite_file(source, target, progress)
    _stamp_file(target, now)
    with desk.db.write() as session:
        audit.record(session, now, actor.staff_id, "backup_copied", "database", None,
                     {"file": str(target)})
    return target


# --- what a backup holds ---------------------------------------------------------------------

class BackupKind(StrEnum):
    DAILY = "daily"
    MONTHLY = "monthly"
    BEFORE_UPGRADE = "before_upgrade"
    BEFORE_RESTORE = "before_restore"
    COPY = "copy"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: BackupKind
    made_at: datetime  # UTC: the file's modification time
    size: int


@dataclass(frozen=True)
class BackupContents:
    patients: int
    visits: int
    payments: int
    last_change_at: datetime | None  # UTC: the newest audit entry
    revision: str | None  # the schema revision it was written with


def backup_kind(stem: str, name: str) -> BackupKind:
    for kind, prefix in ((BackupKind.DAILY, "daily-"), (BackupKind.MONTHLY, "monthly-"),
                         (BackupKind.BEFORE_RESTORE, "before-restore-"),
                         (BackupKind.BEFORE_UPGRADE, "before-")):
        if name.startswith(f"{stem}-{prefix}"):
            return kind
    return BackupKind.COPY


def describe_file(path: Path, stem: str) -> BackupFile:
    stat = path.stat()
    return BackupFile(path=path, kind=backup_kind(stem, path.name),
                      made_at=datetime.fromtimestamp(stat.st_mtime, timezone.utc),
                      size=stat.st_size)


def list_backups(database: Path) -> list[BackupFile]:
    """The backups kept next to the clinic's database, newest first."""
    folder = backups_dir_for(database)
    if not folder.is_dir():
        return []
    files = [describe_file(path, database.stem) for path in folder.iterdir()
             if path.suffix == SUFFIX and path.is_file()]
    return sorted(files, key=lambda f: (-f.made_at.timestamp(), f.path.name))


def read_contents(path: Path) -> BackupContents:
    """Counts of patients, visits and payments in a backup, read without changing it."""
    try:
        connection = _read_only(path)
        try:
            def count(table: str) -> int:
                return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

            patients, visits, payments = count("patients"), count("visits"), count("payments")
            (last,), = connection.execute("SELECT MAX(at) FROM audit_entries").fetchall()
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseDamaged(path, str(error)) from error
    last_change = datetime.fromisoformat(last).replace(tzinfo=timezone.utc) if last else None
    return BackupContents(patients=patients, visits=visits, payments=payments,
                          last_change_at=last_change,
                          revision=revision[0] if revision else None)
