"""A posted receipt, as read back by `services.receipts`, laid out as a `ReceiptDocument`.

The copy mark comes from how often the receipt was printed before: the first print is the
original, every later one says 副本 / COPY with its count.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_percent

from clinic_desk.i18n import babel_locale
from clinic_desk.printing.paper import Paper
from clinic_desk.printing.receipt import (NextAppointment, ReceiptDiscount, ReceiptDocument,
                                          ReceiptLine, ReceiptPayment, render_receipt)
from clinic_desk.services.receipts import ReceiptData, ReceiptPaymentLine, ReceiptReduction


def payment_detail(payment: ReceiptPaymentLine) -> str:
    """The card (type and last 4 digits) and the transaction reference, as far as known."""
    card = " ".join(part for part in (payment.card_type,
                                      f"****{payment.card_last4}" if payment.card_last4 else "")
                    if part)
    return " · ".join(part for part in (card, payment.reference) if part)


def discount_description(reason: str, percent_basis_points: int | None, language: str) -> str:
    """The reason, with the percentage when the discount was given as one: "会员 (5%)"."""
    if percent_basis_points is None:
        return reason
    share = format_percent(Decimal(percent_basis_points) / 10000, locale=babel_locale(language))
    return f"{reason} ({share})"


def _discount(discount: ReceiptReduction, language: str) -> ReceiptDiscount:
    return ReceiptDiscount(discount_description(discount.reason, discount.percent_basis_points,
                                                language), discount.amount)


def receipt_document(data: ReceiptData, language: str) -> ReceiptDocument:
    clinic = data.clinic
    appointment = data.next_appointment
    return ReceiptDocument(
        clinic_name=clinic.clinic_name, clinic_address=clinic.address, clinic_phone=clinic.phone,
        receipt_number=data.number, issued_at=data.issued_at, timezone=clinic.timezone,
        patient_name=data.patient_name, record_number=data.record_number,
        cashier_name=data.cashier_name, currency=clinic.currency,
        lines=tuple(ReceiptLine(i.description, i.category, i.quantity, i.unit_price, i.amount,
                                i.doctor_name, i.position_note) for i in data.items),
        discounts=tuple(_discount(d, language) for d in data.discounts),
        total_charged=data.total_charged, earlier_balance=data.earlier_balance,
        paid_today=data.paid_today,
        payments=tuple(ReceiptPayment(p.method_name, p.amount, payment_detail(p))
                       for p in data.payments),
        balance_after=data.balance_after, change_given=data.change_given,
        next_appointment=NextAppointment(appointment.starts_at, appointment.doctor_name)
        if appointment else None,
        copy_number=data.prints)


def render_posted_receipt(data: ReceiptData, paper: Paper, language: str | None = None) -> bytes:
    """The receipt's PDF in `language` (default: the clinic's language for printed papers)."""
    language = language or data.clinic.language
    return render_receipt(receipt_document(data, language), paper, language)
