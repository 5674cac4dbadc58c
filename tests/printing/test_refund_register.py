"""The refund register: an A4 landscape PDF with every column in each language, and an XLSX
workbook whose amounts and dates are real numbers and dates."""

from __future__ import annotations

import io
import os
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from clinic_desk.i18n import format_date
from clinic_desk.money import format_money
from clinic_desk.printing.day_export import ExportCancelled
from clinic_desk.printing.refund_register import (render_refund_register,
                                                  render_register_workbook)
from tests.printing import poppler
from tests.printing.documents import FIRST_VISIT, refund_register

LANGUAGES = ("zh_CN", "zh_TW", "en")
HEADERS = {
    "zh_CN": ("单号", "日期", "患者", "初诊", "原因", "已付总额", "医生", "收费员"),
    "zh_TW": ("單號", "日期", "病患", "初診", "原因", "已付總額", "醫師", "收費員"),
    "en": ("Slip no.", "Date", "Patient", "First visit", "Reason", "Total paid", "Refunded",
           "Doctor", "Manager and opinion", "Cashier", "Receiver"),
}


@cache
def pdf_of(language: str, rows: int = 3) -> bytes:
    return render_refund_register(refund_register(rows), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pdf_has_every_column_of_every_refund(language: str) -> None:
    doc = refund_register()
    text = poppler.raw_text(pdf_of(language))
    expected = [doc.clinic_name, *HEADERS[language],
                format_date(doc.start, "medium", language=language),
                format_date(doc.end, "medium", language=language)]
    for row in doc.rows:
        expected += [row.number, row.patient_name, row.record_number, row.reason,
                     row.reason_detail, row.doctor_name, row.manager_name, row.opinion,
                     row.cashier_name, row.receiver_name, row.method_name,
                     format_date(FIRST_VISIT, "medium", language=language),
                     format_money(row.total_paid, "CNY", language),
                     format_money(row.amount, "CNY", language)]
    expected.append(format_money(doc.total_refunded, "CNY", language))
    missing = [item for item in expected if not poppler.contains(text, item)]
    assert not missing, f"{language}: missing {missing}\n{text}"


def test_the_pdf_lies_on_a4_landscape_with_the_font_embedded() -> None:
    pages, width, height = poppler.page_info(pdf_of("zh_CN"))
    assert pages == 1 and (round(width), round(height)) == (842, 595)
    assert all(row["emb"] == "yes" for row in poppler.fonts(pdf_of("zh_CN")))


def test_a_long_register_repeats_its_header_on_every_page() -> None:
    pdf = pdf_of("en", 60)
    pages = poppler.layout_text(pdf).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) == poppler.page_info(pdf)[0] > 1
    assert all("Slip no." in page for page in pages)
    assert "00000060" in pages[-1] and "60 refunds" in pages[-1]


def test_filters_in_force_are_printed() -> None:
    doc = refund_register(doctor_name="李明", reason_name="收费错误")
    text = poppler.layout_text(render_refund_register(doc, "en"))
    assert poppler.contains(text, "Doctor 李明") and poppler.contains(text, "Reason 收费错误")
    assert not poppler.contains(text, "All doctors")


def test_drawing_reports_progress_and_stops_when_cancelled() -> None:
    seen: list[tuple[int, int]] = []
    render_refund_register(refund_register(5), "en", lambda done, total: not seen.append(
        (done, total)))
    assert seen == [(n, 5) for n in range(5)]
    with pytest.raises(ExportCancelled):
        render_refund_register(refund_register(5), "en", lambda done, total: done < 2)
    with pytest.raises(ExportCancelled):
        render_register_workbook(refund_register(5), "en", lambda done, total: False)


def test_the_workbook_holds_real_numbers_and_dates() -> None:
    doc = refund_register()
    book = load_workbook(io.BytesIO(render_register_workbook(doc, "zh_CN")))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "单号")
    lines = sheet.iter_rows(min_row=header + 2, max_row=header + 1 + len(doc.rows))
    for row, cells in zip(doc.rows, lines):
        number, when, patient, record, first, *_rest = cells
        total_paid, refunded = cells[8], cells[9]
        assert (number.value, patient.value, record.value) == (
            row.number, row.patient_name, row.record_number)
        assert when.value == datetime(2024, 5, 6, 14, 32) and when.is_date
        assert first.value == datetime(2023, 11, 2) and first.number_format == "yyyy-mm-dd"
        assert isinstance(total_paid.value, (int, float)) and \
            Decimal(str(total_paid.value)) == Decimal(row.total_paid) / 100
        assert isinstance(refunded.value, (int, float)) and \
            Decimal(str(refunded.value)) == Decimal(row.amount) / 100
        assert refunded.number_format == '"¥"#,##0.00;-"¥"#,##0.00'
    total = values[header + 1 + len(doc.rows)]
    assert "3" in total[0] and format_money(doc.total_refunded, "CNY", "zh_CN") in total[0]
    assert Decimal(str(total[9])) == Decimal("746.92")
    assert values[0][0] == doc.clinic_name
    assert values[2][1] == "2024年5月1日 – 2024年5月31日"  # the period, under its label


def test_render_pngs_to_look_at(tmp_path_factory: pytest.TempPathFactory) -> None:
    configured = os.environ.get("CLINIC_DESK_ARTIFACTS")
    folder = (Path(configured) / "printing" if configured
              else tmp_path_factory.mktemp("register-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    for language in ("zh_CN", "en"):
        png = poppler.save_png(pdf_of(language, 12), folder / f"refund-register-{language}")
        assert png.stat().st_size > 10_000
