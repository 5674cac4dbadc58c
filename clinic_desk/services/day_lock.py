"""Whether a business day is closed: money posted into a closed day is refused.

A day is closed while it has a closing that was not re-opened; re-opening adds a row, and
closing again adds a new closing, so every version stays on record.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.models import DayClosing, DayReopening
from clinic_desk.services.errors import DayClosed


def is_closed(session: Session, day: date) -> bool:
    reopened = select(DayReopening.closing_id)
    return session.execute(
        select(DayClosing.id).where(DayClosing.business_date == day,
                                    DayClosing.id.not_in(reopened)).limit(1)).first() is not None


def require_open(session: Session, day: date) -> None:
    if is_closed(session, day):
        raise DayClosed(_("{day} is closed. A manager must re-open it before anything is "
                          "posted into it.").format(day=format_date(day)))
