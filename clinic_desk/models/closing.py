"""Day closings (日结): the counted drawer, method totals, handover and re-openings.

A closing row is immutable. Re-opening a day adds a `DayReopening`; closing it again adds
a new `DayClosing` with a higher `version` that names the one it supersedes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desk.models.base import Base, Money, Timestamp


class DayClosing(Base):
    __tablename__ = "day_closings"
    __table_args__ = (UniqueConstraint("business_date", "cash_station_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    business_date: Mapped[date] = mapped_column(index=True)
    cash_station_id: Mapped[int | None] = mapped_column(ForeignKey("cash_stations.id"))
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("day_closings.id"))
    opening_float: Mapped[Money]
    cash_taken: Mapped[Money]
    cash_refunded: Mapped[Money]
    expected_cash: Mapped[Money]
    counted_cash: Mapped[Money]
    difference: Mapped[Money]
    #: Cash left in the drawer: the next close's opening float; the rest is handed over.
    float_kept: Mapped[Money] = mapped_column(server_default="0")
    explanation: Mapped[str] = mapped_column(Text, default="")
    difference_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    closed_at: Mapped[Timestamp]
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    audit_head_id: Mapped[int | None]
    audit_head_hash: Mapped[str] = mapped_column(String(64), default="")


class DayClosingMethodTotal(Base):
    """The program's total for one payment method against the terminal's/merchant's figure."""

    __tablename__ = "day_closing_method_totals"

    id: Mapped[int] = mapped_column(primary_key=True)
    closing_id: Mapped[int] = mapped_column(ForeignKey("day_closings.id"), index=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("payment_methods.id"))
    system_total: Mapped[Money]
    reported_total: Mapped[Money | None]
    difference: Mapped[Money]


class CashCountLine(Base):
    """How many notes or coins of one denomination were counted in the drawer."""

    __tablename__ = "cash_count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    closing_id: Mapped[int] = mapped_column(ForeignKey("day_closings.id"), index=True)
    denomination: Mapped[Money]
    count: Mapped[int]


class DayHandover(Base):
    """The designated receiver accepting a closing under their own login (交接)."""

    __tablename__ = "day_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    closing_id: Mapped[int] = mapped_column(ForeignKey("day_closings.id"), unique=True)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    received_at: Mapped[Timestamp]
    note: Mapped[str] = mapped_column(Text, default="")


class DayReopening(Base):
    """A manager re-opening a closed day, with the reason."""

    __tablename__ = "day_reopenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    closing_id: Mapped[int] = mapped_column(ForeignKey("day_closings.id"), unique=True)
    reopened_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reopened_at: Mapped[Timestamp]
    reason: Mapped[str] = mapped_column(Text)
