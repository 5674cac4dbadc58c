"""Opening a clinic database: refuse network shares, back up and migrate, hand out the Desk."""

from __future__ import annotations

import os
from pathlib import Path

from clinic_desk.clock import Clock
from clinic_desk.db import Database, DatabaseClock, database_url
from clinic_desk.migrate import prepare_database
from clinic_desk.services.context import Desk


def open_clinic(location: str | os.PathLike[str], clock: Clock | None = None) -> Desk:
    """Open (creating if needed) the clinic database at `location`, a path or a URL.

    Raises NetworkShareRefused for a file on a network share. Time comes from the database
    (`DatabaseClock`) unless a clock is given (tests).
    """
    url = database_url(location)  # refuses a network share before anything is created there
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    prepare_database(db)
    return Desk(db=db, clock=clock or DatabaseClock(db.engine))
