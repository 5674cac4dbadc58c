"""Follow-up and reminder calls (回访, 提醒确认) and each attempt to make them."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desk.models.base import Base, Timestamp


class FollowUpKind(enum.StrEnum):
    REMINDER = "reminder"              # the day before an appointment
    SAME_EVENING = "same_evening"      # after treatment
    ONE_YEAR = "one_year"              # the free check a year after treatment
    NO_SHOW = "no_show"                # at once, 3 days, 1 week, 1 month


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class CallOutcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    UNREACHABLE = "unreachable"
    SPOKE = "spoke"
    BOOKED = "booked"


class FollowUp(Base):
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FollowUpKind]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    due_date: Mapped[date] = mapped_column(index=True)
    step: Mapped[int] = mapped_column(default=0)
    status: Mapped[FollowUpStatus] = mapped_column(default=FollowUpStatus.OPEN)
    created_at: Mapped[Timestamp]


class FollowUpCall(Base):
    """One call attempt and what came of it."""

    __tablename__ = "follow_up_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_ups.id"), index=True)
    at: Mapped[Timestamp]
    by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    outcome: Mapped[CallOutcome]
    note: Mapped[str] = mapped_column(Text, default="")
    booked_appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
