"""Small widgets shared by the screens: the forms' combo boxes, and the read-only tables whose
rows are chosen whole and whose columns fit their contents."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from babel.numbers import get_currency_name
from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableView, QWidget

from clinic_desk.i18n import N_, LANGUAGES, babel_locale, gettext as _
from clinic_desk.models import PaymentKind, Role, Sex
from clinic_desk.services.privacy import DisplayName

SEX_NAMES = {Sex.FEMALE: N_("Female"), Sex.MALE: N_("Male")}
ROLE_NAMES = {Role.RECEPTIONIST: N_("Receptionist"), Role.CASHIER: N_("Cashier"),
              Role.MANAGER: N_("Manager"), Role.DOCTOR: N_("Doctor")}
PAYMENT_KIND_NAMES = {PaymentKind.CASH: N_("Cash"), PaymentKind.CARD: N_("Bank card"),
                      PaymentKind.WECHAT: N_("WeChat Pay"), PaymentKind.ALIPAY: N_("Alipay"),
                      PaymentKind.DEPOSIT: N_("Deposit"), PaymentKind.OTHER: N_("Other")}
DISPLAY_NAME_TEXTS = {DisplayName.MASKED: N_("Partly hidden (张*明)"),
                      DisplayName.INITIALS: N_("Initials (Z.S.M.)"),
                      DisplayName.NUMBER: N_("Queue number only")}
#: Currencies offered in the settings; Babel formats any of them.
CURRENCIES = ("CNY", "HKD", "MOP", "TWD", "USD", "SGD", "EUR")
#: fit_columns: the last column takes the spare width.
LAST_COLUMN = -1


def data_combo(items: Iterable[tuple[str, Any]], parent: QWidget | None = None) -> QComboBox:
    """A combo box of (shown text, value) pairs."""
    combo = QComboBox(parent)
    for text, value in items:
        combo.addItem(text, value)
    return combo


def select_data(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def enum_combo(names: dict[Any, str], parent: QWidget | None = None) -> QComboBox:
    return data_combo(((_(text), member) for member, text in names.items()), parent)


def language_combo(parent: QWidget | None = None) -> QComboBox:
    return data_combo(((name, code) for code, name in LANGUAGES), parent)


def currency_combo(parent: QWidget | None = None) -> QComboBox:
    return data_combo(((f"{code} · {get_currency_name(code, locale=babel_locale())}", code)
                       for code in CURRENCIES), parent)


def enum_name(names: dict[Any, str], member: Enum) -> str:
    return _(names[member])


def read_only_rows(table: QTableView) -> QTableView:
    """Rows are chosen whole, one at a time, and never edited; no row numbers."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    return table


def fit_columns(table: QTableView, stretch: int | None = LAST_COLUMN) -> QTableView:
    """Every column as wide as its contents, and column `stretch` (LAST_COLUMN: the last one;
    None: none) takes the spare width: the patient's name, a description or a note, never
    an amount, which reads best right beside its neighbours."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch == LAST_COLUMN:
        header.setStretchLastSection(True)
    elif stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def row_table(model: QAbstractItemModel, name: str,
              stretch: int | None = LAST_COLUMN) -> QTableView:
    """A read-only list of `model`'s rows (read_only_rows) with fitted columns (fit_columns)."""
    table = QTableView(objectName=name)
    table.setModel(model)
    return fit_columns(read_only_rows(table), stretch)
