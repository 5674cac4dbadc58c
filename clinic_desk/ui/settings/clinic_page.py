"""Clinic settings: printed name and address, currency, language, time zone, thresholds,
and the calendar's opening hours and columns."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import available_timezones

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from clinic_desk.i18n import gettext as _
from clinic_desk.money import AmountError, format_plain, parse_amount
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.settings import (ClinicSettings, get_settings, opening_hours,
                                           save_settings)
from clinic_desk.ui.calendar.time_inputs import QuarterTimeEdit
from clinic_desk.ui.field_errors import FieldErrors
from clinic_desk.ui.widgets import (DISPLAY_NAME_TEXTS, currency_combo, data_combo,
                                    language_combo, select_data)


def _minutes_box(object_name: str) -> QSpinBox:
    box = QSpinBox(objectName=object_name)
    box.setRange(0, 999)
    box.setSuffix(" " + _("min"))
    return box


class ClinicPage(QWidget):
    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor = actor
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.general_error = QLabel()
        self.errors = FieldErrors(self.general_error)
        add = lambda label, field, widget: self.errors.add_row(form, label, field, widget)  # noqa: E731
        self.clinic_name = QLineEdit(objectName="clinic_name")
        self.address = QLineEdit(objectName="address")
        self.phone = QLineEdit(objectName="phone")
        self.currency = currency_combo()
        self.currency.setObjectName("currency")
        self.language = language_combo()
        self.language.setObjectName("language")
        self.timezone = QComboBox(objectName="timezone")
        self.timezone.setEditable(True)
        self.timezone.addItems(sorted(z for z in available_timezones() if "/" in z))
        self.record_number_format = QLineEdit(objectName="record_number_format")
        self.record_number_format.setToolTip(_(
            "{n} is the running number; {n:06d} pads it to six digits, P{n:06d} adds a prefix."))
        self.alert_first = _minutes_box("wait_alert_first_minutes")
        self.alert_second = _minutes_box("wait_alert_second_minutes")
        self.discount_limit = QSpinBox(objectName="discount_limit_percent")
        self.discount_limit.setRange(0, 999)
        self.discount_limit.setSuffix(" %")
        add(_("Clinic name"), "clinic_name", self.clinic_name)
        add(_("Address"), "address", self.address)
        add(_("Phone"), "phone", self.phone)
        add(_("Currency"), "currency", self.currency)
        add(_("Language of printed documents"), "language", self.language)
        add(_("Time zone"), "timezone", self.timezone)
        add(_("Record number format"), "record_number_format", self.record_number_format)
        add(_("First wait alert after"), "wait_alert_first_minutes", self.alert_first)
        add(_("Second wait alert after"), "wait_alert_second_minutes", self.alert_second)
        add(_("Discounts above this need a manager"), "discount_limit_percent",
            self.discount_limit)
        self.display_names = data_combo(
            (_(text), mode.value) for mode, text in DISPLAY_NAME_TEXTS.items())
        self.display_names.setObjectName("display_name_mode")
        add(_("Names on the waiting-room screen"), "display_name_mode", self.display_names)
        self.closing_tolerance = QLineEdit(objectName="closing_tolerance")
        self.closing_approval_limit = QLineEdit(objectName="closing_approval_limit")
        add(_("Till differences above this need an explanation"), "closing_tolerance",
            self.closing_tolerance)
        add(_("Till differences above this need a manager"), "closing_approval_limit",
            self.closing_approval_limit)
        self.opens_at = QuarterTimeEdit(objectName="opens_at")
        self.closes_at = QuarterTimeEdit(objectName="closes_at")
        self.calendar_by_chair = QCheckBox(
            _("The calendar's day has a column per chair, not per doctor"),
            objectName="calendar_by_chair")
        add(_("The clinic opens at"), "opens_at", self.opens_at)
        add(_("The clinic closes at"), "closes_at", self.closes_at)
        add("", "calendar_by_chair", self.calendar_by_chair)
        layout.addWidget(self.general_error)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(_("Save"), objectName="save")
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel(objectName="saved")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.saved_label)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addStretch()
        self.load()

    def load(self) -> None:
        self.current = get_settings(self.desk)
        self.clinic_name.setText(self.current.clinic_name)
        self.address.setText(self.current.address)
        self.phone.setText(self.current.phone)
        select_data(self.currency, self.current.currency)
        select_data(self.language, self.current.language)
        self.timezone.setCurrentText(self.current.timezone)
        self.record_number_format.setText(self.current.record_number_format)
        self.alert_first.setValue(self.current.wait_alert_first_minutes)
        self.alert_second.setValue(self.current.wait_alert_second_minutes)
        self.discount_limit.setValue(self.current.discount_limit_percent)
        select_data(self.display_names, self.current.display_name_mode)
        for edit, amount in ((self.closing_tolerance, self.current.closing_tolerance),
                             (self.closing_approval_limit, self.current.closing_approval_limit)):
            edit.setText(format_plain(amount, self.current.currency))
        opens, closes = opening_hours(self.current)
        self.opens_at.set_value(opens)
        self.closes_at.set_value(closes)
        self.calendar_by_chair.setChecked(self.current.calendar_by_chair)

    def _amount(self, edit: QLineEdit, field: str) -> int:
        try:
            return parse_amount(edit.text(), self.currency.currentData())
        except AmountError as error:
            raise ValidationError.single(field, error.message) from None

    def form_data(self) -> ClinicSettings:
        """The form as settings; an amount that is not one is refused at its field."""
        return replace(
            self.current, clinic_name=self.clinic_name.text(), address=self.address.text(),
            phone=self.phone.text(), currency=self.currency.currentData(),
            language=self.language.currentData(), timezone=self.timezone.currentText().strip(),
            record_number_format=self.record_number_format.text().strip(),
            wait_alert_first_minutes=self.alert_first.value(),
            wait_alert_second_minutes=self.alert_second.value(),
            discount_limit_percent=self.discount_limit.value(),
            display_name_mode=self.display_names.currentData(),
            opens_at=self.opens_at.value().strftime("%H:%M"),
            closes_at=self.closes_at.value().strftime("%H:%M"),
            calendar_by_chair=self.calendar_by_chair.isChecked(),
            closing_tolerance=self._amount(self.closing_tolerance, "closing_tolerance"),
            closing_approval_limit=self._amount(self.closing_approval_limit,
                                                "closing_approval_limit"))

    def save(self) -> None:
        self.saved_label.clear()
        changed: dict[str, object] = {}
        if not self.errors.run(lambda: changed.update(
                save_settings(self.desk, self.actor, self.form_data()))):
            return
        self.load()
        self.saved_label.setText(_("Saved.") if changed else _("Nothing changed."))
