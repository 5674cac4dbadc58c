"""Queue refresh speed: one `queue_snapshot(desk)`, what every queue screen does to reload.

    python -m bench.queue [--patients 20000] [--years 1] [--runs 200] [--db PATH] [--rebuild]

Builds a synthetic clinic with `bench.make_clinic.build_clinic` (a modest history, so it is
quick; an existing base file is reused unless --rebuild), then works on a copy of it:

- gives every history visit the finished queue entry a real clinic would have (called,
  treated, done), so the 30-day treatment averages read a year of entries as they would;
- adds 12 doctors through `services.staff.add_staff`, working Sundays 08:00-18:00, and sets
  the clock to the next Sunday (the demo clinic's own four doctors never work Sundays, so
  exactly these 12 are on duty);
- from 08:00 checks in patients of the clinic through the check-in service, spread across
  the 12 doctors; two rounds of them are called, treated and finished, then one per doctor
  is in treatment and six more are called; from 10:00 more arrive, with emergencies, VIPs
  and patients with an appointment that morning among them: 150 in the queue;
- at 10:12 times `queue_snapshot(desk)` `--runs` times after a warm-up, with
  `time.perf_counter`, and the parts it is made of for comparison. A refresh reuses the
  30-day treatment averages for a minute (`queue.recent_treatment_minutes`), so one refresh
  a minute costs what the "recomputing" line shows.

The last line is `BENCH queue refresh_p95_ms=... rows=...`.
"""

from __future__ import annotations

import random
import sys
import time as clock
from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select

from bench.clinic_copy import base_clinic, clinic_arguments, working_copy
from bench.make_clinic import DEFAULT_SEED
from bench.staff import add_doctors, first_actor
from bench.timing import percentile, profile, summary, timings
from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock, zone
from clinic_desk.models import (Appointment, AppointmentStatus, Patient, QueueEntry, QueueState,
                                Role, Station, Visit, VisitKind)
from clinic_desk.services import queue
from clinic_desk.services.checkin import CheckInForm, CheckInRequest, check_in, propose_check_in
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.settings import get_settings
from clinic_desk.services.staff import Shift

DEFAULT_PATIENTS = 20_000
DEFAULT_YEARS = 1
DEFAULT_RUNS = 200
DOCTORS = 12
IN_QUEUE = 150
FINISHED_ROUNDS = 2
CALLED = 6
EMERGENCIES = 4
VIPS = 8
APPOINTMENTS = 15
LATE_ARRIVALS = 40
TARGET_MS = 20.0
SUNDAY = 6


def _history_queue_entries(desk: Desk, rng: random.Random) -> int:
    """A finished queue entry at the doctor's station for every history visit."""
    with desk.db.write() as session:
        station = session.execute(select(Station.id).where(Station.is_doctor.is_(True))
                                  .order_by(Station.sort_order, Station.id).limit(1)).scalar_one()
        visits = session.execute(select(Visit.id, Visit.doctor_id, Visit.checked_in_at,
                                        Visit.ended_at)).all()
        entries = []
        for visit_id, doctor_id, checked_in, ended in visits:
            ended = ended or checked_in + timedelta(minutes=30)
            wait = timedelta(minutes=rng.uniform(2, 25))
            called = min(checked_in + wait, checked_in + (ended - checked_in) / 2)
            entries.append({
                "visit_id": visit_id, "station_id": station, "doctor_id": doctor_id,
                "room_id": None, "state": QueueState.DONE, "priority_adjust": 0,
                "entered_at": checked_in, "called_at": called,
                "treatment_started_at": called + timedelta(minutes=1), "done_at": ended,
                "reason": "", "version": 3})
        for start in range(0, len(entries), 20_000):
            session.execute(insert(QueueEntry.__table__), entries[start:start + 20_000])
    return len(entries)


def _bench_day(desk: Desk) -> datetime:
    """08:00 on the first Sunday from today, in the clinic's time zone, as UTC."""
    tz = zone(get_settings(desk).timezone)
    today = datetime.now(tz).date()
    day = today + timedelta(days=(SUNDAY - today.weekday()) % 7)
    return datetime.combine(day, time(8, 0), tz).astimezone(timezone.utc)


def _patients(desk: Desk, rng: random.Random, count: int) -> tuple[list[int], list[int]]:
    """(ordinary patients, VIP patients) of the clinic, at random."""
    with desk.db.read() as session:
        ordinary = list(session.execute(select(Patient.id).where(Patient.vip.is_(False)))
                        .scalars())
        vips = list(session.execute(select(Patient.id).where(Patient.vip.is_(True))).scalars())
    return rng.sample(ordinary, count), rng.sample(vips, VIPS)


def _fill_queue(desk: Desk, fixed: FixedClock, rng: random.Random, receptionist: Actor,
                doctors: list[int]) -> None:
    """08:00-09:10 arrivals; two rounds seen and finished 09:30-10:00; one per doctor in
    treatment and six called; then 10:00-10:10 more arrivals with the emergencies, VIPs
    and the booked among them (earlier, they would all have been seen first)."""
    arrivals = IN_QUEUE + FINISHED_ROUNDS * len(doctors)
    ordinary, vips = _patients(desk, rng, arrivals - VIPS)
    late_count = LATE_ARRIVALS - VIPS
    early, late = ordinary[:-late_count], ordinary[-late_count:]
    emergencies = set(late[:EMERGENCIES])
    booked = late[EMERGENCIES:EMERGENCIES + APPOINTMENTS]
    late = late + vips
    rng.shuffle(late)
    start = fixed.now()
    doctor_of = {patient: doctors[i % len(doctors)] for i, patient in enumerate(early + late)}
    with desk.db.write() as session:
        kind = session.execute(select(VisitKind.id).where(VisitKind.code == "return")
                               ).scalar_one()
        for n, patient in enumerate(booked):  # 09:40, 09:45, ... 10:50
            session.add(Appointment(
                patient_id=patient, doctor_id=doctor_of[patient],
                visit_kind_id=kind, starts_at=start + timedelta(minutes=100 + 5 * n),
                units=1, status=AppointmentStatus.BOOKED,
                created_at=start - timedelta(days=7), created_by_id=receptionist.staff_id))

    def arrive(patients: list[int], every: timedelta) -> None:
        for patient in patients:
            request = CheckInRequest(patient_id=patient, emergency=patient in emergencies)
            proposal = propose_check_in(desk, request)
            check_in(desk, receptionist, CheckInForm(
                request=request, visit_kind_id=proposal.visit_kind_id, chief_complaint="复诊",
                doctor_id=doctor_of[patient], override_reason="benchmark"))
            fixed.advance(seconds=every.total_seconds())

    def next_waiting(doctor: int) -> queue.QueueRow:
        return next(r for r in queue.queue_snapshot(desk).rows
                    if r.doctor_id == doctor and r.state == QueueState.WAITING)

    arrive(early, timedelta(seconds=30))
    fixed.set(start + timedelta(minutes=90))  # 09:30
    for _round in range(FINISHED_ROUNDS):
        for doctor in doctors:
            row = next_waiting(doctor)
            queue.call_patient(desk, receptionist, row.entry_id, row.version)
            queue.start_treatment(desk, receptionist, row.entry_id, row.version + 1)
        fixed.advance(minutes=15)
        for row in [r for r in queue.queue_snapshot(desk).rows
                    if r.state == QueueState.IN_TREATMENT]:
            queue.finish(desk, receptionist, row.entry_id, row.version)
    for n, doctor in enumerate(doctors):  # 10:00
        row = next_waiting(doctor)
        queue.call_patient(desk, receptionist, row.entry_id, row.version)
        queue.start_treatment(desk, receptionist, row.entry_id, row.version + 1)
        if n < CALLED:
            row = next_waiting(doctor)
            queue.call_patient(desk, receptionist, row.entry_id, row.version)
    arrive(late, timedelta(minutes=10) / len(late))
    fixed.advance(minutes=2)


def run(db: Path | None, patients: int, years: int, runs: int, seed: int = DEFAULT_SEED,
        rebuild: bool = False, say: Callable[[str], None] = print) -> str:
    path = working_copy(base_clinic(db, patients, years, seed, rebuild, say), "queue")
    rng = random.Random(seed + 2)
    started = clock.perf_counter()
    desk = open_clinic(path, clock=FixedClock(datetime.now(timezone.utc)))
    fixed = desk.clock
    assert isinstance(fixed, FixedClock)
    try:
        history = _history_queue_entries(desk, rng)
        fixed.set(_bench_day(desk))
        with desk.db.read() as session:
            manager = first_actor(session, Role.MANAGER)
            receptionist = first_actor(session, Role.RECEPTIONIST)
        doctors = add_doctors(desk, manager, DOCTORS, "Q",
                              [Shift(SUNDAY, time(8, 0), time(18, 0))])
        _fill_queue(desk, fixed, rng, receptionist, doctors)
        say(f"set up in {clock.perf_counter() - started:.1f} s: {history:,} finished queue "
            f"entries from the history, {DOCTORS} doctors, the queue at "
            f"{fixed.now().astimezone(zone(get_settings(desk).timezone)):%a %Y-%m-%d %H:%M}")

        snapshot = queue.queue_snapshot(desk)
        states: dict[str, int] = {}
        for row in snapshot.rows:
            states[row.state.value] = states.get(row.state.value, 0) + 1
        groups: dict[str, int] = {}
        for row in snapshot.rows:
            groups[row.group.name.lower()] = groups.get(row.group.name.lower(), 0) + 1
        say(f"{len(snapshot.rows)} rows for {len({r.doctor_id for r in snapshot.rows})} "
            f"doctors ({len(snapshot.walk_in_wait_minutes)} on duty); states {states}; "
            f"groups {groups}")

        refresh = timings(lambda: queue.queue_snapshot(desk), runs)
        with desk.db.read() as session:
            averages = queue.treatment_minutes(session, fixed.now())

        def with_averages() -> queue.QueueSnapshot:
            with desk.db.read() as session:
                return queue.read_queue(session, fixed.now(), averages=averages)

        def uncached() -> queue.QueueSnapshot:  # the refresh that recomputes the averages
            with desk.db.read() as session:
                return queue.read_queue(session, fixed.now())

        def averages_only() -> object:
            with desk.db.read() as session:
                return queue.treatment_minutes(session, fixed.now())

        cached = timings(with_averages, runs)
        cold = timings(uncached, runs)
        only_averages = timings(averages_only, runs)
        stamp = timings(lambda: queue.change_stamp(desk), runs)
        say(f"queue_snapshot (a screen's refresh), {runs} runs:   {summary(refresh)}")
        say(f"  read_queue with the averages passed in:        {summary(cached)}")
        say(f"  read_queue recomputing them (once a minute):   {summary(cold)}")
        say(f"  treatment_minutes (30-day averages) alone:     {summary(only_averages)}")
        say(f"  change_stamp (polled every second or two):     {summary(stamp)}")
        p95 = percentile(refresh, 95)
        if p95 >= TARGET_MS:
            say(profile(lambda: queue.queue_snapshot(desk)))
    finally:
        desk.db.dispose()
    return f"BENCH queue refresh_p95_ms={p95:.2f} rows={len(snapshot.rows)}"


def main(argv: Sequence[str] | None = None) -> int:
    args = clinic_arguments("python -m bench.queue", __doc__, DEFAULT_PATIENTS, DEFAULT_YEARS,
                            DEFAULT_RUNS).parse_args(argv)
    print(run(args.db, args.patients, args.years, args.runs, args.seed, args.rebuild))
    return 0


if __name__ == "__main__":
    sys.exit(main())
