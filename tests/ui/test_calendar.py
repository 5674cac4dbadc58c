"""The calendar workspace driven as the desk would: book through the dialog, drag blocks to
move and resize them, see refusals, check a patient in from the calendar, make calls, enter
absences, and book from the queue when a patient would not wait."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QWidget
from sqlalchemy import func, select

from clinic_desk.models import (Appointment, AppointmentChange, AppointmentChangeKind,
                                AppointmentStatus, CallOutcome, FollowUpCall, Patient, Room, Sex)
from clinic_desk.services import calendar
from clinic_desk.services.checkin import CheckInForm, CheckInRequest, check_in, propose_check_in
from clinic_desk.services.patients import get_summary, quick_register_patient
from clinic_desk.services.settings import get_settings, save_settings
from clinic_desk.ui import messages
from clinic_desk.ui.calendar.booking_dialog import BookingDialog
from clinic_desk.ui.calendar.calls_panel import CallDialog
from clinic_desk.ui.calendar.grid import CalendarGrid
from clinic_desk.ui.calendar.reason_form import ReasonForm
from clinic_desk.ui.calendar.time_inputs import set_date
from clinic_desk.ui.calendar.view import CalendarView
from clinic_desk.ui.main_window import MainWindow
from clinic_desk.ui.queue.view import QueueView
from clinic_desk.ui.reception.quick_registration_dialog import QuickRegistrationDialog
from clinic_desk.ui.reception.registration_dialog import DuplicateDialog, RegistrationDialog
from clinic_desk.ui.document_output import DocumentKind
from tests.printing import poppler
from tests.services.calendar_setup import TOMORROW, Calendar, build_calendar
from tests.services.helpers import TODAY, at
from tests.ui.document_preview import open_preview, workstation_config  # noqa: F401
from tests.ui.modal import when_shown
from tests.ui.typing import type_text

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def cal(clinic) -> Calendar:  # type: ignore[no-untyped-def]
    return build_calendar(clinic)


@pytest.fixture
def view(qtbot, cal: Calendar, watchers, notices) -> CalendarView:  # type: ignore[no-untyped-def]
    widget = CalendarView(cal.clinic.desk, cal.actor, watchers(cal.clinic.desk))
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@contextmanager
def answering(handle: Callable[[QWidget], None]) -> Iterator[None]:
    """Answer the modal dialog the block opens with `handle`, as the user would (in the
    dialog's own event loop). The block must open one; a failing answer closes the dialog
    so the test fails instead of hanging."""
    failures: list[BaseException] = []
    state = {"answered": False, "over": False}

    def run() -> None:
        if state["over"]:
            return
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, run)
            return
        state["answered"] = True
        try:
            handle(dialog)
        except BaseException as error:  # noqa: BLE001 - reported after the dialog closes
            failures.append(error)
            if isinstance(dialog, QDialog) and dialog.isVisible():
                dialog.reject()
    QTimer.singleShot(0, run)
    try:
        yield
    finally:
        state["over"] = True
    if failures:
        raise failures[0]
    assert state["answered"], "no dialog was opened"


def press_ok(dialog: QWidget) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def show_day(view: CalendarView, day: date) -> None:
    set_date(view.date, day)
    assert view.day() == day


def lane_index(view: CalendarView, doctor_id: int) -> int:
    return next(i for i, lane in enumerate(view.grid.lanes) if lane.column_key == doctor_id)


def block_of(view: CalendarView, appointment_id: int) -> calendar.CalendarBlock:
    return next(b for lane in view.grid.lanes for b in lane.blocks
                if b.appointment_id == appointment_id)


def appointment(cal: Calendar, appointment_id: int) -> Appointment:
    with cal.clinic.desk.db.read() as session:
        found = session.get(Appointment, appointment_id)
        assert found is not None
        session.expunge(found)
        return found


def drag(grid: CalendarGrid, start: QPoint, end: QPoint) -> None:
    """Press, move in a few steps as a hand would, and release."""
    viewport = grid.viewport()
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, start)
    steps = 4
    for step in range(1, steps + 1):
        point = start + (end - start) * (step / steps)
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, end)


def give_reason(reason: str) -> Callable[[QWidget], None]:
    def handle(dialog: QWidget) -> None:
        assert isinstance(dialog, ReasonForm)
        dialog.reason.setText(reason)
        press_ok(dialog)
    return handle


# --- booking --------------------------------------------------------------------------------

def test_double_clicking_an_empty_slot_books_there_through_the_dialog(qtbot, view, cal):
    show_day(view, TOMORROW)
    slot = view.grid.point_of(lane_index(view, cal.wang), at(9, 30, TOMORROW))
    seen: dict[str, object] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog)
        seen["doctor"] = dialog.doctor.currentData()
        seen["start"] = dialog.starts_at()
        type_text(qtbot, dialog.patient.search, "王芳")
        qtbot.waitUntil(lambda: dialog.patient.selected() is not None, timeout=2000)
        dialog.units.setValue(3)
        dialog.note.setText("洗牙")
        press_ok(dialog)

    with answering(fill):
        QTest.mouseDClick(view.grid.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, slot)
    assert seen == {"doctor": cal.wang, "start": at(9, 30, TOMORROW)}
    (block,) = view.grid.lanes[lane_index(view, cal.wang)].blocks
    assert (block.patient_id, block.units, block.note) == (cal.wang_fang, 3, "洗牙")
    assert block.starts_at == at(9, 30, TOMORROW)
    assert view.grid.rect_of(block.appointment_id) is not None  # drawn in the doctor's lane


def test_the_booking_dialog_shows_refusals_at_their_fields_and_stays_open(qtbot, view, cal):
    refusals: dict[str, str] = {}

    def try_early_then_fix(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog)
        dialog.patient.show_patient(cal.chen)
        dialog.doctor.setCurrentIndex(dialog.doctor.findData(cal.wang))
        set_date(dialog.day, TOMORROW)
        dialog.time.set_value(at(8, 30, TOMORROW).astimezone(dialog.tz).time())
        press_ok(dialog)
        assert dialog.isVisible()
        refusals["starts_at"] = dialog.errors.message_for("starts_at")
        dialog.time.set_value(at(16, 30, TOMORROW).astimezone(dialog.tz).time())
        dialog.units.setValue(4)
        press_ok(dialog)
        assert dialog.isVisible()
        refusals["units"] = dialog.errors.message_for("units")
        dialog.units.setValue(2)
        press_ok(dialog)

    with answering(try_early_then_fix):
        view.book_button.click()
    assert refusals == {"starts_at": "王丽华 works 9:00 AM–5:00 PM on Tuesday.",
                        "units": "王丽华 stops at 5:00 PM: from this start at most 2 units fit."}
    show_day(view, TOMORROW)
    (block,) = view.grid.lanes[lane_index(view, cal.wang)].blocks
    assert (block.patient_id, block.starts_at, block.units) == (cal.chen, at(16, 30, TOMORROW), 2)


def test_a_patient_booked_elsewhere_is_booked_again_only_when_the_desk_confirms(
        qtbot, view, cal):
    cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    asked: list[str] = []

    def book_same_time(answer: bool) -> Callable[[QWidget], None]:
        def handle(dialog: QWidget) -> None:
            assert isinstance(dialog, BookingDialog)
            messages.confirm_hook = lambda _title, text: asked.append(text) or answer
            dialog.patient.show_patient(cal.zhang)
            dialog.doctor.setCurrentIndex(dialog.doctor.findData(cal.wang))
            set_date(dialog.day, TOMORROW)
            dialog.time.set_value(at(14, 15, TOMORROW).astimezone(dialog.tz).time())
            press_ok(dialog)
            if dialog.isVisible():
                assert "李建国" in dialog.general_error.text()
                dialog.reject()
        return handle

    try:
        with answering(book_same_time(False)):
            assert view.book() is None
        with answering(book_same_time(True)):
            booked = view.book()
    finally:
        messages.confirm_hook = None
    assert len(asked) == 2 and "张三" in asked[0]
    assert booked is not None and appointment(cal, booked).doctor_id == cal.wang


def test_the_free_slot_finder_fills_in_the_chosen_slot(qtbot, view, cal):
    def find(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog)
        dialog.patient.show_patient(cal.zhang)
        dialog.doctor.setCurrentIndex(dialog.doctor.findData(cal.li))
        dialog.units.setValue(2)
        dialog.find_button.click()
        assert dialog.slots.count() == 10
        dialog.slots.setCurrentRow(2)
        chosen = dialog.slots.currentItem().data(Qt.ItemDataRole.UserRole + 1)
        assert dialog.starts_at() == chosen.starts_at
        assert dialog.doctor.currentData() == chosen.doctor_id == cal.li
        press_ok(dialog)

    with answering(find):
        booked = view.book()
    assert booked is not None
    # 10:00 on Monday: the first free starts of 30 minutes for Dr Li are 10:00, 10:15, 10:30.
    assert appointment(cal, booked).starts_at == at(10, 30)


# --- dragging ---------------------------------------------------------------------------------

def test_dragging_a_block_moves_it_to_another_doctor_and_time_with_a_reason(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    show_day(view, TOMORROW)
    rect = view.grid.rect_of(booked)
    assert rect is not None
    target = view.grid.point_of(lane_index(view, cal.wang), at(15, 0, TOMORROW))
    with answering(give_reason("病人下午有事")):
        drag(view.grid, rect.center() - QPoint(0, rect.height() // 4),
             target - QPoint(0, view.grid.row_height // 4))
    moved = appointment(cal, booked)
    assert (moved.doctor_id, moved.starts_at, moved.units) == (cal.wang, at(15, 0, TOMORROW), 2)
    with cal.clinic.desk.db.read() as session:
        change = session.execute(select(AppointmentChange).where(
            AppointmentChange.kind == AppointmentChangeKind.RESCHEDULED)).scalar_one()
        assert (change.reason, change.old_doctor_id) == ("病人下午有事", cal.li)
    assert block_of(view, booked).starts_at == at(15, 0, TOMORROW)
    assert "rescheduled" in view.status.text()


def test_dragging_the_lower_edge_changes_the_length(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW, units=2)
    show_day(view, TOMORROW)
    rect = view.grid.rect_of(booked)
    assert rect is not None
    edge = QPoint(rect.center().x(), rect.bottom() - 2)
    with answering(give_reason("医生说需要一小时")):
        drag(view.grid, edge, edge + QPoint(0, 2 * view.grid.row_height))
    changed = appointment(cal, booked)
    assert (changed.starts_at, changed.units) == (at(14, 0, TOMORROW), 4)
    assert view.grid.rect_of(booked).height() > rect.height()


def test_a_move_without_a_reason_stays_in_the_dialog_and_a_refused_one_snaps_back(
        qtbot, view, cal, notices):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    cal.book(cal.chen, cal.li, hour=15, day=TOMORROW)
    show_day(view, TOMORROW)
    rect = view.grid.rect_of(booked)
    assert rect is not None
    asked_twice: list[str] = []

    def empty_then_given(dialog: QWidget) -> None:
        assert isinstance(dialog, ReasonForm)
        press_ok(dialog)
        assert dialog.isVisible()
        asked_twice.append(dialog.errors.message_for("reason"))
        dialog.reason.setText("改到三点")
        press_ok(dialog)

    onto_chen = view.grid.point_of(lane_index(view, cal.li), at(15, 0, TOMORROW))
    with answering(empty_then_given):
        drag(view.grid, rect.center() - QPoint(0, rect.height() // 4),
             onto_chen - QPoint(0, view.grid.row_height // 4))
    assert asked_twice and asked_twice[0]
    assert notices and "李建国 already has an appointment" in notices[-1]
    assert view.status.text() == notices[-1]
    assert appointment(cal, booked).starts_at == at(14, 0, TOMORROW)
    assert view.grid.pending is None
    assert view.grid.rect_of(booked) == rect  # back in its place


def test_a_dragged_block_cancelled_at_the_reason_goes_back(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    show_day(view, TOMORROW)
    rect = view.grid.rect_of(booked)
    assert rect is not None
    with answering(lambda dialog: dialog.reject()):  # type: ignore[attr-defined]
        drag(view.grid, rect.center(), rect.center() + QPoint(0, 4 * view.grid.row_height))
    assert appointment(cal, booked).starts_at == at(14, 0, TOMORROW)
    assert view.grid.pending is None and view.grid.rect_of(booked) == rect


def test_a_refresh_during_a_drag_waits_until_the_block_is_let_go(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    show_day(view, TOMORROW)
    rect = view.grid.rect_of(booked)
    assert rect is not None
    viewport, below = view.grid.viewport(), rect.center() + QPoint(0, 4 * view.grid.row_height)
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseMove(viewport, below)
    other_pc = cal.book(cal.chen, cal.wang, hour=9, day=TOMORROW)
    view.ticker.timeout.emit()  # the minute's refresh, or another PC's change
    assert view.grid.busy() and view.grid.rect_of(other_pc) is None
    with answering(give_reason("推后一小时")):
        QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, below)
    assert appointment(cal, booked).starts_at == at(15, 0, TOMORROW)
    assert view.grid.rect_of(other_pc) is not None


def test_a_block_let_go_where_it_was_changes_nothing_and_catches_up(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    show_day(view, TOMORROW)
    rect = view.grid.rect_of(booked)
    assert rect is not None
    viewport = view.grid.viewport()
    QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    QTest.mouseMove(viewport, rect.center() + QPoint(0, 3 * view.grid.row_height))
    other_pc = cal.book(cal.chen, cal.wang, hour=9, day=TOMORROW)
    view.reload()
    QTest.mouseMove(viewport, rect.center())
    QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, rect.center())
    assert not view.grid.busy()
    assert view.grid.rect_of(other_pc) is not None  # the refresh it waited for
    assert appointment(cal, booked).version == 1


def test_by_chair_a_block_dragged_to_another_chair_keeps_its_doctor(
        qtbot, cal, watchers, notices):
    desk = cal.clinic.desk
    save_settings(desk, cal.clinic.manager, replace(get_settings(desk), calendar_by_chair=True))
    with desk.db.read() as session:
        chairs = list(session.execute(select(Room.id).order_by(Room.sort_order)).scalars())
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW, room_id=chairs[0])
    view = CalendarView(desk, cal.actor, watchers(desk))
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    qtbot.waitExposed(view)
    show_day(view, TOMORROW)
    assert [lane.column_key for lane in view.grid.lanes] == chairs
    rect = view.grid.rect_of(booked)
    assert rect is not None
    target = view.grid.point_of(chairs.index(chairs[2]), at(14, 0, TOMORROW))
    with answering(give_reason("三号椅有空")):
        drag(view.grid, rect.center() - QPoint(0, rect.height() // 4),
             target - QPoint(0, view.grid.row_height // 4))
    moved = appointment(cal, booked)
    assert (moved.room_id, moved.doctor_id, moved.starts_at) == (chairs[2], cal.li,
                                                                 at(14, 0, TOMORROW))

    def chair_is_asked(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog) and dialog.chair is not None
        assert dialog.chair.currentData() == chairs[1]  # the chair double-clicked
        dialog.reject()

    with answering(chair_is_asked):
        view.book_slot(view.grid.lanes[1], at(9, 0, TOMORROW))


def test_chairs_set_while_the_calendar_is_open_are_its_columns_at_the_next_refresh(
        qtbot, view, cal):
    desk = cal.clinic.desk
    show_day(view, TOMORROW)
    assert view.mode.itemText(0) == "Day by doctor"
    assert [lane.column_key for lane in view.grid.lanes] == [cal.li, cal.wang]
    save_settings(desk, cal.clinic.manager, replace(get_settings(desk), calendar_by_chair=True))
    view.ticker.timeout.emit()  # the minute tick
    with desk.db.read() as session:
        chairs = list(session.execute(select(Room.id).order_by(Room.sort_order)).scalars())
    assert view.mode.itemText(0) == "Day by chair"
    assert [lane.column_key for lane in view.grid.lanes] == chairs

    def chair_is_asked(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog) and dialog.chair is not None
        assert dialog.chair.currentData() == chairs[2]  # a chair, not a doctor
        dialog.reject()

    with answering(chair_is_asked):
        view.book_slot(view.grid.lanes[2], at(9, 0, TOMORROW))


# --- the appointment's menu --------------------------------------------------------------------

def trigger(view: CalendarView, appointment_id: int, name: str) -> None:
    (action,) = [a for a in view.block_actions(block_of(view, appointment_id))
                 if a.objectName() == name]
    assert action.isEnabled(), name
    action.trigger()


def test_arrival_from_the_calendar_puts_the_patient_in_the_queue(qtbot, cal, monkeypatch):
    window = MainWindow(cal.clinic.desk, cal.actor)
    qtbot.addWidget(window)
    try:
        assert window.calendar_view is not None and window.queue_view is not None
        booked = cal.book(cal.zhang, cal.li, hour=10, minute=30, day=TODAY)
        window.calendar_view.reload()
        assert block_of(window.calendar_view, booked).status == AppointmentStatus.BOOKED
        trigger(window.calendar_view, booked, "arrived")
        assert block_of(window.calendar_view, booked).status == AppointmentStatus.ARRIVED
        assert "张三" in window.calendar_view.status.text()
        qtbot.waitUntil(lambda: any(r.patient_name == "张三" and r.doctor_id == cal.li
                                    for r in window.queue_view.model.rows()), timeout=3000)
    finally:
        window.watcher.timer.stop()


def test_confirm_and_cancel_from_the_menu(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    show_day(view, TOMORROW)
    trigger(view, booked, "confirm")
    assert block_of(view, booked).status == AppointmentStatus.CONFIRMED
    (confirm,) = [a for a in view.block_actions(block_of(view, booked))
                  if a.objectName() == "confirm"]
    assert not confirm.isEnabled()  # already confirmed
    with answering(give_reason("病人出差")):
        trigger(view, booked, "cancel")
    assert appointment(cal, booked).status == AppointmentStatus.CANCELLED
    assert not view.grid.lanes[lane_index(view, cal.li)].blocks


def test_an_appointment_another_desk_moved_is_refused_and_refreshed(qtbot, view, cal, notices):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    show_day(view, TOMORROW)
    stale = block_of(view, booked)
    calendar.confirm(cal.clinic.desk, cal.clinic.manager, booked, stale.version)
    assert not view.confirm(stale)
    assert notices and "Another desk" in notices[-1]
    assert block_of(view, booked).status == AppointmentStatus.CONFIRMED


def test_the_reschedule_dialog_moves_with_a_reason(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    show_day(view, TOMORROW)

    def move(dialog: QWidget) -> None:
        dialog.day.setDate(QDate(2026, 3, 4))  # type: ignore[attr-defined]
        dialog.reason.setText("病人改约")  # type: ignore[attr-defined]
        press_ok(dialog)

    with answering(move):
        trigger(view, booked, "reschedule")
    assert appointment(cal, booked).starts_at == at(14, 0, date(2026, 3, 4))
    assert not view.grid.lanes[lane_index(view, cal.li)].blocks


# --- views and navigation -----------------------------------------------------------------------

def test_the_week_view_and_moving_between_days(qtbot, view, cal):
    cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    assert view.day() == TODAY and len(view.grid.lanes) == 2
    view.next_button.click()
    assert view.day() == TOMORROW
    view.mode.setCurrentIndex(view.mode.findData("week"))
    view.doctor.setCurrentIndex(view.doctor.findData(cal.li))
    lanes = view.grid.lanes
    assert [lane.day for lane in lanes] == [TODAY + timedelta(days=n) for n in range(7)]
    assert [len(lane.blocks) for lane in lanes] == [0, 1, 0, 0, 0, 0, 0]
    assert lanes[6].working == ()  # Sunday off: all shaded
    view.next_button.click()
    assert view.day() == TOMORROW + timedelta(days=7)
    view.today_button.click()
    assert view.day() == TODAY


def test_an_impossible_date_cannot_be_typed(qtbot, view):
    """Typing 2026-02-30 digit by digit: the 0 that would make the 30th of February is
    refused, and the field holds a real date."""
    view.activateWindow()
    qtbot.waitActive(view)
    view.date.setFocus()
    view.date.setSelectedSection(view.date.Section.YearSection)
    QTest.keyClicks(view.date, "20260230")
    assert view.date.text() == "2026-02-03"
    assert view.day() == date(2026, 2, 3)
    assert view.date_label.text().startswith("Tuesday, February 3, 2026")


def test_a_slot_ended_without_arrival_turns_into_a_no_show_on_refresh(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=10, day=TODAY)
    view.reload()
    assert block_of(view, booked).status == AppointmentStatus.BOOKED
    cal.clinic.clock.advance(minutes=31)
    view.ticker.timeout.emit()
    assert block_of(view, booked).status == AppointmentStatus.NO_SHOW


@pytest.mark.usefixtures("workstation_config")
def test_the_days_list_is_printed_through_the_preview(qtbot, view, cal):
    cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    cal.book(cal.chen, cal.wang, hour=9, day=TOMORROW)
    show_day(view, TOMORROW)
    view.print_button.click()
    preview = open_preview(view)
    assert preview.kind == DocumentKind.DAY_LIST
    text = poppler.layout_text(preview.pdf)
    assert text.index("陈明") < text.index("张三")  # in time order
    assert "Tuesday" in text


# --- calls --------------------------------------------------------------------------------------

def open_calls(view: CalendarView) -> None:
    view.pages.setCurrentWidget(view.calls)


def test_a_reminder_call_confirms_and_records_who_called(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    open_calls(view)
    assert view.calls.reminders.select_patient("张三")

    def confirmed(dialog: QWidget) -> None:
        assert isinstance(dialog, CallDialog)
        dialog.outcome.setCurrentIndex(dialog.outcome.findData(CallOutcome.CONFIRMED))
        press_ok(dialog)

    with answering(confirmed):
        view.calls.call_reminder_button.click()
    assert appointment(cal, booked).status == AppointmentStatus.CONFIRMED
    row = view.calls.reminders.model_.row_at(0)
    assert (row.last_outcome, row.called_by, row.to_call) == (
        CallOutcome.CONFIRMED, cal.actor.name, False)


def test_a_no_show_call_that_books_does_it_in_one_step(qtbot, view, cal):
    cal.book(cal.zhang, cal.li, hour=10, day=TODAY)
    cal.clinic.clock.advance(minutes=45)
    open_calls(view)
    assert view.calls.due.select_patient("张三")

    def choose_time(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog)
        assert dialog.patient.selected().id == cal.zhang
        assert not dialog.patient.isEnabled()
        set_date(dialog.day, TOMORROW)
        dialog.time.set_value(at(9, 0, TOMORROW).astimezone(dialog.tz).time())
        press_ok(dialog)

    def booked_outcome(dialog: QWidget) -> None:
        assert isinstance(dialog, CallDialog)
        dialog.outcome.setCurrentIndex(dialog.outcome.findData(CallOutcome.BOOKED))
        dialog.note.setText("病人忘了")
        with answering(choose_time):
            press_ok(dialog)

    with answering(booked_outcome):
        view.calls.call_due_button.click()
    with cal.clinic.desk.db.read() as session:
        call = session.execute(select(FollowUpCall)).scalar_one()
        new = session.get(Appointment, call.booked_appointment_id)
        assert (call.outcome, call.by_id) == (CallOutcome.BOOKED, cal.actor.staff_id)
        assert new is not None and new.starts_at == at(9, 0, TOMORROW)
    assert view.calls.due.model_.rowCount() == 0


def test_calls_are_offered_only_between_ten_and_nine(qtbot, view, cal):
    cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)
    open_calls(view)
    assert view.calls.call_reminder_button.isEnabled()
    assert view.calls.window_hint.isHidden()
    cal.clinic.clock.set(at(21, 30))
    view.reload()
    assert not view.calls.call_reminder_button.isEnabled()
    assert not view.calls.call_due_button.isEnabled()
    assert view.calls.window_hint.text() == "Patients are called between 10:00 AM and 9:00 PM only."
    assert not view.calls.window_hint.isHidden()


# --- absences -----------------------------------------------------------------------------------

def test_an_absence_lists_the_appointments_it_hits_and_shades_the_day(qtbot, view, cal):
    booked = cal.book(cal.zhang, cal.li, hour=14, day=TOMORROW)

    def add(dialog: QWidget) -> None:
        dialog.doctor.setCurrentIndex(dialog.doctor.findData(cal.li))  # type: ignore[attr-defined]
        set_date(dialog.first_day, TOMORROW)  # type: ignore[attr-defined]
        dialog.reason.setText("培训")  # type: ignore[attr-defined]
        dialog.add_button.click()  # type: ignore[attr-defined]
        hits = dialog.hits_model  # type: ignore[attr-defined]
        assert [hits.row_at(i).appointment_id for i in range(hits.rowCount())] == [booked]
        assert "1 appointment falls" in dialog.hits_title.text()  # type: ignore[attr-defined]
        dialog.reject()  # type: ignore[attr-defined]

    with answering(add):
        view.absences_button.click()
    show_day(view, TOMORROW)
    assert view.grid.lanes[lane_index(view, cal.li)].working == ()


# --- the queue ----------------------------------------------------------------------------------

def test_would_not_wait_in_the_queue_opens_the_booking_with_the_patient(qtbot, cal, watchers):
    desk = cal.clinic.desk
    request = CheckInRequest(patient_id=cal.wang_fang)
    proposal = propose_check_in(desk, request)
    check_in(desk, cal.actor, CheckInForm(request, proposal.visit_kind_id, "牙痛", cal.li))
    queue_view = QueueView(desk, cal.actor, watchers(desk))
    qtbot.addWidget(queue_view)
    queue_view.table.selectRow(0)
    seen: dict[str, object] = {}

    def book(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog)
        patient = dialog.patient.selected()
        seen["patient"] = patient.id if patient else None
        seen["doctor"] = dialog.doctor.currentData()
        set_date(dialog.day, TOMORROW)
        dialog.time.set_value(at(9, 0, TOMORROW).astimezone(dialog.tz).time())
        press_ok(dialog)

    with answering(book):
        assert queue_view.convert_selected(reason="不想等")
    assert seen == {"patient": cal.wang_fang, "doctor": cal.li}
    assert "booked" in queue_view.status.text()
    with desk.db.read() as session:
        (booked,) = session.execute(select(Appointment)).scalars()
        assert (booked.patient_id, booked.starts_at) == (cal.wang_fang, at(9, 0, TOMORROW))


# --- booking by phone a caller not yet on file -------------------------------------------------

def search_in_picker(qtbot, dialog: BookingDialog, text: str) -> None:  # type: ignore[no-untyped-def]
    type_text(qtbot, dialog.patient.search, text)
    qtbot.waitUntil(lambda: not dialog.patient._timer.isActive(), timeout=2000)


def test_booking_by_phone_registers_the_caller_with_name_and_phone(qtbot, view, cal):
    seen: dict[str, object] = {}

    def register_quickly(quick: QuickRegistrationDialog) -> None:
        seen["phone"] = quick.phone.text()
        assert quick.focusWidget() is quick.name
        press_ok(quick)  # no name yet: refused at the field, the dialog stays
        seen["refusal"] = quick.errors.message_for("name")
        type_text(qtbot, quick.name, "赵晓雨")
        press_ok(quick)

    def book_caller(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog)
        search_in_picker(qtbot, dialog, "138 1234 5678")
        assert dialog.patient.selected() is None  # nobody on file with this phone
        when_shown(QuickRegistrationDialog, register_quickly)
        dialog.patient.quick_button.click()
        chosen = dialog.patient.selected()
        assert chosen is not None
        seen.update(patient=chosen.id, line=dialog.patient_line.text(),
                    units=dialog.units.value())
        dialog.doctor.setCurrentIndex(dialog.doctor.findData(cal.li))
        set_date(dialog.day, TOMORROW)
        dialog.time.set_value(at(9, 0, TOMORROW).astimezone(dialog.tz).time())
        press_ok(dialog)

    with answering(book_caller):
        view.book_button.click()
    assert seen["phone"] == "138 1234 5678"
    assert seen["refusal"] == "Enter the patient's name."
    assert seen["units"] == 1  # a new patient's check-up
    caller = seen["patient"]
    assert "赵晓雨" in str(seen["line"]) and "details missing" in str(seen["line"])
    summary = get_summary(cal.clinic.desk, caller)  # type: ignore[arg-type]
    assert (summary.name, summary.phone, summary.details_missing) == (
        "赵晓雨", "+8613812345678", True)
    show_day(view, TOMORROW)
    (block,) = view.grid.lanes[lane_index(view, cal.li)].blocks
    assert (block.patient_id, block.starts_at, block.units) == (caller, at(9, 0, TOMORROW), 1)


def patient_count(cal: Calendar) -> int:
    with cal.clinic.desk.db.read() as session:
        return session.execute(select(func.count()).select_from(Patient)).scalar_one()


def test_a_caller_whose_phone_is_on_file_is_booked_as_that_patient(qtbot, view, cal):
    patients_before = patient_count(cal)

    def use_existing(duplicate: DuplicateDialog) -> None:
        assert duplicate.matches.count() == 1
        assert "张三" in duplicate.matches.item(0).text()
        duplicate.use_button.click()

    def book_caller(dialog: QWidget) -> None:
        assert isinstance(dialog, BookingDialog)
        search_in_picker(qtbot, dialog, "张")
        when_shown(QuickRegistrationDialog, lambda quick: (
            quick.phone.setText("139 0000 0001"), press_ok(quick)))
        when_shown(DuplicateDialog, use_existing)
        dialog.patient.quick_button.click()
        chosen = dialog.patient.selected()
        assert chosen is not None and chosen.id == cal.zhang
        dialog.reject()

    with answering(book_caller):
        view.book_button.click()
    assert patient_count(cal) == patients_before


def test_arrival_of_a_caller_asks_for_the_missing_details_first(qtbot, view, cal):
    caller = quick_register_patient(cal.clinic.desk, cal.actor, "赵晓雨", "138 1234 5678")
    booked = cal.book(caller, cal.li, hour=10, minute=30, day=TODAY, units=1)
    view.reload()

    with answering(lambda dialog: dialog.reject()):
        trigger(view, booked, "arrived")
    assert block_of(view, booked).status == AppointmentStatus.BOOKED

    def complete(dialog: QWidget) -> None:
        assert isinstance(dialog, RegistrationDialog) and dialog.complete
        dialog.sex.setCurrentIndex(dialog.sex.findData(Sex.MALE))
        type_text(qtbot, dialog.birth_date, "19800131")
        press_ok(dialog)

    with answering(complete):
        trigger(view, booked, "arrived")
    assert block_of(view, booked).status == AppointmentStatus.ARRIVED
    summary = get_summary(cal.clinic.desk, caller)
    assert (summary.sex, summary.birth_date) == (Sex.MALE, date(1980, 1, 31))
