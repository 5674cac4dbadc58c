"""How an appointment's status looks everywhere in the calendar: its name and its colours."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.models import AppointmentStatus
from clinic_desk.services.calendar import status_label


@dataclass(frozen=True)
class StatusLook:
    fill: str
    edge: str


STATUS_LOOKS: dict[AppointmentStatus, StatusLook] = {
    AppointmentStatus.BOOKED: StatusLook("#dce9fb", "#1e66c8"),
    AppointmentStatus.CONFIRMED: StatusLook("#d7f0da", "#2e7d32"),
    AppointmentStatus.ARRIVED: StatusLook("#e8e1f5", "#5e35b1"),
    AppointmentStatus.NO_SHOW: StatusLook("#fbdcdc", "#c62828"),
    AppointmentStatus.CANCELLED: StatusLook("#eeeeee", "#9e9e9e"),
}


class StatusLegend(QWidget):
    """A row of colour swatches naming each status, under the grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for status, look in STATUS_LOOKS.items():
            if status == AppointmentStatus.CANCELLED:
                continue
            swatch = QLabel(f"  {status_label(status)}  ")
            swatch.setStyleSheet(f"background-color: {look.fill}; "
                                 f"border-left: 4px solid {look.edge}; padding: 2px;")
            layout.addWidget(swatch)
        off = QLabel("  " + _("Not working") + "  ")
        off.setStyleSheet("background-color: #e4e4e4; padding: 2px;")
        layout.addWidget(off)
        layout.addStretch()
