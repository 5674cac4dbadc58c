"""The queue workspace: one list for all doctors or one per doctor, waits ticking every
second, alerts that cannot be missed, and the desk's actions on the selected patient."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from clinic_desk.clock import zone
from clinic_desk.i18n import gettext as _, ngettext
from clinic_desk.models import QueueState
from clinic_desk.services import queue
from clinic_desk.services.auth import Permission, can
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import DomainError, ValidationError
from clinic_desk.services.queue import QueueRow, QueueSnapshot, needs_acknowledgement
from clinic_desk.services.settings import get_settings
from clinic_desk.ui import messages
from clinic_desk.ui.action_buttons import ActionButtons
from clinic_desk.ui.badges import FlagBadgeDelegate
from clinic_desk.ui.calendar.booking_dialog import BookingDialog
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.queue.model import QueueTableModel, about_minutes
from clinic_desk.ui.queue.reason_dialog import ReasonDialog
from clinic_desk.ui.queue.ticking import TickingClock
from clinic_desk.ui.widgets import row_table

TICK_MS = 1000
ALL_DOCTORS = None


class QueueView(QWidget):
    def __init__(self, desk: Desk, actor: Actor, watcher: ChangeWatcher,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.snapshot: QueueSnapshot | None = None
        self.clock = TickingClock(desk.clock.now())
        self._alerted: set[int] = set()
        self.doctors = list_doctors(desk)

        self.doctor_filter = QComboBox(objectName="doctor_filter")
        self.doctor_filter.addItem(_("All doctors"), ALL_DOCTORS)
        for doctor in self.doctors:
            self.doctor_filter.addItem(doctor.name, doctor.id)
        self.doctor_filter.currentIndexChanged.connect(self.show_snapshot)
        self.walk_in = QLabel(objectName="walk_in")
        self.alert_bar = QWidget(objectName="alert_bar")
        self.alert_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.alert_bar.setStyleSheet("#alert_bar { background-color: #c62828; } "
                                     "QLabel { color: white; font-weight: 600; }")
        self.alert_text = QLabel(objectName="alert_text")
        self.alert_text.setWordWrap(True)
        self.acknowledge_button = QPushButton(_("I am going to the patient"),
                                              objectName="acknowledge")
        self.acknowledge_button.clicked.connect(self.acknowledge_first_alert)
        alert_layout = QHBoxLayout(self.alert_bar)
        alert_layout.addWidget(self.alert_text, 1)
        alert_layout.addWidget(self.acknowledge_button)
        self.alert_bar.hide()

        self.model = QueueTableModel(self.clock.now, zone(get_settings(desk).timezone), self)
        self.table = row_table(self.model, "queue", stretch=QueueTableModel.FLAGS)
        self.table.setItemDelegateForColumn(QueueTableModel.FLAGS,
                                            FlagBadgeDelegate(self.table))
        self.status = QLabel(objectName="status")
        self.status.setWordWrap(True)

        self.action_buttons = ActionButtons(self)
        buttons = QHBoxLayout()
        for text, shortcut, slot in (
                (_("Call"), "F6", self.call_selected),
                (_("Start treatment"), "F7", self.start_selected),
                (_("Done: to the cash desk"), "F8", self.finish_selected),
                (_("Next station…"), "Shift+F8", self.next_station_selected),
                (_("Transfer…"), "Ctrl+T", self.transfer_selected),
                (_("Move up"), "Ctrl+Up", lambda: self.move_selected(-1)),
                (_("Move down"), "Ctrl+Down", lambda: self.move_selected(1)),
                (_("Left without being seen…"), "Ctrl+L", self.left_selected),
                (_("Would not wait: book instead…"), "Ctrl+B", self.convert_selected)):
            buttons.addWidget(self.action_buttons.button(text, shortcut, slot))
        buttons.addStretch()

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Queue of")))
        top.addWidget(self.doctor_filter)
        top.addWidget(self.walk_in, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.alert_bar)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        layout.addWidget(self.status)

        self.ticker = QTimer(self, interval=TICK_MS)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start()
        self.watcher = watcher
        watcher.changed.connect(lambda _stamp: self.reload())
        self.reload()

    def menu_actions(self) -> list[QAction]:
        return self.action_buttons.actions()

    # --- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the queue again (after an action here, or a change on any PC)."""
        self.snapshot = queue.queue_snapshot(self.desk)
        self.clock.reset(self.snapshot.read_at)
        self.show_snapshot()

    def visible_rows(self) -> list[QueueRow]:
        if self.snapshot is None:
            return []
        doctor_id = self.doctor_filter.currentData()
        return [r for r in self.snapshot.rows
                if doctor_id is ALL_DOCTORS or r.doctor_id == doctor_id]

    def show_snapshot(self) -> None:
        if self.snapshot is None:
            return
        selected = self.selected()
        self.model.set_rows(self.visible_rows(), self.snapshot.thresholds)
        if selected is not None:
            for index, row in enumerate(self.model.rows()):
                if row.entry_id == selected.entry_id:
                    self.table.selectRow(index)
        doctor_id = self.doctor_filter.currentData()
        waiting = sum(1 for r in self.model.rows() if r.state == QueueState.WAITING)
        text = ngettext("{count} waiting", "{count} waiting", waiting).format(count=waiting)
        if doctor_id is not ALL_DOCTORS:
            minutes = self.snapshot.walk_in_wait_minutes.get(doctor_id)
            text += " · " + (_("a walk-in now waits {about}").format(about=about_minutes(minutes))
                             if minutes is not None else _("not on duty now"))
        self.walk_in.setText(text)
        self.tick()

    def tick(self) -> None:
        """Every second: repaint waits and colours, raise alerts. No database read."""
        self.model.tick()
        if self.snapshot is None:
            return
        now = self.clock.now()
        pending = [r for r in self.snapshot.rows
                   if needs_acknowledgement(r, now, self.snapshot.thresholds)]
        self.alert_bar.setVisible(bool(pending))
        if not pending:
            return
        first = pending[0]
        minutes = int(queue.waited(first, now).total_seconds() // 60)
        if queue.past_appointment(first, now) and minutes < self.snapshot.thresholds.second_minutes:
            message = _("{name} has waited past the appointment time: go and explain.")
        else:
            message = _("{name} has waited {minutes} min: go and explain the delay.")
        more = len(pending) - 1
        self.alert_text.setText(message.format(name=first.patient_name, minutes=minutes)
                                + (" " + ngettext("({count} more)", "({count} more)", more)
                                   .format(count=more) if more else ""))
        fresh = {r.entry_id for r in pending} - self._alerted
        if fresh:
            QApplication.beep()
            self._alerted |= fresh

    # --- acting ----------------------------------------------------------------------------

    def selected(self) -> QueueRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _act(self, action: Callable[[QueueRow], object], done: str) -> bool:
        row = self.selected()
        if row is None:
            self.status.setText(_("Choose a patient in the list first."))
            return False
        try:
            action(row)
        except ValidationError as error:
            self.status.setText(" ".join(error.errors.values()))
            return False
        except DomainError as error:
            self.status.setText(error.message)
            self.reload()
            return False
        self.status.setText(done.format(name=row.patient_name))
        self.reload()
        return True

    def call_selected(self) -> bool:
        return self._act(lambda r: queue.call_patient(self.desk, self.actor, r.entry_id,
                                                      r.version), _("{name} is called."))

    def start_selected(self) -> bool:
        return self._act(lambda r: queue.start_treatment(self.desk, self.actor, r.entry_id,
                                                         r.version), _("{name} is in treatment."))

    def finish_selected(self) -> bool:
        return self._act(lambda r: queue.finish(self.desk, self.actor, r.entry_id, r.version),
                         _("{name} goes to the cash desk."))

    def next_station_selected(self, station_id: int | None = None) -> bool:
        if station_id is None:
            dialog = ReasonDialog(_("Next station"), self, stations=queue.stations(self.desk),
                                  with_reason=False)
            if not dialog.exec():
                return False
            station_id = dialog.station.currentData()
        return self._act(lambda r: queue.finish(self.desk, self.actor, r.entry_id, r.version,
                                                next_station_id=station_id),
                         _("{name} moves on to the next station."))

    def _ask(self, title: str, reason: str | None, **extra: object) -> tuple[str, object] | None:
        if reason is not None:
            return reason, extra.get("choice")
        dialog = ReasonDialog(title, self, **extra)  # type: ignore[arg-type]
        if not dialog.exec():
            return None
        return dialog.reason.text(), dialog.choice()

    def left_selected(self, reason: str | None = None) -> bool:
        answer = self._ask(_("Left without being seen"), reason)
        return answer is not None and self._act(
            lambda r: queue.mark_left(self.desk, self.actor, r.entry_id, r.version, answer[0]),
            _("{name} left without being seen."))

    def convert_selected(self, reason: str | None = None) -> bool:
        """Would not wait: the visit ends here; then the booking dialog opens with the
        patient and the doctor filled in (for a user who may book)."""
        answer = self._ask(_("Would not wait"), reason)
        if answer is None:
            return False
        row = self.selected()
        done = self._act(lambda r: queue.convert_to_appointment(
            self.desk, self.actor, r.entry_id, r.version, answer[0]),
            _("{name} would not wait: book the appointment now."))
        if done and row is not None and can(self.actor, Permission.BOOK_APPOINTMENTS):
            booking = BookingDialog(self.desk, self.actor, self, patient_id=row.patient_id,
                                    doctor_id=row.doctor_id)
            if booking.exec():
                self.status.setText(_("{name} would not wait: the appointment is booked.")
                                    .format(name=row.patient_name))
        return done

    def transfer_selected(self, doctor_id: int | None = None, reason: str | None = None) -> bool:
        answer = self._ask(_("Transfer to another doctor"), reason, doctors=self.doctors,
                           choice=doctor_id)
        return answer is not None and self._act(
            lambda r: queue.transfer(self.desk, self.actor, r.entry_id, r.version,
                                     int(answer[1]), answer[0]),  # type: ignore[arg-type]
            _("{name} is transferred."))

    def move_selected(self, steps: int, reason: str | None = None) -> bool:
        answer = self._ask(_("Move in the queue"), reason)
        return answer is not None and self._act(
            lambda r: queue.move(self.desk, self.actor, r.entry_id, r.version, steps, answer[0]),
            _("{name} is moved."))

    def acknowledge_first_alert(self) -> bool:
        if self.snapshot is None:
            return False
        now = self.clock.now()
        pending = [r for r in self.snapshot.rows
                   if needs_acknowledgement(r, now, self.snapshot.thresholds)]
        if not pending:
            return False
        row = pending[0]
        try:
            queue.acknowledge_alert(self.desk, self.actor, row.entry_id, row.version)
        except DomainError as error:
            messages.inform(self, _("Queue"), error.message)
        self.reload()
        return True
