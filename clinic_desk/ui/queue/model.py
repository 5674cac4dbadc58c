"""The queue as a table: positions, waits ticking each second, alert colours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from clinic_desk.i18n import N_, format_time, gettext as _
from clinic_desk.models import QueueState
from clinic_desk.services.queue import (AlertLevel, QueueRow, Thresholds, alert_level,
                                        in_clinic, past_appointment, waited)
from clinic_desk.ui.table_model import ROW_ROLE

ALERT_COLOURS = {AlertLevel.FIRST: "#fff3cd", AlertLevel.SECOND: "#f5c6cb"}
EMERGENCY_COLOUR = "#ffcdd2"
#: Eye hospitals colour the whole visit past 2, 3 and 4 hours.
IN_CLINIC_COLOURS = ((4, "#ef9a9a"), (3, "#ffcc80"), (2, "#fff59d"))
STATE_NAMES = {QueueState.WAITING: N_("Waiting"), QueueState.CALLED: N_("Called"),
               QueueState.IN_TREATMENT: N_("In treatment")}


def clock_text(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def about_minutes(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes == 0:
        return _("next")
    return _("about {count} min").format(count=minutes)


class QueueTableModel(QAbstractTableModel):
    POSITION, NAME, FLAGS, KIND, DOCTOR, STATION, CHECKED_IN, APPOINTMENT, WAITED, IN_CLINIC, \
        STATE, EXPECTED = range(12)
    HEADERS = (N_("#"), N_("Full name"), N_("Flags"), N_("Visit kind"), N_("Doctor"),
               N_("Station"), N_("Checked in"), N_("Appointment"), N_("Waited"),
               N_("In the clinic"), N_("State"), N_("Expected wait"))
    TICKING = (WAITED, IN_CLINIC)

    def __init__(self, now: Callable[[], datetime], tz: tzinfo, parent: Any = None) -> None:
        super().__init__(parent)
        self._now = now
        self._tz = tz
        self._rows: list[QueueRow] = []
        self._thresholds = Thresholds(15, 20)

    def set_rows(self, rows: list[QueueRow], thresholds: Thresholds) -> None:
        self.beginResetModel()
        self._rows = rows
        self._thresholds = thresholds
        self.endResetModel()

    def row_at(self, row: int) -> QueueRow:
        return self._rows[row]

    def rows(self) -> list[QueueRow]:
        return list(self._rows)

    def tick(self) -> None:
        """Waits and colours change with time alone: repaint them, read nothing."""
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1,
                                                               len(self.HEADERS) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.HEADERS[section])
        return None

    def _text(self, row: QueueRow, column: int, now: datetime) -> str:
        if column == self.POSITION:
            return str(row.position) if row.position else ""
        if column == self.NAME:
            return row.patient_name
        if column == self.FLAGS:
            return " ".join(f.name for f in row.flags)
        if column == self.KIND:
            return row.visit_kind
        if column == self.DOCTOR:
            return row.doctor_name
        if column == self.STATION:
            return " · ".join(x for x in (row.station_name, row.room_name) if x)
        if column == self.CHECKED_IN:
            return format_time(row.checked_in_at, "short", tz=self._tz)
        if column == self.APPOINTMENT:
            return format_time(row.appointment_at, "short", tz=self._tz) \
                if row.appointment_at else ""
        if column == self.WAITED:
            return clock_text(waited(row, now))
        if column == self.IN_CLINIC:
            return clock_text(in_clinic(row, now))
        if column == self.STATE:
            return _(STATE_NAMES.get(row.state, row.state))
        if column == self.EXPECTED:
            return about_minutes(row.expected_wait_minutes)
        return ""

    def _background(self, row: QueueRow, column: int, now: datetime) -> QBrush | None:
        if column == self.IN_CLINIC:
            hours = in_clinic(row, now).total_seconds() / 3600
            for limit, colour in IN_CLINIC_COLOURS:
                if hours >= limit:
                    return QBrush(QColor(colour))
        level = alert_level(row, now, self._thresholds)
        if level != AlertLevel.NONE:
            return QBrush(QColor(ALERT_COLOURS[level]))
        if past_appointment(row, now) and column == self.APPOINTMENT:
            return QBrush(QColor(ALERT_COLOURS[AlertLevel.SECOND]))
        if row.emergency:
            return QBrush(QColor(EMERGENCY_COLOUR))
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column(), self._now())
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row, index.column(), self._now())
        if role == Qt.ItemDataRole.ForegroundRole and self._background(
                row, index.column(), self._now()) is not None:
            return QBrush(QColor("black"))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (
                self.POSITION, self.WAITED, self.IN_CLINIC):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        return None
