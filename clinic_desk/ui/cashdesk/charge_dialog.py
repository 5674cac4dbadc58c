"""Charging items of the price list on a visit: found by code or name, with the quantity,
the doctor who did the work and the tooth or eye position."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from clinic_desk.i18n import N_, gettext as _
from clinic_desk.money import format_money
from clinic_desk.services.cashdesk import MAX_NOTE, MAX_QUANTITY, ChargeLine, add_charges
from clinic_desk.services.catalog import PriceItemRow, list_price_items
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.field_errors import FieldErrors
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import data_combo, row_table, select_data

FIELD = "lines.0."


class ChargeDialog(QDialog):
    """"Add" charges the chosen item and closes; "Add and next" keeps the dialog open for
    the next item. `added` counts the charges posted."""

    def __init__(self, desk: Desk, actor: Actor, visit_id: int, doctor_id: int | None,
                 currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.visit_id, self.currency = desk, actor, visit_id, currency
        self.added = 0
        self.setWindowTitle(_("Add a charge"))

        def money(minor: int) -> str:
            return format_money(minor, currency)

        self.model: RowTableModel[PriceItemRow] = RowTableModel([
            Column(N_("Code"), lambda r: r.code), Column(N_("Item"), lambda r: r.name),
            Column(N_("Category"), lambda r: r.category_name),
            Column(N_("Price"), lambda r: money(r.price), align_right=True)], self)
        self.model.set_rows([item for item in list_price_items(desk) if item.active])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit(objectName="search")
        self.search.setPlaceholderText(_("Code or name of the item"))
        self.search.textChanged.connect(self.filter)
        self.items = row_table(self.proxy, "items", stretch=1)
        self.items.selectionModel().currentRowChanged.connect(lambda *_args: self.show_amount())
        self.items.doubleClicked.connect(lambda _index: self.add(close=True))
        self.quantity = QSpinBox(objectName="quantity", minimum=1, maximum=MAX_QUANTITY)
        self.quantity.valueChanged.connect(self.show_amount)
        self.doctor = data_combo((d.name, d.id) for d in list_doctors(desk))
        self.doctor.setObjectName("doctor")
        select_data(self.doctor, doctor_id)
        self.position = QLineEdit(objectName="position_note", maxLength=MAX_NOTE)
        self.position.setPlaceholderText(_("e.g. 36, or OD / OS"))
        self.amount = QLabel(objectName="amount")
        self.last_added = QLabel(objectName="last_added")
        self.last_added.setProperty("role", "hint")

        layout = QVBoxLayout(self)
        self.general_error = QLabel(objectName="general_error")
        self.errors = FieldErrors(self.general_error)
        search_error = QLabel()
        layout.addWidget(self.search)
        layout.addWidget(self.items, 1)
        layout.addWidget(search_error)
        self.errors.register(FIELD + "item", self.items, search_error)
        form = QFormLayout()
        self.errors.add_row(form, _("Quantity"), FIELD + "quantity", self.quantity)
        form.addRow(_("Doctor who did the work"), self.doctor)
        self.errors.add_row(form, _("Tooth / eye position"), FIELD + "position_note",
                            self.position)
        form.addRow(_("Amount"), self.amount)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.last_added)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Add"))
        self.add_next = QPushButton(_("Add and next"), objectName="add_next")
        buttons.addButton(self.add_next, QDialogButtonBox.ButtonRole.ApplyRole)
        buttons.accepted.connect(lambda: self.add(close=True))
        buttons.rejected.connect(self.close_dialog)
        self.add_next.clicked.connect(lambda: self.add(close=False))
        layout.addWidget(buttons)
        self.resize(620, 560)
        self.filter("")
        self.search.setFocus()

    def filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if self.proxy.rowCount():
            self.items.selectRow(0)
        self.show_amount()

    def chosen(self) -> PriceItemRow | None:
        index = self.items.currentIndex()
        if not index.isValid() or not self.items.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def show_amount(self) -> None:
        item = self.chosen()
        self.amount.setText(format_money(item.price * self.quantity.value(), self.currency)
                            if item else "")

    def add(self, close: bool) -> None:
        item = self.chosen()
        # With nothing chosen the service says so at the item list, like any other refusal.
        line = ChargeLine(item.id if item else 0, self.quantity.value(),
                          self.doctor.currentData(), self.position.text())
        if not self.errors.run(lambda: add_charges(self.desk, self.actor, self.visit_id,
                                                   [line])):
            return
        self.added += 1
        self.last_added.setText(_("Charged: {item} × {quantity}.").format(
            item=item.name if item else "", quantity=line.quantity))
        if close:
            self.accept()
            return
        self.quantity.setValue(1)
        self.position.clear()
        self.search.selectAll()
        self.search.setFocus()

    def close_dialog(self) -> None:
        """Closing after "Add and next" still counts as having charged something."""
        if self.added:
            self.accept()
        else:
            self.reject()
