"""This PC's own configuration: which database it opens, and the printers and window sizes
it remembers. Everything a clinic shares between PCs lives in the database instead."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs
from sqlalchemy.exc import ArgumentError

from clinic_desk.db import NetworkShareRefused, database_url
from clinic_desk.i18n import gettext as _
from clinic_desk.paths import APP_AUTHOR, APP_NAME, default_database_path
from clinic_desk.services.errors import ValidationError


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "workstation.json"


@dataclass
class WorkstationConfig:
    database: str = ""
    printers: dict[str, str] = field(default_factory=dict)
    display_screen: str = ""  # where the waiting-room display was last shown
    receipt_paper: str = "roll_80mm"  # the cashier's choice: what this PC's receipt printer takes

    def database_location(self) -> str:
        return self.database or str(default_database_path())


def load_config(path: Path | None = None) -> WorkstationConfig:
    path = path or config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return WorkstationConfig()
    known = {k: v for k, v in data.items() if k in WorkstationConfig.__dataclass_fields__}
    return WorkstationConfig(**known)


def save_config(config: WorkstationConfig, path: Path | None = None) -> None:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(config), ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.replace(path)


def check_database_location(text: str) -> str:
    """The location a user typed, cleaned, or a ValidationError for the "database" field."""
    location = text.strip()
    if not location:
        raise ValidationError.single("database", _("Enter a file or a database URL."))
    try:
        database_url(location)
    except NetworkShareRefused as error:
        raise ValidationError.single("database", error.message) from None
    except ArgumentError:
        raise ValidationError.single("database", _("This is not a database URL.")) from None
    return location
