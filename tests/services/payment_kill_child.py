"""Posting process for `test_payment_kill.py` (POSIX only).

    python payment_kill_child.py <clinic file> <cashier id> <patient id> <visit id>
                                 <cash method id> <wechat method id>

Starting an interpreter and importing the program takes about two seconds, far too long to
do again for each of hundreds of kills. So this process imports the program, opens the clinic
file with `open_clinic`, posts the first payment (key `k0`, which also loads everything a
posting needs) and closes its connections. Then, for every `run <n>` line on stdin, it forks a
poster that goes on with the same desk on connections of its own, posting payments with the
keys `k<n>`, `k<n + 1>`, ... for ever and writing `posted <key> <repeated>` each time
`post_payment` has returned. The test kills the poster with SIGKILL; this process reaps it and
then writes `exit <pid> <status>`, after every line the poster managed to write.

Each payment is ¥1.00 in cash (¥2.00 tendered, ¥1.00 change) and ¥0.01 by WeChat Pay.
"""

from __future__ import annotations

import os
import sys
import traceback

from clinic_desk.clinic import open_clinic
from clinic_desk.models import Role
from clinic_desk.services.cashdesk import PaymentPart, PaymentRequest, post_payment
from clinic_desk.services.context import Actor, Desk


def post(desk: Desk, args: list[str], number: int) -> str:
    _path, cashier_id, patient_id, visit_id, cash_id, wechat_id = args
    key = f"k{number}"
    posted = post_payment(
        desk, Actor(int(cashier_id), "Sun Meiling", frozenset({Role.CASHIER})),
        PaymentRequest(patient_id=int(patient_id), visit_id=int(visit_id), idempotency_key=key,
                       parts=(PaymentPart(int(cash_id), "1.00", tendered_text="2.00"),
                              PaymentPart(int(wechat_id), "0.01", reference=f"WX-{key}"))))
    return f"posted {key} {int(posted.repeated)}\n"


def post_for_ever(desk: Desk, args: list[str], first: int) -> None:
    desk.db.engine.dispose(close=False)  # the parent's pool is not ours: connect afresh
    number = first
    while True:
        line = post(desk, args, number)
        os.write(1, line.encode())  # one unbuffered write: the line is out before we go on
        number += 1


def main() -> None:
    args = sys.argv[1:]
    desk = open_clinic(args[0])
    sys.stdout.write(post(desk, args, 0))
    desk.db.dispose()  # no connection, lock or file of the clinic is open across the fork
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        command, first = line.split()
        assert command == "run"
        pid = os.fork()
        if pid == 0:
            try:
                post_for_ever(desk, args, int(first))
            except BaseException:  # the test shows this from stderr
                traceback.print_exc()
                sys.stderr.flush()
                os._exit(1)
            os._exit(0)
        sys.stdout.write(f"pid {pid}\n")
        sys.stdout.flush()
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(f"exit {pid} {status}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
