"""Date and time inputs that cannot hold an impossible date (2月30日) and step by the
calendar's 15-minute unit."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QTimeEdit, QWidget

from clinic_desk.models import UNIT_MINUTES

DATE_FORMAT = "yyyy-MM-dd"


def date_edit(day: date, parent: QWidget | None = None) -> QDateEdit:
    """A date field with a calendar popup; it only ever holds real dates."""
    edit = QDateEdit(QDate(day.year, day.month, day.day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


def chosen_date(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def set_date(edit: QDateEdit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


class QuarterTimeEdit(QTimeEdit):
    """Arrows and the wheel move by 15 minutes; a typed 09:07 becomes 09:00."""

    def __init__(self, parent: QWidget | None = None, objectName: str = "") -> None:  # noqa: N803
        super().__init__(parent, objectName=objectName)
        self.setDisplayFormat("HH:mm")
        self.editingFinished.connect(self.snap)

    def stepBy(self, steps: int) -> None:  # noqa: N802
        self.setTime(self.time().addSecs(steps * UNIT_MINUTES * 60))

    def snap(self) -> None:
        value = self.time()
        self.setTime(QTime(value.hour(), value.minute() - value.minute() % UNIT_MINUTES))

    def set_range(self, first: time, last: time) -> None:
        self.setTimeRange(QTime(first.hour, first.minute), QTime(last.hour, last.minute))

    def set_value(self, value: time) -> None:
        self.setTime(QTime(value.hour, value.minute))

    def value(self) -> time:
        self.snap()
        chosen = self.time()
        return time(chosen.hour(), chosen.minute())


def local_moment(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def side_by_side(*widgets: QWidget, stretch: int | None = None) -> QWidget:
    """One form row holding several inputs; `stretch` names the one that takes the width,
    else the space is left empty at the end."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == stretch else 0)
    if stretch is None:
        layout.addStretch()
    return row
