"""Logging in, locking out, permissions and the supervisor's on-the-spot approval.

Permissions are checked here, in the services, so a hidden button is never the only guard.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desk.i18n import gettext as _, format_time
from clinic_desk.models import Role, Staff, StaffRole
from clinic_desk.services import audit
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import (AccountLocked, AuthenticationFailed, DomainError,
                                         PermissionDenied)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 6

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32


class Permission(enum.StrEnum):
    REGISTER_PATIENTS = "register_patients"
    RUN_QUEUE = "run_queue"
    BOOK_APPOINTMENTS = "book_appointments"
    TAKE_PAYMENTS = "take_payments"
    RECORD_REFUNDS = "record_refunds"
    CLOSE_DAY = "close_day"
    APPROVE = "approve"
    EXPORT_RECONCILIATION = "export_reconciliation"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_STAFF = "manage_staff"
    VERIFY_AUDIT = "verify_audit"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RECEPTIONIST: frozenset({Permission.REGISTER_PATIENTS, Permission.RUN_QUEUE,
                                  Permission.BOOK_APPOINTMENTS}),
    Role.CASHIER: frozenset({Permission.TAKE_PAYMENTS, Permission.RECORD_REFUNDS,
                             Permission.CLOSE_DAY}),
    Role.DOCTOR: frozenset({Permission.RUN_QUEUE}),
    Role.MANAGER: frozenset(Permission),
}


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    result: frozenset[Permission] = frozenset()
    for role in roles:
        result |= ROLE_PERMISSIONS[role]
    return result


def can(actor: Actor, permission: Permission) -> bool:
    return permission in permissions_of(actor.roles)


def require(actor: Actor, permission: Permission) -> None:
    if not can(actor, permission):
        raise PermissionDenied(_("You are not allowed to do this. Ask a manager."))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R,
                            p=_SCRYPT_P, dklen=_SCRYPT_LEN)
    encode = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encode(salt)}${encode(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                            r=int(r), p=int(p), dklen=len(expected))
    return hmac.compare_digest(actual, expected)


def actor_of(staff: Staff) -> Actor:
    return Actor(staff_id=staff.id, name=staff.full_name, roles=staff.role_set)


def _locked_message(until: datetime) -> str:
    return _("Too many wrong passwords. This account is locked until {time}.").format(
        time=format_time(until, format="medium"))


def _check_credentials(desk: Desk, username: str, password: str, purpose: str,
                       permission: Permission | None = None) -> Actor:
    """Check a username and password, counting failures and locking after too many.

    The failure count is committed before the error is raised, so a lockout holds even
    though the attempt itself fails.
    """
    now = desk.clock.now()
    with desk.db.write() as session:
        staff = session.execute(select(Staff).where(
            func.lower(Staff.username) == username.strip().lower(), Staff.active.is_(True))
        ).scalar_one_or_none()
        outcome = _attempt(session, staff, password, now, purpose, permission)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _attempt(session: Session, staff: Staff | None, password: str, now: datetime,
             purpose: str, permission: Permission | None = None) -> Actor | DomainError:
    wrong = AuthenticationFailed(_("Wrong user name or password."))
    if staff is None:
        verify_password(password, None)
        return wrong
    if staff.locked_until is not None and staff.locked_until > now:
        return AccountLocked(_locked_message(staff.locked_until), staff.locked_until)
    if not verify_password(password, staff.password_hash):
        staff.failed_logins += 1
        details = {"purpose": purpose, "failed_logins": staff.failed_logins}
        if staff.failed_logins >= MAX_FAILED_LOGINS:
            staff.locked_until = now + LOCKOUT
            staff.failed_logins = 0
            audit.record(session, now, None, "account_locked", "staff", staff.id, details)
            return AccountLocked(_locked_message(staff.locked_until), staff.locked_until)
        audit.record(session, now, None, "login_failed", "staff", staff.id, details)
        return wrong
    staff.failed_logins = 0
    staff.locked_until = None
    actor = actor_of(staff)
    if permission is not None and not can(actor, permission):
        # Right password, wrong role: nothing was given, so nothing is recorded as given.
        return PermissionDenied(_("{name} may not approve this. A manager must approve.").format(
            name=actor.name))
    audit.record(session, now, staff.id, purpose, "staff", staff.id)
    return actor


def log_in(desk: Desk, username: str, password: str) -> Actor:
    return _check_credentials(desk, username, password, "login")


@dataclass(frozen=True)
class Approval:
    """A supervisor's on-the-spot approval: who gave it and when."""

    staff_id: int
    name: str
    at: datetime


def approve(desk: Desk, username: str, password: str) -> Approval:
    """A manager authenticates at this PC to approve one action (refund, correction, discount)."""
    actor = _check_credentials(desk, username, password, "approval_given", Permission.APPROVE)
    return Approval(staff_id=actor.staff_id, name=actor.name, at=desk.clock.now())


def is_manager(session: Session, staff_id: int) -> bool:
    """Whether this member of staff may approve now (an approval is checked again in the
    transaction that uses it: the manager may have left since)."""
    return session.execute(select(StaffRole.id).join(Staff).where(
        StaffRole.staff_id == staff_id, StaffRole.role == Role.MANAGER,
        Staff.active.is_(True))).first() is not None
