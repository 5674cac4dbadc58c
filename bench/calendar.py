"""Calendar speed: the day view a screen draws, and the free-slot finder across a month.

    python -m bench.calendar [--patients 20000] [--years 1] [--runs 200] [--db PATH] [--rebuild]

Builds (or reuses) a synthetic clinic with `bench.make_clinic.build_clinic`, then works on a
copy of it:

- the demo clinic's own doctors are set inactive and 12 doctors are added through
  `services.staff.add_staff`, each working every day 08:00-12:00 and 13:00-20:00;
- nine weeks of appointments around the bench day (a Monday) are bulk-inserted, 300 a day:
  the first doctor is booked solid, without a gap, from the bench day for 31 days, the other
  eleven share the rest of the 300 with gaps between bookings; past days are arrived, with
  some no-shows and cancellations;
- with the clock at 07:00 on the bench day, times after a warm-up:
  `day_view(desk, day)` (12 columns, 300 blocks), and `free_slots(desk, 2, first_doctor,
  07:00, limit=1)`, which must look past the month the first doctor is booked solid.

The last line is `BENCH calendar day_view_ms=... free_slot_ms=...` (95th percentiles).
"""

from __future__ import annotations

import random
import sys
import time as clock
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

from sqlalchemy import insert, select

from bench.clinic_copy import base_clinic, clinic_arguments, working_copy
from bench.make_clinic import DEFAULT_SEED
from bench.staff import add_doctors, first_actor, retire_doctors
from bench.timing import percentile, summary, timings
from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock, zone
from clinic_desk.models import Appointment, AppointmentStatus, Patient, Role, VisitKind
from clinic_desk.services import audit
from clinic_desk.services.calendar import UNIT, day_view, free_slots, mark_no_shows, week_view
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.settings import get_settings
from clinic_desk.services.staff import Shift

DEFAULT_PATIENTS = 20_000
DEFAULT_YEARS = 1
DEFAULT_RUNS = 200
DOCTORS = 12
PER_DAY = 300
DAYS_BEFORE = 28
DAYS_AFTER = 35
SOLID_DAYS = 31
DAY_VIEW_TARGET_MS = 50.0
FREE_SLOT_TARGET_MS = 20.0
SHIFTS = ((time(8, 0), time(12, 0)), (time(13, 0), time(20, 0)))


def _replace_doctors(desk: Desk, manager: Actor) -> list[int]:
    """The demo doctors leave; 12 doctors working every day take their place."""
    retire_doctors(desk, manager)
    return add_doctors(desk, manager, DOCTORS, "K", [
        Shift(day, start, end) for day in range(7) for start, end in SHIFTS])


def _bench_day(desk: Desk) -> date:
    today = datetime.now(zone(get_settings(desk).timezone)).date()
    return today + timedelta(days=7 - today.weekday())  # next Monday


def _day_of(first_solid: bool, rng: random.Random, day: date, tz: tzinfo,
            doctors: list[int]) -> list[tuple[int, datetime, int]]:
    """(doctor, start, units) for one day, PER_DAY in all; the first doctor booked solid in
    2-unit bookings when `first_solid`, the others with gaps."""
    spans = [(datetime.combine(day, start, tz), datetime.combine(day, end, tz))
             for start, end in SHIFTS]
    bookings: list[tuple[int, datetime, int]] = []
    others = doctors
    if first_solid:
        for start, end in spans:
            moment = start
            while moment + 2 * UNIT <= end:
                bookings.append((doctors[0], moment, 2))
                moment += 2 * UNIT
        others = doctors[1:]
    left = PER_DAY - len(bookings)
    capacity = sum(int((end - start) / UNIT) for start, end in spans)
    for index, doctor in enumerate(others):
        wanted = left // len(others) + (1 if index < left % len(others) else 0)
        units = [rng.choice((1, 1, 2)) for _ in range(wanted)]
        # Free quarter hours spread among the bookings; a 2-unit booking that does not fit
        # before a span's end leaves one quarter hour there, hence the spare one per span.
        items = units + [0] * (capacity - sum(units) - len(spans))
        rng.shuffle(items)
        remaining = iter(spans)
        moment, end = next(remaining)
        for length in items:
            step = max(length, 1) * UNIT
            if moment + step > end:
                moment, end = next(remaining)
            if length:
                bookings.append((doctor, moment, length))
            moment += step
    return bookings


def _insert_appointments(desk: Desk, rng: random.Random, doctors: list[int], day: date,
                         manager: Actor, now: datetime) -> int:
    tz = zone(get_settings(desk).timezone)
    rows = []
    with desk.db.write() as session:
        patients = list(session.execute(select(Patient.id)).scalars())
        kinds = list(session.execute(select(VisitKind.id)).scalars())
        for offset in range(-DAYS_BEFORE, DAYS_AFTER):
            current = day + timedelta(days=offset)
            for doctor, start, units in _day_of(0 <= offset < SOLID_DAYS, rng, current, tz,
                                                doctors):
                past = offset < 0
                roll = rng.random()
                status = (AppointmentStatus.CANCELLED if roll < 0.04 else
                          AppointmentStatus.NO_SHOW if past and roll < 0.08 else
                          AppointmentStatus.ARRIVED if past else
                          AppointmentStatus.CONFIRMED if roll < 0.5 else
                          AppointmentStatus.BOOKED)
                if status == AppointmentStatus.CANCELLED and offset >= 0:
                    status = AppointmentStatus.BOOKED  # the bench day keeps its 300
                rows.append({
                    "patient_id": rng.choice(patients), "doctor_id": doctor, "room_id": None,
                    "visit_kind_id": rng.choice(kinds), "starts_at": start, "units": units,
                    "status": status, "note": "", "created_at": now - timedelta(days=60),
                    "created_by_id": manager.staff_id, "version": 1})
        session.execute(insert(Appointment.__table__), rows)
        audit.record(session, now, manager.staff_id, "bulk_import", "appointment", None, {
            "appointments": len(rows), "source": "bench.calendar"})
    return len(rows)


def run(db: Path | None, patients: int, years: int, runs: int, seed: int = DEFAULT_SEED,
        rebuild: bool = False, say: Callable[[str], None] = print) -> str:
    path = working_copy(base_clinic(db, patients, years, seed, rebuild, say), "calendar")
    rng = random.Random(seed + 5)
    started = clock.perf_counter()
    desk = open_clinic(path, clock=FixedClock(datetime.now(UTC)))
    fixed = desk.clock
    assert isinstance(fixed, FixedClock)
    try:
        with desk.db.read() as session:
            manager = first_actor(session, Role.MANAGER)
        doctors = _replace_doctors(desk, manager)
        day = _bench_day(desk)
        tz = zone(get_settings(desk).timezone)
        opening = datetime.combine(day, time(7, 0), tz)
        count = _insert_appointments(desk, rng, doctors, day, manager, fixed.now())
        fixed.set(opening)
        marked = mark_no_shows(desk)
        say(f"set up in {clock.perf_counter() - started:.1f} s: {DOCTORS} doctors, {count:,} "
            f"appointments from {day - timedelta(days=DAYS_BEFORE)} to "
            f"{day + timedelta(days=DAYS_AFTER - 1)} ({marked} left to mark as no-shows)")

        view = day_view(desk, day)
        say(f"day view of {day:%a %Y-%m-%d}: {len(view.columns)} columns, "
            f"{len(view.blocks)} blocks, {view.rows} rows")
        (slot,) = free_slots(desk, 2, doctors[0], opening, limit=1)
        say(f"first free 2 units of the solidly booked doctor: {slot.starts_at:%a %Y-%m-%d %H:%M}"
            f" ({(slot.starts_at.date() - day).days} days on)")
        if slot.starts_at.date() < day + timedelta(days=SOLID_DAYS):
            raise SystemExit("the free slot finder found a slot in a fully booked month")

        day_ms = timings(lambda: day_view(desk, day), runs)
        slot_ms = timings(lambda: free_slots(desk, 2, doctors[0], opening, limit=1), runs)
        any_ms = timings(lambda: free_slots(desk, 2, None, opening, limit=10), runs)
        week_ms = timings(lambda: week_view(desk, doctors[1], day), runs)
        sweep_ms = timings(lambda: mark_no_shows(desk), runs)
        say(f"day_view (target {DAY_VIEW_TARGET_MS:.0f} ms), {runs} runs:      {summary(day_ms)}")
        say(f"free_slots across the month (target {FREE_SLOT_TARGET_MS:.0f} ms): "
            f"{summary(slot_ms)}")
        say(f"  free_slots, any doctor, 10 slots:       {summary(any_ms)}")
        say(f"  week_view of one doctor:                {summary(week_ms)}")
        say(f"  mark_no_shows with nothing to mark:     {summary(sweep_ms)}")
    finally:
        desk.db.dispose()
    return (f"BENCH calendar day_view_ms={percentile(day_ms, 95):.2f} "
            f"free_slot_ms={percentile(slot_ms, 95):.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = clinic_arguments("python -m bench.calendar", __doc__, DEFAULT_PATIENTS,
                            DEFAULT_YEARS, DEFAULT_RUNS).parse_args(argv)
    print(run(args.db, args.patients, args.years, args.runs, args.seed, args.rebuild))
    return 0


if __name__ == "__main__":
    sys.exit(main())
