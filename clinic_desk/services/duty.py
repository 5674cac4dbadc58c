"""Who is working now: doctors' weekly hours and absences, read at the clinic's local time."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from clinic_desk.clock import zone
from clinic_desk.models import Absence, Role, Staff, StaffRole, Visit, WorkingHours
from clinic_desk.services.assignment import DoctorOnDuty
from clinic_desk.services.settings import load_settings


def local_now(session: Session, moment: datetime) -> tuple[date, time]:
    local = moment.astimezone(zone(load_settings(session).timezone))
    return local.date(), local.time().replace(tzinfo=None)


def doctors_on_duty(session: Session, moment: datetime) -> list[DoctorOnDuty]:
    """Active doctors whose working hours cover `moment` and who are not absent then,
    with how many of today's visits each already has."""
    today, now = local_now(session, moment)
    working = select(WorkingHours.staff_id).where(
        WorkingHours.weekday == today.weekday(), WorkingHours.start_time <= now,
        WorkingHours.end_time > now)
    absent = select(Absence.staff_id).where(
        Absence.cancelled_at.is_(None), Absence.start_date <= today, Absence.end_date >= today,
        or_(Absence.start_time.is_(None),
            and_(Absence.start_time <= now, Absence.end_time > now)))
    load = (select(Visit.doctor_id, func.count().label("n"))
            .where(Visit.business_date == today).group_by(Visit.doctor_id).subquery())
    rows = session.execute(
        select(Staff, func.coalesce(load.c.n, 0))
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .outerjoin(load, load.c.doctor_id == Staff.id)
        .where(StaffRole.role == Role.DOCTOR, Staff.active.is_(True), Staff.id.in_(working),
               Staff.id.not_in(absent))
        .order_by(Staff.staff_number)).all()
    return [DoctorOnDuty(id=s.id, staff_number=s.staff_number, name=s.full_name, sex=s.sex,
                         load_today=n) for s, n in rows]


def is_on_duty(session: Session, doctor_id: int, moment: datetime) -> bool:
    return any(d.id == doctor_id for d in doctors_on_duty(session, moment))
