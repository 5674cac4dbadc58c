"""The clinic's own lists: visit kinds, payment methods, flagged conditions, referral sources
and refund reasons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QCheckBox, QLineEdit, QSpinBox, QWidget

from clinic_desk.i18n import N_, gettext as _
from clinic_desk.models import PaymentKind
from clinic_desk.services import catalog
from clinic_desk.services.catalog import (ConditionKindRow, NamedEntryRow, PaymentMethodRow,
                                          VisitKindRow)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.settings.list_page import ListPage
from clinic_desk.ui.table_model import Column
from clinic_desk.ui.widgets import PAYMENT_KIND_NAMES, enum_combo, enum_name, select_data


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


class VisitKindDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, row: VisitKindRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Visit kind"), parent)
        self.desk, self.actor, self.row = desk, actor, row
        self.code = QLineEdit(row.code if row else "", objectName="code")
        self.name = QLineEdit(row.name if row else "", objectName="name")
        self.units = QSpinBox(objectName="default_units")
        self.units.setRange(0, 99)
        self.units.setValue(row.default_units if row else 1)
        self.units.setSuffix(" × 15 " + _("min"))
        self.minutes = QSpinBox(objectName="average_minutes")
        self.minutes.setRange(0, 999)
        self.minutes.setValue(row.average_minutes if row else 20)
        self.active = QCheckBox(_("In use"), objectName="active")
        self.active.setChecked(row.active if row else True)
        self.add_row(_("Code"), "code", self.code)
        self.add_row(_("Name"), "name", self.name)
        self.add_row(_("Default length"), "default_units", self.units)
        self.add_row(_("Usual treatment time"), "average_minutes", self.minutes)
        self.add_row("", "active", self.active)
        self.finish_layout()

    def submit(self) -> None:
        catalog.save_visit_kind(self.desk, self.actor, self.row.id if self.row else None,
                                self.code.text(), self.name.text(), self.units.value(),
                                self.minutes.value(), self.active.isChecked())


class VisitKindsPage(ListPage[VisitKindRow]):
    def columns(self) -> Sequence[Column[VisitKindRow]]:
        return (Column(N_("Code"), lambda r: r.code), Column(N_("Name"), lambda r: r.name),
                Column(N_("Default units"), lambda r: str(r.default_units), align_right=True),
                Column(N_("Usual minutes"), lambda r: str(r.average_minutes), align_right=True),
                Column(N_("In use"), lambda r: yes_no(r.active)))

    def load(self) -> Sequence[VisitKindRow]:
        return catalog.list_visit_kinds(self.desk)

    def editor(self, row: VisitKindRow | None) -> VisitKindDialog:
        return VisitKindDialog(self.desk, self.actor, row, self)


class PaymentMethodDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, row: PaymentMethodRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Payment method"), parent)
        self.desk, self.actor, self.row = desk, actor, row
        self.name = QLineEdit(row.name if row else "", objectName="name")
        self.kind = enum_combo(PAYMENT_KIND_NAMES)
        select_data(self.kind, row.kind if row else PaymentKind.OTHER)
        self.card_digits = QCheckBox(_("Ask for card type and last 4 digits"))
        self.card_digits.setChecked(row.needs_card_digits if row else False)
        self.reference = QCheckBox(_("Ask for a reference number"))
        self.reference.setChecked(row.needs_reference if row else False)
        self.active = QCheckBox(_("In use"))
        self.active.setChecked(row.active if row else True)
        self.add_row(_("Name"), "name", self.name)
        self.add_row(_("Kind"), "kind", self.kind)
        self.add_row("", "needs_card_digits", self.card_digits)
        self.add_row("", "needs_reference", self.reference)
        self.add_row("", "active", self.active)
        self.finish_layout()

    def submit(self) -> None:
        catalog.save_payment_method(self.desk, self.actor, self.row.id if self.row else None,
                                    self.name.text(), self.kind.currentData(),
                                    self.card_digits.isChecked(), self.reference.isChecked(),
                                    self.active.isChecked())


class PaymentMethodsPage(ListPage[PaymentMethodRow]):
    def columns(self) -> Sequence[Column[PaymentMethodRow]]:
        return (Column(N_("Name"), lambda r: r.name),
                Column(N_("Kind"), lambda r: enum_name(PAYMENT_KIND_NAMES, r.kind)),
                Column(N_("Card digits"), lambda r: yes_no(r.needs_card_digits)),
                Column(N_("Reference"), lambda r: yes_no(r.needs_reference)),
                Column(N_("In use"), lambda r: yes_no(r.active)))

    def load(self) -> Sequence[PaymentMethodRow]:
        return catalog.list_payment_methods(self.desk)

    def editor(self, row: PaymentMethodRow | None) -> PaymentMethodDialog:
        return PaymentMethodDialog(self.desk, self.actor, row, self)


class ConditionKindDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, row: ConditionKindRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Flagged condition"), parent)
        self.desk, self.actor, self.row = desk, actor, row
        self.name = QLineEdit(row.name if row else "", objectName="name")
        self.colour = QLineEdit(row.colour if row else "#d32f2f", objectName="colour")
        self.colour.setToolTip(_("The badge colour, as #RRGGBB"))
        self.active = QCheckBox(_("In use"))
        self.active.setChecked(row.active if row else True)
        self.add_row(_("Name"), "name", self.name)
        self.add_row(_("Colour"), "colour", self.colour)
        self.add_row("", "active", self.active)
        self.finish_layout()

    def submit(self) -> None:
        catalog.save_condition_kind(self.desk, self.actor, self.row.id if self.row else None,
                                    self.name.text(), self.colour.text(), self.active.isChecked())


class ConditionKindsPage(ListPage[ConditionKindRow]):
    stretch_column = 0

    def columns(self) -> Sequence[Column[ConditionKindRow]]:
        return (Column(N_("Name"), lambda r: r.name, foreground=lambda r: r.colour),
                Column(N_("Colour"), lambda r: r.colour),
                Column(N_("In use"), lambda r: yes_no(r.active)))

    def load(self) -> Sequence[ConditionKindRow]:
        return catalog.list_condition_kinds(self.desk)

    def editor(self, row: ConditionKindRow | None) -> ConditionKindDialog:
        return ConditionKindDialog(self.desk, self.actor, row, self)


#: Saves an entry of a name-only list: (id or None, name, active) -> id.
SaveNamed = Callable[[int | None, str, bool], int]


class NamedEntryDialog(FormDialog):
    """Edits an entry of a list that is only a name (referral sources, refund reasons)."""

    def __init__(self, row: NamedEntryRow | None, title: str, save: SaveNamed,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.row, self.save = row, save
        self.name = QLineEdit(row.name if row else "", objectName="name")
        self.active = QCheckBox(_("In use"))
        self.active.setChecked(row.active if row else True)
        self.add_row(_("Name"), "name", self.name)
        self.add_row("", "active", self.active)
        self.finish_layout()

    def submit(self) -> None:
        self.save(self.row.id if self.row else None, self.name.text(), self.active.isChecked())


class NamedEntriesPage(ListPage[NamedEntryRow]):
    """Subclasses name the entry's dialog title and the catalog's list and save functions."""

    stretch_column = 0
    title = ""  # marked with N_

    def columns(self) -> Sequence[Column[NamedEntryRow]]:
        return (Column(N_("Name"), lambda r: r.name),
                Column(N_("In use"), lambda r: yes_no(r.active)))

    def save(self, item_id: int | None, name: str, active: bool) -> int:
        raise NotImplementedError

    def editor(self, row: NamedEntryRow | None) -> NamedEntryDialog:
        return NamedEntryDialog(row, _(self.title), self.save, self)


class ReferralSourcesPage(NamedEntriesPage):
    title = N_("Referral source")

    def load(self) -> Sequence[NamedEntryRow]:
        return catalog.list_referral_sources(self.desk)

    def save(self, item_id: int | None, name: str, active: bool) -> int:
        return catalog.save_referral_source(self.desk, self.actor, item_id, name, active)


class RefundReasonsPage(NamedEntriesPage):
    title = N_("Refund reason")

    def load(self) -> Sequence[NamedEntryRow]:
        return catalog.list_refund_reasons(self.desk)

    def save(self, item_id: int | None, name: str, active: bool) -> int:
        return catalog.save_refund_reason(self.desk, self.actor, item_id, name, active)
