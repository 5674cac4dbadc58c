"""Putting a backup back: by a manager from the Tools menu, or at start when the clinic's
file is damaged.

Nothing is lost by restoring: the current file is first copied (a "before restore" backup),
or, when it is damaged, kept next to it under another name. A backup made by an older
version of the program is upgraded after it is put back; one made by a newer version is
refused.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from clinic_desk.db import Database
from clinic_desk.i18n import gettext as _
from clinic_desk.migrate import known_revisions, prepare_database
from clinic_desk.models import Staff
from clinic_desk.paths import backups_dir_for
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.backup import (SUFFIX, BackupCancelled, BackupContents, BackupFailed,
                                         BackupFile, DatabaseDamaged, Progress,
                                         backup_sqlite_file, database_file, integrity_problem,
                                         list_backups, read_contents)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import Conflict


@dataclass(frozen=True)
class GoodBackup:
    file: BackupFile
    contents: BackupContents


def check_backup(path: Path) -> BackupContents:
    """The backup's contents if it can be restored: intact, a clinic database, and not
    written by a newer version of the program."""
    contents = read_contents(path)
    problem = integrity_problem(path)
    if problem is not None:
        raise DatabaseDamaged(path, problem)
    if contents.revision not in known_revisions():
        raise Conflict(_("This backup was made by a newer version of the program. Install "
                         "that version to restore it."))
    return contents


def newest_good_backup(database: Path) -> GoodBackup | None:
    """The newest backup next to `database` that can be restored, if any."""
    for file in list_backups(database):
        try:
            return GoodBackup(file, check_backup(file.path))
        except (DatabaseDamaged, Conflict):
            continue
    return None


def _halves(progress: Progress | None, half: int) -> Progress | None:
    """Report one of two copies as the first or second half of one bar."""
    if progress is None:
        return None
    return lambda done, total: progress(half * total + done, 2 * total)


def _copy_into(backup: Path, database: Path, progress: Progress | None,
               pages_per_step: int) -> None:
    """Write `backup`'s pages into the live file with the online backup API: connections
    already open see the restored data, and a failure or a cancel before the last step
    leaves the file as it was (after it, the restore is done)."""
    def _step(_status: int, remaining: int, total: int) -> None:
        if progress is not None and not progress(total - remaining, total) and remaining:
            raise BackupCancelled()

    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(database)
    try:
        source.backup(target, pages=pages_per_step, progress=_step)
    except sqlite3.OperationalError as error:  # a busy or full disk: the file is as it was
        raise BackupFailed(error) from error
    finally:
        target.close()
        source.close()


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def _record_restore(db: Database, now: datetime, actor: Actor | None, action: str,
                    details: dict[str, object]) -> None:
    """The restored file's audit log says who put it back and from where. The acting user
    may not exist in an older backup: then the entry names them but points at nobody."""
    with db.write() as session:
        actor_id = None
        if actor is not None:
            actor_id = session.execute(select(Staff.id).where(
                Staff.id == actor.staff_id, Staff.full_name == actor.name)).scalar_one_or_none()
        audit.record(session, now, actor_id, action, "database", None,
                     {**details, "by": actor.name if actor else ""})


def restore_backup(desk: Desk, actor: Actor, backup: Path, progress: Progress | None = None,
                   pages_per_step: int = 256) -> Path:
    """Replace the clinic's data with the backup's; returns the copy of the data as it was.

    The user logs in again afterwards: staff, settings and everything else are the backup's.
    """
    require(actor, Permission.MANAGE_SETTINGS)
    database = database_file(desk)
    contents = check_backup(backup)
    now = desk.clock.now()
    safety = backups_dir_for(database) / f"{database.stem}-before-restore-{_stamp(now)}{SUFFIX}"
    backup_sqlite_file(database, safety, _halves(progress, 0))
    _copy_into(backup, database, _halves(progress, 1), pages_per_step)
    desk.db.dispose()
    prepare_database(desk.db, now)
    _record_restore(desk.db, now, actor, "backup_restored", {
        "backup": backup.name, "last_change_at": contents.last_change_at,
        "safety_copy": safety.name})
    return safety


def recover_from_backup(database: Path, backup: Path, now: datetime) -> Path:
    """At start, for a damaged file: keep it under another name next to it, put a copy of
    `backup` in its place and upgrade it. Returns where the damaged file went."""
    contents = check_backup(backup)
    damaged = database.with_name(f"{database.stem}-damaged-{_stamp(now)}{SUFFIX}")
    for extension in ("", "-wal", "-shm"):
        part = database.with_name(database.name + extension)
        if part.exists():
            os.replace(part, damaged.with_name(damaged.name + extension))
    backup_sqlite_file(backup, database)
    db = Database.open(database)
    try:
        prepare_database(db, now)
        _record_restore(db, now, None, "database_recovered", {
            "backup": backup.name, "last_change_at": contents.last_change_at,
            "damaged_file": damaged.name})
    finally:
        db.dispose()
    return damaged
