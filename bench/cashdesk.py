"""Cash desk speed: posting a payment, and making its receipt's PDF.

    python -m bench.cashdesk [--patients 20000] [--years 1] [--runs 300] [--db PATH] [--rebuild]

Builds a synthetic clinic with `bench.make_clinic.build_clinic` (an existing base file is
reused unless --rebuild) and works on a copy of it:

- gives every history visit the ledger a real clinic would have: one to three charges of its
  price list, a receipt and a payment by a method of the clinic, written in bulk (the receipt
  counter is advanced past them, so new receipts continue the series);
- sends `--runs` patients of the clinic to the cash desk today, each with a visit and two
  charges (through `services.cashdesk.add_charges`, not timed);
- times `post_payment` for each of them, a split payment (cash with change and a bank card
  with its last 4 digits and reference), with `time.perf_counter`;
- times a receipt as the cash desk makes it, `receipt_data` read back and
  `render_posted_receipt` on the 80 mm roll and on A5, after the first one (which registers
  the CJK font, ~150 ms, once per program run).

The last line is `BENCH cashdesk post_p95_ms=... receipt_ms=...`, where receipt_ms is the
median time of reading and rendering an 80 mm receipt after the first.
"""

from __future__ import annotations

import random
import sys
import time as clock
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.clinic_copy import base_clinic, clinic_arguments, working_copy
from bench.make_clinic import DEFAULT_SEED
from bench.staff import first_actor
from bench.timing import percentile, summary, timed_ms
from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock, zone
from clinic_desk.models import (AssignmentRule, Charge, Counter, Patient, Payment, PaymentKind,
                                PaymentMethod, PriceListItem, Receipt, Role, Visit, VisitKind,
                                VisitState)
from clinic_desk.money import format_plain
from clinic_desk.printing.paper import Paper
from clinic_desk.printing.posted_receipt import render_posted_receipt
from clinic_desk.services.cashdesk import (RECEIPT_SERIES, ChargeLine, PaymentPart,
                                           PaymentRequest, add_charges, post_payment)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.ledger import patient_totals
from clinic_desk.services.receipts import receipt_data
from clinic_desk.services.settings import get_settings

DEFAULT_PATIENTS = 20_000
DEFAULT_YEARS = 1
DEFAULT_RUNS = 300
RENDERS = 100
BATCH = 20_000
POST_TARGET_MS = 50.0
RECEIPT_TARGET_MS = 30.0


def _history_ledger(desk: Desk, rng: random.Random, cashier: Actor) -> tuple[int, int, int]:
    """Charges, a receipt and a payment for every history visit, in bulk."""
    with desk.db.write() as session:
        items = session.execute(select(PriceListItem.id, PriceListItem.name,
                                       PriceListItem.category_id, PriceListItem.price)).all()
        methods = session.execute(select(PaymentMethod.id, PaymentMethod.kind)).all()
        visits = session.execute(select(Visit.id, Visit.patient_id, Visit.doctor_id,
                                        Visit.business_date, Visit.checked_in_at)).all()
        number = session.get(Counter, RECEIPT_SERIES)
        next_number = (number.last_value if number else 0) + 1
        first_receipt = (session.execute(select(func.max(Receipt.id))).scalar() or 0) + 1
        charges, receipts, payments = [], [], []
        for offset, (visit_id, patient_id, doctor_id, day, at) in enumerate(visits):
            total = 0
            for item_id, name, category_id, price in rng.sample(items, rng.randint(1, 3)):
                quantity = rng.choice((1, 1, 1, 2))
                total += price * quantity
                charges.append({
                    "patient_id": patient_id, "visit_id": visit_id, "price_item_id": item_id,
                    "category_id": category_id, "description": name, "quantity": quantity,
                    "unit_price": price, "amount": price * quantity, "doctor_id": doctor_id,
                    "position_note": "", "business_date": day, "created_at": at,
                    "created_by_id": cashier.staff_id})
            paid_at = at + timedelta(minutes=40)
            receipts.append({
                "id": first_receipt + offset, "number": f"{next_number + offset:08d}",
                "patient_id": patient_id, "visit_id": visit_id, "total_charged": total,
                "paid_today": total, "balance_after": 0, "business_date": day,
                "issued_at": paid_at, "cashier_id": cashier.staff_id})
            method_id, kind = rng.choice(methods)
            payments.append({
                "idempotency_key": f"history-{visit_id}:0", "patient_id": patient_id,
                "visit_id": visit_id, "receipt_id": first_receipt + offset,
                "method_id": method_id, "amount": total, "tendered": None,
                "change_given": None, "card_type": "UnionPay debit" if kind == PaymentKind.CARD
                else "", "card_last4": f"{rng.randint(0, 9999):04d}"
                if kind == PaymentKind.CARD else "",
                "reference": "" if kind == PaymentKind.CASH else f"H{visit_id:09d}",
                "is_deposit": False, "business_date": day, "created_at": paid_at,
                "cashier_id": cashier.staff_id})
        for table, rows in ((Charge.__table__, charges), (Receipt.__table__, receipts),
                            (Payment.__table__, payments)):
            for start in range(0, len(rows), BATCH):
                session.execute(insert(table), rows[start:start + BATCH])
        if number is None:
            session.add(Counter(name=RECEIPT_SERIES, last_value=len(receipts)))
        else:
            number.last_value += len(receipts)
    return len(charges), len(receipts), len(payments)


def _visits_at_the_cash_desk(desk: Desk, rng: random.Random, cashier: Actor,
                             count: int) -> list[tuple[int, int, int]]:
    """`count` patients with a visit today, treatment done, two items charged on it:
    (patient, visit, amount due)."""
    now = desk.clock.now()
    today = now.astimezone(zone(get_settings(desk).timezone)).date()
    with desk.db.write() as session:
        patients = rng.sample(session.execute(select(Patient.id)).scalars().all(), count)
        kind = session.execute(select(VisitKind.id).limit(1)).scalar_one()
        doctor = first_actor(session, Role.DOCTOR).staff_id
        items = session.execute(select(PriceListItem.id)).scalars().all()
        visits = []
        for patient_id in patients:
            visit = Visit(patient_id=patient_id, business_date=today, visit_kind_id=kind,
                          doctor_id=doctor, assignment_rule=AssignmentRule.ROTATION,
                          state=VisitState.TO_CASHIER, checked_in_at=now,
                          checked_in_by_id=cashier.staff_id)
            session.add(visit)
            session.flush()
            visits.append((patient_id, visit.id))
    due = []
    for patient_id, visit_id in visits:
        add_charges(desk, cashier, visit_id, [ChargeLine(item, rng.randint(1, 2))
                                              for item in rng.sample(items, 2)])
        with desk.db.read() as session:
            due.append((patient_id, visit_id, patient_totals(session, patient_id).balance))
    return due


def run(db: Path | None, patients: int, years: int, runs: int, seed: int = DEFAULT_SEED,
        rebuild: bool = False, say: Callable[[str], None] = print) -> str:
    path = working_copy(base_clinic(db, patients, years, seed, rebuild, say), "cashdesk")
    rng = random.Random(seed + 3)
    started = clock.perf_counter()
    fixed = FixedClock(datetime.now(timezone.utc))
    desk = open_clinic(path, clock=fixed)
    try:
        with desk.db.read() as session:
            cashier = first_actor(session, Role.CASHIER)
            methods = {kind: method_id for method_id, kind in session.execute(
                select(PaymentMethod.id, PaymentMethod.kind))}
        ledger = _history_ledger(desk, rng, cashier)
        waiting = _visits_at_the_cash_desk(desk, rng, cashier, runs)
        currency = get_settings(desk).currency
        say(f"set up in {clock.perf_counter() - started:.1f} s: {ledger[0]:,} charges, "
            f"{ledger[1]:,} receipts and {ledger[2]:,} payments of history; {runs} visits "
            f"waiting to pay")

        posts, receipts = [], []
        for number, (patient_id, visit_id, due) in enumerate(waiting):
            cash = due // 3
            request = PaymentRequest(patient_id=patient_id, visit_id=visit_id, parts=(
                PaymentPart(methods[PaymentKind.CASH], format_plain(cash, currency),
                            tendered_text=format_plain(cash + 5000, currency)),
                PaymentPart(methods[PaymentKind.CARD], format_plain(due - cash, currency),
                            card_type="UnionPay debit", card_last4=f"{number:04d}",
                            reference=f"POS-BENCH-{number}")),
                idempotency_key=f"bench-{number}")
            fixed.advance(seconds=20)
            posting = clock.perf_counter()
            posted = post_payment(desk, cashier, request)
            posts.append((clock.perf_counter() - posting) * 1000)
            if posted.balance_after != 0 or posted.repeated:
                raise RuntimeError(f"posting {number} did not settle its visit: {posted}")
            receipts.append(posted.receipt_id)

        chosen = receipts[: min(RENDERS, len(receipts))]
        first = timed_ms(lambda: render_posted_receipt(receipt_data(desk, chosen[0]),
                                                     Paper.ROLL_80MM))
        data_only = [timed_ms(lambda r=r: receipt_data(desk, r)) for r in chosen]
        read = [receipt_data(desk, r) for r in chosen]
        render_only = [timed_ms(lambda d=d: render_posted_receipt(d, Paper.ROLL_80MM))
                       for d in read]
        roll = [timed_ms(lambda r=r: render_posted_receipt(receipt_data(desk, r),
                                                         Paper.ROLL_80MM)) for r in chosen]
        sheet = [timed_ms(lambda r=r: render_posted_receipt(receipt_data(desk, r), Paper.A5))
                 for r in chosen]
        say(f"post_payment (cash with change + card), {len(posts)} runs: {summary(posts)}"
            f"   target p95 < {POST_TARGET_MS:.0f} ms")
        say(f"first receipt of the run (registers the font):  {first:8.2f} ms")
        say(f"receipt_data read back, {len(chosen)} runs:            {summary(data_only)}")
        say(f"80 mm roll PDF alone (ReportLab), {len(chosen)} runs:  {summary(render_only)}")
        say(f"read + 80 mm roll PDF after the first:           {summary(roll)}"
            f"   target < {RECEIPT_TARGET_MS:.0f} ms")
        say(f"read + A5 sheet PDF after the first:             {summary(sheet)}")
    finally:
        desk.db.dispose()
    return (f"BENCH cashdesk post_p95_ms={percentile(posts, 95):.2f} "
            f"receipt_ms={percentile(roll, 50):.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = clinic_arguments("python -m bench.cashdesk", __doc__, DEFAULT_PATIENTS,
                            DEFAULT_YEARS, DEFAULT_RUNS).parse_args(argv)
    print(run(args.db, args.patients, args.years, args.runs, args.seed, args.rebuild))
    return 0


if __name__ == "__main__":
    sys.exit(main())
