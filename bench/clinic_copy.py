"""The clinic a bench works on: a synthetic base clinic, built once and reused, and a copy of
it that the bench may change; with the command line options that choose them."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path

from bench.make_clinic import DEFAULT_SEED, build_clinic, default_path


def base_clinic(db: Path | None, patients: int, years: int, seed: int, rebuild: bool,
                say: Callable[[str], None]) -> Path:
    """The base clinic file at `db` (default: named after its size), built unless it exists
    and `rebuild` is false."""
    path = db or default_path(patients, years, seed)
    if path.exists() and not rebuild:
        say(f"reusing {path}")
        return path
    return build_clinic(path, patients, years, seed, progress=say)


def working_copy(base: Path, name: str) -> Path:
    """A fresh copy of `base` beside it, `<base>-<name>.sqlite3`: the base is never changed."""
    copy = base.with_name(f"{base.stem}-{name}.sqlite3")
    for leftover in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(base, copy)
    return copy


def clinic_arguments(prog: str, description: str | None, patients: int, years: int,
                     runs: int) -> argparse.ArgumentParser:
    """--patients, --years, --runs, --seed, --db and --rebuild, as every bench on a copy of
    a base clinic takes them."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=patients)
    parser.add_argument("--years", type=int, default=years)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--db", type=Path, default=None,
                        help="base clinic file to reuse if it exists, else to build; it is "
                             "copied, never changed; default: one in "
                             f"{default_path(1, 1, 1).parent}")
    parser.add_argument("--rebuild", action="store_true", help="build the base clinic anew")
    return parser
