"""Staff records: doctors with staff numbers, sex and weekly hours; users and their roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desk.i18n import LANGUAGES, gettext as _
from clinic_desk.models import Role, Sex, Staff, StaffRole, WorkingHours
from clinic_desk.services import audit
from clinic_desk.services.auth import MIN_PASSWORD_LENGTH, Permission, hash_password, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import FieldErrors, NotFound, ValidationError

MAX_NAME = 100
MAX_NUMBER = 20


@dataclass(frozen=True)
class Shift:
    """One working interval on a weekday (0 = Monday)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class StaffForm:
    staff_number: str
    full_name: str
    sex: Sex
    roles: frozenset[Role]
    phone: str = ""
    username: str = ""
    password: str = ""  # empty when editing: keep the current password
    active: bool = True
    shifts: tuple[Shift, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StaffRow:
    id: int
    staff_number: str
    full_name: str
    sex: Sex
    roles: frozenset[Role]
    username: str
    active: bool
    shifts: tuple[Shift, ...]


def _row(staff: Staff) -> StaffRow:
    return StaffRow(
        id=staff.id, staff_number=staff.staff_number, full_name=staff.full_name, sex=staff.sex,
        roles=staff.role_set, username=staff.username or "", active=staff.active,
        shifts=tuple(Shift(w.weekday, w.start_time, w.end_time) for w in staff.working_hours))


def list_staff(desk: Desk, include_inactive: bool = True) -> list[StaffRow]:
    with desk.db.read() as session:
        query = select(Staff).order_by(Staff.staff_number)
        if not include_inactive:
            query = query.where(Staff.active.is_(True))
        return [_row(s) for s in session.execute(query).scalars()]


def staff_form(desk: Desk, staff_id: int) -> StaffForm:
    with desk.db.read() as session:
        staff = _get(session, staff_id)
        row = _row(staff)
        return StaffForm(staff_number=row.staff_number, full_name=row.full_name, sex=row.sex,
                         roles=row.roles, phone=staff.phone or "", username=row.username,
                         active=row.active, shifts=row.shifts)


def _get(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(_("This member of staff no longer exists."))
    return staff


def _clean(form: StaffForm) -> StaffForm:
    return StaffForm(staff_number=form.staff_number.strip(), full_name=form.full_name.strip(),
                     sex=form.sex, roles=frozenset(form.roles), phone=form.phone.strip(),
                     username=form.username.strip(), password=form.password,
                     active=form.active, shifts=tuple(sorted(form.shifts,
                                                             key=lambda s: (s.weekday, s.start))))


def needs_login(roles: frozenset[Role]) -> bool:
    """Doctors may exist only to be assigned patients; every other role logs in."""
    return bool(roles - {Role.DOCTOR})


def _validate(session: Session, form: StaffForm, staff: Staff | None) -> None:
    errors = FieldErrors()
    staff_id = staff.id if staff else None
    if not form.staff_number:
        errors.add("staff_number", _("Enter a staff number."))
    elif len(form.staff_number) > MAX_NUMBER:
        errors.add("staff_number", _("At most {count} characters.").format(count=MAX_NUMBER))
    elif session.execute(select(Staff.id).where(Staff.staff_number == form.staff_number,
                                                Staff.id != (staff_id or 0))).first():
        errors.add("staff_number", _("Staff number {number} is already used.").format(
            number=form.staff_number))
    if not form.full_name:
        errors.add("full_name", _("Enter the name."))
    elif len(form.full_name) > MAX_NAME:
        errors.add("full_name", _("At most {count} characters.").format(count=MAX_NAME))
    if not form.roles:
        errors.add("roles", _("Choose at least one role."))
    if form.username or needs_login(form.roles):
        if not form.username:
            errors.add("username", _("This role logs in: enter a user name."))
        elif session.execute(select(Staff.id).where(
                func.lower(Staff.username) == form.username.lower(),
                Staff.id != (staff_id or 0))).first():
            errors.add("username", _("User name {name} is already used.").format(
                name=form.username))
        has_password = staff is not None and bool(staff.password_hash)
        if form.password and len(form.password) < MIN_PASSWORD_LENGTH:
            errors.add("password", _("The password needs at least {count} characters.").format(
                count=MIN_PASSWORD_LENGTH))
        elif not form.password and not has_password:
            errors.add("password", _("Enter a password."))
    _validate_shifts(form.shifts, errors)
    if staff is not None and Role.MANAGER in staff.role_set and (
            Role.MANAGER not in form.roles or not form.active):
        other_managers = session.execute(
            select(func.count()).select_from(StaffRole).join(Staff).where(
                StaffRole.role == Role.MANAGER, Staff.active.is_(True), Staff.id != staff.id)
        ).scalar_one()
        if other_managers == 0:
            errors.add("roles", _("The clinic needs at least one active manager."))
    errors.raise_if_any()


def _validate_shifts(shifts: tuple[Shift, ...], errors: FieldErrors) -> None:
    for index, shift in enumerate(shifts):
        if not 0 <= shift.weekday <= 6:
            errors.add("shifts", _("Unknown weekday."))
        elif shift.end <= shift.start:
            errors.add("shifts", _("A working day must end after it starts."))
        elif index and shifts[index - 1].weekday == shift.weekday and \
                shifts[index - 1].end > shift.start:
            errors.add("shifts", _("Two working periods on the same day overlap."))


def _snapshot(staff: Staff) -> dict[str, object]:
    return {
        "staff_number": staff.staff_number, "full_name": staff.full_name, "sex": staff.sex,
        "phone": staff.phone or "", "username": staff.username or "", "active": staff.active,
        "roles": sorted(r.value for r in staff.role_set),
        "shifts": [f"{w.weekday}:{w.start_time:%H:%M}-{w.end_time:%H:%M}"
                   for w in staff.working_hours],
    }


def _apply(staff: Staff, form: StaffForm) -> None:
    staff.staff_number = form.staff_number
    staff.full_name = form.full_name
    staff.sex = form.sex
    staff.phone = form.phone
    staff.username = form.username or None
    staff.active = form.active
    if form.password:
        staff.password_hash = hash_password(form.password)
        staff.failed_logins = 0
        staff.locked_until = None
    # Keep the rows of roles that stay: replacing them all would insert the new row before
    # the old one is deleted and break the (staff_id, role) unique constraint.
    current = {r.role: r for r in staff.roles}
    staff.roles = [current.get(role) or StaffRole(role=role) for role in sorted(form.roles)]
    staff.working_hours = [WorkingHours(weekday=s.weekday, start_time=s.start, end_time=s.end)
                           for s in form.shifts]


def create_staff(session: Session, actor_id: int | None, form: StaffForm, now: datetime) -> Staff:
    """Validate and add a member of staff inside the caller's transaction."""
    form = _clean(form)
    _validate(session, form, None)
    staff = Staff(created_at=now)
    _apply(staff, form)
    session.add(staff)
    session.flush()
    audit.record(session, now, actor_id, "staff_added", "staff", staff.id, _snapshot(staff))
    return staff


def add_staff(desk: Desk, actor: Actor, form: StaffForm) -> int:
    require(actor, Permission.MANAGE_STAFF)
    with desk.db.write() as session:
        return create_staff(session, actor.staff_id, form, desk.clock.now()).id


def update_staff(desk: Desk, actor: Actor, staff_id: int, form: StaffForm) -> None:
    require(actor, Permission.MANAGE_STAFF)
    form = _clean(form)
    with desk.db.write() as session:
        staff = _get(session, staff_id)
        _validate(session, form, staff)
        before = _snapshot(staff)
        _apply(staff, form)
        session.flush()
        changed = audit.changes(before, _snapshot(staff))
        if form.password:
            changed["password"] = ["***", "***"]
        if changed:
            audit.record(session, desk.clock.now(), actor.staff_id, "staff_changed", "staff",
                         staff.id, changed)


def set_own_language(desk: Desk, actor: Actor, language: str) -> None:
    """Each user keeps the language they chose for the screens."""
    if language not in dict(LANGUAGES):
        raise ValidationError.single("language", _("Choose one of the offered languages."))
    with desk.db.write() as session:
        staff = _get(session, actor.staff_id)
        if staff.language != language:
            audit.record(session, desk.clock.now(), actor.staff_id, "language_changed", "staff",
                         staff.id, {"language": [staff.language, language]})
            staff.language = language


def own_language(desk: Desk, staff_id: int) -> str | None:
    with desk.db.read() as session:
        return _get(session, staff_id).language
