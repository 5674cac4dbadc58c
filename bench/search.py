"""Type-ahead speed: from a keystroke to the results ready for the table.

    python -m bench.search [--patients 200000] [--db PATH] [--queries N]

Builds a synthetic clinic with `bench.make_clinic.build_clinic` (or reuses the file given
with --db if it exists), then replays what receptionists type, one keystroke at a time: a
record number, a full phone number, the last 4 digits of one, a name or part of it (a
character at a time, as the input method commits them), pinyin initials ("zs") and full
pinyin ("z", "zh", "zha", "zhan", ...), with every reading of the multi-reading surnames.
Each keystroke is timed with `time.perf_counter` around `search_patients(desk, text)`, which
returns the summaries the result table shows. Warm-up first.

The baseline is one plain indexed lookup of a phone number through the same database layer
(`SELECT id FROM patients WHERE phone = ?` in a read transaction), median over as many runs.
The last line is `BENCH search p50_ms=... p95_ms=... baseline_ms=... patients=...`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from bench.make_clinic import (DEFAULT_PATIENTS, DEFAULT_SEED, DEFAULT_YEARS, build_clinic,
                               default_path)
from bench.timing import percentile
from clinic_desk.clinic import open_clinic
from clinic_desk.models import Patient
from clinic_desk.services.context import Desk
from clinic_desk.services.patient_search import search_patients
from clinic_desk.services.search_terms import pinyin_forms

DEFAULT_QUERIES = 2000
WARM_UP = 300

#: What the desk looks patients up by, and how often (of the lookups, not the keystrokes).
LOOKUP_MIX = (
    ("record_number", 15), ("phone", 20), ("last4", 15), ("name", 15), ("name_part", 5),
    ("initials", 10), ("pinyin", 20),
)


@dataclass(frozen=True)
class Target:
    id: int
    record_number: str
    name: str
    phone: str  # E.164


@dataclass(frozen=True)
class Lookup:
    kind: str
    target: Target
    keystrokes: tuple[str, ...]  # what the search box holds after each keystroke


def _typed(text: str) -> tuple[str, ...]:
    return tuple(text[:n] for n in range(1, len(text) + 1))


def make_lookup(kind: str, target: Target, rng: random.Random) -> Lookup:
    national = target.phone.removeprefix("+86")
    if kind == "record_number":
        typed = target.record_number
    elif kind == "phone":
        typed = national
    elif kind == "last4":
        typed = national[-4:]
    elif kind == "name":
        typed = target.name
    elif kind == "name_part":  # the given name, sometimes one character of it
        given = target.name[1:] or target.name
        typed = rng.choice(given) if len(given) > 1 and rng.random() < 0.3 else given
    else:
        initials, fulls = pinyin_forms(target.name)
        forms = initials if kind == "initials" else fulls
        typed = rng.choice(forms) if forms else target.name
    return Lookup(kind, target, _typed(typed))


def _targets(desk: Desk, count: int, rng: random.Random) -> list[Target]:
    with desk.db.read() as session:
        low, high = session.execute(select(func.min(Patient.id), func.max(Patient.id))).one()
        if low is None:
            raise SystemExit("the clinic has no patients")
        wanted = sorted({rng.randint(low, high) for _ in range(count * 2)})
        rows = session.execute(select(Patient.id, Patient.record_number, Patient.name,
                                      Patient.phone).where(Patient.id.in_(wanted))).all()
    targets = [Target(*row) for row in rows]
    rng.shuffle(targets)
    return targets


def make_lookups(desk: Desk, keystrokes: int, rng: random.Random) -> list[Lookup]:
    """Lookups of random patients in LOOKUP_MIX proportions, `keystrokes` searches in all."""
    kinds = [kind for kind, _weight in LOOKUP_MIX]
    weights = [weight for _kind, weight in LOOKUP_MIX]
    lookups: list[Lookup] = []
    total = 0
    while total < keystrokes:
        for target in _targets(desk, max(50, keystrokes // 4), rng):
            lookup = make_lookup(rng.choices(kinds, weights)[0], target, rng)
            lookups.append(lookup)
            total += len(lookup.keystrokes)
            if total >= keystrokes:
                break
    return lookups


@dataclass(frozen=True)
class Timing:
    kind: str
    text: str
    ms: float
    results: int


def time_searches(desk: Desk, lookups: Sequence[Lookup], limit: int | None = None
                  ) -> tuple[list[Timing], dict[str, list[bool]]]:
    """Every keystroke of every lookup timed; and, per kind, whether the complete text put
    the patient among the results."""
    timings: list[Timing] = []
    found: dict[str, list[bool]] = {}
    clock = time.perf_counter
    for lookup in lookups:
        results: list = []
        for typed in lookup.keystrokes:
            started = clock()
            results = search_patients(desk, typed)
            elapsed = clock() - started
            timings.append(Timing(lookup.kind, typed, elapsed * 1000, len(results)))
            if limit is not None and len(timings) >= limit:
                return timings, found
        found.setdefault(lookup.kind, []).append(any(r.id == lookup.target.id for r in results))
    return timings, found


def time_baseline(desk: Desk, phones: Sequence[str]) -> list[float]:
    statement = text("SELECT id FROM patients WHERE phone = :phone")
    clock = time.perf_counter
    timings = []
    for phone in phones:
        started = clock()
        with desk.db.read() as session:
            session.execute(statement, {"phone": phone}).all()
        timings.append((clock() - started) * 1000)
    return timings


def _clinic_file(db: Path | None, patients: int, years: int, seed: int,
                 say: Callable[[str], None]) -> Path:
    if db is not None and db.exists():
        say(f"reusing {db}")
        return db
    path = build_clinic(db or default_path(patients, years, seed), patients, years, seed)
    say(f"(run again with --db {path} to reuse this clinic)")
    return path


def run(db: Path | None, patients: int, queries: int, years: int = DEFAULT_YEARS,
        seed: int = DEFAULT_SEED, say: Callable[[str], None] = print) -> str:
    path = _clinic_file(db, patients, years, seed, say)
    desk = open_clinic(path)
    try:
        with desk.db.read() as session:
            count = session.execute(select(func.count()).select_from(Patient)).scalar_one()
        rng = random.Random(seed + 1)
        warm_up = make_lookups(desk, WARM_UP, rng)
        lookups = make_lookups(desk, queries, rng)
        time_searches(desk, warm_up, limit=WARM_UP)
        time_baseline(desk, [lookup.target.phone for lookup in warm_up][:WARM_UP])
        timings, found = time_searches(desk, lookups, limit=queries)
        phones = [t.phone for t in _targets(desk, queries, rng)]
        phones = (phones * (queries // max(1, len(phones)) + 1))[:len(timings)]
        baseline = time_baseline(desk, phones)
    finally:
        desk.db.dispose()

    values = [t.ms for t in timings]
    p50, p95 = percentile(values, 50), percentile(values, 95)
    base = statistics.median(baseline)
    say(f"{count:,} patients in {path}")
    say(f"{len(timings):,} keystrokes in {len(lookups):,} lookups; "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {percentile(values, 99):.2f} ms, "
        f"max {max(values):.2f} ms; baseline (phone by index) median {base:.3f} ms")
    for kind, _weight in LOOKUP_MIX:
        own = [t.ms for t in timings if t.kind == kind]
        if not own:
            continue
        hits = found.get(kind, [])
        say(f"  {kind:<13} {len(own):5d} keystrokes  p50 {percentile(own, 50):6.2f} ms  "
            f"p95 {percentile(own, 95):6.2f} ms  max {max(own):6.2f} ms  "
            f"patient among the results when typed in full: "
            f"{sum(hits)}/{len(hits)}")
    slowest = sorted(timings, key=lambda t: t.ms, reverse=True)[:5]
    say("  slowest: " + ", ".join(f"{t.text!r} ({t.kind}) {t.ms:.1f} ms" for t in slowest))
    return (f"BENCH search p50_ms={p50:.2f} p95_ms={p95:.2f} baseline_ms={base:.2f} "
            f"patients={count}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=DEFAULT_PATIENTS,
                        help="size of the clinic to build (ignored when --db exists)")
    parser.add_argument("--db", type=Path, default=None,
                        help="clinic file to reuse if it exists, else to build; default: a "
                             "new one in " f"{default_path(1, 1, 1).parent}")
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES,
                        help="searches to time (keystrokes)")
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    line = run(args.db, args.patients, args.queries, args.years, args.seed)
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
