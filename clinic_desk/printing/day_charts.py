"""The day report's charts as ReportLab drawings: takings by payment method, by hour, and the
work charged by doctor.

The same drawings go into the PDF and, as SVG, onto the manager's overview screen, so the
paper and the screen can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import time

from babel.numbers import format_decimal
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from clinic_desk.i18n import babel_locale, format_time, gettext as _
from clinic_desk.money import format_money, minor_digits
from clinic_desk.printing.fonts import FONT_NAME, MUTED, pdf_text, register_fonts
from clinic_desk.services.reconciliation import DayReport

BAR = colors.Color(0.16, 0.42, 0.66)
NEGATIVE = colors.Color(0.78, 0.16, 0.16)
GRID = colors.Color(0.85, 0.85, 0.85)
TITLE_SIZE = 10
LABEL_SIZE = 7.5


def _axis_label(currency: str) -> Callable[[float], str]:
    """Whole currency units on the value axis: the bars carry the exact amounts."""
    scale = 10 ** minor_digits(currency)
    locale = babel_locale()
    return lambda value: pdf_text(format_decimal(round(value / scale), locale=locale))


def _frame(width: float, height: float, title: str) -> Drawing:
    drawing = Drawing(width, height)
    drawing.initialFontName = FONT_NAME  # else an unused, unembedded Helvetica is listed
    drawing.add(String(0, height - TITLE_SIZE, pdf_text(title), fontName=FONT_NAME,
                       fontSize=TITLE_SIZE))
    return drawing


def _empty(drawing: Drawing, width: float, height: float) -> Drawing:
    drawing.add(String(width / 2, height / 2, pdf_text(_("Nothing in this period.")),
                       fontName=FONT_NAME, fontSize=LABEL_SIZE, fillColor=MUTED,
                       textAnchor="middle"))
    return drawing


def _style(chart: HorizontalBarChart | VerticalBarChart, values: Sequence[int],
           labels: Sequence[str], currency: str) -> None:
    def money(value: float) -> str:
        return pdf_text(format_money(int(value), currency))

    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = [pdf_text(label) for label in labels]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT_NAME
        axis.labels.fontSize = LABEL_SIZE
        axis.strokeColor = MUTED
    chart.valueAxis.labelTextFormat = _axis_label(currency)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.forceZero = True
    lowest = min(values, default=0)
    chart.valueAxis.valueMin = min(0, lowest)
    chart.valueAxis.valueMax = max(max(values, default=0), 1) * 1.18  # room for the labels
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    for index, value in enumerate(values):
        if value < 0:
            chart.bars[(0, index)].fillColor = NEGATIVE
    chart.barLabelFormat = money
    chart.barLabels.fontName = FONT_NAME
    chart.barLabels.fontSize = LABEL_SIZE - 0.5


def _horizontal(title: str, labels: Sequence[str], values: Sequence[int], currency: str,
                width: float, height: float) -> Drawing:
    drawing = _frame(width, height, title)
    if not values:
        return _empty(drawing, width, height)
    chart = HorizontalBarChart()
    label_width = min(width * 0.3, 8 + LABEL_SIZE * max(len(label) for label in labels))
    chart.x, chart.y = label_width, 14
    chart.width, chart.height = width - label_width - 8, height - TITLE_SIZE - 26
    _style(chart, list(reversed(values)), list(reversed(labels)), currency)
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barWidth = 8
    chart.groupSpacing = 4
    drawing.add(chart)
    return drawing


def method_chart(report: DayReport, width: float, height: float) -> Drawing:
    """Money received by payment method (taken, corrected, less refunds)."""
    register_fonts()
    return _horizontal(_("Takings by payment method"), [m.name for m in report.methods],
                       [m.received for m in report.methods], report.currency, width, height)


def doctor_chart(report: DayReport, width: float, height: float) -> Drawing:
    """The work each doctor did, as charged (before discounts)."""
    register_fonts()
    return _horizontal(_("Charged by doctor"), [t.label for t in report.by_doctor],
                       [t.amount for t in report.by_doctor], report.currency, width, height)


def hour_chart(report: DayReport, width: float, height: float) -> Drawing:
    """Money received in each hour of the day, from the first busy hour to the last."""
    register_fonts()
    drawing = _frame(width, height, _("Takings by hour"))
    if not report.by_hour:
        return _empty(drawing, width, height)
    amounts = {h.hour: h.amount for h in report.by_hour}
    hours = range(min(amounts), max(amounts) + 1)
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 18
    chart.width, chart.height = width - 44, height - TITLE_SIZE - 30
    _style(chart, [amounts.get(h, 0) for h in hours],
           [format_time(time(h), "short") for h in hours], report.currency)
    chart.barLabels.boxAnchor = "s"
    chart.barLabels.dy = 2
    chart.barLabels.angle = 0 if len(hours) <= 8 else 90
    if len(hours) > 8:
        chart.barLabels.boxAnchor = "w"
    chart.categoryAxis.labels.angle = 0 if len(hours) <= 10 else 45
    chart.categoryAxis.labels.boxAnchor = "n" if len(hours) <= 10 else "ne"
    drawing.add(chart)
    return drawing


_CLIP = re.compile(r"<clipPath.*?</clipPath>|\s*style=\"clip-path: url\(#clip\)\"",
                   re.DOTALL)


def chart_svg(drawing: Drawing, font_family: str) -> bytes:
    """The drawing as SVG naming `font_family` (the screen's name for the same font).

    The whole-drawing clip path goes: SVG Tiny renderers (Qt's) draw it as a black box.
    """
    text = _CLIP.sub("", renderSVG.drawToString(drawing))
    return text.replace(f"font-family: {FONT_NAME}", f"font-family: {font_family}").encode()
