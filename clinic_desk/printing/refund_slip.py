"""The refund slip (退款单): the paper trail of one refund, signed by everyone involved.

The clinic's refund rules want the reason stated by a doctor, a manager's opinion, the cashier
who paid out and the patient's own signature as receiver, and a "paid in cash" stamp with the
date when cash left the drawer. Chinese slips also write the amount in capital numerals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, gettext as _, use_language
from clinic_desk.money import format_money
from clinic_desk.printing.capital_numerals import to_capital_numerals
from clinic_desk.printing.fonts import styles
from clinic_desk.printing.layout import (Stamp, build_pdf, clinic_header, details_table,
                                         local_date_time, require_aware, rule, signature_block)
from clinic_desk.printing.paper import Paper
from clinic_desk.services.refunds import RefundSlipData

#: Capital numerals are written for the renminbi only; 港币/新台币 slips are not in scope.
_CAPITAL_NUMERAL_CURRENCIES = frozenset({"CNY"})
_TRADITIONAL_REGIONS = frozenset({"TW", "HK", "MO"})


@dataclass(frozen=True)
class RefundSlipDocument:
    """Everything printed on a refund slip, already looked up; amounts in minor units."""

    clinic_name: str
    clinic_address: str
    clinic_phone: str
    slip_number: str
    refunded_at: datetime
    timezone: str
    patient_name: str
    record_number: str
    first_visit: date | None
    currency: str
    total_paid: int
    amount_refunded: int
    reason_category: str
    reason_detail: str
    doctor_name: str  # the doctor who states the reason
    manager_name: str
    manager_opinion: str
    cashier_name: str
    receiver_name: str
    method_name: str
    is_cash: bool
    copy_number: int = 0
    refunded_item: str = ""  # empty when an amount was refunded
    receipt_number: str = ""  # of the payment the money came out of

    def __post_init__(self) -> None:
        require_aware(self.refunded_at, "refunded_at")
        if self.copy_number < 0:
            raise ValueError("copy_number cannot be negative")
        if not 0 < self.amount_refunded <= self.total_paid:
            raise ValueError("amount_refunded must be positive and at most total_paid")


def capital_amount(minor_units: int, currency: str, language: str) -> str | None:
    """The amount in capital numerals when the slip is Chinese and in renminbi, else None."""
    code, _sep, region = language.replace("-", "_").partition("_")
    if code != "zh" or currency not in _CAPITAL_NUMERAL_CURRENCIES:
        return None
    traditional = region in _TRADITIONAL_REGIONS or region.startswith("Hant")
    return to_capital_numerals(minor_units, traditional=traditional)


def render_refund_slip(doc: RefundSlipDocument, paper: Paper, language: str) -> bytes:
    """The refund slip as PDF bytes, in `language` whatever the screens show."""
    with use_language(language):
        spec = paper.spec
        st = styles(spec.font_size)
        tz = zone(doc.timezone)

        def money(minor: int) -> str:
            return format_money(minor, doc.currency, language)

        title = _("REFUND SLIP")
        amount_label = _("Amount refunded")
        flow: list[Flowable] = clinic_header(doc.clinic_name, doc.clinic_address,
                                             doc.clinic_phone, title, doc.copy_number, spec, st)
        # Short facts side by side on a sheet (a roll has one column), so an A5 slip with
        # every field and its four signature lines stays on one page.
        side_by_side = 1 if spec.is_roll else 2
        facts = [
            (_("Slip no."), doc.slip_number),
            (_("Refund date"), local_date_time(doc.refunded_at, tz)),
            (_("Patient"), doc.patient_name),
            (_("Record number"), doc.record_number),
            (_("First visit date"),
             format_date(doc.first_visit, "medium") if doc.first_visit else "—"),
            (_("Total paid"), money(doc.total_paid)),
            (_("Refund method"), doc.method_name),
        ]
        if doc.receipt_number:
            facts.append((_("Paid on receipt no."), doc.receipt_number))
        what = [(_("Refunded item"), doc.refunded_item)] if doc.refunded_item else []
        what.append((amount_label, money(doc.amount_refunded)))
        in_words = capital_amount(doc.amount_refunded, doc.currency, language)
        if in_words:
            what.append((_("Amount in words"), in_words))
        what.append((_("Refund reason"), "\n".join(filter(None, (doc.reason_category,
                                                                 doc.reason_detail)))))
        people = [(_("Reason stated by"), doc.doctor_name), (_("Manager"), doc.manager_name),
                  (_("Cashier"), doc.cashier_name), (_("Received by"), doc.receiver_name)]
        flow += [details_table(facts, spec, st, pairs_per_row=side_by_side), rule(spec),
                 details_table(what, spec, st, strong=(amount_label,)), rule(spec),
                 details_table(people, spec, st, pairs_per_row=side_by_side),
                 details_table([(_("Manager's opinion"), doc.manager_opinion)], spec, st),
                 rule(spec)]
        if doc.is_cash:
            local_day = doc.refunded_at.astimezone(tz).date()
            flow.append(Stamp(_("PAID IN CASH"), format_date(local_day, "medium"), spec))
        flow.append(signature_block([
            (_("Doctor"), doc.doctor_name),
            (_("Manager"), doc.manager_name),
            (_("Cashier"), doc.cashier_name),
            (_("Patient (receiver)"), doc.receiver_name),
        ], spec, st))
        return build_pdf(flow, paper, f"{title} {doc.slip_number}")


def slip_document(data: RefundSlipData) -> RefundSlipDocument:
    """A recorded refund as its slip; printed before, it is the next copy."""
    refund, clinic = data.refund, data.clinic
    return RefundSlipDocument(
        clinic_name=clinic.clinic_name, clinic_address=clinic.address,
        clinic_phone=clinic.phone, slip_number=refund.number, refunded_at=refund.refunded_at,
        timezone=clinic.timezone, patient_name=refund.patient_name,
        record_number=refund.record_number, first_visit=refund.first_visit,
        currency=clinic.currency, total_paid=refund.total_paid, amount_refunded=refund.amount,
        reason_category=refund.reason, reason_detail=refund.reason_detail,
        doctor_name=refund.doctor_name, manager_name=refund.manager_name,
        manager_opinion=refund.opinion, cashier_name=refund.cashier_name,
        receiver_name=refund.receiver_name, method_name=refund.method_name,
        is_cash=refund.is_cash, copy_number=data.prints, refunded_item=refund.item,
        receipt_number=refund.receipt_number)


def render_recorded_slip(data: RefundSlipData, paper: Paper,
                         language: str | None = None) -> bytes:
    """The slip's PDF in `language` (default: the clinic's language for printed papers)."""
    return render_refund_slip(slip_document(data), paper, language or data.clinic.language)
