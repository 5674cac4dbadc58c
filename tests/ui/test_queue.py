"""The queue workspace and the waiting-room display, driven as the desk would."""

from __future__ import annotations

from datetime import date, time

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from clinic_desk.models import QueueEntry, QueueState, Role, Sex, Visit, VisitState
from clinic_desk.services import queue
from clinic_desk.services.checkin import (CheckInForm, CheckInRequest, check_in,
                                          propose_check_in)
from clinic_desk.services.patients import PatientForm, register_patient
from clinic_desk.services.staff import Shift, StaffForm, add_staff
from clinic_desk.ui.main_window import MainWindow
from clinic_desk.ui.queue.display import WaitingRoomDisplay
from clinic_desk.ui.queue.model import ALERT_COLOURS, QueueTableModel
from clinic_desk.ui.queue.view import QueueView
from clinic_desk.services.queue import AlertLevel


@pytest.fixture
def doctors(desk, manager) -> list[int]:
    monday = (Shift(0, time(8, 0), time(12, 0)),)
    return [add_staff(desk, manager, StaffForm(
        staff_number=number, full_name=name, sex=Sex.FEMALE, roles=frozenset({Role.DOCTOR}),
        shifts=monday)) for number, name in (("D01", "李建国"), ("D02", "王丽华"))]


def arrive(desk, clinic, name: str, phone: str) -> int:
    patient = register_patient(desk, clinic.receptionist, PatientForm(
        name=name, sex=Sex.FEMALE, birth_date=date(1985, 5, 5), phone=phone))
    request = CheckInRequest(patient_id=patient)
    proposal = propose_check_in(desk, request)
    return check_in(desk, clinic.receptionist, CheckInForm(
        request, proposal.visit_kind_id, "牙痛", proposal.assignment.doctor_id)).visit_id


@pytest.fixture
def view(qtbot, desk, clinic, doctors, watchers) -> QueueView:
    widget = QueueView(desk, clinic.receptionist, watchers(desk))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def select_patient(view: QueueView, name: str) -> None:
    for index, row in enumerate(view.model.rows()):
        if row.patient_name == name:
            view.table.selectRow(index)
            return
    raise AssertionError(f"{name} is not in the list")


def background(view: QueueView, name: str) -> str | None:
    for index, row in enumerate(view.model.rows()):
        if row.patient_name == name:
            brush = view.model.index(index, QueueTableModel.NAME).data(
                Qt.ItemDataRole.BackgroundRole)
            return brush.color().name() if brush is not None else None
    raise AssertionError(name)


def test_the_mornings_flow_from_check_in_to_the_cash_desk(qtbot, view, desk, clinic):
    visit = arrive(desk, clinic, "张三明", "13800000001")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=3000)  # found by polling
    assert view.model.index(0, QueueTableModel.POSITION).data() == "1"
    select_patient(view, "张三明")
    assert view.call_selected()
    assert view.model.row_at(0).state == QueueState.CALLED
    select_patient(view, "张三明")
    assert view.start_selected()
    clinic.clock.advance(minutes=25)
    select_patient(view, "张三明")
    assert view.finish_selected()
    assert view.model.rowCount() == 0
    with desk.db.read() as session:
        assert session.get(Visit, visit).state == VisitState.TO_CASHIER
        entry = session.execute(select(QueueEntry)).scalar_one()
    assert entry.state == QueueState.DONE and entry.called_at and entry.done_at


def test_both_alert_levels_colour_the_row_and_the_second_stays_until_acknowledged(
        qtbot, view, desk, clinic):
    arrive(desk, clinic, "李四", "13800000002")
    view.reload()
    assert background(view, "李四") is None and view.alert_bar.isHidden()
    clinic.clock.advance(minutes=15)
    view.reload()
    assert background(view, "李四") == ALERT_COLOURS[AlertLevel.FIRST]
    assert view.alert_bar.isHidden()
    clinic.clock.advance(minutes=5)
    view.reload()
    assert background(view, "李四") == ALERT_COLOURS[AlertLevel.SECOND]
    assert not view.alert_bar.isHidden()
    assert "李四 has waited 20 min" in view.alert_text.text()
    view.acknowledge_button.click()
    assert view.alert_bar.isHidden()
    assert background(view, "李四") == ALERT_COLOURS[AlertLevel.SECOND]  # still late
    with desk.db.read() as session:
        entry = session.execute(select(QueueEntry)).scalar_one()
    assert entry.alert_acknowledged_by_id == clinic.receptionist.staff_id


def test_an_action_on_a_patient_another_pc_moved_is_refused_and_refreshed(
        qtbot, view, desk, clinic):
    arrive(desk, clinic, "王五", "13800000003")
    view.reload()
    select_patient(view, "王五")
    row = view.selected()
    queue.call_patient(desk, clinic.receptionist, row.entry_id, row.version)  # the other PC
    assert not view.call_selected()  # this PC still shows the old version
    assert "Another desk has just changed this patient" in view.status.text()
    assert view.model.row_at(0).state == QueueState.CALLED  # the fresh list


def test_left_without_being_seen_needs_a_reason(qtbot, view, desk, clinic):
    arrive(desk, clinic, "赵六", "13800000004")
    view.reload()
    select_patient(view, "赵六")
    assert not view.left_selected(reason="  ")
    assert view.status.text() == "Give the reason."
    assert view.model.rowCount() == 1
    assert view.left_selected(reason="等不及，明天再来")
    assert view.model.rowCount() == 0


def test_the_waiting_room_display_hides_names_and_shows_rooms(qtbot, desk, clinic, doctors,
                                                             watchers):
    for name, phone in (("张三明", "13800000005"), ("欧阳明华", "13800000006")):
        arrive(desk, clinic, name, phone)
    snapshot = queue.queue_snapshot(desk)
    first = next(r for r in snapshot.rows if r.patient_name == "张三明")
    queue.call_patient(desk, clinic.receptionist, first.entry_id, first.version, room_id=1)
    display = WaitingRoomDisplay(desk, watchers(desk))
    qtbot.addWidget(display)
    assert display.called_texts == [("张*明", "1号诊室")]  # the clinic was set up in 简体中文
    assert display.next_texts == ["欧阳*华"]


def test_a_change_on_one_pc_shows_on_the_other_within_3_seconds(qtbot, view, desk, clinic,
                                                                watchers):
    from clinic_desk.clinic import open_clinic

    other_pc = open_clinic(clinic.path, clock=clinic.clock)
    try:
        other = QueueView(other_pc, clinic.receptionist, watchers(other_pc))
        qtbot.addWidget(other)
        arrive(desk, clinic, "孙七", "13800000007")
        qtbot.waitUntil(lambda: other.model.rowCount() == 1, timeout=3000)
        qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=3000)
        select_patient(view, "孙七")
        assert view.call_selected()
        qtbot.waitUntil(lambda: other.model.row_at(0).state == QueueState.CALLED, timeout=3000)
    finally:
        other_pc.db.dispose()


def test_the_queue_menu_holds_the_buttons_with_their_shortcuts(qtbot, desk, clinic, doctors):
    window = MainWindow(desk, clinic.manager)
    qtbot.addWidget(window)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert [title for title in menus if title in ("&Patient", "&Queue", "&Calendar",
                                                  "Cas&h desk")] == [
        "&Patient", "&Queue", "&Calendar", "Cas&h desk"]
    queue_menu = [(a.text(), a.shortcut().toString()) for a in menus["&Queue"].actions()]
    assert queue_menu[:3] == [("Call", "F6"), ("Start treatment", "F7"),
                              ("Done: to the cash desk", "F8")]
    assert len(queue_menu) == 9
    window.close()
