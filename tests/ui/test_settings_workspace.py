"""The settings workspace: clinic settings, staff, price list, lists and the language switch."""

from __future__ import annotations

from datetime import time

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from clinic_desk.models import AuditEntry, PriceListItem, Staff
from clinic_desk.services import catalog
from clinic_desk.services.settings import get_settings
from clinic_desk.services.staff import list_staff
from clinic_desk.config import WorkstationConfig
from clinic_desk.ui.app import ClinicApp
from clinic_desk.ui.approval import ApprovalDialog
from clinic_desk.ui.settings.clinic_page import ClinicPage
from clinic_desk.ui.settings.lists_page import (ConditionKindsPage, PaymentMethodsPage,
                                               ReferralSourcesPage, VisitKindsPage)
from clinic_desk.ui.settings.price_list_page import PriceItemDialog, PriceItemsPage
from clinic_desk.ui.settings.staff_page import StaffDialog, StaffPage
from clinic_desk.ui.settings.workstation_page import WorkstationPage
from tests.clinics import MANAGER_LOGIN
from tests.ui.typing import type_text


def _audit_count(desk) -> int:
    with desk.db.read() as session:
        return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_clinic_settings_out_of_order_alerts_are_refused_at_the_field(qtbot, desk, manager):
    page = ClinicPage(desk, manager)
    qtbot.addWidget(page)
    before = _audit_count(desk)
    page.alert_first.setValue(25)
    page.alert_second.setValue(20)
    page.save_button.click()
    assert page.errors.message_for("wait_alert_second_minutes") == \
        "The second alert must come later than the first."
    assert get_settings(desk).wait_alert_first_minutes == 15
    assert _audit_count(desk) == before


def test_clinic_settings_are_saved(qtbot, desk, manager):
    page = ClinicPage(desk, manager)
    qtbot.addWidget(page)
    page.clinic_name.clear()
    type_text(qtbot, page.clinic_name, "明眸眼科")
    page.alert_first.setValue(10)
    page.save_button.click()
    assert page.saved_label.text() == "Saved."
    saved = get_settings(desk)
    assert (saved.clinic_name, saved.wait_alert_first_minutes) == ("明眸眼科", 10)


def _type_time(qtbot, edit, text: str) -> None:
    """Type hours and minutes as digits, then leave the field."""
    window = edit.window()
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    edit.setFocus()
    edit.setSelectedSection(edit.Section.HourSection)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Tab)


def test_opening_hours_closing_before_opening_is_refused_at_the_field(qtbot, desk, manager):
    page = ClinicPage(desk, manager)
    qtbot.addWidget(page)
    before = _audit_count(desk)
    _type_time(qtbot, page.opens_at, "1800")
    _type_time(qtbot, page.closes_at, "0800")
    page.save_button.click()
    assert page.errors.message_for("closes_at") == "The clinic must close after it opens."
    assert page.errors.message_for("opens_at") == ""
    assert (get_settings(desk).opens_at, get_settings(desk).closes_at) == ("08:00", "20:00")
    assert _audit_count(desk) == before


def test_opening_hours_and_chair_columns_are_saved_on_the_quarter_hour(qtbot, desk, manager):
    page = ClinicPage(desk, manager)
    qtbot.addWidget(page)
    assert (page.opens_at.value(), page.closes_at.value()) == (time(8, 0), time(20, 0))
    assert not page.calendar_by_chair.isChecked()
    _type_time(qtbot, page.opens_at, "0737")  # a typed 07:37 becomes 07:30
    _type_time(qtbot, page.closes_at, "2115")
    page.calendar_by_chair.click()
    page.save_button.click()
    assert page.saved_label.text() == "Saved."
    saved = get_settings(desk)
    assert (saved.opens_at, saved.closes_at, saved.calendar_by_chair) == ("07:30", "21:15", True)
    reopened = ClinicPage(desk, manager)
    qtbot.addWidget(reopened)
    assert (reopened.opens_at.value(), reopened.closes_at.value()) == (time(7, 30), time(21, 15))
    assert reopened.calendar_by_chair.isChecked()


def _fill_doctor(qtbot, dialog: StaffDialog, number: str, name: str) -> None:
    type_text(qtbot, dialog.staff_number, number)
    type_text(qtbot, dialog.full_name, name)
    dialog.role_boxes[next(r for r in dialog.role_boxes if r.value == "doctor")].setChecked(True)


def test_adding_a_doctor_with_weekly_hours(qtbot, desk, manager):
    page = StaffPage(desk, manager)
    qtbot.addWidget(page)
    dialog = StaffDialog(desk, manager, None, page)
    qtbot.addWidget(dialog)
    _fill_doctor(qtbot, dialog, "D07", "欧阳华")
    monday_morning, monday_afternoon = dialog.hours.periods[0]
    monday_morning.enabled.setChecked(True)
    monday_afternoon.enabled.setChecked(True)
    dialog.buttons.accepted.emit()
    assert dialog.result() == dialog.DialogCode.Accepted
    page.reload()
    doctor = next(s for s in list_staff(desk) if s.staff_number == "D07")
    assert doctor.full_name == "欧阳华"
    assert [(s.weekday, s.start, s.end) for s in doctor.shifts] == [
        (0, time(8, 30), time(12, 0)), (0, time(13, 30), time(17, 30))]
    assert any(page.model.row_at(i).staff_number == "D07" for i in range(page.model.rowCount()))


@pytest.mark.parametrize("problem, field, message", [
    ("duplicate_number", "staff_number", "Staff number M01 is already used."),
    ("blank_name", "full_name", "Enter the name."),
    ("day_ends_before_start", "shifts", "A working day must end after it starts."),
])
def test_staff_dialog_shows_each_error_at_its_field(qtbot, desk, manager, problem, field, message):
    dialog = StaffDialog(desk, manager, None)
    qtbot.addWidget(dialog)
    _fill_doctor(qtbot, dialog, "M01" if problem == "duplicate_number" else "D09",
                 "   " if problem == "blank_name" else "张三")
    if problem == "day_ends_before_start":
        morning = dialog.hours.periods[2][0]
        morning.enabled.setChecked(True)
        morning.start.setTime(QTime(12, 0))
        morning.end.setTime(QTime(9, 0))
    before = len(list_staff(desk))
    dialog.buttons.accepted.emit()
    assert dialog.errors.message_for(field) == message
    assert dialog.result() != dialog.DialogCode.Accepted
    assert len(list_staff(desk)) == before


def _price_items(desk) -> int:
    with desk.db.read() as session:
        return session.execute(select(func.count()).select_from(PriceListItem)).scalar_one()


@pytest.mark.parametrize("price, message", [
    ("12.345", "CNY amounts have at most 2 decimals."),
    ("-5", "The amount cannot be negative."),
    ("twelve", "Enter an amount such as 12.50."),
])
def test_price_list_refuses_bad_prices_at_the_price_field(qtbot, desk, manager, price, message):
    dialog = PriceItemDialog(desk, manager, None)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.code, "ZL01")
    type_text(qtbot, dialog.name, "洁牙")
    type_text(qtbot, dialog.price, price)
    dialog.buttons.accepted.emit()
    assert dialog.errors.message_for("price") == message
    assert _price_items(desk) == 0


def test_editing_the_price_list(qtbot, desk, manager):
    page = PriceItemsPage(desk, manager)
    qtbot.addWidget(page)
    dialog = PriceItemDialog(desk, manager, None, page)
    type_text(qtbot, dialog.code, "ZL01")
    type_text(qtbot, dialog.name, "洁牙")
    type_text(qtbot, dialog.price, "200.50")
    dialog.buttons.accepted.emit()
    page.reload()
    assert page.model.rowCount() == 1
    row = page.model.row_at(0)
    assert (row.code, row.price) == ("ZL01", 20050)
    assert page.model.index(0, 3).data() == "CN¥200.50"

    edit = PriceItemDialog(desk, manager, row, page)
    assert edit.price.text() == "200.50"
    edit.price.clear()
    type_text(qtbot, edit.price, "220")
    edit.buttons.accepted.emit()
    assert catalog.list_price_items(desk)[0].price == 22000


@pytest.mark.parametrize("page_class", [StaffPage, PriceItemsPage, VisitKindsPage,
                                        PaymentMethodsPage, ConditionKindsPage,
                                        ReferralSourcesPage])
def test_table_models_follow_the_qt_contract(qtbot, qtmodeltester, desk, manager, page_class):
    page = page_class(desk, manager)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)


def settings_tab(window) -> str:  # type: ignore[no-untyped-def]
    return window.tabs.tabText(window.tabs.indexOf(window.settings_view))


def test_switching_language_rebuilds_the_window_in_that_language(qtbot, desk, manager):
    controller = ClinicApp(QApplication.instance(), desk)
    window = controller.show_main_window(manager)
    qtbot.addWidget(window)
    assert window.windowTitle().startswith("clinic_desk")
    assert settings_tab(window) == "设置"  # the manager chose 简体中文 at the first start

    controller.switch_language("en")
    qtbot.addWidget(controller.window)
    assert controller.window is not window
    assert settings_tab(controller.window) == "Settings"
    controller.switch_language("zh_TW")
    qtbot.addWidget(controller.window)
    assert settings_tab(controller.window) == "設定"
    controller.switch_language("en")
    qtbot.addWidget(controller.window)
    with desk.db.read() as session:
        assert session.execute(select(Staff.language).where(Staff.id == manager.staff_id)
                               ).scalar_one() == "en"


def test_database_on_a_network_share_is_refused_at_the_field(qtbot):
    saved = []
    page = WorkstationPage(config_loader=WorkstationConfig, config_saver=saved.append)
    qtbot.addWidget(page)
    page.location.setText(r"\\server\clinic\clinic.sqlite3")
    page.save_button.click()
    assert "network share" in page.errors.message_for("database")
    assert saved == []
    page.location.setText("/srv/clinic/clinic.sqlite3")
    page.save_button.click()
    assert [c.database for c in saved] == ["/srv/clinic/clinic.sqlite3"]


def test_manager_approval_dialog_returns_who_approved(qtbot, desk, manager):
    dialog = ApprovalDialog(desk, "refund of ¥120.00")
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.username, "boss")
    type_text(qtbot, dialog.password, "wrong-one")
    dialog.try_accept()
    assert dialog.approval is None and dialog.message.text() == "Wrong user name or password."
    type_text(qtbot, dialog.password, MANAGER_LOGIN[1])
    dialog.try_accept()
    assert dialog.approval is not None and dialog.approval.staff_id == manager.staff_id
