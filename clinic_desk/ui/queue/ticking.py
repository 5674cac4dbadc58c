"""Time between database reads: the snapshot's database time plus this PC's monotonic
clock, so waits tick every second without a round trip and without trusting the PC's
wall clock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta


class TickingClock:
    def __init__(self, read_at: datetime) -> None:
        self.reset(read_at)

    def reset(self, read_at: datetime) -> None:
        self._read_at = read_at
        self._base = time.monotonic()

    def now(self) -> datetime:
        return self._read_at + timedelta(seconds=time.monotonic() - self._base)
