"""The money ledger: charges, discounts, payments, receipts, refunds and corrections.

Every table here is append-only (database triggers refuse UPDATE and DELETE, see
`append_only.py`). A mistake is undone by a reversing row that points at the row it
reverses and at the correction that explains it; the original row never changes.

A patient's balance = charges − discounts − payments + refunds.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desk.models.base import Base, Money, Timestamp


class Charge(Base):
    """An item of the price list charged on a visit, with the doctor who did the work."""

    __tablename__ = "charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    price_item_id: Mapped[int | None] = mapped_column(ForeignKey("price_list_items.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("price_categories.id"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_price: Mapped[Money]
    amount: Mapped[Money]
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    position_note: Mapped[str] = mapped_column(String(100), default="")
    business_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[Timestamp]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reverses_charge_id: Mapped[int | None] = mapped_column(ForeignKey("charges.id"))
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("corrections.id"), index=True)


class Discount(Base):
    """A reduction of what is due; above the clinic's limit a manager approved it."""

    __tablename__ = "discounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("charges.id"))
    percent_basis_points: Mapped[int | None]
    amount: Mapped[Money]
    reason: Mapped[str] = mapped_column(String(300), default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    business_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[Timestamp]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reverses_discount_id: Mapped[int | None] = mapped_column(ForeignKey("discounts.id"))
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("corrections.id"), index=True)


class Receipt(Base):
    """A numbered receipt (收据); its figures are frozen when it is issued."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    total_charged: Mapped[Money]
    paid_today: Mapped[Money]
    balance_after: Mapped[Money]
    business_date: Mapped[date] = mapped_column(index=True)
    issued_at: Mapped[Timestamp]
    cashier_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class Payment(Base):
    """Money received (positive) or a reversal of it (negative, with `reverses_payment_id`).

    `idempotency_key` is made by the client before posting, so a retry after a crash or a
    double click finds the first posting instead of making a second one.
    """

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("payment_methods.id"))
    amount: Mapped[Money]
    tendered: Mapped[Money | None]
    change_given: Mapped[Money | None]
    card_type: Mapped[str] = mapped_column(String(30), default="")
    card_last4: Mapped[str] = mapped_column(String(4), default="")
    reference: Mapped[str] = mapped_column(String(80), default="", index=True)
    is_deposit: Mapped[bool] = mapped_column(default=False)
    cash_station_id: Mapped[int | None] = mapped_column(ForeignKey("cash_stations.id"))
    business_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[Timestamp]
    cashier_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reverses_payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("corrections.id"), index=True)


class Refund(Base):
    """Money paid back to the patient, linked to the payment it comes out of."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("charges.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    method_id: Mapped[int] = mapped_column(ForeignKey("payment_methods.id"))
    amount: Mapped[Money]
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("refund_reasons.id"))
    reason_detail: Mapped[str] = mapped_column(Text)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approval_opinion: Mapped[str] = mapped_column(Text, default="")
    receiver_name: Mapped[str] = mapped_column(String(100))
    cash_station_id: Mapped[int | None] = mapped_column(ForeignKey("cash_stations.id"))
    business_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[Timestamp]
    cashier_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class DocumentPrint(Base):
    """Each printing of a receipt or refund slip; the first is the original, later ones copies."""

    __tablename__ = "document_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), index=True)
    copy_number: Mapped[int]
    printed_at: Mapped[Timestamp]
    printed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    printer_name: Mapped[str] = mapped_column(String(200), default="")


class Correction(Base):
    """An entry of the correction register (更改登记): what was wrong, why, how it was fixed."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    what_was_wrong: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    how_corrected: Mapped[str] = mapped_column(Text)
    business_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[Timestamp]
    cashier_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
