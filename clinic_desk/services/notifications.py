"""What the manager must be told at once: emergencies and complaints raised at the desk.

Notifications live in the database, so the manager sees them on whichever PC they use;
marking one seen records who saw it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from clinic_desk.i18n import gettext as _
from clinic_desk.models import Notification, NotificationKind, Patient
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import NotFound


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: NotificationKind
    created_at: datetime
    message: str


def describe(kind: NotificationKind, patient_name: str, detail: str) -> str:
    """The message in the reader's language, from what was stored."""
    if kind == NotificationKind.EMERGENCY:
        return _("Emergency: {name} has arrived.").format(name=patient_name)
    if kind == NotificationKind.COMPLAINT:
        return _("{name} refuses the doctor who treated them: {reason}").format(
            name=patient_name, reason=detail)
    return _("{name} has waited too long.").format(name=patient_name)


def unread_notifications(desk: Desk, actor: Actor) -> list[NotificationRow]:
    """Unseen notifications, oldest first (managers only), in the current language."""
    require(actor, Permission.APPROVE)
    with desk.db.read() as session:
        rows = session.execute(
            select(Notification.id, Notification.kind, Notification.created_at,
                   Notification.message, Patient.name)
            .outerjoin(Patient, Patient.id == Notification.patient_id)
            .where(Notification.read_at.is_(None)).order_by(Notification.id)).all()
        return [NotificationRow(id_, kind, created_at, describe(kind, name or "", detail))
                for id_, kind, created_at, detail, name in rows]


def mark_seen(desk: Desk, actor: Actor, notification_id: int) -> None:
    require(actor, Permission.APPROVE)
    now = desk.clock.now()
    with desk.db.write() as session:
        notification = session.get(Notification, notification_id)
        if notification is None:
            raise NotFound(_("This notification no longer exists."))
        if notification.read_at is not None:
            return
        notification.read_at = now
        notification.read_by_id = actor.staff_id
        audit.record(session, now, actor.staff_id, "notification_seen", "notification",
                     notification_id, {"kind": notification.kind})
