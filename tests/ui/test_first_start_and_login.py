"""The first-start wizard and the login window, driven as a user would."""

from __future__ import annotations


from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select

from clinic_desk.models import AuditEntry, Staff
from clinic_desk.services.settings import get_settings
from clinic_desk.services.setup import needs_first_start
from clinic_desk.ui.first_start import FirstStartWizard
from clinic_desk.ui.login import LoginDialog
from tests.clinics import MANAGER_LOGIN
from tests.ui.typing import type_text


def _fill_clinic_page(qtbot, wizard: FirstStartWizard, name: str) -> None:
    type_text(qtbot, wizard.clinic_name, name)
    type_text(qtbot, wizard.address, "上海市徐汇区漕溪北路 88 号")
    type_text(qtbot, wizard.phone, "021-64388888")


def _fill_manager_page(qtbot, wizard: FirstStartWizard, password: str, repeat: str) -> None:
    type_text(qtbot, wizard.manager_name, "周主任")
    type_text(qtbot, wizard.username, "boss")
    type_text(qtbot, wizard.password, password)
    type_text(qtbot, wizard.password_repeat, repeat)


def _staff_count(desk) -> int:
    with desk.db.read() as session:
        return session.execute(select(func.count()).select_from(Staff)).scalar_one()


def test_wizard_refuses_a_blank_clinic_name(qtbot, new_desk):
    wizard = FirstStartWizard(new_desk, "en")
    qtbot.addWidget(wizard)
    wizard.show()
    type_text(qtbot, wizard.clinic_name, "   ")
    wizard.next()
    assert wizard.currentPage() is wizard.clinic_page
    assert wizard.clinic_page.errors.message_for("clinic_name") == "Enter the clinic's name."
    assert needs_first_start(new_desk)


def test_wizard_shows_password_errors_at_their_fields_and_writes_nothing(qtbot, new_desk):
    wizard = FirstStartWizard(new_desk, "en")
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_clinic_page(qtbot, wizard, "康齿口腔")
    wizard.next()
    assert wizard.currentPage() is wizard.manager_page
    _fill_manager_page(qtbot, wizard, "abc", "abd")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    errors = wizard.manager_page.errors
    assert errors.message_for("password_repeat") == "The two passwords differ."
    assert "at least 6" in errors.message_for("password")
    assert wizard.actor is None
    assert _staff_count(new_desk) == 0


def test_wizard_creates_the_clinic_and_its_manager(qtbot, new_desk):
    wizard = FirstStartWizard(new_desk, "en")
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_clinic_page(qtbot, wizard, "康齿口腔")
    wizard.next()
    _fill_manager_page(qtbot, wizard, "secret123", "secret123")
    with qtbot.waitSignal(wizard.accepted, timeout=2000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.actor is not None and wizard.actor.name == "周主任"
    assert get_settings(new_desk).clinic_name == "康齿口腔"
    assert not needs_first_start(new_desk)


def _log_in(qtbot, dialog: LoginDialog, username: str, password: str) -> None:
    dialog.username.clear()
    dialog.password.clear()
    type_text(qtbot, dialog.username, username)
    type_text(qtbot, dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_login_accepts_the_right_password(qtbot, desk):
    dialog = LoginDialog(desk, "康齿口腔")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        _log_in(qtbot, dialog, "boss", MANAGER_LOGIN[1])
    assert dialog.actor is not None and dialog.actor.name == "Zhou Min"


def test_login_locks_the_account_after_five_wrong_passwords(qtbot, desk, clock):
    dialog = LoginDialog(desk, "康齿口腔")
    qtbot.addWidget(dialog)
    dialog.show()
    for _attempt in range(4):
        _log_in(qtbot, dialog, "boss", "wrong-password")
        assert dialog.message.text() == "Wrong user name or password."
    _log_in(qtbot, dialog, "boss", "wrong-password")
    assert "locked until" in dialog.message.text()
    _log_in(qtbot, dialog, "boss", MANAGER_LOGIN[1])
    assert "locked until" in dialog.message.text()
    assert dialog.actor is None
    with desk.db.read() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("login_failed") == 4 and actions.count("account_locked") == 1

    clock.advance(minutes=5, seconds=1)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        _log_in(qtbot, dialog, "boss", MANAGER_LOGIN[1])
    assert dialog.actor is not None


def test_lockout_expires_only_after_five_minutes(qtbot, desk, clock):
    dialog = LoginDialog(desk, "康齿口腔")
    qtbot.addWidget(dialog)
    dialog.show()
    for _attempt in range(5):
        _log_in(qtbot, dialog, "boss", "nope-nope")
    clock.advance(minutes=4, seconds=59)
    _log_in(qtbot, dialog, "boss", MANAGER_LOGIN[1])
    assert dialog.actor is None and "locked until" in dialog.message.text()
    clock.advance(seconds=2)
    _log_in(qtbot, dialog, "boss", MANAGER_LOGIN[1])
    assert dialog.actor is not None
