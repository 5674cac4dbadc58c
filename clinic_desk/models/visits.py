"""Visits (one patient's day at the clinic) and their waits at each station."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desk.models.base import Base, Timestamp


class VisitState(enum.StrEnum):
    OPEN = "open"            # in the clinic, somewhere in the queue
    TO_CASHIER = "to_cashier"  # treatment done, waiting to pay
    FINISHED = "finished"
    LEFT = "left"            # left without being seen
    CONVERTED = "converted"  # would not wait, booked an appointment instead


class AssignmentRule(enum.StrEnum):
    """Which rule of the front desk chose the doctor (shown to the receptionist)."""

    SAME_DOCTOR = "same_doctor"
    RETREATMENT = "retreatment"
    ROTATION = "rotation"
    PREFERRED_DOCTOR = "preferred_doctor"
    PREFERRED_SEX = "preferred_sex"
    APPOINTMENT = "appointment"
    EMERGENCY = "emergency"
    OVERRIDE = "override"


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_business_date_state", "business_date", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    business_date: Mapped[date]
    visit_kind_id: Mapped[int] = mapped_column(ForeignKey("visit_kinds.id"))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    helping_doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    assignment_rule: Mapped[AssignmentRule]
    override_reason: Mapped[str] = mapped_column(String(500), default="")
    refused_doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    chief_complaint: Mapped[str] = mapped_column(Text, default="")
    emergency: Mapped[bool] = mapped_column(default=False)
    state: Mapped[VisitState] = mapped_column(default=VisitState.OPEN)
    checked_in_at: Mapped[Timestamp]
    checked_in_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    ended_at: Mapped[Timestamp | None]
    end_reason: Mapped[str] = mapped_column(String(500), default="")


class QueueState(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    IN_TREATMENT = "in_treatment"
    DONE = "done"
    LEFT = "left"
    CONVERTED = "converted"
    TRANSFERRED = "transferred"


class QueueEntry(Base):
    """A visit's wait at one station, with a timestamp for every state it passes."""

    __tablename__ = "queue_entries"
    __table_args__ = (Index("ix_queue_entries_state_station", "state", "station_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    state: Mapped[QueueState] = mapped_column(default=QueueState.WAITING)
    priority_adjust: Mapped[int] = mapped_column(default=0)
    entered_at: Mapped[Timestamp]
    called_at: Mapped[Timestamp | None]
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    treatment_started_at: Mapped[Timestamp | None]
    done_at: Mapped[Timestamp | None]
    left_at: Mapped[Timestamp | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
    alert_acknowledged_at: Mapped[Timestamp | None]
    alert_acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(default=1)


class NotificationKind(enum.StrEnum):
    EMERGENCY = "emergency"
    COMPLAINT = "complaint"
    WAIT_ALERT = "wait_alert"


class Notification(Base):
    """Something the manager (or the desk) must be told: an emergency, a complaint."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotificationKind]
    created_at: Mapped[Timestamp]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    message: Mapped[str] = mapped_column(Text)
    read_at: Mapped[Timestamp | None]
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
