"""A patient's record history: every change with old and new values, who, when and why, and
every refund paid to the patient."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableView, QVBoxLayout, QWidget

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, format_datetime, gettext as _
from clinic_desk.money import format_money
from clinic_desk.services.context import Desk
from clinic_desk.services.patients import (PATIENT_CHANGED, PATIENT_COMPLETED,
                                           PATIENT_QUICK_REGISTERED, PATIENT_REGISTERED,
                                           HistoryEntry, patient_history)
from clinic_desk.services.refunds import REFUND_RECORDED
from clinic_desk.services.settings import get_settings
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import fit_columns

ACTION_NAMES = {
    PATIENT_REGISTERED: N_("Registered"),
    PATIENT_QUICK_REGISTERED: N_("Registered with name and phone only"),
    PATIENT_CHANGED: N_("Changed"),
    PATIENT_COMPLETED: N_("Details completed"),
    REFUND_RECORDED: N_("Refund"),
}


FIELD_NAMES = {
    "record_number": N_("Record number"), "name": N_("Full name"), "sex": N_("Sex"),
    "birth_date": N_("Date of birth"), "phone": N_("Phone"), "national_id": N_("ID number"),
    "address": N_("Address"), "vip": N_("VIP"), "notes": N_("Notes"),
    "referral_source_id": N_("Heard of us through"),
    "preferred_doctor_id": N_("Preferred doctor"), "conditions": N_("Conditions"),
}


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def refund_text(entry: HistoryEntry, currency: str) -> str:
    facts = entry.changes
    parts = [_("Slip {number}").format(number=facts["number"]),
             format_money(cast(int, facts["amount"]), currency),
             str(facts["reason"]), str(facts["item"]),
             _("stated by {doctor}").format(doctor=facts["doctor"]),
             _("approved by {manager}").format(manager=facts["approved_by"])]
    return " · ".join(part for part in parts if part)


def changes_text(entry: HistoryEntry, currency: str) -> str:
    if entry.action == REFUND_RECORDED:
        return refund_text(entry, currency)
    if entry.action not in (PATIENT_CHANGED, PATIENT_COMPLETED):
        return ""
    return "; ".join(f"{_(FIELD_NAMES.get(field, field))}: {_value(old)} → {_value(new)}"
                     for field, (old, new) in entry.changes.items())  # type: ignore[misc]


class HistoryDialog(QDialog):
    def __init__(self, desk: Desk, patient_id: int, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("History of {name}").format(name=title))
        settings = get_settings(desk)
        tz = zone(settings.timezone)
        columns: Sequence[Column[HistoryEntry]] = (
            Column(N_("When"), lambda e: format_datetime(e.at, "short", tz=tz)),
            Column(N_("Who"), lambda e: e.who),
            Column(N_("What"), lambda e: _(ACTION_NAMES.get(e.action, e.action))),
            Column(N_("Changes"), lambda e: changes_text(e, settings.currency)),
            Column(N_("Reason"), lambda e: e.reason),
        )
        self.model: RowTableModel[HistoryEntry] = RowTableModel(columns, self)
        self.model.set_rows(patient_history(desk, patient_id))
        table = QTableView(objectName="history")
        table.setModel(self.model)
        table.verticalHeader().hide()
        fit_columns(table)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 400)
