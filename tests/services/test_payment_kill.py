"""A payment survives a hard crash whole or not at all, and a retry never posts it twice.

A posting process (`payment_kill_child.py`: it opens the clinic file with `open_clinic` once
and forks a poster for each run) posts two-part payments (cash with change + WeChat Pay) in a
loop, reporting each key once `post_payment` has returned. The test kills the poster with
SIGKILL at a random moment, 200 times; each new poster starts with the first key the previous
one did not report, as a cashier's retry would. After every kill the file must pass
`PRAGMA integrity_check`, hold no half-posted payment, and hold every reported key.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest


from .cash import Till

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"),
                                reason="SIGKILL and fork are POSIX only")

KILLS = 200
POSTER = Path(__file__).with_name("payment_kill_child.py")
ROOT = Path(__file__).resolve().parents[2]


class Lines:
    """Reads the poster's stdout line by line, with a time limit."""

    def __init__(self, stream: int, stderr: Path) -> None:
        self.fd, self.stderr, self.buffer = stream, stderr, b""

    def next(self, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(0.0, left))
            if not ready:
                pytest.fail(f"the poster said nothing for {timeout} s; its stderr:\n"
                            + self.stderr.read_text())
            chunk = os.read(self.fd, 65536)
            if not chunk:
                pytest.fail("the poster process ended; its stderr:\n" + self.stderr.read_text())
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


def check_file(path: Path, reported: set[int], runs: int) -> tuple[int, int]:
    """Everything a crash may not break; returns (receipts, highest key number)."""
    connection = sqlite3.connect(path, timeout=10)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], runs
        payments = connection.execute(
            "SELECT p.idempotency_key, p.amount, p.receipt_id, r.id FROM payments p "
            "LEFT JOIN receipts r ON r.id = p.receipt_id ORDER BY p.id").fetchall()
        receipts = connection.execute(
            "SELECT r.id, r.number, r.paid_today, "
            "  (SELECT count(*) FROM payments p WHERE p.receipt_id = r.id), "
            "  (SELECT sum(p.amount) FROM payments p WHERE p.receipt_id = r.id), "
            "  (SELECT count(*) FROM audit_entries a WHERE a.action = 'payment_posted' "
            "     AND a.entity = 'receipt' AND a.entity_id = r.id) "
            "FROM receipts r ORDER BY r.id").fetchall()
        counter = connection.execute(
            "SELECT last_value FROM counters WHERE name = 'receipt'").fetchall()
    finally:
        connection.close()
    # every payment has its receipt, every receipt both its payments and its audit entry
    assert all(receipt_id is not None and found is not None
               for _key, _amount, receipt_id, found in payments), runs
    for receipt_id, _number, paid, count, total, audited in receipts:
        assert (count, total, paid, audited) == (2, 101, 101, 1), (runs, receipt_id)
    # numbered without gaps, the counter in step
    assert [number for _id, number, *_ in receipts] == [
        f"{n:08d}" for n in range(1, len(receipts) + 1)], runs
    assert counter == ([(len(receipts),)] if receipts else counter), runs
    # one posting per key, keys k0, k1, ... without a hole, each with both parts
    keys = sorted(int(key[1:].split(":")[0]) for key, *_ in payments)
    numbers = sorted(set(keys))
    assert keys == sorted(numbers * 2), runs
    assert numbers == list(range(len(numbers))), runs
    # and every key whose post_payment returned is there
    assert reported <= set(numbers), (runs, sorted(reported - set(numbers)))
    return len(receipts), (numbers[-1] if numbers else -1)


def test_a_killed_poster_leaves_whole_payments_and_loses_none_that_returned(
        till: Till, tmp_path: Path) -> None:
    patient = till.new_patient()
    visit = till.visit(patient)
    till.charge(visit, till.items.implant, 999)  # ¥999,000,000.00: never paid off here
    clinic = till.clinic
    clinic.desk.db.dispose()  # the poster has the file to itself

    stderr = tmp_path / "poster-stderr.txt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    with stderr.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, str(POSTER), str(clinic.path), str(clinic.cashier.staff_id),
             str(patient), str(visit), str(till.methods.cash), str(till.methods.wechat)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, cwd=ROOT, env=env)
    assert process.stdin is not None and process.stdout is not None
    lines = Lines(process.stdout.fileno(), stderr)
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    reported: set[int] = set()
    repeats = mid_stream = 0
    try:
        assert lines.next(timeout=60) == "posted k0 0"
        assert lines.next() == "ready"
        reported.add(0)
        next_key = 1
        for run in range(KILLS):
            # Half the posters die at any moment of their first 5-60 ms (connecting, the
            # first posting, ...), the others 0-30 ms after their first posting returned,
            # in the middle of a stream of postings.
            after_first = run % 2 == 1
            delay = rng.uniform(0, 0.030) if after_first else rng.uniform(0.005, 0.060)
            process.stdin.write(f"run {next_key}\n".encode())
            process.stdin.flush()
            posted_now: list[int] = []
            pid = status = None
            killed = False
            while status is None:
                word, *rest = lines.next().split()
                if word == "pid":
                    pid = int(rest[0])
                elif word == "posted":  # may come before "pid": the poster is quick
                    posted_now.append(int(rest[0][1:]))
                    repeats += rest[1] == "1"
                elif word == "exit":
                    assert int(rest[0]) == pid
                    status = int(rest[1])
                else:
                    pytest.fail(f"unexpected line from the poster: {word} {rest}")
                if (status is None and not killed and pid is not None
                        and (posted_now or not after_first)):
                    time.sleep(delay)
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:  # it died by itself: its status says why
                        pass
                    killed = True
                    mid_stream += after_first
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                f"the poster was not killed but ended with status {status}:\n"
                + stderr.read_text())
            reported.update(posted_now)
            receipts, highest = check_file(clinic.path, reported, run)
            # the next poster retries the first key this one did not report
            next_key = max(posted_now) + 1 if posted_now else next_key
            assert highest <= next_key, (seed, run)
    finally:
        process.kill()
        process.wait(timeout=10)
    print(f"seed {seed}: {KILLS} kills, {mid_stream} in a stream of postings; "
          f"{receipts} payments posted, {repeats} retries found their earlier posting")
    assert mid_stream == KILLS // 2
