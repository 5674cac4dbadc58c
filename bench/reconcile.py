"""Day close and reconciliation report speed on a clinic with ten years of money history.

    python -m bench.reconcile [--patients 50000] [--years 10] [--entries 2000] [--runs 5]
                              [--db PATH] [--rebuild]

1. The clinic: `bench.make_clinic.build_clinic` (an existing base file is reused unless
   --rebuild). On a copy of it, every history visit gets its money, written with SQLAlchemy
   Core in batches: one to three price-list charges by the visit's doctor, a discount now
   and then, a payment (sometimes split) by cash, card, WeChat Pay or Alipay with its
   receipt, a few refunds and corrections (a register entry and its reversing payment); and
   every business day a close with its count, terminal totals and handover. This ledger
   file is kept next to the base file and reused too.
2. Today: `--entries` ledger rows (charges, discounts, payments, refunds) for visits that
   checked in today and waited in the queue.
3. The day: timed `--runs` times after a warm-up, from asking for the count sheet to
   holding the PDF and the XLSX: `close_sheet`, `record_count`, `close_day`, `day_report`,
   `render_day_report`, `render_workbook` (the close is re-opened between runs, untimed).
4. Periods: `day_report` + PDF + XLSX for a week, a month and a quarter at the end of the
   history, and a month in the middle and at the start of it: the cost follows the period's
   entries, not the ten years around it. The SQLite query plan of every statement of a
   report is printed; the ledger tables are always searched by their business-date index.

The last line is `BENCH reconcile day_ms=... month_ms=... history_years=...`, where day_ms
is the median of the day runs and month_ms the slowest median of the months.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import time as clock
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from bench.clinic_copy import base_clinic, clinic_arguments, working_copy
from bench.make_clinic import DEFAULT_SEED, default_path
from bench.staff import first_actor
from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock, business_date, zone
from clinic_desk.db import Database
from clinic_desk.migrate import schema_state
from clinic_desk.models import (AssignmentRule, CashCountLine, CashStation, Charge,
                                Correction, Counter, DayClosing, DayClosingMethodTotal,
                                DayHandover, Discount, PaymentKind, PaymentMethod,
                                Patient, Payment, PriceListItem, QueueEntry, QueueState,
                                Receipt, Refund, Role, StaffRole, Station, Visit,
                                VisitKind, VisitState)
from clinic_desk.printing.day_export import render_workbook
from clinic_desk.printing.day_report import render_day_report
from clinic_desk.services import audit
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.day_close import (CloseForm, CountForm, close_day, close_sheet,
                                            record_count, reopen_day)
from clinic_desk.services.reconciliation import build_report, day_report, till_totals
from clinic_desk.services.settings import get_settings

DEFAULT_PATIENTS = 50_000
DEFAULT_YEARS = 10
DEFAULT_ENTRIES = 2_000
DEFAULT_RUNS = 5
BATCH = 20_000
DAY_TARGET_MS = 1000.0
MONTH_TARGET_MS = 3000.0
LANGUAGE = "zh_CN"
FLOAT = 50_000
#: Tables a report must never read whole.
LEDGER_TABLES = ("charges", "discounts", "payments", "refunds", "corrections", "receipts",
                 "visits", "queue_entries", "appointments", "day_closings", "patients")
METHOD_WEIGHTS = {PaymentKind.CASH: 25, PaymentKind.CARD: 25, PaymentKind.WECHAT: 30,
                  PaymentKind.ALIPAY: 20}


def _say(message: str) -> None:
    print(message, flush=True)


# --- the clinic's money history -------------------------------------------------------------

class _Ids:
    """The next primary key of each table, so rows can point at each other before insert."""

    def __init__(self, desk: Desk) -> None:
        self.next: dict[str, int] = {}
        with desk.db.read() as session:
            for model in (Charge, Discount, Payment, Refund, Receipt, Correction, DayClosing,
                          Visit, QueueEntry):
                self.next[model.__tablename__] = (session.execute(
                    select(func.max(model.id))).scalar_one() or 0) + 1

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


class _Clinic:
    """What the generated rows refer to: methods, price list, staff, the till."""

    def __init__(self, desk: Desk) -> None:
        with desk.db.read() as session:
            self.methods = {m.kind: m.id for m in session.execute(select(PaymentMethod))
                            .scalars() if m.kind in METHOD_WEIGHTS}
            self.items = [(i.id, i.category_id, i.name, i.price) for i in session.execute(
                select(PriceListItem).where(PriceListItem.active.is_(True))).scalars()]
            self.manager_actor = first_actor(session, Role.MANAGER)
            self.manager = self.manager_actor.staff_id
            self.cashier = first_actor(session, Role.CASHIER).staff_id
            self.station = session.execute(select(CashStation.id).order_by(
                CashStation.sort_order, CashStation.id).limit(1)).scalar_one()
            self.timezone = get_settings(desk).timezone


class _Ledger:
    """Rows of the money tables for a batch of visits, ready for executemany."""

    def __init__(self, clinic: _Clinic, ids: _Ids, rng: random.Random) -> None:
        self.clinic, self.ids, self.rng = clinic, ids, rng
        self.rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        kinds = list(METHOD_WEIGHTS)
        self.kinds = kinds
        self.weights = [METHOD_WEIGHTS[k] for k in kinds]

    @property
    def entries(self) -> int:
        return sum(len(self.rows[m]) for m in (Charge, Discount, Payment, Refund))

    def visit(self, visit_id: int, patient_id: int, doctor_id: int | None, day: date,
              at: datetime) -> None:
        rng, c = self.rng, self.clinic
        total = 0
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            item_id, category_id, name, price = rng.choice(c.items)
            quantity = 1 if rng.random() < 0.85 else 2
            total += price * quantity
            self.rows[Charge].append({
                "id": self.ids.take("charges"), "patient_id": patient_id,
                "visit_id": visit_id, "price_item_id": item_id, "category_id": category_id,
                "description": name, "quantity": quantity, "unit_price": price,
                "amount": price * quantity, "doctor_id": doctor_id, "position_note": "",
                "business_date": day, "created_at": at, "created_by_id": c.cashier,
                "reverses_charge_id": None, "correction_id": None})
        if rng.random() < 0.06:
            off = total // 10
            total -= off
            self.rows[Discount].append({
                "id": self.ids.take("discounts"), "patient_id": patient_id,
                "visit_id": visit_id, "charge_id": None, "percent_basis_points": 1000,
                "amount": off, "reason": "老客户", "approved_by_id": None, "business_date": day,
                "created_at": at, "created_by_id": c.cashier, "reverses_discount_id": None,
                "correction_id": None})
        paid_at = at + timedelta(minutes=rng.randint(5, 40))
        receipt = self.ids.take("receipts")
        self.rows[Receipt].append({
            "id": receipt, "number": f"H{receipt:09d}", "patient_id": patient_id,
            "visit_id": visit_id, "total_charged": total, "paid_today": total,
            "balance_after": 0, "business_date": day, "issued_at": paid_at,
            "cashier_id": c.cashier})
        split = total // 2 if total > 20_000 and rng.random() < 0.15 else 0
        for part in ((split, total - split) if split else (total,)):
            method = c.methods[rng.choices(self.kinds, self.weights)[0]]
            payment = self._payment(patient_id, visit_id, method, part, day, paid_at, receipt)
            if rng.random() < 0.01:
                self._refund(payment, patient_id, visit_id, method, part, day,
                             paid_at + timedelta(minutes=20))
            elif rng.random() < 0.003:
                self._reverse(payment, patient_id, visit_id, method, part, day,
                              paid_at + timedelta(minutes=10))

    def _payment(self, patient_id: int, visit_id: int, method: int, amount: int, day: date,
                 at: datetime, receipt: int | None, reverses: int | None = None,
                 correction: int | None = None) -> int:
        payment = self.ids.take("payments")
        self.rows[Payment].append({
            "id": payment, "idempotency_key": f"bench-{payment}", "patient_id": patient_id,
            "visit_id": visit_id, "receipt_id": receipt, "method_id": method,
            "amount": amount, "tendered": None, "change_given": None, "card_type": "",
            "card_last4": "", "reference": f"R{payment}", "is_deposit": False,
            "cash_station_id": self.clinic.station, "business_date": day, "created_at": at,
            "cashier_id": self.clinic.cashier, "reverses_payment_id": reverses,
            "correction_id": correction})
        return payment

    def _refund(self, payment: int, patient_id: int, visit_id: int, method: int, amount: int,
                day: date, at: datetime) -> None:
        number = self.ids.take("refunds")
        self.rows[Refund].append({
            "id": number, "number": f"HR{number:08d}",
            "idempotency_key": f"bench-refund-{number}", "payment_id": payment,
            "charge_id": None, "patient_id": patient_id, "visit_id": visit_id,
            "method_id": method, "amount": max(1, amount // 3), "reason_id": None,
            "reason_detail": "治疗未做", "doctor_id": None,
            "approved_by_id": self.clinic.manager, "approval_opinion": "同意",
            "receiver_name": "本人", "cash_station_id": self.clinic.station,
            "business_date": day, "created_at": at, "cashier_id": self.clinic.cashier})

    def _reverse(self, payment: int, patient_id: int, visit_id: int, method: int, amount: int,
                 day: date, at: datetime) -> None:
        """The correction register taking back a payment posted twice."""
        correction = self.ids.take("corrections")
        self.rows[Correction].append({
            "id": correction, "number": f"HC{correction:08d}", "patient_id": patient_id,
            "what_was_wrong": "重复收费", "reason": "操作失误", "how_corrected": "冲销",
            "business_date": day, "created_at": at, "cashier_id": self.clinic.cashier,
            "approved_by_id": self.clinic.manager})
        self._payment(patient_id, visit_id, method, -amount, day, at, None, payment, correction)

    def flush(self, connection: Any) -> None:
        """Insert in the order the foreign keys need."""
        for model in (Correction, Receipt, Charge, Discount, Payment, Refund):
            rows = self.rows.pop(model, [])
            for start in range(0, len(rows), BATCH):
                connection.execute(insert(model.__table__), rows[start:start + BATCH])


def _counts_for(amount: int) -> list[tuple[int, int]]:
    lines = []
    for denomination in (10000, 5000, 2000, 1000, 500, 100, 50, 10):
        if amount // denomination:
            lines.append((denomination, amount // denomination))
        amount %= denomination
    return lines


def _history_closings(desk: Desk, clinic: _Clinic, ids: _Ids, last_day: date) -> int:
    """A close for every business day with money, its count, terminal checks and handover;
    each opens with the float the one before kept."""
    cash_method = clinic.methods[PaymentKind.CASH]
    with desk.db.write() as session:
        moved: dict[date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for day, method, amount in session.execute(
                select(Payment.business_date, Payment.method_id, func.sum(Payment.amount))
                .where(Payment.business_date <= last_day)
                .group_by(Payment.business_date, Payment.method_id)):
            moved[day][method] += int(amount)
        for day, method, amount in session.execute(
                select(Refund.business_date, Refund.method_id, func.sum(Refund.amount))
                .where(Refund.business_date <= last_day)
                .group_by(Refund.business_date, Refund.method_id)):
            moved[day][method] -= int(amount)
        head = audit.head(session)
        closings, lines, totals, handovers = [], [], [], []
        for number, day in enumerate(sorted(moved), start=1):
            closing = ids.take("day_closings")
            cash = moved[day].get(cash_method, 0)
            counted = (FLOAT + cash) // 10 * 10
            closed_at = datetime.combine(day, datetime.min.time(), zone(clinic.timezone)) + \
                timedelta(hours=19)
            closings.append({
                "id": closing, "number": f"{number:06d}", "business_date": day,
                "cash_station_id": clinic.station, "version": 1, "supersedes_id": None,
                "opening_float": FLOAT, "cash_taken": cash, "cash_refunded": 0,
                "expected_cash": FLOAT + cash, "counted_cash": counted,
                "difference": counted - FLOAT - cash, "float_kept": FLOAT, "explanation": "",
                "difference_approved_by_id": None, "closed_at": closed_at,
                "closed_by_id": clinic.cashier, "audit_head_id": head.last_entry_id,
                "audit_head_hash": head.last_hash})
            lines += [{"closing_id": closing, "denomination": d, "count": n}
                      for d, n in _counts_for(counted)]
            totals += [{"closing_id": closing, "method_id": m, "system_total": v,
                        "reported_total": v, "difference": 0}
                       for m, v in moved[day].items() if m != cash_method]
            handovers.append({"closing_id": closing, "received_by_id": clinic.manager,
                              "received_at": closed_at + timedelta(minutes=10), "note": ""})
        connection = session.connection()
        for model, rows in ((DayClosing, closings), (CashCountLine, lines),
                            (DayClosingMethodTotal, totals), (DayHandover, handovers)):
            for start in range(0, len(rows), BATCH):
                connection.execute(insert(model.__table__), rows[start:start + BATCH])
        counter = session.get(Counter, "day_closing")
        if counter is None:
            session.add(Counter(name="day_closing", last_value=len(closings)))
        else:
            counter.last_value = len(closings)
    return len(closings)


def _money_history(desk: Desk, rng: random.Random, last_day: date) -> tuple[int, int]:
    """Money for every finished history visit, and every day's close."""
    clinic, ids = _Clinic(desk), _Ids(desk)
    ledger = _Ledger(clinic, ids, rng)
    entries = 0
    with desk.db.write() as session:
        connection = session.connection()
        visits = connection.execute(
            select(Visit.id, Visit.patient_id, Visit.doctor_id, Visit.business_date,
                   Visit.checked_in_at).where(Visit.business_date <= last_day)
            .order_by(Visit.id)).all()
        for visit_id, patient_id, doctor_id, day, checked_in in visits:
            ledger.visit(visit_id, patient_id, doctor_id, day, checked_in + timedelta(minutes=30))
            if ledger.entries >= BATCH:
                entries += ledger.entries
                ledger.flush(connection)
        entries += ledger.entries
        ledger.flush(connection)
        audit.record(session, datetime.now(timezone.utc), clinic.manager, "bulk_import",
                     "payment", None, {"visits": len(visits), "ledger_entries": entries,
                                       "source": "bench.reconcile"})
    closings = _history_closings(desk, clinic, ids, last_day)
    return entries, closings


def _ledger_file(base: Path, rebuild: bool, seed: int, today: date) -> Path:
    ledger = base.with_name(base.stem + "-ledger.sqlite3")
    if ledger.exists() and not rebuild and not _outdated(ledger):
        _say(f"reusing {ledger}")
        return ledger
    ledger = working_copy(base, "ledger")
    desk = open_clinic(ledger)
    started = clock.perf_counter()
    entries, closings = _money_history(desk, random.Random(seed), today - timedelta(days=1))
    desk.db.dispose()
    connection = sqlite3.connect(ledger)  # fold the WAL in, so a plain copy is complete
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    _say(f"money history: {entries:,} ledger entries and {closings:,} closes in "
         f"{clock.perf_counter() - started:.1f} s")
    return ledger


def _outdated(path: Path) -> bool:
    """A file made by an older program (its schema would be upgraded on every copy)."""
    db = Database.open(path)
    try:
        return schema_state(db).needs_upgrade
    finally:
        db.dispose()


# --- today ------------------------------------------------------------------------------------

def _today(desk: Desk, rng: random.Random, today: date, entries: int, now: datetime) -> int:
    """Visits of today (checked in, waited, seen) and `entries` ledger rows for them."""
    clinic, ids = _Clinic(desk), _Ids(desk)
    ledger = _Ledger(clinic, ids, rng)
    opens = datetime.combine(today, datetime.min.time(), zone(clinic.timezone)) + \
        timedelta(hours=8)
    with desk.db.write() as session:
        connection = session.connection()
        patients = list(connection.execute(select(Patient.id).order_by(func.random())
                                           .limit(entries)).scalars())
        kind = connection.execute(select(VisitKind.id).where(VisitKind.code == "return")
                                  ).scalar_one()
        doctors = list(connection.execute(select(StaffRole.staff_id).where(
            StaffRole.role == Role.DOCTOR)).scalars())
        station = connection.execute(select(Station.id).limit(1)).scalar_one()
        visits, queue_rows = [], []
        for n, patient in enumerate(patients):
            if ledger.entries >= entries:
                break
            visit = ids.take("visits")
            arrived = opens + timedelta(minutes=n * 600 // max(len(patients), 1) % 600)
            doctor = doctors[n % len(doctors)]
            visits.append({
                "id": visit, "patient_id": patient, "business_date": today,
                "visit_kind_id": kind, "doctor_id": doctor, "helping_doctor_id": None,
                "appointment_id": None, "assignment_rule": AssignmentRule.ROTATION,
                "override_reason": "", "refused_doctor_id": None, "chief_complaint": "复诊",
                "emergency": False, "state": VisitState.FINISHED, "checked_in_at": arrived,
                "checked_in_by_id": clinic.manager,
                "ended_at": arrived + timedelta(minutes=50), "end_reason": ""})
            called = arrived + timedelta(minutes=rng.randint(1, 35))
            queue_rows.append({
                "visit_id": visit, "station_id": station, "doctor_id": doctor, "room_id": None,
                "state": QueueState.DONE, "priority_adjust": 0, "entered_at": arrived,
                "called_at": called, "called_by_id": None, "treatment_started_at": called,
                "done_at": called + timedelta(minutes=20), "left_at": None, "reason": "",
                "version": 3})
            ledger.visit(visit, patient, doctor, today, arrived + timedelta(minutes=40))
        connection.execute(insert(Visit.__table__), visits)
        connection.execute(insert(QueueEntry.__table__), queue_rows)
        made = ledger.entries
        ledger.flush(connection)
        audit.record(session, now, clinic.manager, "bulk_import", "payment", None,
                     {"visits": len(visits), "ledger_entries": made,
                      "source": "bench.reconcile"})
    return made


# --- timing -----------------------------------------------------------------------------------

def _now() -> tuple[float, float]:
    """Wall-clock and this process's CPU time: on a shared machine the second shows what
    the work itself cost."""
    return clock.perf_counter(), clock.process_time()


def _ms(started: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _now()
    return (wall - started[0]) * 1000, (cpu - started[1]) * 1000


def _median_ms(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of `runs` runs."""
    times = []
    for _ in range(runs):
        started = _now()
        action()
        times.append(_ms(started))
    return (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))


class _DayClose:
    """The close from the count sheet to the PDF and the XLSX, each stage timed."""

    def __init__(self, desk: Desk, manager: Actor, today: date) -> None:
        self.desk, self.manager, self.today = desk, manager, today
        self.stages: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.closings: list[int] = []

    def _stage(self, name: str, started: tuple[float, float]) -> tuple[float, float]:
        self.stages[name].append(_ms(started))
        return _now()

    def __call__(self) -> None:
        desk, manager, today = self.desk, self.manager, self.today
        with desk.db.read() as session:  # what the drawer and the terminals hold (untimed)
            totals = till_totals(session, today, None)
        cash = sum(t.received for t in totals if t.kind == PaymentKind.CASH)
        counts = {d: str(n) for d, n in _counts_for((FLOAT + cash) // 10 * 10)}
        reported = {t.method_id: f"{t.received / 100:.2f}" for t in totals
                    if t.kind != PaymentKind.CASH}
        started = _now()
        sheet = close_sheet(desk, manager, today)
        result = record_count(desk, manager, CountForm(
            today, sheet.cash_station_id, counts, reported,
            f"{FLOAT / 100:.2f}" if sheet.opening_float is None else ""))
        closed = close_day(desk, manager, CloseForm(result.count_id, "fen coins not counted"))
        started = self._stage("close", started)
        report = day_report(desk, today, actor=manager)
        started = self._stage("report", started)
        render_day_report(report, LANGUAGE)
        started = self._stage("pdf", started)
        render_workbook(report, LANGUAGE)
        self._stage("xlsx", started)
        self.closings.append(closed.closing_id)

    def reopen(self) -> None:
        reopen_day(self.desk, self.manager, self.closings[-1], "benchmark run")

    def median_ms(self, which: int = 0) -> float:
        """Median of the runs' totals (0: wall-clock, 1: CPU)."""
        return statistics.median(sum(stage[which] for stage in run)
                                 for run in zip(*self.stages.values()))

    def stage_text(self, which: int) -> str:
        return ", ".join(f"{name} {statistics.median(t[which] for t in times):.0f}"
                         for name, times in self.stages.items())


def _periods(today: date, years: int) -> list[tuple[str, date, date]]:
    def month(first: date) -> tuple[date, date]:
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first, following - timedelta(days=1)

    def before(first: date) -> date:
        return (first - timedelta(days=1)).replace(day=1)

    last_month = month(before(today.replace(day=1)))
    middle = month(today.replace(year=today.year - years // 2, day=1))
    first = month(today.replace(year=today.year - years + 1, day=1))
    quarter = before(before(last_month[0]))
    return [("week", last_month[1] - timedelta(days=6), last_month[1]),
            ("month", *last_month), ("quarter", quarter, last_month[1]),
            ("month", *middle), ("month", *first)]


def _plans(desk: Desk, start: date, end: date, now: datetime) -> list[tuple[str, list[str]]]:
    """The query plan (its steps) of every statement one report runs, by its first table."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
             _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(desk.db.engine, "before_cursor_execute", seen)
    try:
        with desk.db.read() as session:
            build_report(session, start, end, now)
    finally:
        event.remove(desk.db.engine, "before_cursor_execute", seen)
    lines = []
    raw = desk.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement,
                                                     parameters)]
            lines.append((statement.split("FROM", 1)[1].split()[0], plan))
    finally:
        raw.close()
    return lines


def _full_scans(plans: Sequence[tuple[str, list[str]]]) -> list[str]:
    """Plan steps that read a whole ledger table (SQLite says SCAN without an index)."""
    return [step for _table, steps in plans for step in steps
            if step.split()[:1] == ["SCAN"] and "INDEX" not in step
            and step.split()[1] in LEDGER_TABLES]


def _period_ms(desk: Desk, manager: Actor, start: date, end: date,
               runs: int) -> tuple[int, dict[str, tuple[float, float]]]:
    """The period's ledger entries, and the median times (wall, CPU) of its report, PDF and
    XLSX."""
    report = day_report(desk, start, end, actor=manager)
    count = sum(len(rows) for rows in (report.payments, report.refunds, report.charges,
                                       report.discounts))
    return count, {
        "report": _median_ms(lambda: day_report(desk, start, end, actor=manager), runs),
        "pdf": _median_ms(lambda: render_day_report(report, LANGUAGE), runs),
        "xlsx": _median_ms(lambda: render_workbook(report, LANGUAGE), runs)}


def run(db: Path | None, patients: int, years: int, entries: int, runs: int,
        seed: int = DEFAULT_SEED, rebuild: bool = False) -> str:
    built = rebuild or not (db or default_path(patients, years, seed)).exists()
    base = base_clinic(db, patients, years, seed, rebuild, _say)
    setup = open_clinic(base)
    tz_name = get_settings(setup).timezone
    setup.db.dispose()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    today = business_date(now, tz_name)
    ledger = _ledger_file(base, built, seed, today)  # the money history follows its clinic
    work = working_copy(ledger, "work")
    evening = datetime.combine(today, datetime.min.time(), zone(tz_name)) + timedelta(hours=19)
    desk = open_clinic(work, clock=FixedClock(evening))
    clinic = _Clinic(desk)
    made = _today(desk, random.Random(seed + 1), today, entries, desk.clock.now())
    _say(f"today ({today}): {made:,} ledger entries")

    manager = clinic.manager_actor
    day = _DayClose(desk, manager, today)
    day()  # warm-up: the font, compiled statements
    day.reopen()
    day.stages.clear()
    for _ in range(runs):
        day()
        day.reopen()
    day_ms = day.median_ms()
    _say(f"day close of {made:,} entries with its PDF and XLSX, median of {runs} runs "
         f"(target {DAY_TARGET_MS:.0f} ms): {day_ms:.0f} ms ({day.stage_text(0)}); "
         f"CPU {day.median_ms(1):.0f} ms ({day.stage_text(1)})")

    month_ms = 0.0
    for name, start, end in _periods(today, years):
        count, parts = _period_ms(desk, manager, start, end, runs)
        total = sum(wall for wall, _cpu in parts.values())
        if name == "month":
            month_ms = max(month_ms, total)
        _say(f"{name:<8} {start} .. {end}: {count:>7,} entries, {total:7.0f} ms ("
             + ", ".join(f"{k} {v[0]:.0f}" for k, v in parts.items()) + "); CPU "
             + f"{sum(cpu for _wall, cpu in parts.values()):.0f} ms")
    plans = _plans(desk, *_periods(today, years)[1][1:], desk.clock.now())
    _say("query plans of one month's report:")
    for table, steps in plans:
        _say(f"  {table:<26} " + " | ".join(steps))
    scans = _full_scans(plans)
    _say("full scans of ledger tables: " + ("none" if not scans else "; ".join(scans)))
    _say(f"month target {MONTH_TARGET_MS:.0f} ms")
    desk.db.dispose()
    return f"BENCH reconcile day_ms={day_ms:.0f} month_ms={month_ms:.0f} history_years={years}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = clinic_arguments("python -m bench.reconcile", __doc__, DEFAULT_PATIENTS,
                              DEFAULT_YEARS, DEFAULT_RUNS)
    parser.add_argument("--entries", type=int, default=DEFAULT_ENTRIES,
                        help="ledger entries of the day that is closed")
    args = parser.parse_args(argv)
    print(run(args.db, args.patients, args.years, args.entries, args.runs, args.seed,
              args.rebuild))
    return 0


if __name__ == "__main__":
    sys.exit(main())

