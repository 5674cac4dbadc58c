"""The settings workspace: one tab per part of the clinic's setup."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

from clinic_desk.i18n import current_language, gettext as _
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.settings.clinic_page import ClinicPage
from clinic_desk.ui.settings.lists_page import (ConditionKindsPage, PaymentMethodsPage,
                                               ReferralSourcesPage, RefundReasonsPage,
                                               VisitKindsPage)
from clinic_desk.ui.settings.price_list_page import PriceListPage
from clinic_desk.ui.settings.staff_page import StaffPage
from clinic_desk.ui.settings.workstation_page import WorkstationPage
from clinic_desk.ui.widgets import language_combo, select_data


class MyLanguagePage(QWidget):
    """The language of this user's screens (printed documents follow the clinic setting)."""

    def __init__(self, on_language: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.language = language_combo()
        self.language.setObjectName("my_language")
        select_data(self.language, current_language())
        form.addRow(_("Language of the screens"), self.language)
        layout.addLayout(form)
        self.apply_button = QPushButton(_("Switch language"), objectName="apply_language")
        self.apply_button.clicked.connect(lambda: on_language(self.language.currentData()))
        layout.addWidget(self.apply_button)
        layout.addStretch()


class SettingsView(QTabWidget):
    def __init__(self, desk: Desk, actor: Actor, on_language: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic_page = ClinicPage(desk, actor)
        self.staff_page = StaffPage(desk, actor)
        self.price_list_page = PriceListPage(desk, actor)
        self.visit_kinds_page = VisitKindsPage(desk, actor)
        self.payment_methods_page = PaymentMethodsPage(desk, actor)
        self.conditions_page = ConditionKindsPage(desk, actor)
        self.referral_sources_page = ReferralSourcesPage(desk, actor)
        self.refund_reasons_page = RefundReasonsPage(desk, actor)
        self.language_page = MyLanguagePage(on_language)
        self.workstation_page = WorkstationPage()
        self.addTab(self.clinic_page, _("Clinic"))
        self.addTab(self.staff_page, _("Staff"))
        self.addTab(self.price_list_page, _("Price list"))
        self.addTab(self.visit_kinds_page, _("Visit kinds"))
        self.addTab(self.payment_methods_page, _("Payment methods"))
        self.addTab(self.conditions_page, _("Flagged conditions"))
        self.addTab(self.referral_sources_page, _("Referral sources"))
        self.addTab(self.refund_reasons_page, _("Refund reasons"))
        self.addTab(self.language_page, _("My language"))
        self.addTab(self.workstation_page, _("This PC"))
