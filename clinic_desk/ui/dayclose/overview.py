"""The manager's live overview of today: takings, charges, visits and waits, with the same
charts as the printed report.

The figures are one `DayReport` (the report's and the exports' source) and the charts are
the report's own ReportLab drawings shown as SVG, so the screen and the paper agree. The
overview reloads when the clinic's data changes, on this PC or another.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QShowEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (QApplication, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QVBoxLayout, QWidget)
from reportlab.graphics.shapes import Drawing

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, format_time, gettext as _
from clinic_desk.money import format_money
from clinic_desk.printing.day_charts import chart_svg, doctor_chart, hour_chart, method_chart
from clinic_desk.printing.day_report import wait_text
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.reconciliation import DayReport, today_report
from clinic_desk.ui.live import ChangeWatcher

#: Chart drawings are laid out at this size (points) and scaled to their place.
CHART_SIZE = (420.0, 210.0)
#: Changes arriving in a burst reload the overview once.
RELOAD_DELAY_MS = 300


class Figure(QFrame):
    """One figure of the day: a caption and a large value."""

    def __init__(self, caption: str, name: str) -> None:
        super().__init__(objectName=f"figure_{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        label = QLabel(caption)
        label.setProperty("role", "hint")
        self.value = QLabel(objectName=name)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.value.setFont(font)
        layout.addWidget(label)
        layout.addWidget(self.value)


class Chart(QWidget):
    """A chart drawing on white, as on paper, scaled to its place.

    The widget owns its SVG renderer (a QSvgWidget's own renderer, reached from Python, can
    be deleted under the widget when its wrapper goes).
    """

    def __init__(self, name: str) -> None:
        super().__init__(objectName=name)
        self.renderer = QSvgRenderer(self)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.setMinimumSize(int(CHART_SIZE[0] * 0.8), int(CHART_SIZE[1] * 0.8))

    def show_drawing(self, drawing: Drawing) -> None:
        self.renderer.load(QByteArray(chart_svg(drawing, QApplication.font().family())))
        self.renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.renderer.render(painter, QRectF(self.rect()))
        painter.end()


class DayOverview(QWidget):
    def __init__(self, desk: Desk, actor: Actor, watcher: ChangeWatcher | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.report: DayReport | None = None
        self.heading = QLabel(objectName="heading")
        self.heading.setProperty("role", "title")
        self.updated = QLabel(objectName="updated")
        self.updated.setProperty("role", "hint")
        self.figures = {name: Figure(caption, name) for name, caption in (
            ("received", _("Received")), ("charged", _("Charged")),
            ("discounted", _("Discounts")), ("refunded", _("Refunded")),
            ("visits", _("Visits")), ("first_return", _("First / return visits")),
            ("waits", _("Average / longest wait")), ("missed", _("No-shows / left unseen")))}
        tiles = QGridLayout()
        for index, figure in enumerate(self.figures.values()):
            tiles.addWidget(figure, index // 4, index % 4)
        self.charts = {name: Chart(name) for name in ("method_chart", "hour_chart",
                                                      "doctor_chart")}
        charts = QGridLayout()
        charts.addWidget(self.charts["method_chart"], 0, 0)
        charts.addWidget(self.charts["doctor_chart"], 0, 1)
        charts.addWidget(self.charts["hour_chart"], 1, 0, 1, 2)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch()
        top.addWidget(self.updated)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(tiles)
        layout.addLayout(charts, 1)
        self.pending = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self.pending.timeout.connect(self.reload)
        if watcher is not None:
            watcher.changed.connect(lambda _stamp: self.pending.start())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        if not self.isVisible():
            return  # hidden tabs catch up when shown
        self.show_report(today_report(self.desk, self.actor))

    def show_report(self, report: DayReport) -> None:
        self.report = report

        def money(minor: int) -> str:
            return format_money(minor, report.currency)

        visits = report.visits
        self.heading.setText(_("Today, {day}").format(day=format_date(report.start, "full")))
        self.updated.setText(_("Updated {time}").format(
            time=format_time(report.generated_at, tz=zone(report.timezone))))
        for name, text in (
                ("received", money(report.received)), ("charged", money(report.charged)),
                ("discounted", money(report.discounted)), ("refunded", money(report.refunded)),
                ("visits", str(visits.visits)),
                ("first_return", f"{visits.first_visits} / {visits.return_visits}"),
                ("waits", " / ".join(map(wait_text, (visits.average_wait,
                                                      visits.longest_wait)))),
                ("missed", f"{visits.no_shows} / {visits.left_unseen}")):
            self.figures[name].value.setText(text)
        width, height = CHART_SIZE
        self.charts["method_chart"].show_drawing(method_chart(report, width, height))
        self.charts["doctor_chart"].show_drawing(doctor_chart(report, width, height))
        self.charts["hour_chart"].show_drawing(hour_chart(report, 2 * width, height))
