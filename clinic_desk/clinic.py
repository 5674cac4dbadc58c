"""Opening a clinic database: refuse network shares, back up and migrate, hand out the Desk."""

from __future__ import annotations

import os
from pathlib import Path

from clinic_desk.clock import Clock, SystemClock
from clinic_desk.db import Database
from clinic_desk.migrate import prepare_database
from clinic_desk.services.context import Desk


def open_clinic(location: str | os.PathLike[str], clock: Clock | None = None) -> Desk:
    """Open (creating if needed) the clinic database at `location`, a path or a URL.

    Raises NetworkShareRefused for a file on a network share.
    """
    if "://" not in os.fspath(location):
        Path(location).parent.mkdir(parents=True, exist_ok=True)
    db = Database.open(location)
    prepare_database(db)
    return Desk(db=db, clock=clock or SystemClock())
