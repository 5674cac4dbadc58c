"""The price list (收费项目) and its categories."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QGroupBox, QHBoxLayout, QLineEdit, QSpinBox, QSplitter,
                               QVBoxLayout, QWidget)

from clinic_desk.i18n import N_, gettext as _
from clinic_desk.money import format_money, format_plain
from clinic_desk.services import catalog
from clinic_desk.services.catalog import CategoryRow, PriceItemForm, PriceItemRow
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.settings import get_settings
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.settings.list_page import ListPage
from clinic_desk.ui.settings.lists_page import yes_no
from clinic_desk.ui.table_model import Column
from clinic_desk.ui.widgets import data_combo, select_data


class CategoryDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, row: CategoryRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Price category"), parent)
        self.desk, self.actor, self.row = desk, actor, row
        self.name = QLineEdit(row.name if row else "", objectName="name")
        self.order = QSpinBox(objectName="sort_order")
        self.order.setRange(0, 999)
        self.order.setValue(row.sort_order if row else 0)
        self.active = QCheckBox(_("In use"))
        self.active.setChecked(row.active if row else True)
        self.add_row(_("Name"), "name", self.name)
        self.add_row(_("Order on receipts"), "sort_order", self.order)
        self.add_row("", "active", self.active)
        self.finish_layout()

    def submit(self) -> None:
        catalog.save_category(self.desk, self.actor, self.row.id if self.row else None,
                              self.name.text(), self.active.isChecked(), self.order.value())


class CategoriesPage(ListPage[CategoryRow]):
    stretch_column = 0

    def columns(self) -> Sequence[Column[CategoryRow]]:
        return (Column(N_("Category"), lambda r: r.name),
                Column(N_("In use"), lambda r: yes_no(r.active)))

    def load(self) -> Sequence[CategoryRow]:
        return catalog.list_categories(self.desk)

    def editor(self, row: CategoryRow | None) -> CategoryDialog:
        return CategoryDialog(self.desk, self.actor, row, self)


class PriceItemDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, row: PriceItemRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Price list item"), parent)
        self.desk, self.actor, self.row = desk, actor, row
        currency = get_settings(desk).currency
        self.code = QLineEdit(row.code if row else "", objectName="code")
        self.name = QLineEdit(row.name if row else "", objectName="name")
        self.category = data_combo((c.name, c.id) for c in catalog.list_categories(desk)
                                   if c.active or (row and c.id == row.category_id))
        self.category.setObjectName("category")
        if row:
            select_data(self.category, row.category_id)
        self.price = QLineEdit(format_plain(row.price, currency) if row else "",
                               objectName="price")
        self.price.setPlaceholderText(_("e.g. 120.00"))
        self.unit = QLineEdit(row.unit if row else "", objectName="unit")
        self.unit.setPlaceholderText(_("e.g. per tooth"))
        self.active = QCheckBox(_("In use"))
        self.active.setChecked(row.active if row else True)
        self.add_row(_("Code"), "code", self.code)
        self.add_row(_("Name"), "name", self.name)
        self.add_row(_("Category"), "category", self.category)
        self.add_row(_("Price ({currency})").format(currency=currency), "price", self.price)
        self.add_row(_("Unit"), "unit", self.unit)
        self.add_row("", "active", self.active)
        self.finish_layout()

    def submit(self) -> None:
        catalog.save_price_item(self.desk, self.actor, self.row.id if self.row else None,
                                PriceItemForm(code=self.code.text(), name=self.name.text(),
                                              category_id=self.category.currentData(),
                                              price_text=self.price.text(),
                                              unit=self.unit.text(),
                                              active=self.active.isChecked()))


class PriceItemsPage(ListPage[PriceItemRow]):
    def columns(self) -> Sequence[Column[PriceItemRow]]:
        currency = get_settings(self.desk).currency
        return (Column(N_("Code"), lambda r: r.code), Column(N_("Name"), lambda r: r.name),
                Column(N_("Category"), lambda r: r.category_name),
                Column(N_("Price"), lambda r: format_money(r.price, currency), align_right=True),
                Column(N_("Unit"), lambda r: r.unit),
                Column(N_("In use"), lambda r: yes_no(r.active),
                       foreground=lambda r: None if r.active else "#888888"))

    def load(self) -> Sequence[PriceItemRow]:
        return catalog.list_price_items(self.desk)

    def editor(self, row: PriceItemRow | None) -> PriceItemDialog:
        return PriceItemDialog(self.desk, self.actor, row, self)


class PriceListPage(QWidget):
    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.categories = CategoriesPage(desk, actor)
        self.items = PriceItemsPage(desk, actor)
        self.categories.model.modelReset.connect(self.items.reload)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for title, page in ((_("Categories"), self.categories), (_("Items"), self.items)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(page)
            splitter.addWidget(box)
        splitter.setSizes([260, 800])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
