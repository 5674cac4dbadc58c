"""The day's or the period's reconciliation for the accounts: an XLSX workbook and a CSV.

Amounts are real numbers (exact decimals of the currency, never floats) in the currency's
number format, dates are real dates, so an accountant can sum, filter and pivot them. The
workbook has a summary sheet (with the charges subtotalled by doctor, item and category)
and a sheet per kind of money entry: payments, refunds, corrections, discounts, the cash
count, and the visits. The CSV is one journal of every ledger entry of the period, charges
included, with a column for each dimension the summary groups by.

A workbook cell costs far more than a PDF line (openpyxl writes each one as XML), so the
charge lines, the most numerous, are in the CSV only: a day's close stays well under a
second.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from babel.numbers import get_currency_symbol
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from clinic_desk.clock import zone
from clinic_desk.i18n import babel_locale, gettext as _, use_language
from clinic_desk.money import format_plain, minor_digits, to_decimal
from clinic_desk.printing.day_report import (closing_status, period_text, render_day_report,
                                             report_title, wait_text)
from clinic_desk.printing.layout import ExportCancelled, Progress
from clinic_desk.services.reconciliation import DayReport


class ExportFormat(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"


def currency_format(currency: str, language: str) -> str:
    """An Excel number format showing the currency's sign and its decimals (`"¥"#,##0.00`)."""
    symbol = get_currency_symbol(currency, locale=babel_locale(language))
    if currency == "TWD":
        symbol = "NT$"
    digits = minor_digits(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    return f'"{symbol}"{number};-"{symbol}"{number}'


@dataclass(frozen=True)
class _Money:
    minor: int


@dataclass(frozen=True)
class _Sheet:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


class _Writer:
    """Cells with their formats, for openpyxl's fast write-only sheets."""

    def __init__(self, workbook: Workbook, report: DayReport, language: str) -> None:
        self.workbook = workbook
        self.currency = report.currency
        self.money_format = currency_format(report.currency, language)
        self.tz = zone(report.timezone)
        self.bold = Font(bold=True)

    def cell(self, sheet: WriteOnlyWorksheet, value: Any, bold: bool = False) -> Any:
        """A cell with its number format, or the plain value where none is needed (cells
        cost most of a workbook's time; an empty text is no cell at all)."""
        if value == "":
            return None
        if isinstance(value, (str, int, Decimal)) and not bold:
            return value
        if isinstance(value, _Money):
            cell = WriteOnlyCell(sheet, value=to_decimal(value.minor, self.currency))
            cell.number_format = self.money_format
        elif isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=value.astimezone(self.tz).replace(tzinfo=None))
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
        else:
            cell = WriteOnlyCell(sheet, value=value)
        if bold:
            cell.font = self.bold
        return cell

    def sheet(self, spec: _Sheet, widths: Sequence[int]) -> None:
        sheet = self.workbook.create_sheet(spec.title)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        if spec.headers:
            sheet.freeze_panes = "A2"
            sheet.append([self.cell(sheet, header, bold=True) for header in spec.headers])
        for row in spec.rows:
            sheet.append([self.cell(sheet, value) for value in row])


def _summary_rows(report: DayReport) -> list[tuple[Any, ...]]:
    v = report.visits
    rows: list[tuple[Any, ...]] = [
        (report_title(report), period_text(report)),
        (_("Clinic"), report.clinic_name),
        (_("Printed"), report.generated_at),
        (_("Audit chain head now"), _("entry {entry}: {hash}").format(
            entry=report.audit_head_id, hash=report.audit_head_hash)),
        (),
        (_("Charged"), _Money(report.charged)),
        (_("Discounts"), _Money(-report.discounted)),
        (_("Taken at the desk"), _Money(report.taken)),
        (_("Changed by corrections"), _Money(report.corrected)),
        (_("Refunded"), _Money(-report.refunded)),
        (_("Received"), _Money(report.received)),
        (),
        (_("Payment method"), _("Taken"), _("Corrections"), _("Refunds"), _("Received")),
        *((m.name, _Money(m.taken), _Money(m.corrected), _Money(-m.refunded),
           _Money(m.received)) for m in report.methods),
        (),
        (_("Hour"), _("Received"), _("Entries")),
        *((f"{h.hour:02d}:00", _Money(h.amount), h.count) for h in report.by_hour),
    ]
    for title, totals in ((_("Doctor"), report.by_doctor), (_("Price-list item"), report.by_item),
                          (_("Category"), report.by_category)):
        rows += [(), (title, _("Charged"), _("Entries")),
                 *((t.label, _Money(t.amount), t.count) for t in totals)]
    rows += [(), (_("Visits"), v.visits), (_("First visits"), v.first_visits),
             (_("Return visits"), v.return_visits), (_("No-shows"), v.no_shows),
             (_("Left without being seen"), v.left_unseen),
             (_("Average wait"), wait_text(v.average_wait)),
             (_("Longest wait"), wait_text(v.longest_wait))]
    return rows


def _sheets(report: DayReport) -> list[_Sheet]:
    patient = _("Patient")
    record = _("Record number")
    return [
        _Sheet(_("Payments"), (_("Date"), _("Time"), _("Receipt no."), patient, record,
                               _("Payment method"), _("Amount"), _("Card or reference"),
                               _("Cashier"), _("Correction"), _("Deposit")),
               [(p.business_date, p.at, p.receipt_number, p.patient_name, p.record_number,
                 p.method_name, _Money(p.amount), p.detail, p.cashier, p.correction_number,
                 _("yes") if p.deposit else "") for p in report.payments]),
        _Sheet(_("Refunds"), (_("Date"), _("Time"), _("No."), patient, record,
                              _("Payment method"), _("Amount"), _("Reason"), _("Doctor"),
                              _("Approved by"), _("Cashier")),
               [(r.business_date, r.at, r.number, r.patient_name, r.record_number,
                 r.method_name, _Money(r.amount), r.reason, r.doctor, r.approved_by, r.cashier)
                for r in report.refunds]),
        _Sheet(_("Corrections"), (_("Date"), _("Time"), _("No."), patient, record,
                                  _("What was wrong"), _("Reason"), _("How it was corrected"),
                                  _("Cashier"), _("Approved by"), _("Payments"), _("Charges"),
                                  _("Discounts")),
               [(c.business_date, c.at, c.number, c.patient_name, c.record_number,
                 c.what_was_wrong, c.reason, c.how_corrected, c.cashier, c.approved_by,
                 _Money(c.payments), _Money(c.charges), _Money(c.discounts))
                for c in report.corrections]),
        _Sheet(_("Discounts"), (_("Date"), _("Time"), patient, record, _("Amount"),
                                _("Percent"), _("Reason"), _("Approved by"), _("Cashier"),
                                _("Correction")),
               [(d.business_date, d.at, d.patient_name, d.record_number, _Money(d.amount),
                 Decimal(d.percent_basis_points).scaleb(-2) if d.percent_basis_points else None,
                 d.reason, d.approved_by, d.cashier, d.correction_number)
                for d in report.discounts]),
        _Sheet(_("Cash count"), (_("Date"), _("Closing"), _("Cash desk"), _("Version"),
                                 _("Status"), _("Opening float"), _("Cash taken"),
                                 _("Cash refunded"), _("Expected cash"), _("Counted cash"),
                                 _("Difference"), _("Float kept in the drawer"),
                                 _("Explanation"), _("Closed by"), _("Accepted by"),
                                 _("Audit chain head at the close"), _("Note or coin"),
                                 _("Count")),
               [row for c in report.closings for row in (
                   (c.business_date, c.number, c.station, c.version,
                    closing_status(c), _Money(c.opening_float),
                    _Money(c.cash_taken), _Money(-c.cash_refunded), _Money(c.expected_cash),
                    _Money(c.counted_cash), _Money(c.difference), _Money(c.float_kept),
                    c.explanation, c.closed_by, c.handed_to, c.audit_head_hash),
                   *((c.business_date, c.number, "", "", "", "", "", "", "", "", "", "", "",
                      "", "", "", _Money(d), n) for d, n in c.count_lines))]),
        _Sheet(_("Visits"), (_("Visits"), _("Number")), _visit_rows(report)),
    ]


def _minutes(wait: timedelta | None) -> Decimal | None:
    return None if wait is None else Decimal(round(wait.total_seconds() / 60, 1))


def _visit_rows(report: DayReport) -> list[tuple[Any, ...]]:
    v = report.visits
    return [(_("Visits"), v.visits), (_("First visits"), v.first_visits),
            (_("Return visits"), v.return_visits), (_("No-shows"), v.no_shows),
            (_("Left without being seen"), v.left_unseen),
            (_("Average wait (minutes)"), _minutes(v.average_wait)),
            (_("Longest wait (minutes)"), _minutes(v.longest_wait)), (),
            (_("Visit kind"), _("Visits")), *((k.label, k.count) for k in v.by_kind)]


_WIDTHS = (12, 18, 12, 14, 12, 14, 14, 18, 14, 14, 14, 14, 24, 12, 12, 20, 12, 8)


def render_workbook(report: DayReport, language: str,
                    progress: Progress | None = None) -> bytes:
    """The workbook as XLSX bytes, in `language`."""
    with use_language(language):
        workbook = Workbook(write_only=True)
        writer = _Writer(workbook, report, language)
        sheets = [_Sheet(_("Summary"), (), _summary_rows(report)), *_sheets(report)]
        for done, spec in enumerate(sheets):
            if progress is not None and not progress(done, len(sheets)):
                raise ExportCancelled()
            writer.sheet(spec, (34, 18, 16, 16, 16) if not spec.headers else _WIDTHS)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _journal(report: DayReport) -> Iterable[tuple[Any, ...]]:
    """Every ledger entry of the period in time order: what the CSV lists."""
    entries: list[tuple[datetime, int, tuple[Any, ...]]] = []
    for p in report.payments:
        entries.append((p.at, 0, (p.business_date, p.at, _("Payment"), p.receipt_number,
                                  p.patient_name, p.record_number, p.method_name, "", "", "",
                                  p.amount, p.correction_number)))
    for r in report.refunds:
        entries.append((r.at, 1, (r.business_date, r.at, _("Refund"), r.number, r.patient_name,
                                  r.record_number, r.method_name, r.doctor, "", "", -r.amount,
                                  "")))
    for c in report.charges:
        entries.append((c.at, 2, (c.business_date, c.at, _("Charge"), "", c.patient_name,
                                  c.record_number, "", c.doctor, c.item, c.category, c.amount,
                                  c.correction_number)))
    for d in report.discounts:
        entries.append((d.at, 3, (d.business_date, d.at, _("Discount"), "", d.patient_name,
                                  d.record_number, "", "", "", "", -d.amount,
                                  d.correction_number)))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return (row for _at, _kind, row in entries)


def render_csv(report: DayReport, language: str) -> bytes:
    """The period's journal as UTF-8 CSV (with the byte-order mark spreadsheets look for).

    Payments and charges count positive, refunds and discounts negative, so the amounts of
    the payments and refunds add up to what was received.
    """
    with use_language(language):
        tz = zone(report.timezone)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([_("Date"), _("Time"), _("Entry"), _("No."), _("Patient"),
                         _("Record number"), _("Payment method"), _("Doctor"),
                         _("Price-list item"), _("Category"), _("Amount"), _("Correction")])
        for row in _journal(report):
            day, at, *middle, amount, correction = row
            writer.writerow([day.isoformat(), at.astimezone(tz).strftime("%H:%M"), *middle,
                             format_plain(amount, report.currency), correction])
        return out.getvalue().encode("utf-8-sig")


def render_export(report: DayReport, kind: ExportFormat, language: str,
                  progress: Progress | None = None) -> bytes:
    """The report in the chosen format: what the export dialog and the command line save."""
    if kind == ExportFormat.PDF:
        return render_day_report(report, language, progress)
    if kind == ExportFormat.XLSX:
        return render_workbook(report, language, progress)
    return render_csv(report, language)
