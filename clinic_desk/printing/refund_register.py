"""The refund register (退款登记本) for a period: a ruled A4 landscape PDF to file and sign
off, and an XLSX workbook for the accounts.

One line per refund with the register's columns: date, patient, reason, the patient's first
visit, the total paid, the amount refunded, the doctor who stated the reason, the manager and
the opinion, the cashier and the receiver. In the workbook amounts are real numbers in the
currency's format and dates real dates, so the accounts can sum and filter them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import cache
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.platypus import Flowable

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, gettext as _, ngettext, use_language
from clinic_desk.money import format_money, to_decimal
from clinic_desk.printing.day_export import ExportCancelled, Progress, currency_format
from clinic_desk.printing.fonts import Styles, styles
from clinic_desk.printing.layout import (Cell, Line, ProgressLine, build_pdf, clinic_header,
                                         details_table, grid, local_date_time, para)
from clinic_desk.printing.paper import Paper
from clinic_desk.services.refunds import RefundRegisterRow

PAPER = Paper.A4_LANDSCAPE
#: How many workbook rows are written between two progress reports.
_ROWS_PER_REPORT = 50


@dataclass(frozen=True)
class RefundRegisterDocument:
    """The register as shown on screen: the period, the filters in force and its lines."""

    clinic_name: str
    clinic_address: str
    clinic_phone: str
    start: date
    end: date
    doctor_name: str  # the doctor filter; empty: every doctor
    reason_name: str  # the reason filter; empty: every reason
    currency: str
    timezone: str
    made_at: datetime
    rows: tuple[RefundRegisterRow, ...]

    @property
    def total_refunded(self) -> int:
        return sum(row.amount for row in self.rows)


def register_title() -> str:
    return _("Refund register")


def period_text(doc: RefundRegisterDocument) -> str:
    first, last = format_date(doc.start, "medium"), format_date(doc.end, "medium")
    return first if doc.start == doc.end else f"{first} – {last}"


def _filters(doc: RefundRegisterDocument, tz: tzinfo) -> list[tuple[str, str]]:
    return [(_("Period"), period_text(doc)),
            (_("Doctor"), doc.doctor_name or _("All doctors")),
            (_("Reason"), doc.reason_name or _("All reasons")),
            (_("Printed"), local_date_time(doc.made_at, tz))]


def total_text(doc: RefundRegisterDocument) -> str:
    count = len(doc.rows)
    return ngettext("{count} refund, {total} in all", "{count} refunds, {total} in all",
                    count).format(count=count,
                                  total=format_money(doc.total_refunded, doc.currency))


# --- the PDF ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Column:
    header: str
    share: float  # of the page's width
    text: Callable[[RefundRegisterRow], tuple[str, str]]  # main text, smaller second line
    figure: bool = False


def _columns(tz: tzinfo, money: Callable[[int], str]) -> list[_Column]:
    def day(value: date | None) -> str:
        return format_date(value, "medium") if value else "—"

    def reason(row: RefundRegisterRow) -> tuple[str, str]:
        item = _("Item: {item}").format(item=row.item) if row.item else ""
        return row.reason, "\n".join(filter(None, (row.reason_detail, item)))

    return [
        _Column(_("Slip no."), 0.075, lambda r: (r.number, "")),
        _Column(_("Date"), 0.085, lambda r: (local_date_time(r.refunded_at, tz, "short"), "")),
        _Column(_("Patient"), 0.095, lambda r: (r.patient_name, r.record_number)),
        _Column(_("First visit"), 0.085, lambda r: (day(r.first_visit), "")),
        _Column(_("Reason"), 0.165, reason),
        _Column(_("Total paid"), 0.08, lambda r: (money(r.total_paid), ""), figure=True),
        _Column(_("Refunded"), 0.08, lambda r: (money(r.amount), r.method_name), figure=True),
        _Column(_("Doctor"), 0.065, lambda r: (r.doctor_name, "")),
        _Column(_("Manager and opinion"), 0.125, lambda r: (r.manager_name, r.opinion)),
        _Column(_("Cashier"), 0.065, lambda r: (r.cashier_name, "")),
        _Column(_("Receiver"), 0.08, lambda r: (r.receiver_name, "")),
    ]


def _cell(column: _Column, row: RefundRegisterRow, width: float, st: Styles) -> Cell:
    text, detail = column.text(row)
    if column.figure:
        return Line(text, st.body_right, detail, st.small_right)
    return para(text, st.body, detail, st.small, width=width)


def _register_table(doc: RefundRegisterDocument, width: float, st: Styles, tz: tzinfo,
                    money: Callable[[int], str], progress: Progress | None) -> Flowable:
    """Ruled like the paper register: a line between every two refunds and columns."""
    columns = _columns(tz, money)
    scale = width / sum(c.share for c in columns)
    widths = [c.share * scale for c in columns]
    data: list[list[Cell]] = [[para(c.header, st.small_right if c.figure else st.small,
                                    width=w - 4) for c, w in zip(columns, widths)]]
    data += [[_cell(c, row, w - 4, st) for c, w in zip(columns, widths)] for row in doc.rows]
    if progress is not None:
        for index, line in enumerate(data[1:]):
            line[0] = ProgressLine(doc.rows[index].number, st.body, index, len(doc.rows),
                                   progress)
    figures = [i for i, c in enumerate(columns) if c.figure]
    total_row: list[Cell] = [""] * len(columns)
    total_row[0] = para(total_text(doc), st.strong, width=sum(widths[:figures[-1]]) - 4)
    total_row[figures[-1]] = Line(money(doc.total_refunded), st.strong_right)
    data.append(total_row)
    last = len(data) - 1
    return grid(data, widths, [
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("GRID", (0, 0), (-1, last - 1), 0.4, colors.black),
        ("LINEBELOW", (0, last), (-1, last), 0.8, colors.black),
        ("SPAN", (0, last), (figures[-1] - 1, last)),
    ], repeat_header=True)


def render_refund_register(doc: RefundRegisterDocument, language: str,
                           progress: Progress | None = None) -> bytes:
    """The register as an A4 landscape PDF, in `language`; `progress` hears of each line as
    it is drawn and cancels by returning False (ExportCancelled)."""
    with use_language(language):
        spec = PAPER.spec
        st = styles(spec.font_size)
        tz = zone(doc.timezone)

        @cache
        def money(minor: int) -> str:
            return format_money(minor, doc.currency, language)

        title = register_title()
        flow: list[Flowable] = clinic_header(doc.clinic_name, doc.clinic_address,
                                             doc.clinic_phone, title, 0, spec, st)
        flow.append(details_table(_filters(doc, tz), spec, st, pairs_per_row=2))
        flow.append(_register_table(doc, spec.content_width, st, tz, money, progress))
        return build_pdf(flow, PAPER, f"{title} {period_text(doc)}")


# --- the workbook -------------------------------------------------------------------------------

def _sheet_rows(doc: RefundRegisterDocument, tz: tzinfo) -> tuple[list[str], list[list[Any]]]:
    headers = [_("Slip no."), _("Date"), _("Patient"), _("Record number"), _("First visit"),
               _("Reason"), _("Reason in detail"), _("Refunded item"), _("Total paid"),
               _("Refunded"), _("Refund method"), _("Doctor"), _("Manager"),
               _("Manager's opinion"), _("Cashier"), _("Receiver"), _("Paid on receipt no.")]
    rows = [[r.number, r.refunded_at.astimezone(tz).replace(tzinfo=None), r.patient_name,
             r.record_number, r.first_visit, r.reason, r.reason_detail, r.item,
             to_decimal(r.total_paid, doc.currency), to_decimal(r.amount, doc.currency),
             r.method_name, r.doctor_name, r.manager_name, r.opinion, r.cashier_name,
             r.receiver_name, r.receipt_number] for r in doc.rows]
    return headers, rows


#: Column formats by position in `_sheet_rows`: the date, the first visit and the amounts.
_DATE_TIME_COLUMNS, _DATE_COLUMNS, _MONEY_COLUMNS = (2,), (5,), (9, 10)
_WIDTHS = (11, 17, 12, 12, 12, 16, 40, 16, 13, 13, 12, 12, 12, 24, 12, 12, 12)


def _format_columns(sheet: Any, first_row: int, last_row: int, money_format: str) -> None:
    formats = {**{c: "yyyy-mm-dd hh:mm" for c in _DATE_TIME_COLUMNS},
               **{c: "yyyy-mm-dd" for c in _DATE_COLUMNS},
               **{c: money_format for c in _MONEY_COLUMNS}}
    for column, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=first_row, max_row=last_row, min_col=column,
                                       max_col=column):
            cell.number_format = number_format
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def render_register_workbook(doc: RefundRegisterDocument, language: str,
                             progress: Progress | None = None) -> bytes:
    """The register as XLSX bytes, in `language`: a heading, one row per refund, the total.
    `progress` as for the PDF."""
    with use_language(language):
        tz = zone(doc.timezone)
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = register_title()[:31]
        bold = Font(bold=True)
        sheet.append([doc.clinic_name])
        sheet.append([register_title()])
        for label, value in _filters(doc, tz):
            sheet.append([label, value])
        sheet.append([])
        headers, rows = _sheet_rows(doc, tz)
        sheet.append(headers)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = f"A{header_row + 1}"
        for index, values in enumerate(rows):
            if progress is not None and index % _ROWS_PER_REPORT == 0 \
                    and not progress(index, len(rows)):
                raise ExportCancelled()
            sheet.append(values)
        total = [""] * len(headers)
        total[0] = total_text(doc)
        total[_MONEY_COLUMNS[-1] - 1] = to_decimal(doc.total_refunded, doc.currency)
        sheet.append(total)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        _format_columns(sheet, header_row + 1, sheet.max_row,
                        currency_format(doc.currency, language))
        sheet[1][0].font = Font(bold=True, size=14)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

