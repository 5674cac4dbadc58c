"""The audit log's hash chain: intact after normal use, broken where someone tampered with it."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from clinic_desk.models import AuditEntry
from clinic_desk.models.append_only import drop_statements
from clinic_desk.services import catalog
from clinic_desk.services.audit import GENESIS_HASH, ChainReport, entry_hash, verify_chain
from clinic_desk.services.audit_report import describe, verify_audit_log
from clinic_desk.services.errors import PermissionDenied

from tests.clinics import Clinic
from .helpers import raw_connection, rows

COLUMNS = ("at", "actor_id", "approved_by_id", "action", "entity", "entity_id", "details",
           "reason", "previous_hash", "entry_hash")


@pytest.fixture
def audited(clinic: Clinic) -> Clinic:
    """The clinic after a few more audited actions: a chain of several entries."""
    for name in ("Implants", "Whitening", "Imaging"):
        clinic.clock.advance(minutes=3)
        catalog.save_category(clinic.desk, clinic.manager, None, name)
    return clinic


def entry_count(clinic: Clinic) -> int:
    return rows(clinic.desk, "SELECT count(*) FROM audit_entries")[0][0]


def check(clinic: Clinic) -> ChainReport:
    with clinic.desk.db.read() as session:
        report = verify_chain(session)
    assert verify_audit_log(clinic.desk) == report
    assert verify_audit_log(clinic.desk, clinic.manager) == report
    return report


def test_the_chain_of_a_normal_clinic_is_intact(audited: Clinic) -> None:
    report = check(audited)
    count = entry_count(audited)
    assert count >= 8
    assert report == ChainReport(ok=True, entries_checked=count)
    chain = rows(audited.desk,
                 "SELECT id, previous_hash, entry_hash FROM audit_entries ORDER BY id")
    assert [entry_id for entry_id, _, _ in chain] == list(range(1, count + 1))
    assert chain[0][1] == GENESIS_HASH
    assert all(later[1] == earlier[2] for earlier, later in zip(chain, chain[1:]))
    assert rows(audited.desk, "SELECT last_entry_id, last_hash FROM audit_head") == [
        (count, chain[-1][2])]
    assert str(count) in describe(report)


def test_only_a_manager_checks_the_chain_from_the_menu(audited: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        verify_audit_log(audited.desk, audited.receptionist)


# --- tampering, by someone with the file and a SQL tool ------------------------------------

def tamper(clinic: Clinic, *statements: tuple[str, tuple[object, ...]]) -> None:
    with raw_connection(clinic.desk) as connection:
        for statement in drop_statements("sqlite", ("audit_entries",)):
            connection.execute(statement)
        for sql, params in statements:
            connection.execute(sql, params)


def content(clinic: Clinic, entry_id: int) -> tuple[object, ...]:
    return rows(clinic.desk, f"SELECT {', '.join(COLUMNS)} FROM audit_entries WHERE id = ?",
                entry_id)[0]


def overwrite(entry_id: int, values: tuple[object, ...]) -> tuple[str, tuple[object, ...]]:
    assignments = ", ".join(f"{column} = ?" for column in COLUMNS)
    return f"UPDATE audit_entries SET {assignments} WHERE id = ?", (*values, entry_id)


def make_room_at(entry_id: int) -> list[tuple[str, tuple[object, ...]]]:
    """Renumber entries from `entry_id` on by one (in two steps, ids are unique)."""
    return [("UPDATE audit_entries SET id = -id WHERE id >= ?", (entry_id,)),
            ("UPDATE audit_entries SET id = 1 - id WHERE id < 0", ())]


def insert_forged_entry(clinic: Clinic, entry_id: int, correct_hash: bool) -> None:
    """Write an entry at `entry_id` that links to the one before; its own hash right or not."""
    tamper(clinic, *make_room_at(entry_id))
    with clinic.desk.db.write() as session:
        previous = session.get(AuditEntry, entry_id - 1)
        assert previous is not None
        forged = AuditEntry(id=entry_id, at=previous.at, actor_id=clinic.manager.staff_id,
                            approved_by_id=None, action="refund_recorded", entity="refund",
                            entity_id=1, details='{"amount":500000}', reason="",
                            previous_hash=previous.entry_hash)
        forged.entry_hash = entry_hash(forged) if correct_hash else "f" * 64
        session.add(forged)


def edit_details(clinic: Clinic) -> tuple[int, str]:
    tamper(clinic, ("UPDATE audit_entries SET details = ? WHERE id = 4", ('{"forged":true}',)))
    return 4, "altered_entry"


def edit_actor(clinic: Clinic) -> tuple[int, str]:
    tamper(clinic, ("UPDATE audit_entries SET actor_id = ? WHERE id = 5",
                    (clinic.cashier.staff_id,)))
    return 5, "altered_entry"


def edit_and_rehash(clinic: Clinic) -> tuple[int, str]:
    """A careful forger recomputes the edited entry's own hash: the next link breaks."""
    tamper(clinic, ("UPDATE audit_entries SET reason = 'tidied up' WHERE id = 3", ()))
    with clinic.desk.db.write() as session:
        entry = session.get(AuditEntry, 3)
        assert entry is not None
        new_hash = entry_hash(entry)
    tamper(clinic, ("UPDATE audit_entries SET entry_hash = ? WHERE id = 3", (new_hash,)))
    return 4, "broken_link"


def delete_middle(clinic: Clinic) -> tuple[int, str]:
    tamper(clinic, ("DELETE FROM audit_entries WHERE id = 4", ()))
    return 4, "missing_entry"


def delete_middle_and_renumber(clinic: Clinic) -> tuple[int, str]:
    tamper(clinic, ("DELETE FROM audit_entries WHERE id = 4", ()),
           ("UPDATE audit_entries SET id = id - 1 WHERE id > 4", ()))
    return 4, "broken_link"


def delete_last(clinic: Clinic) -> tuple[int, str]:
    last = entry_count(clinic)
    tamper(clinic, ("DELETE FROM audit_entries WHERE id = ?", (last,)))
    return last, "missing_entry"


def swap_two(clinic: Clinic) -> tuple[int, str]:
    third, fourth = content(clinic, 3), content(clinic, 4)
    tamper(clinic, overwrite(3, fourth), overwrite(4, third))
    return 3, "broken_link"


def insert_with_forged_hash(clinic: Clinic) -> tuple[int, str]:
    insert_forged_entry(clinic, 5, correct_hash=False)
    return 5, "altered_entry"


def insert_with_computed_hash(clinic: Clinic) -> tuple[int, str]:
    insert_forged_entry(clinic, 5, correct_hash=True)
    return 6, "broken_link"


TAMPERINGS: list[Callable[[Clinic], tuple[int, str]]] = [
    edit_details, edit_actor, edit_and_rehash, delete_middle, delete_middle_and_renumber,
    delete_last, swap_two, insert_with_forged_hash, insert_with_computed_hash,
]


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=lambda f: f.__name__)
def test_tampering_breaks_the_chain_where_it_happened(
        audited: Clinic, tampering: Callable[[Clinic], tuple[int, str]]) -> None:
    assert check(audited).ok
    broken_id, problem = tampering(audited)
    report = check(audited)
    assert not report.ok
    assert (report.first_broken_id, report.problem) == (broken_id, problem)
    assert report.entries_checked == broken_id - 1
    assert f" {broken_id}" in describe(report)


def test_the_triggers_stop_tampering_without_file_level_tricks(audited: Clinic) -> None:
    """Without dropping the triggers first, the edit does not even happen."""
    with raw_connection(audited.desk) as connection, \
            pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("UPDATE audit_entries SET details = '{}' WHERE id = 4")
    assert check(audited).ok


# --- the command line ------------------------------------------------------------------------

def run_verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clinic_desk", "--db", str(path), "verify-audit"],
                          capture_output=True, text=True, timeout=120, cwd=path.parent)


def test_verify_audit_command_exits_0_when_intact_and_1_when_tampered(audited: Clinic) -> None:
    good = run_verify(audited.path)
    assert good.returncode == 0, good.stderr
    assert re.search(rf"(?<!\d){entry_count(audited)}(?!\d)", good.stdout), good.stdout

    delete_middle(audited)
    audited.desk.db.dispose()
    bad = run_verify(audited.path)
    assert bad.returncode == 1, bad.stderr
    assert re.search(r"(?<!\d)4(?!\d)", bad.stdout), bad.stdout
