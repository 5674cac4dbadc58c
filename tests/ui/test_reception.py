"""The reception workspace, driven from the keyboard as a receptionist would."""

from __future__ import annotations

from datetime import date, time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from sqlalchemy import select

from clinic_desk.models import Patient, QueueEntry, Role, Sex, Visit
from clinic_desk.services.patients import PatientForm, quick_register_patient, register_patient
from clinic_desk.services.staff import Shift, StaffForm, add_staff
from clinic_desk.ui.badges import DETAILS_MISSING_COLOUR
from clinic_desk.ui.reception.check_in_dialog import CheckInDialog
from clinic_desk.ui.reception.patient_search import FLAGS_COLUMN
from clinic_desk.ui.reception.registration_dialog import RegistrationDialog
from clinic_desk.ui.reception.view import ReceptionView
from tests.ui.modal import press, when_shown
from tests.ui.typing import type_text


@pytest.fixture
def doctors(desk, manager) -> dict[str, int]:
    """Two doctors working Monday mornings (the test clock is Monday 10:00)."""
    monday = (Shift(0, time(8, 30), time(12, 0)),)
    return {name: add_staff(desk, manager, StaffForm(
        staff_number=number, full_name=name, sex=sex, roles=frozenset({Role.DOCTOR}),
        shifts=monday)) for number, name, sex in (("D01", "李建国", Sex.MALE),
                                                  ("D02", "王丽华", Sex.FEMALE))}


@pytest.fixture
def view(qtbot, desk, clinic) -> ReceptionView:
    widget = ReceptionView(desk, clinic.receptionist)
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitActive(widget)
    return widget


def _type_search(qtbot, view: ReceptionView, text: str) -> None:
    view.search.clear()
    type_text(qtbot, view.search, text)
    qtbot.waitUntil(lambda: not view._timer.isActive(), timeout=2000)


def _key(widget: QWidget, key: Qt.Key) -> None:
    QTest.keyClick(widget, key)


def _in_modal(action) -> None:  # type: ignore[no-untyped-def]
    """Run `action(dialog)` on the next modal dialog once it shows and has the focus."""
    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if dialog is None or focus is None or focus.window() is not dialog:
            QTimer.singleShot(10, attempt)
            return
        action(dialog)
    QTimer.singleShot(0, attempt)


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_search_finds_by_pinyin_initials_phone_and_record_number(qtbot, view, desk, clinic):
    patient_id = register_patient(desk, clinic.receptionist, PatientForm(
        name="张三丰", sex=Sex.MALE, birth_date=date(1980, 1, 31),
        phone="13812345678"))
    with desk.db.read() as session:
        record = session.get(Patient, patient_id).record_number
    assert view.focusWidget() is view.search  # back in the search box for the next patient
    view.activateWindow()  # what the window system does when the dialog closes
    qtbot.waitUntil(view.search.hasFocus, timeout=2000)
    for query in ("zs", "zhangsan", "三丰", "5678", "138123", record):
        _type_search(qtbot, view, query)
        assert view.model.rowCount() == 1, query
        assert view.selected().name == "张三丰"
    _type_search(qtbot, view, "nobody-here")
    assert view.model.rowCount() == 0


def test_register_and_check_in_with_the_keyboard_alone(qtbot, view, desk, doctors):
    def fill_registration(dialog: QWidget) -> None:
        assert isinstance(dialog, RegistrationDialog)
        type_text(qtbot, _focused(), "欧阳华")                  # name
        _key(_focused(), Qt.Key.Key_Tab)
        _key(_focused(), Qt.Key.Key_Down)                       # sex: Female
        _key(_focused(), Qt.Key.Key_Tab)
        type_text(qtbot, _focused(), "1990-05-17")              # date of birth
        _key(_focused(), Qt.Key.Key_Tab)
        type_text(qtbot, _focused(), "139 1234 5678")           # phone
        _key(_focused(), Qt.Key.Key_Return)

    _type_search(qtbot, view, "oyh")
    assert view.model.rowCount() == 0
    _in_modal(fill_registration)
    _key(view.search, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=3000)
    assert view.selected().name == "欧阳华"
    assert view.focusWidget() is view.search  # back in the search box for the next patient
    view.activateWindow()  # what the window system does when the dialog closes
    qtbot.waitUntil(view.search.hasFocus, timeout=2000)

    def fill_check_in(dialog: QWidget) -> None:
        type_text(qtbot, _focused(), "左下牙疼三天")            # chief complaint
        _key(_focused(), Qt.Key.Key_Return)

    _in_modal(fill_check_in)
    _key(view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "checked in" in view.status.text(), timeout=3000)
    with desk.db.read() as session:
        visit = session.execute(select(Visit)).scalar_one()
        entry = session.execute(select(QueueEntry)).scalar_one()
        patient = session.get(Patient, visit.patient_id)
    assert patient.name == "欧阳华" and patient.phone == "+8613912345678"
    assert visit.chief_complaint == "左下牙疼三天"
    assert visit.doctor_id == doctors["李建国"]  # rotation starts at the first staff number
    assert entry.visit_id == visit.id and entry.doctor_id == visit.doctor_id
    assert "rotation" in view.status.text()


def test_registration_shows_each_error_at_its_field_and_writes_nothing(qtbot, desk, clinic):
    dialog = RegistrationDialog(desk, clinic.receptionist)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.name, "张三😀")
    type_text(qtbot, dialog.birth_date, "1990-02-30")
    dialog.try_submit()
    assert dialog.errors.message_for("birth_date") == "Enter a real date as YYYY-MM-DD."
    dialog.birth_date.clear()
    type_text(qtbot, dialog.birth_date, "1990-02-03")
    type_text(qtbot, dialog.phone, "12345")
    dialog.try_submit()
    assert dialog.errors.message_for("name") == "A name cannot contain digits, symbols or emoji."
    assert "not a valid" in dialog.errors.message_for("phone")
    assert dialog.errors.message_for("sex") == "Choose the sex."
    with desk.db.read() as session:
        assert session.execute(select(Patient)).first() is None


def test_a_valid_id_number_fills_in_birth_date_and_sex(qtbot, desk, clinic):
    dialog = RegistrationDialog(desk, clinic.receptionist)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.national_id, "11010519491231002X")
    dialog.fill_from_id()
    assert dialog.birth_date.text() == "1949-12-31"
    assert dialog.sex.currentData() == Sex.FEMALE
    dialog.national_id.clear()
    type_text(qtbot, dialog.national_id, "110105194912310021")
    dialog.fill_from_id()
    assert "check digit" in dialog.errors.message_for("national_id")


def test_duplicate_warning_offers_the_existing_patient(qtbot, desk, clinic):
    existing = register_patient(desk, clinic.receptionist, PatientForm(
        name="李四", sex=Sex.MALE, birth_date=date(1970, 3, 3), phone="13900001111"))
    dialog = RegistrationDialog(desk, clinic.receptionist)
    qtbot.addWidget(dialog)

    class UseExisting:
        def __init__(self, matches, parent):  # type: ignore[no-untyped-def]
            self.matches = matches
            self.register_anyway = False
            self.chosen_id = matches[0].id

        def exec(self) -> bool:
            return True

    dialog.duplicate_dialog = UseExisting  # type: ignore[assignment]
    type_text(qtbot, dialog.name, "李思")
    dialog.sex.setCurrentIndex(dialog.sex.findData(Sex.MALE))
    type_text(qtbot, dialog.birth_date, "1981-01-01")
    type_text(qtbot, dialog.phone, "139 0000 1111")
    dialog.try_submit()
    assert dialog.patient_id == existing
    with desk.db.read() as session:
        assert len(session.execute(select(Patient)).all()) == 1


def test_the_managers_window_shows_an_emergency_at_once(qtbot, desk, clinic, doctors):
    from clinic_desk.services.checkin import (CheckInForm, CheckInRequest, check_in,
                                              propose_check_in)
    from clinic_desk.ui.main_window import MainWindow

    window = MainWindow(desk, clinic.manager)
    qtbot.addWidget(window)
    window.show()
    assert window.notification_bar is not None and window.notification_bar.isHidden()
    patient = register_patient(desk, clinic.receptionist, PatientForm(
        name="赵六", sex=Sex.MALE, birth_date=date(1988, 8, 8), phone="13700001234"))
    request = CheckInRequest(patient_id=patient, emergency=True)
    proposal = propose_check_in(desk, request)
    check_in(desk, clinic.receptionist, CheckInForm(request, proposal.visit_kind_id, "外伤",
                                                    proposal.assignment.doctor_id))
    bar = window.notification_bar
    qtbot.waitUntil(bar.isVisible, timeout=5000)  # the bar polls the database by itself
    assert bar.message.text() == "Emergency: 赵六 has arrived."
    bar.seen_button.click()
    assert bar.isHidden()


# --- patients registered by phone ------------------------------------------------------------

def _cell(view: ReceptionView, row: int, column: int) -> str:
    return view.model.data(view.model.index(row, column))


def test_a_patient_registered_by_phone_shows_details_missing(qtbot, view, desk, clinic):
    caller = quick_register_patient(desk, clinic.receptionist, "赵晓雨", "138 1234 5678")
    register_patient(desk, clinic.receptionist, PatientForm(
        name="赵小云", sex=Sex.FEMALE, birth_date=date(1990, 1, 1), phone="139 1234 0000"))
    view.resize(1100, 500)  # room for the badges
    _type_search(qtbot, view, "zx")
    assert view.model.rowCount() == 2
    row = next(r for r in range(2) if view.model.row_at(r).id == caller)
    other = 1 - row
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert [_cell(view, row, headers.index(h)) for h in ("Sex", "Age", "Date of birth")] == \
        ["", "", ""]
    assert _cell(view, other, headers.index("Age")) == "36 y"
    badge = QColor(DETAILS_MISSING_COLOUR).rgb()
    assert badge in _colours_in(view, row, FLAGS_COLUMN)
    assert badge not in _colours_in(view, other, FLAGS_COLUMN)
    view.results.selectRow(row)
    details = view.details.text()
    assert "details missing" in details and "asked at the check-in" in details


def _colours_in(view: ReceptionView, row: int, column: int) -> set[int]:
    """The colours painted in one cell of the results table."""
    view.results.viewport().repaint()
    image = view.results.viewport().grab(view.results.visualRect(
        view.model.index(row, column))).toImage()
    return {image.pixel(x, y) for x in range(image.width()) for y in range(image.height())}


def test_checking_in_a_patient_registered_by_phone_completes_the_details_first(
        qtbot, view, desk, clinic, doctors):
    caller = quick_register_patient(desk, clinic.receptionist, "赵晓雨", "138 1234 5678")
    refusals: dict[str, str] = {}

    def cancel(dialog: RegistrationDialog) -> None:
        assert dialog.windowTitle() == "Complete the patient's details"
        press(dialog, QDialogButtonBox.StandardButton.Cancel)

    def complete(dialog: RegistrationDialog) -> None:
        assert dialog.focusWidget() is dialog.sex  # the first missing detail
        press(dialog, QDialogButtonBox.StandardButton.Ok)
        refusals.update(sex=dialog.errors.message_for("sex"),
                        birth_date=dialog.errors.message_for("birth_date"))
        dialog.sex.setCurrentIndex(dialog.sex.findData(Sex.FEMALE))
        type_text(qtbot, dialog.birth_date, "1990-05-17")
        press(dialog, QDialogButtonBox.StandardButton.Ok)

    _type_search(qtbot, view, "5678")
    seen = when_shown(RegistrationDialog, cancel)
    _key(view.search, Qt.Key.Key_Return)
    assert len(seen) == 1 and "checked in" not in view.status.text()
    with desk.db.read() as session:
        assert session.execute(select(Visit)).first() is None

    when_shown(RegistrationDialog, complete)
    checked_in = when_shown(CheckInDialog, lambda dialog: press(
        dialog, QDialogButtonBox.StandardButton.Ok))
    _key(view.search, Qt.Key.Key_Return)
    assert refusals == {"sex": "Choose the sex.", "birth_date": "Enter the date of birth."}
    assert len(checked_in) == 1
    qtbot.waitUntil(lambda: "checked in" in view.status.text(), timeout=3000)
    with desk.db.read() as session:
        visit = session.execute(select(Visit)).scalar_one()
        patient = session.get(Patient, caller)
        assert (visit.patient_id, patient.sex, patient.birth_date) == (
            caller, Sex.FEMALE, date(1990, 5, 17))
