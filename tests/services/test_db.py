"""The database foundation: connection rules, locking, network shares, URLs, UTC columns."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock
from clinic_desk.db import Database, NetworkShareRefused, UTCDateTime, database_url, is_network_path
from clinic_desk.migrate import schema_state
from clinic_desk.models import Staff
from clinic_desk.services.context import Desk

from .helpers import file_of, raw_connection

PRAGMAS = ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")


def pragmas(connection: Any) -> dict[str, object]:
    """The PRAGMA values seen by a DBAPI connection or cursor."""
    return {name: connection.execute(f"PRAGMA {name}").fetchone()[0] for name in PRAGMAS}


def assert_clinic_rules(values: dict[str, object]) -> None:
    assert values["journal_mode"] == "wal"
    assert values["foreign_keys"] == 1
    assert values["synchronous"] == 2  # FULL
    assert isinstance(values["busy_timeout"], int) and values["busy_timeout"] > 0


def test_every_pooled_connection_gets_the_clinic_rules(desk: Desk) -> None:
    connections = [desk.db.engine.raw_connection() for _ in range(3)]
    try:
        assert len({id(c.driver_connection) for c in connections}) == 3
        for connection in connections:
            cursor = connection.cursor()
            assert_clinic_rules(pragmas(cursor))
            cursor.close()
    finally:
        for connection in connections:
            connection.close()


@pytest.mark.parametrize("kind", ["read", "write"])
def test_sessions_run_on_connections_with_the_clinic_rules(desk: Desk, kind: str) -> None:
    with getattr(desk.db, kind)() as session:
        driver = session.connection().connection.driver_connection
        assert_clinic_rules(pragmas(driver))


def test_a_plain_sqlite_connection_does_not_check_foreign_keys(desk: Desk) -> None:
    """The checks above can fail: the rules come from the program, not from the file."""
    with raw_connection(desk) as connection:
        values = pragmas(connection)
    assert values["foreign_keys"] == 0


def another_pc_can_start_writing(path: Path) -> bool:
    connection = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    else:
        connection.execute("ROLLBACK")
        return True
    finally:
        connection.close()


def test_a_write_block_holds_the_write_lock_from_its_first_statement(desk: Desk) -> None:
    path = file_of(desk)
    assert another_pc_can_start_writing(path)
    with desk.db.write() as session:
        # Only a read so far: the lock comes from BEGIN IMMEDIATE, not from a write.
        session.execute(select(func.count()).select_from(Staff)).scalar_one()
        assert not another_pc_can_start_writing(path)
    assert another_pc_can_start_writing(path)


def test_a_read_block_does_not_block_writers(desk: Desk) -> None:
    path = file_of(desk)
    with desk.db.read() as session:
        def count() -> int:
            return session.execute(text("SELECT count(*) FROM counters")).scalar_one()

        before = count()
        with raw_connection(path) as other:
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO counters (name, last_value) VALUES ('other_pc', 7)")
            other.execute("COMMIT")
        assert count() == before  # the read block keeps its own consistent snapshot
    with desk.db.read() as session:
        assert session.execute(text(
            "SELECT last_value FROM counters WHERE name = 'other_pc'")).scalar_one() == 7


def test_a_write_block_that_raises_writes_nothing(desk: Desk) -> None:
    with pytest.raises(RuntimeError), desk.db.write() as session:
        session.execute(text("INSERT INTO counters (name, last_value) VALUES ('half_done', 1)"))
        raise RuntimeError("the action failed half-way")
    with raw_connection(desk) as connection:
        assert connection.execute(
            "SELECT count(*) FROM counters WHERE name = 'half_done'").fetchone() == (0,)


# --- network shares --------------------------------------------------------------------------

@pytest.mark.parametrize("path", [r"\\server\share\clinic.db", "//server/share/clinic.db"])
@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_unc_paths_are_network_paths(path: str, platform: str) -> None:
    assert is_network_path(path, mounts_text="", platform=platform)


MOUNTS = """\
/dev/sdb1 /srv/nfs/local ext4 rw,relatime 0 0
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid 0 0
//nas/clinic /mnt/nas cifs rw,vers=3.0 0 0
nfsserver:/export /srv/nfs nfs4 rw,vers=4.2 0 0
/dev/sdc1 /mnt/nas\\040local ext4 rw 0 0
sshfs#pc:/data /media/remote fuse.sshfs rw 0 0
"""


@pytest.mark.parametrize(("path", "expected"), [
    ("/home/desk/clinic.sqlite3", False),          # root file system, ext4
    ("/mnt/nas/clinic.sqlite3", True),             # cifs
    ("/mnt/nas/deep/folder/clinic.sqlite3", True),
    ("/srv/nfs/clinic.sqlite3", True),             # nfs4
    ("/srv/nfs/local/clinic.sqlite3", False),      # a local disk mounted inside the share wins
    ("/mnt/nasty/clinic.sqlite3", False),          # a name prefix is not a mount prefix
    ("/mnt/nas local/clinic.sqlite3", False),      # "\040" is a space in /proc/mounts
    ("/media/remote/clinic.sqlite3", True),        # fuse.sshfs
])
def test_network_mounts_are_found_by_the_longest_mount_point(path: str, expected: bool) -> None:
    assert is_network_path(path, mounts_text=MOUNTS, platform="linux") is expected


def test_opening_a_file_on_a_network_share_is_refused_with_the_path() -> None:
    path = r"\\server\share\clinic.sqlite3"
    with pytest.raises(NetworkShareRefused) as info:
        Database.open(path)
    assert info.value.path == path
    assert path in info.value.message


@pytest.mark.parametrize("share", [r"\\server\share\clinic.sqlite3",
                                   "//server/share/dir/clinic.sqlite3"])
def test_open_clinic_refuses_a_network_share_before_touching_it(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, share: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NetworkShareRefused):
        open_clinic(share, clock=clock)
    assert list(tmp_path.iterdir()) == []
    assert not Path("/server").exists()


# --- locations and URLs ----------------------------------------------------------------------

def test_open_clinic_accepts_a_sqlite_url(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "by-url.sqlite3"
    desk = open_clinic(f"sqlite:///{path}", clock=clock)
    try:
        assert desk.db.is_sqlite
        assert desk.db.file_path == path
        state = schema_state(desk.db)
        assert state.current == state.head
    finally:
        desk.db.dispose()
    with raw_connection(path) as connection:
        assert connection.execute("SELECT count(*) FROM audit_head").fetchone() == (1,)


def test_a_relative_path_becomes_an_absolute_sqlite_url(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = database_url("clinic.sqlite3")
    assert url.get_backend_name() == "sqlite"
    assert url.database == str(tmp_path / "clinic.sqlite3")


# --- time columns ----------------------------------------------------------------------------

def test_utc_column_stores_naive_utc_and_returns_aware_utc() -> None:
    column = UTCDateTime()
    local = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    stored = column.process_bind_param(local, None)
    assert stored == datetime(2026, 3, 2, 2, 0) and stored.tzinfo is None
    loaded = column.process_result_value(stored, None)
    assert loaded == local and loaded.utcoffset() == timedelta(0)
    assert loaded.tzinfo is timezone.utc


def test_utc_column_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 3, 2, 10, 0), None)
