"""The database: engine, connection rules and the one-transaction-per-action helpers.

Time is stored one way everywhere: every instant is UTC (naive in the file, aware in
Python, see `UTCDateTime`); the clinic's business day is a local calendar `date` column,
computed once with the clinic's time zone when the row is written (`clock.py`).

SQLite is the default, one file per clinic. Each connection gets WAL, foreign keys,
a busy timeout and synchronous=FULL (a payment must survive a power cut), and write
transactions start with BEGIN IMMEDIATE so two desks never dead-lock half-way through an
action. Any other SQLAlchemy URL (a PostgreSQL server for several PCs) is accepted; the
services write no SQLite-only SQL.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath, PureWindowsPath

from sqlalchemy import DateTime, Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from clinic_desk.i18n import N_, gettext as _

BUSY_TIMEOUT_MS = 15_000

#: File systems on which SQLite's locking is unreliable and files get corrupted.
NETWORK_FILESYSTEMS = frozenset({
    "cifs", "smb3", "smbfs", "nfs", "nfs4", "afs", "afpfs", "ncpfs", "9p", "davfs",
    "fuse.sshfs", "fuse.rclone", "fuse.smbnetfs", "glusterfs", "ceph", "lustre",
})

NETWORK_SHARE_MESSAGE = N_(
    "The database file {path} is on a network share. SQLite files shared over the network "
    "get corrupted when several PCs write to them. Keep the file on this PC's own disk, or, "
    "for several PCs, use a database server (a PostgreSQL URL) instead."
)


class NetworkShareRefused(Exception):
    """The chosen database file lies on a network share."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    @property
    def message(self) -> str:
        return _(NETWORK_SHARE_MESSAGE).format(path=self.path)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and gives them back aware, in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def is_windows_unc(path: str) -> bool:
    return path.startswith("\\\\") or path.startswith("//")


_DRIVE_REMOTE = 4  # GetDriveTypeW: a network drive


def _windows_drive_is_remote(path: str) -> bool:
    import ctypes  # only on Windows

    drive = PureWindowsPath(os.path.abspath(path)).anchor
    if not drive:
        return False
    return ctypes.windll.kernel32.GetDriveTypeW(drive) == _DRIVE_REMOTE  # type: ignore[attr-defined]


def _mount_fstype(path: str, mounts_text: str) -> str | None:
    """File system type of the mount holding `path`, from a /proc/mounts-style text."""
    best, best_type = "", None
    target = PurePosixPath(path)
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        try:
            target.relative_to(mount_point)
        except ValueError:
            continue
        if len(mount_point) > len(best):
            best, best_type = mount_point, fields[2]
    return best_type


def is_network_path(path: str, mounts_text: str | None = None,
                    platform: str = sys.platform) -> bool:
    """True when `path` is a UNC path, a mapped network drive, or on a network mount."""
    if is_windows_unc(path):
        return True
    if platform == "win32":
        return _windows_drive_is_remote(path)
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        path = os.path.realpath(path)
    fstype = _mount_fstype(path, mounts_text)
    return fstype is not None and fstype.lower() in NETWORK_FILESYSTEMS


def database_url(location: str | os.PathLike[str]) -> URL:
    """A SQLAlchemy URL from what the user gave: a URL as is, anything else a file path."""
    text = os.fspath(location)
    if "://" in text:
        return make_url(text)
    if is_network_path(text):
        raise NetworkShareRefused(text)
    return URL.create("sqlite+pysqlite", database=os.path.abspath(text))


def _install_sqlite_rules(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get("clinic_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One clinic database. `write()` and `read()` each give one transaction."""

    def __init__(self, url: URL | str) -> None:
        self.url = make_url(url) if isinstance(url, str) else url
        self.engine = create_engine(self.url)
        if self.is_sqlite:
            _install_sqlite_rules(self.engine)
        self._write_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            bind=self.engine.execution_options(clinic_read_only=True), expire_on_commit=False)

    @classmethod
    def open(cls, location: str | os.PathLike[str]) -> Database:
        return cls(database_url(location))

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def file_path(self) -> Path | None:
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            return Path(self.url.database)
        return None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One user action: commits if the block finishes, rolls everything back if it raises."""
        with self._write_sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


class DatabaseClock:
    """"Now" as the database server sees it, so every PC of a clinic shows the same waits.

    The offset between this PC's clock and the database's is measured once a minute; in
    between, `now()` needs no round trip (the queue ticks every second). With the default
    SQLite file the database runs on this PC and the offset is zero.
    """

    RESYNC_SECONDS = 60.0

    def __init__(self, engine: Engine, local: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._local = local or (lambda: datetime.now(timezone.utc))
        self._offset = timedelta(0)
        self._synced_at: datetime | None = None

    def sync(self) -> None:
        before = self._local()
        with self._engine.connect() as connection:
            server = connection.execute(select(func.current_timestamp())).scalar_one()
        after = self._local()
        if server.tzinfo is None:
            server = server.replace(tzinfo=timezone.utc)
        self._offset = server - (before + (after - before) / 2)
        if abs(self._offset) < timedelta(seconds=1):
            self._offset = timedelta(0)  # SQLite's CURRENT_TIMESTAMP has whole seconds only
        self._synced_at = after

    def now(self) -> datetime:
        local = self._local()
        if self._synced_at is None or abs((local - self._synced_at).total_seconds()) > \
                self.RESYNC_SECONDS:  # abs: a PC clock set back must resync too
            self.sync()
            local = self._local()
        return local + self._offset
