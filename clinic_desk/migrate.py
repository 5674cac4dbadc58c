"""Bringing a clinic's database up to the program's schema at start.

The migrations ship inside the package (`clinic_desk/migrations`), so an installed or
frozen program can upgrade an existing clinic file. Before touching a file that already
holds data, a copy is taken with SQLite's online backup API.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from clinic_desk.db import Database
from clinic_desk.paths import backups_dir_for
from clinic_desk.services.backup import backup_sqlite_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def is_new(self) -> bool:
        return self.current is None

    @property
    def needs_upgrade(self) -> bool:
        return self.current != self.head


def schema_state(db: Database) -> SchemaState:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the package ships no migrations")
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaState(current=current, head=head)


def known_revisions() -> set[str]:
    """Every schema revision this program can upgrade from (a newer program's are unknown)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return {script.revision for script in scripts.walk_revisions()}


@contextmanager
def foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite changes a column by copying its table (Alembic's batch mode): with foreign keys
    enforced, dropping the old copy would delete the rows that cascade from it and be refused
    for the others. The pragma only takes effect outside a transaction, hence here."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def upgrade(db: Database, revision: str = "head") -> None:
    config = alembic_config()
    with db.engine.connect() as connection, foreign_keys_off(connection), connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        if connection.dialect.name == "sqlite" and \
                connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("the upgrade left rows referring to missing rows")


def prepare_database(db: Database, now: datetime | None = None) -> Path | None:
    """Create or upgrade the schema; returns the backup taken first, if one was needed."""
    state = schema_state(db)
    if not state.needs_upgrade:
        return None
    backup_path: Path | None = None
    source = db.file_path
    if not state.is_new and source is not None:
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
        backup_path = backups_dir_for(source) / f"{source.stem}-before-{state.head}-{stamp}.sqlite3"
        backup_sqlite_file(source, backup_path)
    upgrade(db)
    return backup_path
