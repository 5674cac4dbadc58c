"""Patients and the conditions flagged on them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_desk.models.base import Base, Timestamp
from clinic_desk.models.staff import Sex


class Patient(Base):
    """A patient of the clinic, known by the clinic record number (病历号).

    A caller booked by phone is registered with name and phone only: sex and date of birth
    stay empty until the desk completes them when the patient arrives.
    """

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_number: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    sex: Mapped[Sex | None]
    birth_date: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(40), index=True)
    phone_last4: Mapped[str] = mapped_column(String(4), index=True)
    national_id: Mapped[str | None] = mapped_column(String(18), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    referral_source_id: Mapped[int | None] = mapped_column(ForeignKey("referral_sources.id"))
    preferred_doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    vip: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Timestamp]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[Timestamp]

    conditions: Mapped[list[PatientCondition]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", lazy="selectin")
    search_terms: Mapped[list[PatientSearchTerm]] = relationship(
        cascade="all, delete-orphan", lazy="select")


class PatientCondition(Base):
    __tablename__ = "patient_conditions"
    __table_args__ = (UniqueConstraint("patient_id", "condition_kind_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"),
                                            index=True)
    condition_kind_id: Mapped[int] = mapped_column(ForeignKey("condition_kinds.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    patient: Mapped[Patient] = relationship(back_populates="conditions")


class PatientSearchTerm(Base):
    """One form a patient is found by: a pinyin reading (initials or full), a tail of the
    name (so any part of it is a prefix of some term), or the phone number.

    Type-ahead is then an indexed range scan, `term >= 'zs' AND term < 'zs\uffff'`, in
    plain SQL that every database runs fast; rows are rewritten whenever the name or the
    phone changes.
    """

    __tablename__ = "patient_search_terms"
    __table_args__ = (UniqueConstraint("term", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"),
                                            index=True)
    term: Mapped[str] = mapped_column(String(60))
