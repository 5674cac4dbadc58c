"""Staff: doctors with staff numbers, sex and weekly hours; users with their roles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QTimeEdit, QWidget)

from clinic_desk.i18n import N_, gettext as _, weekday_name
from clinic_desk.models import Role
from clinic_desk.services import staff as staff_service
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.staff import Shift, StaffForm, StaffRow
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.settings.list_page import ListPage
from clinic_desk.ui.settings.lists_page import yes_no
from clinic_desk.ui.table_model import Column
from clinic_desk.ui.widgets import ROLE_NAMES, SEX_NAMES, enum_combo, enum_name, select_data

DEFAULT_PERIODS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))


def _time_edit(value: time) -> QTimeEdit:
    edit = QTimeEdit(QTime(value.hour, value.minute))
    edit.setDisplayFormat("HH:mm")
    return edit


class _Period:
    """One working period of a weekday: a check box and its start and end."""

    def __init__(self, start: time, end: time) -> None:
        self.enabled = QCheckBox()
        self.start = _time_edit(start)
        self.end = _time_edit(end)

    def set(self, shift: Shift | None) -> None:
        self.enabled.setChecked(shift is not None)
        if shift is not None:
            self.start.setTime(QTime(shift.start.hour, shift.start.minute))
            self.end.setTime(QTime(shift.end.hour, shift.end.minute))

    def shift(self, weekday: int) -> Shift | None:
        if not self.enabled.isChecked():
            return None
        start, end = self.start.time(), self.end.time()
        return Shift(weekday, time(start.hour(), start.minute()), time(end.hour(), end.minute()))


class WeeklyHoursEditor(QWidget):
    """Seven weekdays, each with a morning and an afternoon period."""

    def __init__(self, shifts: tuple[Shift, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, header in enumerate((_("Morning"), _("Afternoon / evening")), start=1):
            grid.addWidget(QLabel(header), 0, column)
        self.periods: list[tuple[_Period, _Period]] = []
        for weekday in range(7):
            grid.addWidget(QLabel(weekday_name(weekday)), weekday + 1, 0)
            pair = (_Period(*DEFAULT_PERIODS[0]), _Period(*DEFAULT_PERIODS[1]))
            day_shifts = [s for s in shifts if s.weekday == weekday]
            for index, period in enumerate(pair):
                period.set(day_shifts[index] if index < len(day_shifts) else None)
                cell = QHBoxLayout()
                cell.addWidget(period.enabled)
                cell.addWidget(period.start)
                cell.addWidget(QLabel("–"))
                cell.addWidget(period.end)
                grid.addLayout(cell, weekday + 1, index + 1)
            self.periods.append(pair)

    def shifts(self) -> tuple[Shift, ...]:
        result = []
        for weekday, pair in enumerate(self.periods):
            result.extend(s for s in (p.shift(weekday) for p in pair) if s is not None)
        return tuple(result)


class StaffDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, row: StaffRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Member of staff") if row is None else row.full_name, parent)
        self.desk, self.actor, self.row = desk, actor, row
        form = staff_service.staff_form(desk, row.id) if row else None
        self.staff_number = QLineEdit(form.staff_number if form else "", objectName="staff_number")
        self.full_name = QLineEdit(form.full_name if form else "", objectName="full_name")
        self.sex = enum_combo(SEX_NAMES)
        if form:
            select_data(self.sex, form.sex)
        self.phone = QLineEdit(form.phone if form else "", objectName="phone")
        roles_box = QWidget()
        roles_layout = QHBoxLayout(roles_box)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        self.role_boxes: dict[Role, QCheckBox] = {}
        for role, name in ROLE_NAMES.items():
            box = QCheckBox(_(name), objectName=f"role_{role.value}")
            box.setChecked(bool(form and role in form.roles))
            self.role_boxes[role] = box
            roles_layout.addWidget(box)
        self.username = QLineEdit(form.username if form else "", objectName="username")
        self.password = QLineEdit(objectName="password", echoMode=QLineEdit.EchoMode.Password)
        if form:
            self.password.setPlaceholderText(_("Leave empty to keep the current password"))
        self.active = QCheckBox(_("Works at the clinic"), objectName="active")
        self.active.setChecked(form.active if form else True)
        self.hours = WeeklyHoursEditor(form.shifts if form else ())
        self.add_row(_("Staff number"), "staff_number", self.staff_number)
        self.add_row(_("Full name"), "full_name", self.full_name)
        self.add_row(_("Sex"), "sex", self.sex)
        self.add_row(_("Phone"), "phone", self.phone)
        self.add_row(_("Roles"), "roles", roles_box)
        self.add_row(_("User name"), "username", self.username)
        self.add_row(_("Password"), "password", self.password)
        self.add_row("", "active", self.active)
        self.add_row(_("Working hours"), "shifts", self.hours)
        self.finish_layout()

    def form_data(self) -> StaffForm:
        return StaffForm(
            staff_number=self.staff_number.text(), full_name=self.full_name.text(),
            sex=self.sex.currentData(), phone=self.phone.text(),
            roles=frozenset(r for r, box in self.role_boxes.items() if box.isChecked()),
            username=self.username.text(), password=self.password.text(),
            active=self.active.isChecked(), shifts=self.hours.shifts())

    def submit(self) -> None:
        if self.row is None:
            staff_service.add_staff(self.desk, self.actor, self.form_data())
        else:
            staff_service.update_staff(self.desk, self.actor, self.row.id, self.form_data())


def _hours_summary(row: StaffRow) -> str:
    days = sorted({s.weekday for s in row.shifts})
    return " ".join(weekday_name(d, "abbreviated") for d in days)


class StaffPage(ListPage[StaffRow]):
    def columns(self) -> Sequence[Column[StaffRow]]:
        return (
            Column(N_("Staff number"), lambda r: r.staff_number),
            Column(N_("Full name"), lambda r: r.full_name),
            Column(N_("Sex"), lambda r: enum_name(SEX_NAMES, r.sex)),
            Column(N_("Roles"), lambda r: ", ".join(enum_name(ROLE_NAMES, x)
                                                     for x in sorted(r.roles))),
            Column(N_("User name"), lambda r: r.username),
            Column(N_("Working days"), _hours_summary),
            Column(N_("Active"), lambda r: yes_no(r.active),
                   foreground=lambda r: None if r.active else "#888888"),
        )

    def load(self) -> Sequence[StaffRow]:
        return staff_service.list_staff(self.desk)

    def editor(self, row: StaffRow | None) -> StaffDialog:
        return StaffDialog(self.desk, self.actor, row, self)
