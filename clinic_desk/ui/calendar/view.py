"""The calendar workspace: the day by doctor (or chair) or one doctor's week, booking by
double-click or "Book…", moving and resizing by dragging, the appointment's menu (reschedule,
confirm, arrived, cancel, history), absences, and the calls to make."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMenu, QTabWidget, QVBoxLayout,
                               QWidget)

from clinic_desk.i18n import current_language, format_date, gettext as _, ngettext
from clinic_desk.models import AppointmentStatus
from clinic_desk.printing.day_list import day_list_document, list_title, render_day_list
from clinic_desk.printing.paper import Paper
from clinic_desk.services import calendar
from clinic_desk.services.calendar import NO_CHAIR, OPEN, CalendarBlock
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import DomainError
from clinic_desk.services.patients import today as clinic_today
from clinic_desk.services.settings import get_settings
from clinic_desk.ui import messages
from clinic_desk.ui.action_buttons import ActionButtons
from clinic_desk.ui.calendar.absences_dialog import AbsencesDialog
from clinic_desk.ui.calendar.booking_dialog import BookingDialog, confirming_overlap
from clinic_desk.ui.calendar.calls_panel import CallsPanel
from clinic_desk.ui.calendar.grid import (CalendarGrid, Lane, Proposal, day_lanes, span_text,
                                          week_lanes)
from clinic_desk.ui.calendar.history_dialog import AppointmentHistoryDialog
from clinic_desk.ui.calendar.reason_form import ReasonForm
from clinic_desk.ui.calendar.reschedule_dialog import RescheduleDialog
from clinic_desk.ui.calendar.status import StatusLegend
from clinic_desk.ui.calendar.time_inputs import chosen_date, date_edit, set_date
from clinic_desk.ui.document_output import DocumentKind, present_document
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.reception.registration_dialog import complete_details

DAY, WEEK = "day", "week"
#: The now-line moves and slots end even when nobody changes anything.
MINUTE_MS = 60_000


class CalendarView(QWidget):
    def __init__(self, desk: Desk, actor: Actor, watcher: ChangeWatcher,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.by_chair = False

        self.mode = QComboBox(objectName="mode")
        self.mode.addItem("", DAY)
        self.mode.addItem(_("Week of a doctor"), WEEK)
        self._read_columns_setting()
        self.doctor = QComboBox(objectName="week_doctor")
        for doctor in list_doctors(desk):
            self.doctor.addItem(doctor.name, doctor.id)
        self.doctor.hide()
        self.date = date_edit(clinic_today(desk))
        self.date.setObjectName("date")
        self.date_label = QLabel(objectName="date_label")
        self.date_label.setProperty("role", "title")

        self.action_buttons = ActionButtons(self)
        tool = self.action_buttons.button
        self.previous_button = tool(_("◀ Previous"), "Alt+Left", lambda: self.step(-1))
        self.today_button = tool(_("Today"), "Alt+Home", self.go_today)
        self.next_button = tool(_("Next ▶"), "Alt+Right", lambda: self.step(1))
        self.book_button = tool(_("Book…"), "Ctrl+N", lambda: self.book())
        self.absences_button = tool(_("Absences…"), "Ctrl+Shift+A", self.show_absences)
        self.print_button = tool(_("Print the day's list…"), "Ctrl+P", self.print_day_list)

        top = QHBoxLayout()
        top.addWidget(self.mode)
        top.addWidget(self.doctor)
        top.addWidget(self.previous_button)
        top.addWidget(self.today_button)
        top.addWidget(self.next_button)
        top.addWidget(self.date)
        top.addWidget(self.date_label, 1)
        top.addWidget(self.book_button)
        top.addWidget(self.absences_button)
        top.addWidget(self.print_button)

        self.grid = CalendarGrid()
        self.grid.setObjectName("grid")
        self.grid.move_requested.connect(self.move_block)
        self.grid.slot_activated.connect(self.book_slot)
        self.grid.block_menu_requested.connect(self.show_block_menu)
        self.grid.slot_menu_requested.connect(self.show_slot_menu)
        self._missed_reload = False
        self.grid.settled.connect(lambda: self._missed_reload and self.reload())
        self.status = QLabel(objectName="status")
        self.status.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(StatusLegend())
        bottom.addWidget(self.status, 1)

        appointments = QWidget()
        page = QVBoxLayout(appointments)
        page.setContentsMargins(0, 0, 0, 0)
        page.addLayout(top)
        page.addWidget(self.grid, 1)
        page.addLayout(bottom)
        self.calls = CallsPanel(desk, actor)
        self.pages = QTabWidget(objectName="calendar_pages")
        self.pages.addTab(appointments, _("Appointments"))
        self.pages.addTab(self.calls, _("Calls"))
        self.pages.currentChanged.connect(lambda _index: self.reload())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)

        self.mode.currentIndexChanged.connect(self.mode_changed)
        self.doctor.currentIndexChanged.connect(lambda _index: self.reload())
        self.date.dateChanged.connect(lambda _date: self.reload())
        self.ticker = QTimer(self, interval=MINUTE_MS)
        self.ticker.timeout.connect(self.reload)
        self.ticker.start()
        watcher.changed.connect(lambda _stamp: self.reload())
        self.reload()
        self.grid.scroll_to(desk.clock.now())

    def menu_actions(self) -> list[QAction]:
        return self.action_buttons.actions()

    # --- what is shown ---------------------------------------------------------------------

    def day(self) -> date:
        return chosen_date(self.date)

    def is_week(self) -> bool:
        return self.mode.currentData() == WEEK

    def reload(self) -> None:
        """Mark the slots that ended without an arrival as no-shows, then read the day or week
        again. Waits while a block is dragged or awaits its reason (done once it settles)."""
        if self.grid.busy():
            self._missed_reload = True
            return
        self._missed_reload = False
        calendar.mark_no_shows(self.desk)
        self._read_columns_setting()
        day = self.day()
        if self.is_week() and self.doctor.currentData() is not None:
            week = calendar.week_view(self.desk, self.doctor.currentData(), day)
            lanes = week_lanes(week)
            title = _("{doctor}: {first} – {last}").format(
                doctor=self.doctor.currentText(), first=format_date(week.days[0].day),
                last=format_date(week.days[-1].day))
        else:
            lanes = day_lanes(calendar.day_view(self.desk, day, by_chair=self.by_chair))
            title = format_date(day, "full")
        self.grid.set_lanes(lanes, self.desk.clock.now())
        if self.pages.currentWidget() is self.calls:
            self.calls.reload()
        count = sum(len(lane.blocks) for lane in lanes)
        self.date_label.setText(title + " · " + ngettext(
            "{count} appointment", "{count} appointments", count).format(count=count))

    def mode_changed(self) -> None:
        self.doctor.setVisible(self.is_week())
        self.reload()

    def step(self, direction: int) -> None:
        days = 7 if self.is_week() else 1
        set_date(self.date, self.day() + timedelta(days=direction * days))

    def go_today(self) -> None:
        set_date(self.date, clinic_today(self.desk))
        self.grid.scroll_to(self.desk.clock.now())

    def show_week_of(self, doctor_id: int) -> None:
        self.doctor.setCurrentIndex(max(0, self.doctor.findData(doctor_id)))
        self.mode.setCurrentIndex(self.mode.findData(WEEK))

    def _read_columns_setting(self) -> None:
        """Doctors or chairs as the day's columns: the clinic setting may change while the
        calendar is open; the grid, booking and dragging all follow the value read here."""
        by_chair = get_settings(self.desk).calendar_by_chair
        if by_chair != self.by_chair or not self.mode.itemText(0):
            self.by_chair = by_chair
            self.mode.setItemText(self.mode.findData(DAY), _("Day by chair") if by_chair
                                  else _("Day by doctor"))

    def say(self, text: str) -> None:
        self.status.setText(text)

    # --- booking ---------------------------------------------------------------------------

    def _by_chair(self) -> bool:
        return self.by_chair and not self.is_week()

    def book(self, patient_id: int | None = None, doctor_id: int | None = None,
             starts_at: datetime | None = None, room_id: int | None = None) -> int | None:
        """Open the booking dialog; the new appointment's id, or None if nothing was booked.

        Without a time it offers the next quarter hour today, or the opening of a later day
        being looked at; in a doctor's week, that doctor."""
        if self.is_week():
            doctor_id = doctor_id or self.doctor.currentData()
        elif starts_at is None and self.grid.lanes and self.day() > clinic_today(self.desk):
            starts_at = self.grid.lanes[0].opens
        dialog = BookingDialog(self.desk, self.actor, self, patient_id=patient_id,
                               doctor_id=doctor_id, starts_at=starts_at, room_id=room_id)
        if not dialog.exec() or dialog.appointment_id is None:
            return None
        self.say(_("Booked."))
        self.reload()
        return dialog.appointment_id

    def book_slot(self, lane: Lane, starts_at: datetime) -> None:
        """Book in a free slot: the lane's doctor, or (by chair) its chair."""
        if self._by_chair():
            self.book(starts_at=starts_at,
                      room_id=None if lane.column_key == NO_CHAIR else lane.column_key)
        else:
            self.book(doctor_id=lane.column_key, starts_at=starts_at)

    def show_slot_menu(self, lane: Lane, starts_at: datetime, where: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(_("Book here…"), lambda: self.book_slot(lane, starts_at))
        menu.exec(where)

    # --- moving and resizing ---------------------------------------------------------------

    def _target(self, proposal: Proposal) -> tuple[int, int | None]:
        """(doctor, chair) a dragged block goes to: the lane is a doctor, or a chair."""
        block, key = proposal.block, proposal.lane.column_key
        if self._by_chair():
            return block.doctor_id, None if key == NO_CHAIR else key
        return key, None

    def move_block(self, proposal: Proposal) -> None:
        """A block was dropped somewhere else (or stretched): ask why, then reschedule."""
        block = proposal.block
        doctor_id, room_id = self._target(proposal)
        resized = proposal.starts_at == block.starts_at and doctor_id == block.doctor_id \
            and room_id in (None, block.room_id)
        title = _("Change the length") if resized else _("Move the appointment")
        summary = _("{patient}: {old} → {new}, {title}").format(
            patient=block.patient_name,
            old=f"{format_date(block.starts_at.date(), 'short')} "
                f"{span_text(block.starts_at, block.ends_at)}",
            new=f"{format_date(proposal.starts_at.date(), 'short')} "
                f"{span_text(proposal.starts_at, proposal.ends_at)}",
            title=proposal.lane.title)
        self._with_reason(title, summary, block, lambda reason: confirming_overlap(
            self, lambda allow: calendar.reschedule(
                self.desk, self.actor, block.appointment_id, block.version,
                doctor_id=doctor_id, starts_at=proposal.starts_at, units=proposal.units,
                reason=reason, room_id=room_id, allow_patient_overlap=allow)),
            _("{name}: rescheduled."))

    def _with_reason(self, title: str, summary: str, block: CalendarBlock,
                     action: Callable[[str], object], done: str) -> bool:
        """Ask the reason and act; a refusal (other than a missing reason, which stays in the
        dialog) is shown, and the calendar is read again so the block is back in its place."""
        dialog = ReasonForm(title, summary, action, self)
        accepted = bool(dialog.exec())
        self.grid.clear_pending()
        if dialog.refusal is not None:
            self.refused(dialog.refusal)
        elif accepted:
            self.say(done.format(name=block.patient_name))
        self.reload()
        return accepted

    def refused(self, error: DomainError) -> None:
        self.say(error.message)
        messages.inform(self, _("Calendar"), error.message, warning=True)

    # --- an appointment's menu -------------------------------------------------------------

    def block_actions(self, block: CalendarBlock) -> list[QAction]:
        """What the desk may do with this appointment now, in menu order."""
        is_open = block.status in OPEN
        today = block.starts_at.date() == clinic_today(self.desk)
        entries: list[tuple[str, str, Callable[[], object], bool]] = [
            ("reschedule", _("Reschedule…"), lambda: self.reschedule(block), is_open),
            ("confirm", _("Confirmed by the patient"), lambda: self.confirm(block),
             block.status == AppointmentStatus.BOOKED),
            ("arrived", _("Arrived: check in to the queue"), lambda: self.arrived(block),
             is_open and today),
            ("cancel", _("Cancel the appointment…"), lambda: self.cancel(block), is_open),
            ("book_again", _("Book another for this patient…"),
             lambda: self.book(patient_id=block.patient_id), True),
            ("history", _("History…"), lambda: self.history(block), True),
        ]
        actions = []
        for name, text, slot, enabled in entries:
            action = QAction(text, self)
            action.setObjectName(name)
            action.setEnabled(enabled)
            action.triggered.connect(slot)
            actions.append(action)
        return actions

    def show_block_menu(self, block: CalendarBlock, where: QPoint) -> None:
        menu = QMenu(self)
        menu.addActions(self.block_actions(block))
        menu.exec(where)

    def _act(self, block: CalendarBlock, action: Callable[[], object], done: str) -> bool:
        try:
            action()
        except DomainError as error:
            self.refused(error)
            self.reload()
            return False
        self.say(done.format(name=block.patient_name))
        self.reload()
        return True

    def reschedule(self, block: CalendarBlock) -> bool:
        dialog = RescheduleDialog(self.desk, self.actor, block, self)
        done = bool(dialog.exec())
        if done:
            self.say(_("{name}: rescheduled.").format(name=block.patient_name))
        self.reload()
        return done

    def confirm(self, block: CalendarBlock) -> bool:
        return self._act(block, lambda: calendar.confirm(
            self.desk, self.actor, block.appointment_id, block.version),
            _("{name} confirmed the appointment."))

    def arrived(self, block: CalendarBlock) -> bool:
        """Check the patient in; a patient registered by phone is completed first."""
        if not complete_details(self.desk, self.actor, block.patient_id, self):
            return False
        return self._act(block, lambda: calendar.mark_arrived(
            self.desk, self.actor, block.appointment_id, block.version),
            _("{name} is checked in and waits in the queue."))

    def cancel(self, block: CalendarBlock) -> bool:
        summary = f"{block.patient_name}: {format_date(block.starts_at.date(), 'short')} " \
                  f"{span_text(block.starts_at, block.ends_at)} · {block.doctor_name}"
        return self._with_reason(_("Cancel the appointment"), summary, block,
                                 lambda reason: calendar.cancel(
                                     self.desk, self.actor, block.appointment_id,
                                     block.version, reason),
                                 _("{name}: appointment cancelled."))

    def history(self, block: CalendarBlock) -> None:
        AppointmentHistoryDialog(self.desk, block.appointment_id, block.patient_name,
                                 self).exec()

    def print_day_list(self) -> None:
        """The shown day's appointments in time order, for the morning meeting."""
        day = self.day()
        document = day_list_document(calendar.day_view(self.desk, day, by_chair=False),
                                     get_settings(self.desk), self.desk.clock.now())
        present_document(self, DocumentKind.DAY_LIST,
                         render_day_list(document, current_language()), Paper.A4,
                         f"{list_title()} · {format_date(day)}")

    def show_absences(self) -> None:
        doctor_id = self.doctor.currentData() if self.is_week() else None
        AbsencesDialog(self.desk, self.actor, self, doctor_id).exec()
        self.reload()
