"""The right values of a corrected entry, one page per kind of entry, filled in from the
wrong entry so the cashier changes only what was wrong."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.money import format_plain
from clinic_desk.services import catalog
from clinic_desk.services.cashdesk import MAX_QUANTITY
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Desk
from clinic_desk.services.corrections import (ChargeEntry, DiscountEntry, PaymentEntry,
                                              RightCharge, RightDiscount, RightPayment,
                                              patient_visits)
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.patient_search import search_patients
from clinic_desk.ui.field_errors import FieldErrors
from clinic_desk.ui.widgets import data_combo, select_data


class PaymentPage(QWidget):
    """Who paid (record number), for which visit, by which method, how much, card and
    reference: a payment posted to the wrong patient is put right by typing the right one."""

    def __init__(self, desk: Desk, currency: str, errors: FieldErrors) -> None:
        super().__init__()
        self.desk, self.currency = desk, currency
        self.methods = {m.id: m for m in catalog.list_payment_methods(desk) if m.active}
        self.patient_id: int | None = None
        self.record_number = QLineEdit(objectName="payment_record_number")
        self.patient_name = QLabel(objectName="payment_patient_name")
        self.patient_name.setProperty("role", "hint")
        self.visit = QComboBox(objectName="payment_visit")
        self.method = data_combo((m.name, m.id) for m in self.methods.values())
        self.method.setObjectName("payment_method")
        self.amount = QLineEdit(objectName="payment_amount")
        self.card_type = QLineEdit(objectName="payment_card_type")
        self.card_last4 = QLineEdit(objectName="payment_card_last4", maxLength=4)
        self.reference = QLineEdit(objectName="payment_reference")
        form = QFormLayout(self)
        errors.add_row(form, _("Patient's record number"), "payment.patient_id",
                       self.record_number)
        form.addRow("", self.patient_name)
        for label, field, widget in (
                (_("Visit"), "payment.visit_id", self.visit),
                (_("Payment method"), "payment.method", self.method),
                (_("Amount"), "payment.amount", self.amount),
                (_("Card type"), "payment.card_type", self.card_type),
                (_("Card's last 4 digits"), "payment.card_last4", self.card_last4),
                (_("Reference"), "payment.reference", self.reference)):
            errors.add_row(form, label, field, widget)
        self.record_number.editingFinished.connect(self.find_patient)
        self.method.currentIndexChanged.connect(lambda _index: self._show_card_fields())

    def fill(self, entry: PaymentEntry) -> None:
        self.record_number.setText(entry.record_number)
        self._show_patient(entry.patient_id, entry.patient_name)
        select_data(self.visit, entry.visit_id)
        select_data(self.method, entry.method_id)
        self.amount.setText(format_plain(entry.amount, self.currency))
        self.card_type.setText(entry.card_type)
        self.card_last4.setText(entry.card_last4)
        self.reference.setText(entry.reference)
        self._show_card_fields()

    def find_patient(self) -> None:
        """The patient with exactly this record number, and their visits."""
        number = self.record_number.text().strip()
        found = next((p for p in search_patients(self.desk, number)
                      if p.record_number == number), None) if number else None
        if found is None:
            self.patient_id = None
            self.patient_name.setText("")
            self.visit.clear()
        elif found.id != self.patient_id:
            self._show_patient(found.id, found.name)

    def _show_patient(self, patient_id: int, name: str) -> None:
        self.patient_id = patient_id
        self.patient_name.setText(name)
        self.visit.clear()
        self.visit.addItem(_("No visit (on account)"), None)
        for visit in patient_visits(self.desk, patient_id):
            text = format_date(visit.business_date)
            if visit.doctor_name:
                text += " · " + _("Dr {name}").format(name=visit.doctor_name)
            self.visit.addItem(text, visit.visit_id)
        self.visit.setCurrentIndex(1 if self.visit.count() > 1 else 0)

    def _show_card_fields(self) -> None:
        method = self.methods.get(self.method.currentData())
        needs_card = method is not None and method.needs_card_digits
        self.card_type.setEnabled(needs_card)
        self.card_last4.setEnabled(needs_card)

    def right(self) -> RightPayment:
        self.find_patient()
        if self.patient_id is None:
            raise ValidationError.single("payment.patient_id",
                                         _("No patient has this record number."))
        return RightPayment(
            patient_id=self.patient_id, visit_id=self.visit.currentData(),
            method_id=self.method.currentData() or 0, amount_text=self.amount.text(),
            card_type=self.card_type.text() if self.card_type.isEnabled() else "",
            card_last4=self.card_last4.text() if self.card_last4.isEnabled() else "",
            reference=self.reference.text())


class ChargePage(QWidget):
    """Item, quantity, the doctor who did the work and the tooth or eye position."""

    def __init__(self, desk: Desk, errors: FieldErrors) -> None:
        super().__init__()
        self.items = catalog.list_price_items(desk)
        self.item = QComboBox(objectName="charge_item")
        self.quantity = QSpinBox(objectName="charge_quantity", minimum=1, maximum=MAX_QUANTITY)
        self.doctor = data_combo([(_("none"), None)]
                                 + [(d.name, d.id) for d in list_doctors(desk)])
        self.doctor.setObjectName("charge_doctor")
        self.position = QLineEdit(objectName="charge_position_note")
        form = QFormLayout(self)
        for label, field, widget in (
                (_("Item"), "charge.item", self.item),
                (_("Quantity"), "charge.quantity", self.quantity),
                (_("Doctor"), "charge.doctor_id", self.doctor),
                (_("Tooth or eye position"), "charge.position_note", self.position)):
            errors.add_row(form, label, field, widget)

    def fill(self, entry: ChargeEntry) -> None:
        # the price list as it is, and the charged item even if it has left the list since
        self.item.clear()
        for item in self.items:
            if item.active or item.id == entry.price_item_id:
                self.item.addItem(f"{item.code} · {item.name}", item.id)
        select_data(self.item, entry.price_item_id)
        self.quantity.setValue(entry.quantity)
        if self.doctor.findData(entry.doctor_id) < 0 and entry.doctor_id is not None:
            self.doctor.addItem(entry.doctor_name, entry.doctor_id)
        select_data(self.doctor, entry.doctor_id)
        self.position.setText(entry.position_note)

    def right(self) -> RightCharge:
        return RightCharge(price_item_id=self.item.currentData() or 0,
                           quantity=self.quantity.value(), doctor_id=self.doctor.currentData(),
                           position_note=self.position.text())


class DiscountPage(QWidget):
    def __init__(self, currency: str, errors: FieldErrors) -> None:
        super().__init__()
        self.currency = currency
        self.amount = QLineEdit(objectName="discount_amount")
        self.reason = QLineEdit(objectName="discount_reason")
        form = QFormLayout(self)
        errors.add_row(form, _("Discount"), "discount.amount", self.amount)
        errors.add_row(form, _("Reason for the discount"), "discount.reason", self.reason)

    def fill(self, entry: DiscountEntry) -> None:
        self.amount.setText(format_plain(entry.amount, self.currency))
        self.reason.setText(entry.reason)

    def right(self) -> RightDiscount:
        return RightDiscount(amount_text=self.amount.text(), reason=self.reason.text())
