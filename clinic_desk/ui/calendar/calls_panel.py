"""The calls to make: reminders for tomorrow's appointments (提醒确认) and the follow-up calls
due today (回访), each with its last outcome and who called. A call is recorded by the
logged-in user, only between 10:00 and 21:00; a call that books does it in one step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from clinic_desk.i18n import N_, format_date, format_datetime, format_time, gettext as _, ngettext
from clinic_desk.models import CallOutcome, FollowUpKind
from clinic_desk.services import followups
from clinic_desk.services.calendar import BookingRequest, status_label
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.followups import (CALL_WINDOW, NEEDS_BOOKING, NEEDS_REASON, DueCall,
                                            ReminderRow, kind_label, outcome_label, outcomes_for)
from clinic_desk.services.patients import today as clinic_today
from clinic_desk.ui.calendar.booking_dialog import BookingDialog
from clinic_desk.ui.calendar.grid import span_text
from clinic_desk.ui.calendar.time_inputs import chosen_date, date_edit
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import data_combo, fit_columns, read_only_rows

Call = TypeVar("Call", ReminderRow, DueCall)
DONE_COLOUR = "#8a8a8a"
#: The no-show series' calls by step: at once, after 3 days, a week, a month.
NO_SHOW_STEPS = (N_("at once"), N_("after 3 days"), N_("after a week"), N_("after a month"))


def last_call_text(call: ReminderRow | DueCall) -> str:
    if call.last_outcome is None:
        return ""
    text = outcome_label(call.last_outcome)
    if call.attempts > 1:
        text += " " + ngettext("({count} call)", "({count} calls)", call.attempts).format(
            count=call.attempts)
    return text


def called_by_text(call: ReminderRow | DueCall) -> str:
    if call.called_at is None:
        return ""
    return f"{call.called_by} · {format_time(call.called_at, tz=call.called_at.tzinfo)}"


def call_kind_text(call: DueCall) -> str:
    text = kind_label(call.kind)
    if call.kind == FollowUpKind.NO_SHOW and call.step < len(NO_SHOW_STEPS):
        text += f" ({_(NO_SHOW_STEPS[call.step])})"
    return text


def _greyed(done: Callable[[Call], bool]) -> Callable[[Call], str | None]:
    return lambda call: DONE_COLOUR if done(call) else None


def reminder_columns() -> Sequence[Column[ReminderRow]]:
    grey = _greyed(lambda r: not r.to_call)
    return (
        Column(N_("Time"), lambda r: span_text(r.starts_at, r.ends_at), foreground=grey),
        Column(N_("Patient"), lambda r: r.patient_name, foreground=grey),
        Column(N_("Record number"), lambda r: r.record_number, foreground=grey),
        Column(N_("Phone"), lambda r: r.phone, foreground=grey),
        Column(N_("Doctor"), lambda r: r.doctor_name, foreground=grey),
        Column(N_("Visit kind"), lambda r: r.visit_kind, foreground=grey),
        Column(N_("Appointment"), lambda r: status_label(r.status), foreground=grey),
        Column(N_("Last call"), last_call_text, foreground=grey),
        Column(N_("Called by"), called_by_text, foreground=grey),
    )


def due_call_columns() -> Sequence[Column[DueCall]]:
    return (
        Column(N_("Due date"), lambda c: format_date(c.due_date, "short")),
        Column(N_("Kind of call"), call_kind_text),
        Column(N_("Patient"), lambda c: c.patient_name),
        Column(N_("Record number"), lambda c: c.record_number),
        Column(N_("Phone"), lambda c: c.phone),
        Column(N_("Doctor"), lambda c: c.doctor_name),
        Column(N_("About"), lambda c: format_datetime(c.about, "short", tz=c.about.tzinfo)
               if c.about else ""),
        Column(N_("Last call"), last_call_text),
        Column(N_("Called by"), called_by_text),
    )


class CallTable(QTableView, Generic[Call]):
    def __init__(self, name: str, columns: Sequence[Column[Call]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.model_: RowTableModel[Call] = RowTableModel(columns, self)
        self.setModel(self.model_)
        fit_columns(read_only_rows(self))

    def show_rows(self, rows: Sequence[Call]) -> None:
        """New rows, keeping the selected call selected."""
        chosen = self.selected()
        self.model_.set_rows(rows)
        for index, row in enumerate(rows):
            if chosen is not None and row.follow_up_id == chosen.follow_up_id:
                self.selectRow(index)

    def selected(self) -> Call | None:
        index = self.currentIndex()
        return self.model_.row_at(index.row()) if index.isValid() else None

    def select_patient(self, name: str) -> bool:
        for index in range(self.model_.rowCount()):
            if self.model_.row_at(index).patient_name == name:
                self.selectRow(index)
                return True
        return False


class CallDialog(FormDialog):
    """What came of one call. Booking and moving outcomes open the booking dialog, whose OK
    records the call and books in the same transaction."""

    def __init__(self, desk: Desk, actor: Actor, call: ReminderRow | DueCall,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Call {patient}").format(patient=call.patient_name), parent)
        self.desk, self.actor, self.call = desk, actor, call
        kind = FollowUpKind.REMINDER if isinstance(call, ReminderRow) else call.kind
        who = QLabel(f"<b>{call.patient_name}</b> · {call.record_number} · "
                     f"<b>{call.phone}</b>", objectName="who")
        about = QLabel(self._about(call), objectName="about")
        about.setWordWrap(True)
        self.form.addRow(who)
        self.form.addRow(about)
        self.outcome: QComboBox = data_combo((outcome_label(o), o) for o in outcomes_for(kind))
        self.outcome.setObjectName("outcome")
        self.note = QLineEdit(objectName="note")
        self.note.setPlaceholderText(_("what the patient said; the reason when moved or "
                                       "cancelled"))
        self.add_row(_("Outcome"), "outcome", self.outcome)
        self.add_row(_("Note"), "note", self.note)
        self.finish_layout()
        self.booking_dialog: BookingDialog | None = None

    @staticmethod
    def _about(call: ReminderRow | DueCall) -> str:
        if isinstance(call, ReminderRow):
            return _("Appointment {day} {time} with {doctor} ({kind})").format(
                day=format_date(call.starts_at.date()), time=span_text(call.starts_at,
                                                                         call.ends_at),
                doctor=call.doctor_name, kind=call.visit_kind)
        when = format_datetime(call.about, "short", tz=call.about.tzinfo) if call.about else ""
        return f"{call_kind_text(call)} · {when} · {call.doctor_name}"

    def try_submit(self) -> None:
        """A booking outcome goes on in the booking dialog; closing that one without booking
        leaves this dialog open and nothing recorded."""
        outcome: CallOutcome = self.outcome.currentData()
        note = self.note.text()
        if outcome not in NEEDS_BOOKING:
            super().try_submit()
            return
        if outcome in NEEDS_REASON and not note.strip():
            self.errors.show(ValidationError.single("note", _("Give the reason.")))
            return
        self.errors.clear()
        dialog = self.open_booking(outcome, note)
        if dialog.exec():
            self.accept()

    def open_booking(self, outcome: CallOutcome, note: str) -> BookingDialog:
        call = self.call
        moving = isinstance(call, ReminderRow)
        dialog = BookingDialog(
            self.desk, self.actor, self, patient_id=call.patient_id, doctor_id=call.doctor_id,
            starts_at=call.starts_at if isinstance(call, ReminderRow) else None,
            units=call.units if isinstance(call, ReminderRow) else None,
            book_with=lambda request: self.record(outcome, note, request))
        dialog.patient.setEnabled(False)
        if moving:
            dialog.setWindowTitle(_("New time for {patient}").format(patient=call.patient_name))
        self.booking_dialog = dialog
        return dialog

    def record(self, outcome: CallOutcome, note: str,
               booking: BookingRequest | None = None) -> None:
        followups.record_call(self.desk, self.actor, self.call.follow_up_id, outcome, note,
                              booking)

    def submit(self) -> None:
        self.record(self.outcome.currentData(), self.note.text())


class CallsPanel(QWidget):
    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.reminder_day = date_edit(clinic_today(desk) + timedelta(days=1))
        self.reminder_day.setObjectName("reminder_day")
        self.reminder_day.dateChanged.connect(lambda _date: self.reload())
        self.reminders: CallTable[ReminderRow] = CallTable("reminders", reminder_columns())
        self.due: CallTable[DueCall] = CallTable("due_calls", due_call_columns())
        self.call_reminder_button = QPushButton(_("Record the reminder call…"),
                                                objectName="call_reminder")
        self.call_reminder_button.clicked.connect(lambda: self.record(self.reminders))
        self.call_due_button = QPushButton(_("Record the follow-up call…"),
                                           objectName="call_due")
        self.call_due_button.clicked.connect(lambda: self.record(self.due))
        self.reminders.doubleClicked.connect(lambda _index: self.record(self.reminders))
        self.due.doubleClicked.connect(lambda _index: self.record(self.due))
        self.window_hint = QLabel(objectName="window_hint")
        self.window_hint.setProperty("role", "field-error")
        self.status = QLabel(objectName="calls_status")
        self.status.setWordWrap(True)

        reminders_box = QGroupBox(_("Reminder calls"))
        reminders_layout = QVBoxLayout(reminders_box)
        reminders_top = QHBoxLayout()
        reminders_top.addWidget(QLabel(_("Appointments on")))
        reminders_top.addWidget(self.reminder_day)
        self.reminder_count = QLabel(objectName="reminder_count")
        reminders_top.addWidget(self.reminder_count, 1)
        reminders_top.addWidget(self.call_reminder_button)
        reminders_layout.addLayout(reminders_top)
        reminders_layout.addWidget(self.reminders)
        due_box = QGroupBox(_("Follow-up calls due today"))
        due_layout = QVBoxLayout(due_box)
        due_top = QHBoxLayout()
        self.due_count = QLabel(objectName="due_count")
        due_top.addWidget(self.due_count, 1)
        due_top.addWidget(self.call_due_button)
        due_layout.addLayout(due_top)
        due_layout.addWidget(self.due)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(reminders_box)
        splitter.addWidget(due_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.window_hint)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

    def reload(self) -> None:
        """Read both lists again; calls are offered only inside the call window."""
        reminders = followups.reminder_list(self.desk, chosen_date(self.reminder_day))
        due = followups.due_calls(self.desk, clinic_today(self.desk))
        self.reminders.show_rows(reminders)
        self.due.show_rows(due)
        left = sum(1 for r in reminders if r.to_call)
        self.reminder_count.setText(ngettext("{count} to call", "{count} to call", left)
                                    .format(count=left))
        self.due_count.setText(ngettext("{count} call due", "{count} calls due", len(due))
                               .format(count=len(due)))
        may_call = followups.may_call_now(self.desk)
        self.call_reminder_button.setEnabled(may_call)
        self.call_due_button.setEnabled(may_call)
        self.window_hint.setVisible(not may_call)
        self.window_hint.setText(_("Patients are called between {start} and {end} only.")
                                 .format(start=format_time(CALL_WINDOW[0]),
                                         end=format_time(CALL_WINDOW[1])))

    def record(self, table: CallTable[ReminderRow] | CallTable[DueCall]) -> bool:
        call = table.selected()
        if call is None:
            self.status.setText(_("Choose a call in the list first."))
            return False
        if not followups.may_call_now(self.desk):
            self.reload()
            return False
        dialog = CallDialog(self.desk, self.actor, call, self)
        done = bool(dialog.exec())
        if done:
            self.status.setText(_("Call to {patient} recorded.").format(
                patient=call.patient_name))
        self.reload()
        return done
