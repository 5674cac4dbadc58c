"""Check-in (报到): today's visit for a patient, with its visit kind, complaint and doctor.

The doctor comes from the assignment rules (`assignment.py`); the desk may choose another
doctor, giving a reason. The visit joins the queue of the clinic's first station.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desk.i18n import gettext as _
from clinic_desk.models import (Appointment, AppointmentChange, AppointmentChangeKind,
                                AppointmentStatus, AssignmentRule, Notification, NotificationKind,
                                Patient, QueueEntry, Role, Sex, Staff, StaffRole, Station, Visit,
                                VisitKind, VisitState)
from clinic_desk.services import audit
from clinic_desk.services.assignment import (Assignment, AssignmentRequest, DoctorOnDuty,
                                             PatientPast, choose_doctor, suggests_first_visit)
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.duty import doctors_on_duty, local_now
from clinic_desk.services.errors import Conflict, FieldErrors, NotFound

MAX_COMPLAINT = 1000
TREATED_STATES = (VisitState.TO_CASHIER, VisitState.FINISHED)
FIRST_VISIT_CODE = "first"
RETURN_VISIT_CODE = "return"


@dataclass(frozen=True)
class CheckInRequest:
    """What the desk knows before choosing a doctor."""

    patient_id: int
    emergency: bool = False
    preferred_doctor_id: int | None = None
    preferred_sex: Sex | None = None
    problem_with_earlier_work: bool = False
    refuses_original_doctor: bool = False
    appointment_id: int | None = None  # arriving for this one (calendar); None: today's, if any


@dataclass(frozen=True)
class CheckInProposal:
    first_visit: bool
    visit_kind_id: int | None
    assignment: Assignment
    on_duty: tuple[DoctorOnDuty, ...]
    regular_doctor_id: int | None
    appointment_id: int | None


@dataclass(frozen=True)
class CheckInForm:
    request: CheckInRequest
    visit_kind_id: int | None
    chief_complaint: str
    doctor_id: int | None
    override_reason: str = ""
    refusal_reason: str = ""


@dataclass(frozen=True)
class CheckInResult:
    visit_id: int
    doctor_id: int
    rule: AssignmentRule


def _past(session: Session, patient_id: int) -> PatientPast:
    last = session.execute(
        select(Visit.doctor_id, Visit.business_date).where(
            Visit.patient_id == patient_id, Visit.doctor_id.is_not(None))
        .order_by(Visit.checked_in_at.desc()).limit(1)).first()
    treated = session.execute(
        select(Visit.doctor_id, Visit.business_date).where(
            Visit.patient_id == patient_id, Visit.state.in_(TREATED_STATES))
        .order_by(Visit.checked_in_at.desc()).limit(1)).first()
    seen = session.execute(
        select(Visit.business_date).where(Visit.patient_id == patient_id,
                                          Visit.state.in_(TREATED_STATES))
        .order_by(Visit.business_date.desc()).limit(1)).scalar_one_or_none()
    return PatientPast(last_doctor_id=last[0] if last else None, last_visit_date=seen,
                       last_treatment_doctor_id=treated[0] if treated else None,
                       last_treatment_date=treated[1] if treated else None)


def _todays_appointment(session: Session, patient_id: int, today: date,
                        moment: datetime) -> Appointment | None:
    window_start = moment - timedelta(hours=24)
    candidates = session.execute(
        select(Appointment).where(
            Appointment.patient_id == patient_id,
            Appointment.status.in_((AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)),
            Appointment.starts_at >= window_start,
            Appointment.starts_at <= moment + timedelta(hours=24))
        .order_by(Appointment.starts_at)).scalars().all()
    zone_date = [a for a in candidates if local_now(session, a.starts_at)[0] == today]
    return zone_date[0] if zone_date else None


def _named_appointment(session: Session, request: CheckInRequest, today: date) -> Appointment:
    """The appointment the calendar says the patient arrives for: theirs, open, today."""
    appointment = session.get(Appointment, request.appointment_id)
    if appointment is None or appointment.patient_id != request.patient_id:
        raise NotFound(_("This appointment no longer exists."))
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED) or \
            local_now(session, appointment.starts_at)[0] != today:
        raise Conflict(_("This appointment is no longer open for today. The calendar is "
                         "refreshed: check it and try again."))
    return appointment


def _last_rotated(session: Session, today: date) -> str | None:
    return session.execute(
        select(Staff.staff_number).join(Visit, Visit.doctor_id == Staff.id)
        .where(Visit.business_date == today, Visit.assignment_rule == AssignmentRule.ROTATION)
        .order_by(Visit.checked_in_at.desc(), Visit.id.desc()).limit(1)).scalar_one_or_none()


def _kind_id(session: Session, code: str) -> int | None:
    return session.execute(select(VisitKind.id).where(VisitKind.code == code,
                                                      VisitKind.active.is_(True))
                           ).scalar_one_or_none()


def _propose(session: Session, request: CheckInRequest, moment: datetime) -> CheckInProposal:
    if session.get(Patient, request.patient_id) is None:
        raise NotFound(_("This patient no longer exists."))
    today, _time = local_now(session, moment)
    past = _past(session, request.patient_id)
    appointment = _named_appointment(session, request, today) \
        if request.appointment_id is not None \
        else _todays_appointment(session, request.patient_id, today, moment)
    on_duty = doctors_on_duty(session, moment)
    assignment = choose_doctor(on_duty, past, AssignmentRequest(
        today=today, emergency=request.emergency,
        appointment_doctor_id=appointment.doctor_id if appointment else None,
        preferred_doctor_id=request.preferred_doctor_id, preferred_sex=request.preferred_sex,
        problem_with_earlier_work=request.problem_with_earlier_work,
        refuses_original_doctor=request.refuses_original_doctor),
        _last_rotated(session, today))
    first = suggests_first_visit(past.last_visit_date, today)
    kind_id = (appointment.visit_kind_id if appointment else None) or _kind_id(
        session, FIRST_VISIT_CODE if first else RETURN_VISIT_CODE)
    return CheckInProposal(first_visit=first, visit_kind_id=kind_id, assignment=assignment,
                           on_duty=tuple(on_duty), regular_doctor_id=past.last_doctor_id,
                           appointment_id=appointment.id if appointment else None)


def propose_check_in(desk: Desk, request: CheckInRequest) -> CheckInProposal:
    """The visit kind and doctor the rules suggest, before the desk confirms."""
    with desk.db.read() as session:
        return _propose(session, request, desk.clock.now())


def _check(session: Session, form: CheckInForm, proposal: CheckInProposal,
           today: date) -> tuple[int, int]:
    """The confirmed doctor and visit kind, or a ValidationError naming each wrong field."""
    errors = FieldErrors()
    kind = session.get(VisitKind, form.visit_kind_id) if form.visit_kind_id else None
    if kind is None or not kind.active:
        errors.add("visit_kind", _("Choose the visit kind."))
    if len(form.chief_complaint) > MAX_COMPLAINT:
        errors.add("chief_complaint", _("At most {count} characters.").format(
            count=MAX_COMPLAINT))
    on_duty = {d.id for d in proposal.on_duty}
    if form.doctor_id is None:
        errors.add("doctor", _("No doctor is on duty now; choose one.") if not on_duty
                   else _("Choose a doctor."))
    elif form.doctor_id not in on_duty:
        doctor = session.get(Staff, form.doctor_id)
        errors.add("doctor", _("{name} is not on duty now.").format(
            name=doctor.full_name if doctor else "?"))
    elif form.doctor_id != proposal.assignment.doctor_id and not form.override_reason.strip():
        errors.add("override_reason",
                   _("Say why this patient sees another doctor than the rules chose."))
    if form.request.refuses_original_doctor and proposal.assignment.complaint_about_doctor_id \
            and not form.refusal_reason.strip():
        errors.add("refusal_reason", _("Record why the patient refuses the doctor."))
    open_visit = session.execute(select(Visit.id).where(
        Visit.patient_id == form.request.patient_id, Visit.business_date == today,
        Visit.state == VisitState.OPEN)).first()
    errors.raise_if_any()
    if open_visit:
        raise Conflict(_("This patient is already checked in and waiting."))
    return form.doctor_id or 0, form.visit_kind_id or 0


def _notify(session: Session, kind: NotificationKind, now: datetime, actor_id: int,
            visit: Visit, detail: str = "") -> None:
    """Stored as kind, patient and the desk's own words: each manager reads it in their
    language (services.notifications)."""
    session.add(Notification(kind=kind, created_at=now, created_by_id=actor_id,
                             patient_id=visit.patient_id, visit_id=visit.id, message=detail))


def _first_station_id(session: Session) -> int | None:
    return session.execute(select(Station.id).where(Station.active.is_(True))
                           .order_by(Station.sort_order, Station.id).limit(1)).scalar_one_or_none()


def check_in(desk: Desk, actor: Actor, form: CheckInForm) -> CheckInResult:
    require(actor, Permission.REGISTER_PATIENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        proposal = _propose(session, form.request, now)
        today, _time = local_now(session, now)
        doctor_id, kind_id = _check(session, form, proposal, today)
        overridden = doctor_id != proposal.assignment.doctor_id
        rule = AssignmentRule.OVERRIDE if overridden else proposal.assignment.rule
        regular = proposal.regular_doctor_id
        complaint = proposal.assignment.complaint_about_doctor_id
        visit = Visit(
            patient_id=form.request.patient_id, business_date=today,
            visit_kind_id=kind_id, doctor_id=doctor_id,
            helping_doctor_id=regular if regular not in (None, doctor_id, complaint) else None,
            appointment_id=proposal.appointment_id, assignment_rule=rule,
            override_reason=form.override_reason.strip() if overridden else "",
            refused_doctor_id=complaint, chief_complaint=form.chief_complaint.strip(),
            emergency=form.request.emergency, checked_in_at=now, checked_in_by_id=actor.staff_id)
        session.add(visit)
        session.flush()
        session.add(QueueEntry(visit_id=visit.id, station_id=_first_station_id(session),
                               doctor_id=doctor_id, entered_at=now))
        if proposal.appointment_id is not None:
            appointment = session.get(Appointment, proposal.appointment_id)
            if appointment is not None:
                appointment.status = AppointmentStatus.ARRIVED
                appointment.version += 1  # a calendar showing it booked is now out of date
                session.add(AppointmentChange(appointment_id=appointment.id,
                                              kind=AppointmentChangeKind.ARRIVED, at=now,
                                              by_id=actor.staff_id))
        if form.request.emergency:
            _notify(session, NotificationKind.EMERGENCY, now, actor.staff_id, visit)
        if complaint is not None:
            _notify(session, NotificationKind.COMPLAINT, now, actor.staff_id, visit,
                    form.refusal_reason.strip())
        audit.record(session, now, actor.staff_id, "patient_checked_in", "visit", visit.id, {
            "patient_id": visit.patient_id, "doctor_id": visit.doctor_id, "rule": rule,
            "visit_kind_id": visit.visit_kind_id, "emergency": visit.emergency,
            "appointment_id": visit.appointment_id,
            "refused_doctor_id": complaint, "override_reason": visit.override_reason,
            "refusal_reason": form.refusal_reason.strip()})
        return CheckInResult(visit_id=visit.id, doctor_id=doctor_id, rule=rule)


@dataclass(frozen=True)
class DoctorChoice:
    id: int
    staff_number: str
    name: str
    sex: Sex


def list_doctors(desk: Desk) -> list[DoctorChoice]:
    """Every active doctor, for "the patient asks for Dr X" and for overriding."""
    with desk.db.read() as session:
        rows = session.execute(
            select(Staff).join(StaffRole).where(StaffRole.role == Role.DOCTOR,
                                                Staff.active.is_(True))
            .order_by(Staff.staff_number)).scalars()
        return [DoctorChoice(s.id, s.staff_number, s.full_name, s.sex) for s in rows]
