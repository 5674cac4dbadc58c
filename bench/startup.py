"""Start-up time of the frozen program, from launch to its drawn login window, against a bare
PySide6 window frozen the same way (the floor no Qt program frozen like this goes below).

    python -m bench.startup [--runs 5] [--bundle dist/clinic-desk] [--warm] [--rebuild-bare]

Needs the program's bundle (`bash scripts/build-bundle.sh`). The bare window
(`bench/bare_qt_window.py`) is frozen with the program's own spec (`-- --bare-qt`: the same
PyInstaller, excludes and Qt filtering) into build/bench/bare-qt, once.

A demo clinic is created first by the frozen program itself (`--demo --exit-when-ready`), so
each timed run opens an existing clinic as a desk PC does every morning: the integrity check,
the schema check, the login window. A run is one new process (`--db FILE --exit-when-ready`)
timed with `time.perf_counter` from launch until it exits, which it does as soon as its first
window has been drawn; the bare window quits the same way. Both run on Qt's offscreen platform.

Cold start: before each run the kernel's page cache is dropped (`sync`, then 3 into
/proc/sys/vm/drop_caches, which needs root), so every library is read from disk as after a
reboot. Where that is not allowed, or with --warm, runs are warm and the output says so.
Reports the median of --runs runs of each. The last line is
`BENCH startup frozen_s=... bare_qt_s=... bundle_mb=...` (bundle_mb: the program's folder,
MiB of file contents).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DROP_CACHES = Path("/proc/sys/vm/drop_caches")
EXE = ".exe" if sys.platform == "win32" else ""


def folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*")
               if p.is_file() and not p.is_symlink()) / 2**20


def drop_page_cache() -> bool:
    """Forget every file the kernel has cached; False where that is not allowed."""
    try:
        os.sync()
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


def build_bare_qt(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(out), "--workpath", str(out / "work"),
                    str(ROOT / "installer" / "clinic_desk.spec"), "--", "--bare-qt"],
                   check=True, cwd=ROOT)
    return out / "bare-qt" / f"bare-qt{EXE}"


def timed_run(command: list[str], cold: bool) -> float:
    if cold:
        drop_page_cache()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.startup", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "clinic-desk")
    parser.add_argument("--warm", action="store_true", help="keep the page cache between runs")
    parser.add_argument("--rebuild-bare", action="store_true")
    args = parser.parse_args(argv)

    program = args.bundle / f"clinic-desk{EXE}"
    if not program.exists():
        print(f"no frozen program at {program}: run bash scripts/build-bundle.sh first",
              file=sys.stderr)
        return 2
    bare = ROOT / "build" / "bench" / "bare-qt" / f"bare-qt{EXE}"
    if args.rebuild_bare or not bare.exists():
        print("freezing the bare PySide6 window with the program's spec ...", flush=True)
        bare = build_bare_qt(ROOT / "build" / "bench")

    cold = not args.warm and drop_page_cache()
    print(f"cache: {'cold (page cache dropped before each run)' if cold else 'warm'}; "
          f"{args.runs} runs each, offscreen")
    with tempfile.TemporaryDirectory(prefix="clinic_desk_startup_") as folder:
        database = Path(folder) / "clinic.sqlite3"
        timed_run([str(program), "--demo", "--db", str(database), "--exit-when-ready"], False)
        program_runs, bare_runs = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine
            program_runs.append(timed_run(
                [str(program), "--db", str(database), "--exit-when-ready"], cold))
            bare_runs.append(timed_run([str(bare)], cold))
    frozen_s, bare_s = statistics.median(program_runs), statistics.median(bare_runs)
    print("program to its login window: " + " ".join(f"{t:.2f}" for t in program_runs) + " s")
    print("bare PySide6 window:         " + " ".join(f"{t:.2f}" for t in bare_runs) + " s")
    print(f"bundles: program {folder_mib(args.bundle):.1f} MiB, "
          f"bare window {folder_mib(bare.parent):.1f} MiB")
    print(f"BENCH startup frozen_s={frozen_s:.2f} bare_qt_s={bare_s:.2f} "
          f"bundle_mb={folder_mib(args.bundle):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
