"""Calendar screen speed: the day grid of 12 doctors and 300 appointments, as the desk uses it.

    python -m bench.calendar_grid [--runs 100] [--seed N]

Builds a small clinic in a temporary file through the services (the demo clinic's setup with
its own four doctors retired, 12 doctors working every day 08:00-20:00, 300 patients) and
books 300 appointments on one day through `calendar.book`, 25 per doctor. Then, offscreen
at 1400 x 900:

- `day_view(desk, day)` (the services' read) and `day_lanes(view)` (turning it into lanes);
- a refresh (`set_lanes` plus one synchronous repaint): when nothing changed (the minute
  tick), when one doctor's day changed (a booking), and when every lane is new (another day);
- scrolling: one row down plus the repaint;
- dragging: one mouse move of a dragged block plus the repaint.

Each is timed `--runs` times after a warm-up with `time.perf_counter`. The last line is
`BENCH calendar_grid refresh_p95_ms=... new_day_p95_ms=... scroll_p95_ms=... drag_p95_ms=...
lanes_p95_ms=... blocks=... lanes=...` (refresh: one doctor's day changed). A frame at 60 Hz
is 16.7 ms: scrolling and dragging should stay under it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.staff import add_doctors, retire_doctors  # noqa: E402
from bench.timing import percentile, summary, timings  # noqa: E402
from clinic_desk.clinic import open_clinic  # noqa: E402
from clinic_desk.clock import FixedClock, zone  # noqa: E402
from clinic_desk.demo import random_mobile, random_name, setup_demo_clinic  # noqa: E402
from clinic_desk.models import Sex  # noqa: E402
from clinic_desk.services import calendar  # noqa: E402
from clinic_desk.services.calendar import BookingRequest  # noqa: E402
from clinic_desk.services.catalog import list_visit_kinds  # noqa: E402
from clinic_desk.services.context import Actor, Desk  # noqa: E402
from clinic_desk.services.patients import PatientForm, create_patient  # noqa: E402
from clinic_desk.services.settings import get_settings  # noqa: E402
from clinic_desk.services.staff import Shift  # noqa: E402
from clinic_desk.ui.calendar.grid import CalendarGrid, day_lanes  # noqa: E402
from clinic_desk.ui.look import apply_language  # noqa: E402

DOCTORS = 12
PER_DOCTOR = 25
DEFAULT_RUNS = 100
WARM_UP = 10
DEFAULT_SEED = 20261123
SIZE = (1400, 900)
#: A Monday: the demo clinic is set up the Friday before.
DAY = date(2026, 3, 2)


def _clinic(desk: Desk, rng: random.Random) -> tuple[Actor, list[int], list[int]]:
    """(manager, the 12 doctors, the patients)."""
    manager = setup_demo_clinic(desk, rng)
    retire_doctors(desk, manager)
    doctors = add_doctors(desk, manager, DOCTORS, "G", [
        Shift(weekday, time(8, 0), time(20, 0)) for weekday in range(7)])
    now = desk.clock.now()
    with desk.db.write() as session:
        patients = [create_patient(session, manager.staff_id, PatientForm(
            name=random_name(rng), sex=rng.choice((Sex.FEMALE, Sex.MALE)),
            birth_date=date(1950, 1, 1) + timedelta(days=rng.randrange(25_000)),
            phone=random_mobile(rng)), now, DAY, allow_duplicate=True).id
            for _ in range(DOCTORS * PER_DOCTOR)]
    return manager, doctors, patients


def _book_day(desk: Desk, manager: Actor, doctors: Sequence[int], patients: Sequence[int],
              rng: random.Random) -> int:
    """25 appointments per doctor between 08:00 and 20:00 (48 rows): 1 to 3 units, with
    gaps, as a full day looks."""
    tz = zone(get_settings(desk).timezone)
    kinds = [k.id for k in list_visit_kinds(desk) if k.active]
    booked = 0
    for doctor in doctors:
        row, left = 0, PER_DOCTOR
        while left:
            units = rng.choice((1, 1, 2, 2, 3)) if 48 - row > 2 * left else 1
            gap = 1 if 48 - row - units > 2 * left and rng.random() < 0.2 else 0
            row += gap
            starts = datetime.combine(DAY, time(8), tz) + timedelta(minutes=15 * row)
            calendar.book(desk, manager, BookingRequest(
                rng.choice(patients), doctor, starts, units, rng.choice(kinds),
                allow_patient_overlap=True))
            row += units
            left -= 1
            booked += 1
    return booked


def run(runs: int, seed: int, say: Callable[[str], None] = print) -> str:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_language(app, "zh_CN")  # type: ignore[arg-type]
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        started = clock.perf_counter()
        desk = open_clinic(Path(folder) / "clinic.sqlite3",
                           clock=FixedClock(datetime.combine(DAY - timedelta(days=3), time(9),
                                                             zone(None))))
        try:
            manager, doctors, patients = _clinic(desk, rng)
            booked = _book_day(desk, manager, doctors, patients, rng)
            say(f"set up in {clock.perf_counter() - started:.1f} s: {booked} appointments "
                f"for {len(doctors)} doctors on {DAY}")

            view = calendar.day_view(desk, DAY)
            read = timings(lambda: calendar.day_view(desk, DAY), runs, WARM_UP)
            lanes = day_lanes(view)
            building = timings(lambda: day_lanes(view), runs, WARM_UP)
            grid = CalendarGrid()
            grid.resize(*SIZE)
            grid.show()
            app.processEvents()  # type: ignore[union-attr]
            now = view.opens + timedelta(hours=3)

            runs_so_far = iter(range(10**9))

            def refresh(changed: int) -> Callable[[], None]:
                """A new snapshot in which `changed` lanes differ (a note of one block)."""
                def action() -> None:
                    run = next(runs_so_far)
                    fresh = [replace(lane, blocks=(replace(lane.blocks[0],
                                                                 note=str(run)),)
                                        + lane.blocks[1:]) if index < changed else lane
                             for index, lane in enumerate(day_lanes(view))]
                    grid.set_lanes(fresh, now)
                    grid.viewport().repaint()
                return action

            unchanged = timings(refresh(0), runs, WARM_UP)
            one_lane = timings(refresh(1), runs, WARM_UP)
            all_lanes = timings(refresh(len(lanes)), runs, WARM_UP)
            bar = grid.verticalScrollBar()

            def scroll() -> None:
                bar.setValue(bar.value() + grid.row_height if bar.value() < bar.maximum()
                             else 0)
                grid.viewport().repaint()

            scrolling = timings(scroll, runs, WARM_UP)
            bar.setValue(0)
            block = lanes[0].blocks[len(lanes[0].blocks) // 3]
            rect = grid.rect_of(block.appointment_id)
            assert rect is not None, "the dragged block is on screen"
            grab = rect.center()
            press = QMouseEvent(QMouseEvent.Type.MouseButtonPress, grab, grid.viewport()
                                .mapToGlobal(grab), Qt.MouseButton.LeftButton,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
            grid.mousePressEvent(press)
            offsets = [QPoint(dx, dy) for dx in range(0, 600, 60) for dy in (40, 80, 120)]
            step = iter(range(10**9))

            def move() -> None:
                point = grab + offsets[next(step) % len(offsets)]
                grid.mouseMoveEvent(QMouseEvent(
                    QMouseEvent.Type.MouseMove, point, grid.viewport().mapToGlobal(point),
                    Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier))
                grid.viewport().repaint()

            dragging = timings(move, runs, WARM_UP)
            say(f"day_view (services' read), {runs} runs:  {summary(read)}")
            say(f"day_lanes (into lanes):              {summary(building)}")
            say(f"refresh, nothing changed:            {summary(unchanged)}")
            say(f"refresh, one doctor's day changed:   {summary(one_lane)}")
            say(f"refresh, every lane new (new day):   {summary(all_lanes)}")
            say(f"scroll one row + repaint:            {summary(scrolling)}")
            say(f"drag one step + repaint:             {summary(dragging)}")
        finally:
            desk.db.dispose()
    return (f"BENCH calendar_grid refresh_p95_ms={percentile(one_lane, 95):.2f} "
            f"new_day_p95_ms={percentile(all_lanes, 95):.2f} "
            f"scroll_p95_ms={percentile(scrolling, 95):.2f} "
            f"drag_p95_ms={percentile(dragging, 95):.2f} "
            f"lanes_p95_ms={percentile(building, 95):.2f} "
            f"blocks={len(view.blocks)} lanes={len(lanes)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calendar_grid", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(run(args.runs, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
