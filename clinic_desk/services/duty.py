"""Who is working now: doctors' weekly hours and absences, read at the clinic's local time."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from clinic_desk.clock import zone
from clinic_desk.models import Absence, Role, Staff, StaffRole, Visit, WorkingHours
from clinic_desk.services.assignment import DoctorOnDuty
from clinic_desk.services.settings import load_settings


def local_now(session: Session, moment: datetime) -> tuple[date, time]:
    local = moment.astimezone(zone(load_settings(session).timezone))
    return local.date(), local.time().replace(tzinfo=None)


def _on_duty_where(today: date, now: time) -> tuple[ColumnElement[bool], ...]:
    """Active doctors whose working hours cover the local time and who are not absent then."""
    working = select(WorkingHours.staff_id).where(
        WorkingHours.weekday == today.weekday(), WorkingHours.start_time <= now,
        WorkingHours.end_time > now)
    absent = select(Absence.staff_id).where(
        Absence.cancelled_at.is_(None), Absence.start_date <= today, Absence.end_date >= today,
        or_(Absence.start_time.is_(None),
            and_(Absence.start_time <= now, Absence.end_time > now)))
    doctors = select(StaffRole.staff_id).where(StaffRole.role == Role.DOCTOR)
    return (Staff.active.is_(True), Staff.id.in_(doctors), Staff.id.in_(working),
            Staff.id.not_in(absent))


def doctors_on_duty(session: Session, moment: datetime) -> list[DoctorOnDuty]:
    """The doctors working at `moment`, with how many of today's visits each already has."""
    today, now = local_now(session, moment)
    load = (select(Visit.doctor_id, func.count().label("n"))
            .where(Visit.business_date == today).group_by(Visit.doctor_id).subquery())
    rows = session.execute(
        select(Staff.id, Staff.staff_number, Staff.full_name, Staff.sex,
               func.coalesce(load.c.n, 0))
        .outerjoin(load, load.c.doctor_id == Staff.id)
        .where(*_on_duty_where(today, now))
        .order_by(Staff.staff_number)).all()
    return [DoctorOnDuty(id=id_, staff_number=number, name=name, sex=sex, load_today=n)
            for id_, number, name, sex, n in rows]


def on_duty_ids(session: Session, today: date, now: time) -> list[int]:
    """Only who is on duty at the local `today`/`now`: what a queue refresh needs, cheaply."""
    return list(session.execute(select(Staff.id).where(*_on_duty_where(today, now))
                                .order_by(Staff.staff_number)).scalars())


def is_on_duty(session: Session, doctor_id: int, moment: datetime) -> bool:
    return doctor_id in on_duty_ids(session, *local_now(session, moment))
