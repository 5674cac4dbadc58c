"""Creating and upgrading a clinic's schema at start, and the backup taken before an upgrade."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from clinic_desk import migrate
from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock
from clinic_desk.db import Database
from clinic_desk.migrate import (SchemaState, alembic_config, foreign_keys_off,
                                 prepare_database, schema_state, upgrade)
from clinic_desk.models import Base
from clinic_desk.models.append_only import APPEND_ONLY_TABLES
from clinic_desk.services.audit import GENESIS_HASH
from clinic_desk.models import Sex
from clinic_desk.services.patients import PatientForm, quick_register_patient, register_patient

from tests.clinics import Clinic
from .calendar_setup import Calendar
from .helpers import dump, raw_connection, rows


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


def revision_chain() -> tuple[str, str]:
    """The first and the newest revision of the migrations the program ships."""
    script = ScriptDirectory.from_config(alembic_config())
    (first,) = script.get_bases()
    head = script.get_current_head()
    assert head is not None
    return first, head


LATER_REVISION = '''"""A later schema: patients get a nickname."""
import sqlalchemy as sa
from alembic import op

revision = "later_than_head"
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

#: A manager and a patient as the first revision's tables hold them (revisions never change,
#: so neither do these statements).
FIRST_REVISION_ROWS = (
    ("INSERT INTO staff (id, staff_number, full_name, sex, username, active, failed_logins, "
     "created_at) VALUES (1, 'M01', '周主任', 'female', 'boss', 1, 0, '2024-05-06 02:00:00')"),
    ("INSERT INTO patients (id, record_number, name, sex, birth_date, phone, phone_last4, "
     "address, vip, notes, created_at, created_by_id, updated_at) VALUES (1, '000001', '张三', "
     "'male', '1980-01-01', '13900000001', '0001', '', 0, '', '2024-05-06 02:00:00', 1, "
     "'2024-05-06 02:00:00')"),
)


def test_a_file_from_the_first_revision_is_backed_up_then_upgraded_through_every_revision(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clinic that installed the first version opens its file with this one, or with a
    version one migration newer still (so there is always at least one step to take)."""
    first, head = revision_chain()
    path = tmp_path / "clinic.sqlite3"
    db = Database.open(path)
    try:
        upgrade(db, first)
        with raw_connection(path) as connection:
            for statement in FIRST_REVISION_ROWS:
                connection.execute(statement)
        before = dump(path)
        newer = tmp_path / "newer-migrations"
        shutil.copytree(migrate.MIGRATIONS_DIR, newer,
                        ignore=shutil.ignore_patterns("__pycache__"))
        (newer / "versions" / "later_than_head.py").write_text(
            LATER_REVISION.format(head=head), encoding="utf-8")
        monkeypatch.setattr(migrate, "MIGRATIONS_DIR", newer)
        assert schema_state(db) == SchemaState(current=first, head="later_than_head")

        backup = prepare_database(db, now=datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc))

        assert backup == \
            tmp_path / "backups" / "clinic-before-later_than_head-20260302-020000.sqlite3"
        assert dump(backup) == before
        assert schema_state(db) == SchemaState(current="later_than_head", head="later_than_head")
        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}),
                Base.metadata)
        assert [(d[0], d[2], d[3].name) for d in differences] == [
            ("remove_column", "patients", "nickname")]  # the models are the shipped head
    finally:
        db.dispose()
    upgraded = dump(path)
    assert [row[:3] for row in upgraded["patients"]] == [(1, "000001", "张三")]
    assert [row[:3] for row in upgraded["staff"]] == [(1, "M01", "周主任")]
    with raw_connection(path) as connection:
        triggers = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {f"{table}_no_update" for table in APPEND_ONLY_TABLES} <= triggers


def migrate_down(db: Database, revision: str) -> None:
    """Downgrade as `migrate.upgrade` upgrades: foreign keys off while tables are copied."""
    config = alembic_config()
    with db.engine.connect() as connection, foreign_keys_off(connection), connection.begin():
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def not_null_columns(path: Path, table: str) -> set[str]:
    with raw_connection(path) as connection:
        return {row[1] for row in connection.execute(f"PRAGMA table_info({table})") if row[3]}


def test_patients_copied_to_allow_quick_registration_keep_every_row_referring_to_them(
        cal: Calendar) -> None:
    """Making sex and date of birth optional copies the patients table; their flagged
    conditions and search terms (which cascade) and appointments (which refuse a missing
    patient) must come through untouched, both ways."""
    clinic = cal.clinic
    (allergy,) = rows(clinic.desk, "SELECT id FROM condition_kinds ORDER BY id LIMIT 1")[0]
    flagged = register_patient(clinic.desk, clinic.receptionist, PatientForm(
        name="刘洋", sex=Sex.MALE, birth_date=date(1980, 1, 1), phone="139 1111 2222",
        condition_kind_ids=frozenset({allergy})))
    cal.book(flagged, cal.li)
    before = dump(clinic.desk)
    assert before["patient_conditions"] and before["patient_search_terms"]
    assert before["appointments"]

    migrate_down(clinic.desk.db, "0003")
    assert {"sex", "birth_date"} <= not_null_columns(clinic.path, "patients")
    assert dump(clinic.desk)["patient_conditions"] == before["patient_conditions"]
    upgrade(clinic.desk.db)

    assert not {"sex", "birth_date"} & not_null_columns(clinic.path, "patients")
    assert dump(clinic.desk) == before
    with raw_connection(clinic.path) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA foreign_keys").fetchone() == (0,)  # a new one
    with clinic.desk.db.engine.connect() as connection:  # the program's own, enforced again
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_going_back_before_quick_registration_is_refused_while_details_are_missing(
        clinic: Clinic) -> None:
    quick_register_patient(clinic.desk, clinic.receptionist, "赵晓雨", "138 1234 5678")
    before = dump(clinic.desk)
    with pytest.raises(RuntimeError, match="1 patients have no sex or date of birth"):
        migrate_down(clinic.desk.db, "0003")
    assert dump(clinic.desk) == before
