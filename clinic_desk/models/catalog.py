"""The clinic's own lists and settings: everything a clinic changes without a new program."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desk.models.base import Base, Money, Timestamp


class Setting(Base):
    """One clinic setting as JSON text; the keys and defaults live in `services/settings.py`."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[Timestamp]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class Counter(Base):
    """Gap-free numbering (record numbers, receipts, refund slips, closings).

    A number is taken inside the transaction that uses it, so a rolled-back action
    gives its number back and the series never has a hole.
    """

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class _ListItem:
    """Columns shared by every clinic-managed list (name, order, active flag)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class PriceCategory(_ListItem, Base):
    """检查, 治疗, 药品, 材料 ...: receipts and reports subtotal by these."""

    __tablename__ = "price_categories"


class PriceListItem(Base):
    __tablename__ = "price_list_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category_id: Mapped[int] = mapped_column(ForeignKey("price_categories.id"), index=True)
    price: Mapped[Money]
    unit: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)


class VisitKind(_ListItem, Base):
    """初诊, 复诊, 咨询 ... (an eye clinic has 验光, 青光眼 ...)."""

    __tablename__ = "visit_kinds"

    code: Mapped[str] = mapped_column(String(30), unique=True)
    default_units: Mapped[int] = mapped_column(default=1)
    average_minutes: Mapped[int] = mapped_column(default=20)


class PaymentKind(enum.StrEnum):
    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    DEPOSIT = "deposit"
    OTHER = "other"


class PaymentMethod(_ListItem, Base):
    __tablename__ = "payment_methods"

    kind: Mapped[PaymentKind]
    needs_card_digits: Mapped[bool] = mapped_column(default=False)
    needs_reference: Mapped[bool] = mapped_column(default=False)


class ConditionKind(_ListItem, Base):
    """Conditions flagged wherever the patient appears (allergy, pregnancy, ...)."""

    __tablename__ = "condition_kinds"

    colour: Mapped[str] = mapped_column(String(9), default="#d32f2f")


class ReferralSource(_ListItem, Base):
    """How patients heard of the clinic (来源渠道)."""

    __tablename__ = "referral_sources"


class Room(_ListItem, Base):
    """A treatment room or chair: patients are called to it, the calendar may use it."""

    __tablename__ = "rooms"


class Station(_ListItem, Base):
    """A waiting stop on a visit's way (验光, dilation, doctor ...), each with its own queue."""

    __tablename__ = "stations"

    is_doctor: Mapped[bool] = mapped_column(default=True)
    min_wait_minutes: Mapped[int] = mapped_column(default=0)


class CashStation(_ListItem, Base):
    """A till: each closes its own drawer at day end."""

    __tablename__ = "cash_stations"


class RefundReason(_ListItem, Base):
    __tablename__ = "refund_reasons"
