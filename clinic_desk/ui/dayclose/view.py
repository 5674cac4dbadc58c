"""The Day close workspace: the closes of a day (every version), counting and closing a till,
the handover to a manager, re-opening; for managers also the printed report, the exports
and the live overview of today."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, format_date, format_time, gettext as _, use_language
from clinic_desk.money import format_money
from clinic_desk.printing.day_report import (closing_status, period_text, render_day_report,
                                             report_title)
from clinic_desk.printing.layout import local_date_time
from clinic_desk.printing.paper import Paper
from clinic_desk.services.auth import Permission, can
from clinic_desk.services.backup import backup_now
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.day_close import cash_stations, close_sheet, day_closings
from clinic_desk.services.errors import DomainError
from clinic_desk.services.reconciliation import ClosingRecord, day_report
from clinic_desk.services.settings import clinic_today, get_settings
from clinic_desk.ui import messages
from clinic_desk.ui.action_buttons import ActionButtons
from clinic_desk.ui.background import BackgroundTask, Progress
from clinic_desk.ui.calendar.time_inputs import chosen_date, date_edit
from clinic_desk.ui.dayclose.count_dialog import CloseDayDialog
from clinic_desk.ui.dayclose.export_dialog import ExportDialog
from clinic_desk.ui.dayclose.handover_dialog import HandoverDialog
from clinic_desk.ui.dayclose.overview import DayOverview
from clinic_desk.ui.dayclose.reopen_dialog import ReopenDialog
from clinic_desk.ui.document_output import DocumentKind, present_document
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import row_table


def closing_columns(currency: str, timezone: str) -> list[Column[ClosingRecord]]:
    tz = zone(timezone)

    def money(minor: int) -> str:
        return format_money(minor, currency)

    return [
        Column(N_("Closing"), lambda c: c.number),
        Column(N_("Cash desk"), lambda c: c.station),
        Column(N_("Version"), lambda c: str(c.version), align_right=True),
        Column(N_("Closed by"), lambda c: c.closed_by),
        Column(N_("Closed at"), lambda c: format_time(c.closed_at, tz=tz)),
        Column(N_("Expected cash"), lambda c: money(c.expected_cash), align_right=True),
        Column(N_("Counted cash"), lambda c: money(c.counted_cash), align_right=True),
        Column(N_("Difference"), lambda c: money(c.difference), align_right=True,
               foreground=lambda c: "#c62828" if c.difference else None),
        Column(N_("Status"), closing_status),
    ]


def closing_details(closing: ClosingRecord, currency: str, timezone: str) -> str:
    """What the selected close recorded, in a few lines of text."""
    tz = zone(timezone)

    def money(minor: int) -> str:
        return format_money(minor, currency)

    lines = [_("Counted: {lines}").format(lines=", ".join(
        f"{money(d)} × {n}" for d, n in closing.count_lines) or "—"),
        _("Opening float {opening}, float kept {kept}, cash handed over {handed}.").format(
            opening=money(closing.opening_float), kept=money(closing.float_kept),
            handed=money(closing.cash_handed_over))]
    for method in closing.methods:
        reported = "—" if method.reported is None else money(method.reported)
        lines.append(_("{method}: program {system}, terminal {reported}, difference "
                       "{difference}").format(method=method.name, system=money(method.system),
                                               reported=reported,
                                               difference=money(method.difference)))
    if closing.explanation:
        lines.append(_("Explanation: {text}").format(text=closing.explanation))
    if closing.approved_by:
        lines.append(_("Difference approved by {name}").format(name=closing.approved_by))
    if closing.handed_at is not None:
        lines.append(_("Accepted by {name} at {when}").format(
            name=closing.handed_to, when=local_date_time(closing.handed_at, tz)))
    if closing.reopened_at is not None:
        lines.append(_("Re-opened by {name} at {when}: {reason}").format(
            name=closing.reopened_by, when=local_date_time(closing.reopened_at, tz),
            reason=closing.reopen_reason))
    lines.append(_("Audit chain head at the close: entry {entry}, {hash}").format(
        entry=closing.audit_head_id, hash=closing.audit_head_hash))
    return "\n".join(lines)


class ClosingsPanel(QWidget):
    """The chosen day's closes and the actions on them."""

    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.settings = get_settings(desk)
        self.task: BackgroundTask[Any] | None = None
        with desk.db.read() as session:
            today = clinic_today(session, desk.clock.now())
        self.day = date_edit(today)
        self.day.setObjectName("day")
        self.day.dateChanged.connect(lambda _value: self.reload())
        self.station = QComboBox(objectName="station")
        for station in cash_stations(desk):
            self.station.addItem(station.name, station.id)
        self.action_buttons = ActionButtons(self)
        button = self.action_buttons.button
        self.close_button = button(_("Count and close…"), "Ctrl+Shift+C", self.close_day)
        self.handover_button = button(_("Hand over…"), "Ctrl+Shift+H", self.hand_over)
        self.reopen_button = button(_("Re-open…"), "Ctrl+Shift+O", self.reopen)
        self.print_button: QPushButton | None = None
        self.export_button: QPushButton | None = None
        if can(actor, Permission.EXPORT_RECONCILIATION):
            self.print_button = button(_("Print report…"), "Ctrl+P", self.print_report)
            self.export_button = button(_("Export…"), "Ctrl+Shift+E", self.export)

        self.model: RowTableModel[ClosingRecord] = RowTableModel(
            closing_columns(self.settings.currency, self.settings.timezone), self)
        self.table = row_table(self.model, "closings")
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self.show_selected())
        self.status = QLabel(objectName="status")
        self.status.setWordWrap(True)
        self.details = QLabel(objectName="details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Day")))
        bar.addWidget(self.day)
        if self.station.count() > 1:
            bar.addWidget(QLabel(_("Cash desk")))
            bar.addWidget(self.station)
        else:
            self.station.hide()
        for button in (self.close_button, self.handover_button, self.reopen_button):
            bar.addWidget(button)
        bar.addStretch()
        for extra in (self.print_button, self.export_button):
            if extra is not None:
                bar.addWidget(extra)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        self.reload()

    # --- reading ----------------------------------------------------------------------------

    def chosen_day(self) -> date:
        return chosen_date(self.day)

    def station_id(self) -> int | None:
        return self.station.currentData()

    def current(self) -> ClosingRecord | None:
        """The station's close in force for the day (not re-opened), if any."""
        station = self.station.currentText()
        open_ = [c for c in self.model_rows() if not c.reopened and
                 (c.station == station or self.station.count() <= 1)]
        return open_[-1] if open_ else None

    def model_rows(self) -> list[ClosingRecord]:
        return [self.model.row_at(i) for i in range(self.model.rowCount())]

    def reload(self) -> None:
        self.model.set_rows(day_closings(self.desk, self.actor, self.chosen_day()))
        current = self.current()
        if current is None:
            self.status.setText(_("{day} is open: no till was closed.").format(
                day=format_date(self.chosen_day(), "full")))
        elif current.handed_over:
            self.status.setText(_("Closed by {cashier} (closing {number}) and accepted by "
                                  "{receiver}.").format(cashier=current.closed_by,
                                                        number=current.number,
                                                        receiver=current.handed_to))
        else:
            self.status.setText(_("Closed by {cashier} (closing {number}); a manager has not "
                                  "accepted the handover yet.").format(
                cashier=current.closed_by, number=current.number))
        self.close_button.setEnabled(current is None)
        self.handover_button.setEnabled(current is not None and not current.handed_over)
        self.reopen_button.setEnabled(current is not None)
        if self.model.rowCount():
            self.table.selectRow(self.model.rowCount() - 1)
        self.show_selected()

    def selected(self) -> ClosingRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def show_selected(self) -> None:
        closing = self.selected()
        self.details.setText(closing_details(closing, self.settings.currency,
                                             self.settings.timezone) if closing else "")

    # --- actions ----------------------------------------------------------------------------

    def _refused(self, error: DomainError) -> None:
        messages.inform(self, _("Day close"), error.message, warning=True)

    def close_day(self) -> None:
        try:
            sheet = close_sheet(self.desk, self.actor, self.chosen_day(), self.station_id())
        except DomainError as error:
            self._refused(error)
            return
        dialog = CloseDayDialog(self.desk, self.actor, sheet, self)
        if not dialog.exec() or dialog.closed is None:
            return
        self.reload()
        self.task = BackgroundTask(self, _("Backing up the day's data…"),
                                   lambda progress: backup_now(self.desk, progress),
                                   lambda _path: self.hand_over(), self._backup_failed)

    def _backup_failed(self, error: Exception) -> None:
        messages.inform(self, _("Day close"), _("The day is closed, but the backup failed: "
                                                "{reason}").format(reason=error), warning=True)
        self.hand_over()

    def hand_over(self) -> None:
        current = self.current()
        if current is None or current.handed_over:
            return
        if HandoverDialog(self.desk, current, self.settings.currency, self).exec():
            self.reload()

    def reopen(self) -> None:
        current = self.current()
        if current is not None and ReopenDialog(self.desk, self.actor, current, self).exec():
            self.reload()

    def print_report(self) -> None:
        """The day's report in the preview, to print for the signatures or save."""
        day, language = self.chosen_day(), self.settings.language

        def work(progress: Progress) -> tuple[str, bytes]:
            report = day_report(self.desk, day, actor=self.actor)
            with use_language(language):
                title = f"{report_title(report)} {period_text(report)}"
            return title, render_day_report(report, language, progress)

        def show(document: tuple[str, bytes]) -> None:
            title, pdf = document
            present_document(self, DocumentKind.DAY_CLOSE, pdf, Paper.A4, title)

        self.task = BackgroundTask(self, _("Preparing the day close report…"), work, show,
                                   self._failed)

    def _failed(self, error: Exception) -> None:
        if not isinstance(error, DomainError):
            raise error
        self._refused(error)

    def export(self) -> None:
        ExportDialog(self.desk, self.actor, self.chosen_day(), self).exec()


class DayCloseView(QWidget):
    """The tab: the closes for everyone who closes a till, the overview for managers."""

    def __init__(self, desk: Desk, actor: Actor, watcher: ChangeWatcher | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.closings = ClosingsPanel(desk, actor)
        self.overview: DayOverview | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if can(actor, Permission.EXPORT_RECONCILIATION):
            self.tabs = QTabWidget(objectName="day_close_tabs")
            self.overview = DayOverview(desk, actor, watcher)
            self.tabs.addTab(self.closings, _("Closing"))
            self.tabs.addTab(self.overview, _("Today's overview"))
            layout.addWidget(self.tabs)
        else:
            layout.addWidget(self.closings)
        if watcher is not None:
            watcher.changed.connect(lambda _stamp: self.closings.reload())

    def menu_actions(self) -> list[QAction]:
        return self.closings.action_buttons.actions()
