"""Staff: the people who log in or are assigned patients, their roles and their schedules."""

from __future__ import annotations

import enum
from datetime import date, time

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_desk.models.base import Base, Timestamp


class Role(enum.StrEnum):
    RECEPTIONIST = "receptionist"
    CASHIER = "cashier"
    MANAGER = "manager"
    DOCTOR = "doctor"


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"


class Staff(Base):
    """A member of staff; doctors may have no login, every other role has one."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_number: Mapped[str] = mapped_column(String(20), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[Sex]
    phone: Mapped[str | None] = mapped_column(String(40))
    username: Mapped[str | None] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Timestamp | None]
    created_at: Mapped[Timestamp]

    roles: Mapped[list[StaffRole]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", lazy="selectin")
    working_hours: Mapped[list[WorkingHours]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", lazy="selectin",
        order_by="(WorkingHours.weekday, WorkingHours.start_time)")

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)


class StaffRole(Base):
    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("staff_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role]

    staff: Mapped[Staff] = relationship(back_populates="roles")


class WorkingHours(Base):
    """One working interval on one weekday (0 = Monday); several make a split shift."""

    __tablename__ = "working_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]

    staff: Mapped[Staff] = relationship(back_populates="working_hours")


class Absence(Base):
    """A day off or a one-off absence (leave, training) of a member of staff."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[Timestamp]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    cancelled_at: Mapped[Timestamp | None]
