"""Creating and upgrading a clinic's schema at start, and the backup taken before an upgrade."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from clinic_desk import migrate
from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock
from clinic_desk.db import Database
from clinic_desk.migrate import SchemaState, alembic_config, prepare_database, schema_state
from clinic_desk.models import Base
from clinic_desk.models.append_only import APPEND_ONLY_TABLES
from clinic_desk.services.audit import GENESIS_HASH

from tests.clinics import Clinic
from .helpers import dump, raw_connection


def table_names(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def downgrade_to_base(db: Database) -> None:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def test_a_new_file_gets_the_head_revision_and_every_table(tmp_path: Path,
                                                           clock: FixedClock) -> None:
    path = tmp_path / "not-yet" / "clinic.sqlite3"
    desk = open_clinic(path, clock=clock)
    try:
        state = schema_state(desk.db)
        assert state.current == state.head and not state.needs_upgrade
        assert table_names(desk.db) == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        desk.db.dispose()
    with raw_connection(path) as connection:
        triggers = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        head = connection.execute("SELECT id, last_entry_id, last_hash FROM audit_head").fetchall()
    assert triggers == {f"{table}_no_{verb}" for table in APPEND_ONLY_TABLES
                        for verb in ("update", "delete")}
    assert head == [(1, 0, GENESIS_HASH)]
    assert not (path.parent / "backups").exists()


def test_preparing_an_up_to_date_file_does_nothing(clinic: Clinic) -> None:
    before = dump(clinic.desk)
    assert prepare_database(clinic.desk.db) is None
    assert dump(clinic.desk) == before
    assert not (clinic.path.parent / "backups").exists()


def test_a_file_at_the_base_revision_is_new_and_gets_no_backup(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "clinic.sqlite3")
    try:
        prepare_database(db)
        downgrade_to_base(db)
        assert table_names(db) == {"alembic_version"}
        assert schema_state(db).is_new

        assert prepare_database(db) is None
        state = schema_state(db)
        assert state.current == state.head
        assert table_names(db) == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        db.dispose()
    assert not (tmp_path / "backups").exists()


NEXT_REVISION = '''"""A later schema: patients get a nickname."""
import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("nickname", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("nickname")
'''


def test_a_file_with_data_is_backed_up_then_upgraded_by_a_newer_program(
        clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer program (one more migration) opening an existing clinic file."""
    newer = tmp_path / "newer-migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, newer,
                    ignore=shutil.ignore_patterns("__pycache__"))
    current = schema_state(clinic.desk.db).head
    (newer / "versions" / "0099_nickname.py").write_text(
        NEXT_REVISION.replace("{head}", current), encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", newer)
    before = dump(clinic.desk)
    assert schema_state(clinic.desk.db) == SchemaState(current=current, head="0099")

    backup = prepare_database(clinic.desk.db, now=datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc))

    assert backup == clinic.path.parent / "backups" / "clinic-before-0099-20260302-020000.sqlite3"
    assert dump(backup) == before
    assert schema_state(clinic.desk.db) == SchemaState(current="0099", head="0099")
    columns = {c["name"] for c in inspect(clinic.desk.db.engine).get_columns("patients")}
    assert "nickname" in columns
    with raw_connection(clinic.desk) as connection:
        triggers = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {f"{table}_no_update" for table in APPEND_ONLY_TABLES} <= triggers
