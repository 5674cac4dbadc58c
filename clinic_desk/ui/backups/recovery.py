"""At start: a clinic file that fails SQLite's integrity check, or cannot be read at all, gets
a clear message and the offer to put back the newest good backup (the damaged file is kept).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from clinic_desk.db import database_url
from clinic_desk.i18n import gettext as _
from clinic_desk.services.backup import integrity_problem
from clinic_desk.services.restore import newest_good_backup, recover_from_backup
from clinic_desk.ui import messages
from clinic_desk.ui.backups.describe import contents_text, when_text

logger = logging.getLogger(__name__)


def database_path(location: str) -> Path | None:
    """The SQLite file `location` names, if it is one that already exists."""
    url = database_url(location)
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    path = Path(url.database)
    return path if path.is_file() else None


def check_at_start(location: str) -> bool:
    """True when the program can open `location` (sound, new, restored); False to stop."""
    path = database_path(location)
    if path is None:
        return True
    problem = integrity_problem(path)
    if problem is None:
        return True
    logger.error("the database %s failed its check: %s", path, problem)
    title = _("The clinic's database is damaged")
    damage = _("The clinic's database {path} cannot be used: {problem}").format(
        path=path, problem=problem)
    good = newest_good_backup(path)
    if good is None:
        messages.inform(None, title, damage + "\n\n" + _(
            "There is no good backup next to it. Keep the file as it is and ask for help: a "
            "damaged file can often be repaired."), warning=True)
        return False
    local = datetime.now().astimezone().tzinfo
    question = damage + "\n\n" + _(
        "The newest good backup was made {when}.\n{contents}\n\nPut it back now? The damaged "
        "file is kept next to it under another name.").format(
        when=when_text(good.file.made_at, local), contents=contents_text(good.contents, local))
    if not messages.confirm(None, title, question):
        return False
    damaged = recover_from_backup(path, good.file.path, datetime.now(timezone.utc))
    logger.info("restored %s from %s; the damaged file is %s", path, good.file.path, damaged)
    messages.inform(None, title, _(
        "The backup is back in place and the damaged file is kept as {damaged}. Whatever was "
        "recorded after the backup has to be entered again.").format(damaged=damaged))
    return True
