"""The first-start wizard: the clinic's name and language, then the manager's account."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
                               QWizard, QWizardPage)

from clinic_desk.i18n import gettext as _
from clinic_desk.models import Sex
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.setup import FirstStartForm, create_clinic
from clinic_desk.ui.field_errors import FieldErrors
from clinic_desk.ui.widgets import (SEX_NAMES, currency_combo, data_combo, enum_combo,
                                    language_combo, select_data)

CLINIC_FIELDS = frozenset({"clinic_name", "address", "phone", "currency", "language",
                           "clinic_kind"})


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        layout = QVBoxLayout(self)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.general_error = QLabel()
        layout.addWidget(self.general_error)
        self.errors = FieldErrors(self.general_error)


class FirstStartWizard(QWizard):
    """Creates the clinic and its first manager; `actor` is that manager afterwards."""

    def __init__(self, desk: Desk, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor: Actor | None = None
        self.setWindowTitle(_("Set up clinic_desk"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)

        self.clinic_page = _Page(_("Your clinic"), _(
            "The name, address and phone appear on receipts and reports. "
            "All of this can be changed later in the settings."))
        add = self.clinic_page.errors.add_row
        form = self.clinic_page.form
        self.clinic_name = QLineEdit(objectName="clinic_name")
        self.address = QLineEdit(objectName="address")
        self.phone = QLineEdit(objectName="phone")
        self.clinic_kind = data_combo(((_("Dental clinic"), "dental"),
                                       (_("Eye clinic"), "eye")))
        self.currency = currency_combo()
        self.language = language_combo()
        select_data(self.language, language)
        add(form, _("Clinic name"), "clinic_name", self.clinic_name)
        add(form, _("Address"), "address", self.address)
        add(form, _("Phone"), "phone", self.phone)
        add(form, _("Kind of clinic"), "clinic_kind", self.clinic_kind)
        add(form, _("Currency"), "currency", self.currency)
        add(form, _("Language"), "language", self.language)
        self.addPage(self.clinic_page)

        self.manager_page = _Page(_("Manager account"), _(
            "The manager approves refunds and corrections and sets up the clinic. "
            "Other users are added later in the settings."))
        add = self.manager_page.errors.add_row
        form = self.manager_page.form
        self.manager_name = QLineEdit(objectName="manager_name")
        self.staff_number = QLineEdit("M01", objectName="staff_number")
        self.sex: QComboBox = enum_combo(SEX_NAMES)
        self.username = QLineEdit(objectName="username")
        self.password = QLineEdit(objectName="password", echoMode=QLineEdit.EchoMode.Password)
        self.password_repeat = QLineEdit(objectName="password_repeat",
                                         echoMode=QLineEdit.EchoMode.Password)
        add(form, _("Full name"), "full_name", self.manager_name)
        add(form, _("Staff number"), "staff_number", self.staff_number)
        add(form, _("Sex"), "sex", self.sex)
        add(form, _("User name"), "username", self.username)
        add(form, _("Password"), "password", self.password)
        add(form, _("Repeat password"), "password_repeat", self.password_repeat)
        self.addPage(self.manager_page)
        self.resize(620, 520)

    def form_data(self) -> FirstStartForm:
        return FirstStartForm(
            clinic_name=self.clinic_name.text(), address=self.address.text(),
            phone=self.phone.text(), currency=self.currency.currentData(),
            language=self.language.currentData(), clinic_kind=self.clinic_kind.currentData(),
            manager_name=self.manager_name.text(), manager_staff_number=self.staff_number.text(),
            manager_sex=self.sex.currentData() or Sex.FEMALE, username=self.username.text(),
            password=self.password.text(), password_repeat=self.password_repeat.text())

    def validateCurrentPage(self) -> bool:  # noqa: N802 (Qt override)
        page = self.currentPage()
        if isinstance(page, _Page):
            page.errors.clear()
        if page is self.clinic_page:
            if not self.clinic_name.text().strip():
                self.clinic_page.errors.show(ValidationError.single(
                    "clinic_name", _("Enter the clinic's name.")))
                return False
            return True
        try:
            self.actor = create_clinic(self.desk, self.form_data())
        except ValidationError as error:
            clinic_errors = {k: v for k, v in error.errors.items() if k in CLINIC_FIELDS}
            manager_errors = {k: v for k, v in error.errors.items() if k not in CLINIC_FIELDS}
            if manager_errors:
                self.manager_page.errors.show(ValidationError(manager_errors))
            if clinic_errors:
                self.clinic_page.errors.show(ValidationError(clinic_errors))
                if not manager_errors:
                    self.back()
            return False
        return True
