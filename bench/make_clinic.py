"""A synthetic clinic of any size for benchmarks, built fast.

    python -m bench.make_clinic --out PATH --patients 200000 --years 10 [--seed N]

The clinic itself (settings, staff and their shifts, price list) is set up through the real
services, exactly like the demo clinic (`clinic_desk.demo.setup_demo_clinic`). The patients,
their search terms, flagged conditions and `--years` of finished visits are then written with
SQLAlchemy Core `insert()` executemany in large batches, all in one transaction, with one
`bulk_import` entry in the audit log so the hash chain stays valid. Record numbers follow the
clinic's format and the `record_number` counter is advanced past them, so registering a
patient afterwards continues the series without a gap.

The search terms come from the service's own `patient_terms` (with pypinyin's per-character
lookups memoised), in this process or, with --jobs N, in N worker processes while this one
inserts the rest. An existing file at --out is replaced only with --replace (or when it lies
in the default benchmark folder).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time as clock
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text
from sqlalchemy.orm import Session

from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock, zone
from clinic_desk.demo import SURNAMES, random_mobile, random_name, setup_demo_clinic
from clinic_desk.models import (AssignmentRule, ConditionKind, Counter, Patient,
                                PatientCondition, PatientSearchTerm, Role, Sex, Staff,
                                StaffRole, Visit, VisitKind, VisitState, WorkingHours)
from clinic_desk.services import audit, search_terms
from clinic_desk.services.context import Desk
from clinic_desk.services.patients import RECORD_SERIES
from clinic_desk.services.settings import format_record_number, load_settings

DEFAULT_PATIENTS = 200_000
DEFAULT_YEARS = 10
DEFAULT_SEED = 20261123
BATCH = 20_000
TERMS_CHUNK = 4_000

#: Surnames with several readings; together they get MULTI_READING_SHARE of the one-character
#: surnames so that every reading has thousands of patients behind it.
MULTI_READING = "单曾解区仇朴查盖"
MULTI_READING_SHARE = 0.08
MAX_AGE_DAYS = 90 * 365 + 22
CONDITION_SHARE = 0.06
VIP_SHARE = 0.03
#: One patient in this many is a caller booked by phone in the last month who has not come
#: yet: name and phone only, no visits.
CALLER_EVERY = 200

FIRST_COMPLAINTS = ("牙痛三天", "右下后牙冷热敏感", "洗牙", "牙龈出血", "智齿发炎", "门牙缺损",
                    "想做矫正", "口腔检查", "牙齿松动", "镶牙咨询", "孩子蛀牙", "夜间咬合痛")
RETURN_COMPLAINTS = ("复诊", "根管治疗第二次", "拆线", "戴牙冠", "复查", "调整矫治器", "补牙复诊",
                     "种植复查")


def default_path(patients: int, years: int, seed: int) -> Path:
    """Where a clinic of this size is kept between runs: the temp folder, never the repo."""
    folder = Path(tempfile.gettempdir()) / "clinic_desk_bench"
    return folder / f"clinic-{patients}p-{years}y-{seed}.sqlite3"


def _surname_cum_weights() -> list[float]:
    """SURNAMES run from the commonest down: a Zipf-like spread, with the multi-reading
    surnames lifted to MULTI_READING_SHARE between them."""
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(SURNAMES))]
    multi = [i for i, surname in enumerate(SURNAMES) if surname in MULTI_READING]
    others = sum(w for i, w in enumerate(weights) if i not in multi)
    each = others * MULTI_READING_SHARE / (1 - MULTI_READING_SHARE) / len(multi)
    for i in multi:
        weights[i] = each
    return list(accumulate(weights))


@dataclass(frozen=True)
class _Doctor:
    id: int
    staff_number: str
    shifts: dict[int, list[tuple[int, int]]]  # weekday -> [(start minute, end minute)]

    def works(self, weekday: int) -> bool:
        return bool(self.shifts.get(weekday))

    def covers(self, weekday: int, minute: int) -> bool:
        return any(start <= minute < end for start, end in self.shifts.get(weekday, ()))


@dataclass(frozen=True)
class _Clinic:
    manager_id: int
    receptionist_id: int
    doctors: list[_Doctor]  # in staff-number order, the rotation's order
    kinds: dict[str, int]
    condition_ids: list[int]
    record_format: str
    timezone: str
    first_record: int  # the counter's value before the import
    first_patient_id: int


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _read_clinic(session: Session) -> _Clinic:
    settings = load_settings(session)
    doctors = session.execute(
        select(Staff).join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(StaffRole.role == Role.DOCTOR).order_by(Staff.staff_number)).scalars().all()
    hours: dict[int, dict[int, list[tuple[int, int]]]] = {}
    for row in session.execute(select(WorkingHours)).scalars():
        hours.setdefault(row.staff_id, {}).setdefault(row.weekday, []).append(
            (_minutes(row.start_time), _minutes(row.end_time)))
    manager = session.execute(select(StaffRole.staff_id).where(StaffRole.role == Role.MANAGER)
                              .order_by(StaffRole.staff_id).limit(1)).scalar_one()
    receptionist = session.execute(
        select(StaffRole.staff_id).where(StaffRole.role == Role.RECEPTIONIST)
        .order_by(StaffRole.staff_id).limit(1)).scalar_one_or_none()
    counter = session.get(Counter, RECORD_SERIES)
    last_patient = session.execute(select(Patient.id).order_by(Patient.id.desc()).limit(1)
                                   ).scalar_one_or_none()
    return _Clinic(
        manager_id=manager, receptionist_id=receptionist or manager,
        doctors=[_Doctor(d.id, d.staff_number, hours.get(d.id, {})) for d in doctors],
        kinds=dict(session.execute(select(VisitKind.code, VisitKind.id)).all()),
        condition_ids=list(session.execute(select(ConditionKind.id).order_by(
            ConditionKind.sort_order)).scalars()),
        record_format=settings.record_number_format, timezone=settings.timezone,
        first_record=counter.last_value if counter else 0,
        first_patient_id=(last_patient or 0) + 1)


# ---------------------------------------------------------------------------------------------
# Generating the people and their history (tuples: half a million dicts would take ~0.5 GB)


#: (checked_in_at, patient index, business date, kind id, doctor id, rule, ended_at, complaint)
_VisitRow = tuple[datetime, int, date, int, int, AssignmentRule, datetime, str]


#: (created_at, name, national phone, sex, birth_date, vip, condition kind ids); a caller
#: registered by phone has no sex and date of birth yet.
_Person = tuple[datetime, str, str, Sex | None, date | None, bool, tuple[int, ...]]


@dataclass
class _Generated:
    patients: list[_Person]
    visits: list[_VisitRow]


def _open_day(day: date, works: Callable[[int], bool], low: date, high: date) -> date | None:
    """The nearest day from `day` (forward first) on which `works`, within [low, high]."""
    for step in range(7):
        ahead = day + timedelta(days=step)
        if ahead <= high and works(ahead.weekday()):
            return ahead
    for step in range(1, 7):
        back = day - timedelta(days=step)
        if back >= low and works(back.weekday()):
            return back
    return None


def _generate(rng: random.Random, clinic: _Clinic, patients: int, years: int,
              today: date) -> _Generated:
    """Patients registered evenly over the years, each at a first visit; then one to a few
    more visits: the next step of a treatment within weeks, a check-up within the year
    (the same doctor, as the rules say), or a new problem years later (a first visit again,
    by rotation among the doctors on duty in staff-number order). One in CALLER_EVERY is a
    caller registered by phone with name and phone only, who has not come yet."""
    tz = zone(clinic.timezone)
    doctors = clinic.doctors
    if not doctors:
        raise SystemExit("the clinic has no doctors")
    uniform = rng.random

    def below(n: int) -> int:
        return int(uniform() * n)

    open_weekdays = {w for d in doctors for w in d.shifts if d.shifts[w]}
    day_shifts = {w: [s for d in doctors for s in d.shifts.get(w, ())] for w in open_weekdays}
    on_duty_at: dict[tuple[int, int], list[_Doctor]] = {}
    surname_weights = _surname_cum_weights()
    yesterday = today - timedelta(days=1)
    first_day = today - timedelta(days=round(years * 365.25))
    rotation = [0] * 7
    kinds = clinic.kinds
    first_kind = kinds.get("first") or next(iter(kinds.values()))
    consult_kind = kinds.get("consult") or first_kind
    return_kind = kinds.get("return") or first_kind
    checkup_kind = kinds.get("checkup") or return_kind
    ortho_kind = kinds.get("ortho") or return_kind
    counts = (1, 2, 3, 4, 5, 6, 8)
    count_weights = (35, 60, 75, 85, 92, 97, 100)
    one_day = timedelta(days=1)
    people: list[_Person] = []
    visits: list[_VisitRow] = []

    def moment(day: date, start: int, end: int) -> tuple[datetime, int]:
        minute = start + below(max(1, end - 20 - start))
        local = datetime.combine(day, time(minute // 60, minute % 60, below(60)), tz)
        return local.astimezone(timezone.utc), minute

    for index in range(patients):
        name = random_name(rng, surname_weights)
        phone = random_mobile(rng)
        sex = Sex.FEMALE if uniform() < 0.52 else Sex.MALE
        birth = today - timedelta(days=1 + below(MAX_AGE_DAYS))
        vip = uniform() < VIP_SHARE
        conditions: tuple[int, ...] = ()
        if clinic.condition_ids and uniform() < CONDITION_SHARE:
            conditions = tuple(sorted(rng.sample(clinic.condition_ids,
                                                 1 if uniform() < 0.85 else 2)))
        low = max(first_day, birth)
        day = low + timedelta(days=below((yesterday - low).days + 1))
        created_at: datetime | None = None
        doctor: _Doctor | None = None
        previous: date | None = None
        roll = uniform() * 100
        wanted = next(n for n, w in zip(counts, count_weights) if roll < w)
        first_visit = len(visits)
        for _number in range(wanted):
            if previous is not None:
                roll = uniform()
                gap = (7 + below(28) if roll < 0.5 else       # the next step of a treatment
                       60 + below(340) if roll < 0.85 else    # check-up, problem within a year
                       400 + below(1100))                     # back after a long time
                day = previous + timedelta(days=gap)
                if day > yesterday:
                    break
            if doctor is None or previous is None or (day - previous).days > 365:
                found = _open_day(day, open_weekdays.__contains__,
                                  previous + one_day if previous else low, yesterday)
                if found is None:
                    break
                day = found
                weekday = day.weekday()
                shifts = day_shifts[weekday]
                start, end = shifts[below(len(shifts))]
                at, minute = moment(day, start, end)
                on_duty = on_duty_at.get((weekday, minute))
                if on_duty is None:
                    on_duty = on_duty_at[(weekday, minute)] = [
                        d for d in doctors if d.covers(weekday, minute)] or [
                        d for d in doctors if d.works(weekday)]
                doctor = on_duty[rotation[weekday] % len(on_duty)]
                rotation[weekday] += 1
                rule = AssignmentRule.ROTATION
                kind = first_kind if uniform() < 0.9 else consult_kind
                complaint = FIRST_COMPLAINTS[below(len(FIRST_COMPLAINTS))]
            else:
                found = _open_day(day, doctor.works, previous + one_day, yesterday)
                if found is None:
                    break
                day = found
                shifts = doctor.shifts[day.weekday()]
                start, end = shifts[below(len(shifts))]
                at, _minute = moment(day, start, end)
                rule = AssignmentRule.SAME_DOCTOR
                roll = uniform()
                kind = return_kind if roll < 0.8 else checkup_kind if roll < 0.92 else ortho_kind
                complaint = RETURN_COMPLAINTS[below(len(RETURN_COMPLAINTS))]
            previous = day
            if created_at is None:
                created_at = at - timedelta(minutes=2 + below(10))
            visits.append((at, index, day, kind, doctor.id, rule,
                           at + timedelta(minutes=20 + below(70)), complaint))
        if created_at is None:  # no working day fitted (born yesterday, a Sunday)
            created_at = datetime.combine(yesterday, time(10, 0), tz).astimezone(timezone.utc)
        if index % CALLER_EVERY == CALLER_EVERY - 1:
            del visits[first_visit:]
            called = yesterday - timedelta(days=index // CALLER_EVERY % 30)
            created_at = datetime.combine(called, time(10, 0), tz).astimezone(timezone.utc)
            people.append((created_at, name, phone, None, None, vip, ()))
            continue
        people.append((created_at, name, phone, sex, birth, vip, conditions))
    return _Generated(people, visits)


# ---------------------------------------------------------------------------------------------
# Search terms: the service's own `patient_terms`, with pypinyin's lookup of each character
# memoised (the same few hundred characters come back all the time; the result is the same).


def _memoise_pinyin() -> Callable[[], None]:
    """Put a memoising wrapper around the `pinyin` the search terms module calls; returns
    the function that puts the original back."""
    original = search_terms.pinyin
    cache: dict[Any, list[list[str]]] = {}

    def pinyin(hans: Any, *args: Any, **kwargs: Any) -> list[list[str]]:
        key = (hans, args, tuple(sorted(kwargs.items())))
        found = cache.get(key)
        if found is None:
            found = cache[key] = original(hans, *args, **kwargs)
        return [list(readings) for readings in found]

    search_terms.pinyin = pinyin

    def restore() -> None:
        search_terms.pinyin = original

    return restore


def _start_worker() -> None:
    _memoise_pinyin()


def _terms_chunk(chunk: Sequence[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """(patient id, term) for each (patient id, name, E.164 phone)."""
    return [(patient_id, term) for patient_id, name, phone in chunk
            for term in sorted(search_terms.patient_terms(name, phone))]


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


# ---------------------------------------------------------------------------------------------


class _Progress:
    def __init__(self, out: Callable[[str], None]) -> None:
        self.started = clock.perf_counter()
        self.out = out

    def __call__(self, message: str) -> None:
        self.out(f"[{clock.perf_counter() - self.started:7.1f} s] {message}")


def _remove_database(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"),
                      path.with_name(path.name + "-shm")):
        if candidate.is_dir():
            raise SystemExit(f"{candidate} is a folder")
        candidate.unlink(missing_ok=True)


def build_clinic(path: str | os.PathLike[str] | None = None,
                 patients: int = DEFAULT_PATIENTS, years: int = DEFAULT_YEARS,
                 seed: int = DEFAULT_SEED, jobs: int = 0, replace: bool = False,
                 progress: Callable[[str], None] | None = print) -> Path:
    """Build a new clinic file at `path` (default: `default_path(...)`) and return its path.

    A file already there is replaced if `replace` or if it is in the default benchmark
    folder; otherwise FileExistsError (it might be someone's real clinic).
    """
    target = Path(path) if path is not None else default_path(patients, years, seed)
    target = target.resolve()
    say = _Progress(progress or (lambda _message: None))
    if patients < 0 or years < 1:
        raise ValueError("patients must be >= 0 and years >= 1")
    if target.exists() and not replace and \
            target.parent != default_path(patients, years, seed).parent.resolve():
        raise FileExistsError(f"{target} exists; pass --replace to build over it")
    _remove_database(target)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    opened = now - timedelta(days=round(years * 365.25) + 30)
    desk = open_clinic(target, clock=FixedClock(opened))
    rng = random.Random(seed)
    manager = setup_demo_clinic(desk, rng)
    say(f"clinic, staff and price list set up through the services in {target}")

    with desk.db.read() as session:
        clinic = _read_clinic(session)
    generated = _generate(rng, clinic, patients, years,
                          now.astimezone(zone(clinic.timezone)).date())
    order = sorted(range(patients), key=lambda index: generated.patients[index][0])
    people = [generated.patients[index] for index in order]  # in the order of registration
    ids = list(range(clinic.first_patient_id, clinic.first_patient_id + patients))
    id_of = [0] * patients  # generation index -> patient id
    for position, index in enumerate(order):
        id_of[index] = ids[position]
    say(f"generated {len(people):,} patients and {len(generated.visits):,} visits")
    term_input = [(ids[i], people[i][1], "+86" + people[i][2]) for i in range(patients)]

    chunks = _chunks(term_input, TERMS_CHUNK)
    if jobs:  # worker processes compute the terms while this one inserts the rest
        with multiprocessing.get_context("spawn").Pool(jobs, _start_worker) as pool:
            counts = _write(desk, manager.staff_id, clinic, people, ids, generated.visits,
                            id_of, pool.imap(_terms_chunk, chunks), say, years, seed, now)
    else:
        restore = _memoise_pinyin()
        try:
            counts = _write(desk, manager.staff_id, clinic, people, ids, generated.visits,
                            id_of, map(_terms_chunk, chunks), say, years, seed, now)
        finally:
            restore()
    desk.db.dispose()
    size = target.stat().st_size / 1e6
    say(f"done: {counts['patients']:,} patients, {counts['visits']:,} visits, "
        f"{counts['terms']:,} search terms, {size:,.0f} MB")
    return target


BULK_TABLES = ("patients", "patient_conditions", "visits", "patient_search_terms")


def _drop_secondary_indexes(write: Connection, tables: Sequence[str]) -> list[str]:
    """Drop the named indexes of `tables` (not those of primary keys and unique
    constraints, which SQLite cannot drop) and return the SQL that creates them again."""
    rows = write.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN :tables ORDER BY name").bindparams(
        bindparam("tables", expanding=True)), {"tables": list(tables)}).all()
    for name, _sql in rows:
        write.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


def _write(desk: Desk, actor_id: int, clinic: _Clinic,
           people: list[_Person],
           ids: list[int],
           visits: list[_VisitRow],
           id_of: list[int], terms_results: Iterable[list[tuple[int, str]]],
           say: _Progress, years: int, seed: int, now: datetime) -> dict[str, int]:
    patients_table = Patient.__table__
    visits_table = Visit.__table__
    conditions_table = PatientCondition.__table__
    terms_table = PatientSearchTerm.__table__
    counts = {"patients": len(people), "visits": len(visits), "terms": 0, "conditions": 0}
    with desk.db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        cursor = raw.cursor()
        saved = {pragma: cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
                 for pragma in ("synchronous", "cache_size", "temp_store")}
        # One bulk transaction on this connection only: no fsync until the end (a crash
        # leaves a file to throw away, not a clinic), and a cache big enough for the indexes.
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -1000000")
        cursor.execute("PRAGMA temp_store = MEMORY")
        try:
            with Session(bind=connection) as session, session.begin():
                write = session.connection()
                # Indexes built once at the end (a sort) instead of row by row; the same
                # CREATE INDEX statements, so the schema ends up exactly as it was.
                index_sql = _drop_secondary_indexes(write, BULK_TABLES)
                pattern = clinic.record_format
                first_record = clinic.first_record
                for start in range(0, len(people), BATCH):
                    write.execute(insert(patients_table), [
                        {"id": ids[i], "record_number": format_record_number(
                            pattern, first_record + 1 + i),
                         "name": p[1], "sex": p[3], "birth_date": p[4], "phone": "+86" + p[2],
                         "phone_last4": p[2][-4:], "national_id": None, "address": "",
                         "referral_source_id": None, "preferred_doctor_id": None,
                         "vip": p[5], "notes": "", "created_at": p[0],
                         "created_by_id": clinic.receptionist_id, "updated_at": p[0]}
                        for i, p in enumerate(people[start:start + BATCH], start)])
                say(f"inserted {len(people):,} patients")
                conditions = [{"patient_id": ids[i], "condition_kind_id": kind, "note": ""}
                              for i, p in enumerate(people) for kind in p[6]]
                if conditions:
                    write.execute(insert(conditions_table), conditions)
                counts["conditions"] = len(conditions)
                visits.sort(key=lambda v: v[0])
                for start in range(0, len(visits), BATCH):
                    write.execute(insert(visits_table), [
                        {"patient_id": id_of[v[1]], "business_date": v[2],
                         "visit_kind_id": v[3], "doctor_id": v[4], "helping_doctor_id": None,
                         "appointment_id": None, "assignment_rule": v[5],
                         "override_reason": "", "refused_doctor_id": None,
                         "chief_complaint": v[7], "emergency": False,
                         "state": VisitState.FINISHED, "checked_in_at": v[0],
                         "checked_in_by_id": clinic.receptionist_id, "ended_at": v[6],
                         "end_reason": ""}
                        for v in visits[start:start + BATCH]])
                say(f"inserted {len(visits):,} visits")
                # In the index's order: appending to the (term, patient) index is cheaper.
                terms = sorted((term, patient_id) for chunk in terms_results
                               for patient_id, term in chunk)
                say(f"computed {len(terms):,} search terms")
                for start in range(0, len(terms), BATCH * 4):
                    write.execute(insert(terms_table), [
                        {"patient_id": patient_id, "term": term}
                        for term, patient_id in terms[start:start + BATCH * 4]])
                counts["terms"] = len(terms)
                say(f"inserted {counts['terms']:,} search terms")
                for sql in index_sql:
                    write.exec_driver_sql(sql)
                say(f"rebuilt {len(index_sql)} indexes")
                counter = session.get(Counter, RECORD_SERIES)
                last = clinic.first_record + len(people)
                if counter is None:
                    session.add(Counter(name=RECORD_SERIES, last_value=last))
                else:
                    counter.last_value = last
                audit.record(session, now, actor_id, "bulk_import", "patient", None, {
                    "patients": len(people), "visits": len(visits),
                    "conditions": len(conditions), "search_terms": counts["terms"],
                    "years": years, "seed": seed,
                    "first_record_number": format_record_number(pattern, first_record + 1),
                    "last_record_number": format_record_number(pattern, last),
                    "source": "bench.make_clinic"})
            say("committed")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            for pragma, value in saved.items():
                cursor.execute(f"PRAGMA {pragma} = {int(value)}")
            cursor.close()
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.make_clinic", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None,
                        help="clinic file to create; default: a file named after the size in "
                             f"{default_path(1, 1, 1).parent}")
    parser.add_argument("--patients", type=int, default=DEFAULT_PATIENTS)
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--replace", action="store_true",
                        help="replace the file at --out if there is one")
    parser.add_argument("--jobs", type=int, default=0,
                        help="worker processes computing the search terms while the main one "
                             "inserts (default 0: all in one process, the fastest where the "
                             "cores are shared)")
    args = parser.parse_args(argv)
    started = clock.perf_counter()
    try:
        path = build_clinic(args.out, args.patients, args.years, args.seed, args.jobs,
                            args.replace)
    except FileExistsError as error:
        parser.error(str(error))
    print(f"built {path} with {args.patients:,} patients and {args.years} years of visits "
          f"in {clock.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
