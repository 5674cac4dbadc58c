"""Appointments in 15-minute units, and every change made to them."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desk.models.base import Base, Timestamp

UNIT_MINUTES = 15


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_doctor_start", "doctor_id", "starts_at"),
                      Index("ix_appointments_status_start", "status", "starts_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    visit_kind_id: Mapped[int] = mapped_column(ForeignKey("visit_kinds.id"))
    starts_at: Mapped[Timestamp] = mapped_column(index=True)
    units: Mapped[int]
    status: Mapped[AppointmentStatus] = mapped_column(default=AppointmentStatus.BOOKED)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Timestamp]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(default=1)


class AppointmentChangeKind(enum.StrEnum):
    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"


class AppointmentChange(Base):
    """History of an appointment: every booking, reschedule (改约) and status change."""

    __tablename__ = "appointment_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    kind: Mapped[AppointmentChangeKind]
    at: Mapped[Timestamp]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    old_doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    old_starts_at: Mapped[Timestamp | None]
    old_units: Mapped[int | None]
    new_doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    new_starts_at: Mapped[Timestamp | None]
    new_units: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
