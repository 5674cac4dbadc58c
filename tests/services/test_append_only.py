"""The money tables and the audit log refuse UPDATE and DELETE, whoever sends them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc, select, text

from clinic_desk.clock import FixedClock
from clinic_desk.models import (CashCountLine, CashStation, Charge, Correction, DayClosing,
                                DayClosingMethodTotal, DayHandover, DayReopening, Discount,
                                DocumentPrint, PaymentMethod, Payment, Receipt, Refund, Sex)
from clinic_desk.models.append_only import APPEND_ONLY_TABLES, drop_statements
from clinic_desk.services.patients import PatientForm, register_patient

from tests.clinics import START, Clinic, ClinicTemplate, clinic_copy, close_for_copying
from .helpers import raw_connection, rows

TODAY = date(2026, 3, 2)

#: For each table, a column and a new value: an edit that would succeed without the triggers.
EDITS: dict[str, tuple[str, Any]] = {
    "charges": ("amount", 1), "discounts": ("amount", 1), "receipts": ("paid_today", 1),
    "payments": ("amount", 1), "refunds": ("amount", 1), "document_prints": ("copy_number", 9),
    "corrections": ("reason", "rewritten later"), "day_closings": ("counted_cash", 1),
    "day_closing_method_totals": ("reported_total", 1), "cash_count_lines": ("count", 99),
    "day_handovers": ("note", "rewritten later"), "day_reopenings": ("reason", "rewritten later"),
    "audit_entries": ("details", '{"forged":true}'),
}


def fill_ledger(clinic: Clinic) -> dict[str, int]:
    """One valid row in every append-only table; returns the row id for each table."""
    desk, now = clinic.desk, clinic.clock.now()
    patient_id = register_patient(desk, clinic.receptionist, PatientForm(
        name="张三", sex=Sex.MALE, birth_date=date(1980, 5, 1), phone="13812345678"))
    cashier, manager = clinic.cashier.staff_id, clinic.manager.staff_id
    common = dict(patient_id=patient_id, business_date=TODAY)
    with desk.db.write() as session:
        cash = session.execute(
            select(PaymentMethod.id).order_by(PaymentMethod.id)).scalars().first()
        station = session.execute(select(CashStation.id)).scalars().first()
        charge = Charge(**common, description="Scaling", quantity=1, unit_price=20000,
                        amount=20000, created_at=now, created_by_id=cashier)
        receipt = Receipt(**common, number="R000001", total_charged=20000, paid_today=19000,
                          balance_after=0, issued_at=now, cashier_id=cashier)
        session.add_all([charge, receipt])
        session.flush()
        discount = Discount(**common, charge_id=charge.id, amount=1000, created_at=now,
                            created_by_id=cashier)
        payment = Payment(**common, idempotency_key="pay-1", receipt_id=receipt.id,
                          method_id=cash, amount=19000, created_at=now, cashier_id=cashier)
        correction = Correction(**common, number="K000001", what_was_wrong="wrong item",
                                reason="typing error", how_corrected="reversed", created_at=now,
                                cashier_id=cashier, approved_by_id=manager)
        closing = DayClosing(number="D20260302-1", business_date=TODAY, cash_station_id=station,
                             opening_float=50000, cash_taken=19000, cash_refunded=5000,
                             expected_cash=64000, counted_cash=64000, difference=0,
                             closed_at=now, closed_by_id=cashier)
        session.add_all([discount, payment, correction, closing])
        session.flush()
        added = {
            "refunds": Refund(**common, number="F000001", idempotency_key="refund-1",
                              payment_id=payment.id, method_id=cash, amount=5000,
                              reason_detail="not done", approved_by_id=manager,
                              receiver_name="张三", created_at=now, cashier_id=cashier),
            "document_prints": DocumentPrint(receipt_id=receipt.id, copy_number=1,
                                             printed_at=now, printed_by_id=cashier),
            "day_closing_method_totals": DayClosingMethodTotal(
                closing_id=closing.id, method_id=cash, system_total=19000, reported_total=19000,
                difference=0),
            "cash_count_lines": CashCountLine(closing_id=closing.id, denomination=10000, count=6),
            "day_handovers": DayHandover(closing_id=closing.id, received_by_id=manager,
                                         received_at=now),
            "day_reopenings": DayReopening(closing_id=closing.id, reopened_by_id=manager,
                                           reopened_at=now, reason="late payment"),
        }
        session.add_all(added.values())
        session.flush()
        ids = {table: row.id for table, row in added.items()}
        ids.update(charges=charge.id, receipts=receipt.id, discounts=discount.id,
                   payments=payment.id, corrections=correction.id, day_closings=closing.id)
    (ids["audit_entries"],) = rows(desk, "SELECT max(id) FROM audit_entries")[0]
    return ids


@dataclass(frozen=True)
class LedgerTemplate:
    clinic: ClinicTemplate
    ids: dict[str, int]


@pytest.fixture(scope="module")
def ledger_template(tmp_path_factory: pytest.TempPathFactory,
                    clinic_template: ClinicTemplate) -> LedgerTemplate:
    folder = tmp_path_factory.mktemp("template-ledger")
    with clinic_copy(clinic_template, folder, FixedClock(START)) as clinic:
        ids = fill_ledger(clinic)
        close_for_copying(clinic.desk)
    return LedgerTemplate(replace(clinic_template, path=clinic.path), ids)


@pytest.fixture
def ledger_clinic(ledger_template: LedgerTemplate, tmp_path: Path,
                  clock: FixedClock) -> Iterator[Clinic]:
    with clinic_copy(ledger_template.clinic, tmp_path, clock) as clinic:
        yield clinic


@pytest.fixture
def ledger(ledger_template: LedgerTemplate) -> dict[str, int]:
    return ledger_template.ids


def row(clinic: Clinic, table: str, row_id: int) -> list[tuple[Any, ...]]:
    return rows(clinic.desk, f"SELECT * FROM {table} WHERE id = ?", row_id)


def statements(table: str, row_id: int) -> dict[str, tuple[str, tuple[Any, ...]]]:
    column, value = EDITS[table]
    return {"UPDATE": (f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id)),
            "DELETE": (f"DELETE FROM {table} WHERE id = ?", (row_id,))}


def through_sqlite3(clinic: Clinic, sql: str, params: tuple[Any, ...]) -> None:
    with raw_connection(clinic.desk) as connection:
        connection.execute(sql, params)


def through_the_program_session(clinic: Clinic, sql: str, params: tuple[Any, ...]) -> None:
    names = [f"p{i}" for i in range(len(params))]
    for name in names:
        sql = sql.replace("?", f":{name}", 1)
    with clinic.desk.db.write() as session:
        session.execute(text(sql), dict(zip(names, params)))


ROUTES: dict[str, Callable[[Clinic, str, tuple[Any, ...]], None]] = {
    "sqlite3": through_sqlite3, "session": through_the_program_session}

#: Through the program's own session too, for the tables the brief names explicitly.
MONEY_AND_AUDIT = ("payments", "refunds", "corrections", "day_closings", "audit_entries")
CASES = [(table, verb, "sqlite3") for table in APPEND_ONLY_TABLES for verb in ("UPDATE", "DELETE")]
CASES += [(table, verb, "session") for table in MONEY_AND_AUDIT for verb in ("UPDATE", "DELETE")]


def test_every_append_only_table_has_a_row_here(ledger: dict[str, int]) -> None:
    assert set(ledger) == set(APPEND_ONLY_TABLES) == set(EDITS)
    assert set(MONEY_AND_AUDIT) <= set(APPEND_ONLY_TABLES)


@pytest.mark.parametrize(("table", "verb", "route"), CASES)
def test_changing_or_removing_a_row_is_refused(ledger_clinic: Clinic, ledger: dict[str, int],
                                               table: str, verb: str, route: str) -> None:
    clinic = ledger_clinic
    before = row(clinic, table, ledger[table])
    assert before
    sql, params = statements(table, ledger[table])[verb]
    with pytest.raises((sqlite3.DatabaseError, exc.DatabaseError), match="append-only"):
        ROUTES[route](clinic, sql, params)
    assert row(clinic, table, ledger[table]) == before


def test_without_the_triggers_the_same_statements_would_go_through(ledger_clinic: Clinic,
                                                                   ledger: dict[str, int]) -> None:
    """Shows the refusals above come from the triggers, and that each edit is a real change."""
    clinic = ledger_clinic
    with raw_connection(clinic.desk) as connection:
        for statement in drop_statements("sqlite"):
            connection.execute(statement)
        for table in APPEND_ONLY_TABLES:
            before = row(clinic, table, ledger[table])
            sql, params = statements(table, ledger[table])["UPDATE"]
            connection.execute(sql, params)
            assert row(clinic, table, ledger[table]) != before, table
        for table in reversed(APPEND_ONLY_TABLES):
            sql, params = statements(table, ledger[table])["DELETE"]
            connection.execute(sql, params)
            assert row(clinic, table, ledger[table]) == [], table
