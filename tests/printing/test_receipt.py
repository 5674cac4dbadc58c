"""Receipts: what the patient, the insurer and the accountant read on them, in every language
and on every paper."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import cache

import pytest

from clinic_desk import i18n
from clinic_desk.i18n import gettext as _, use_language
from clinic_desk.money import format_money
from clinic_desk.printing import Paper
from clinic_desk.printing.receipt import (ReceiptDocument, ReceiptLine, ReceiptPayment,
                                          render_receipt)
from tests.printing import poppler
from tests.printing.documents import DISCOUNTS, LINES, PAYMENTS, TOTAL, receipt

LANGUAGES = ("zh_CN", "zh_TW", "en")
PAPERS = (Paper.ROLL_80MM, Paper.A5)
TITLES = {"zh_CN": "收据", "zh_TW": "收據", "en": "RECEIPT"}
COPY_MARKS = {"zh_CN": "副本", "zh_TW": "副本", "en": "COPY (reprint 2)"}
MM = 72 / 25.4


@cache
def rendered(language: str, paper: Paper, copy_number: int = 0) -> bytes:
    return render_receipt(receipt(copy_number=copy_number), paper, language)


@cache
def text_of(language: str, paper: Paper, copy_number: int = 0) -> str:
    return poppler.layout_text(rendered(language, paper, copy_number))


def money(minor: int, language: str) -> str:
    return format_money(minor, "CNY", language)


both = pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.value)
every_language = pytest.mark.parametrize("language", LANGUAGES)


@both
@every_language
def test_the_receipt_says_who_paid_what_for_what(language: str, paper: Paper) -> None:
    text = text_of(language, paper)
    doc = receipt()
    expected = [doc.clinic_name, doc.clinic_address, doc.clinic_phone, TITLES[language],
                doc.receipt_number, doc.patient_name, doc.record_number, doc.cashier_name,
                *(line.description for line in LINES), *(line.category for line in LINES),
                *(d.description for d in DISCOUNTS),
                *(p.method_name for p in PAYMENTS), *(p.detail for p in PAYMENTS if p.detail),
                money(TOTAL, language), money(doc.paid_today, language),
                money(doc.balance_after, language), money(doc.earlier_balance, language),
                money(4000, language)]  # the change
    missing = [item for item in expected if not poppler.contains(text, item)]
    assert not missing, f"{language} {paper.value}: missing {missing}\n{text}"


@both
@every_language
def test_the_summary_reads_total_paid_today_balance(language: str, paper: Paper) -> None:
    doc = receipt()
    with use_language(language):
        summary = _("Total {total}, paid today {paid}, balance {balance}.").format(
            total=money(TOTAL, language), paid=money(doc.paid_today, language),
            balance=money(doc.balance_after, language))
    assert poppler.contains(text_of(language, paper), summary)


@pytest.mark.parametrize(("language", "when"), [
    ("zh_CN", "2024年5月6日 14:32"), ("zh_TW", "2024年5月6日 下午2:32"),
    ("en", "May 6, 2024 2:32 PM")])
def test_date_and_time_are_the_clinics_local_time(language: str, when: str) -> None:
    text = text_of(language, Paper.ROLL_80MM)
    assert poppler.contains(text, when)
    assert "\u202f" not in text


@every_language
def test_the_next_appointment_is_shown_with_its_doctor(language: str) -> None:
    text = text_of(language, Paper.A5)
    day = {"zh_CN": "2024年5月13日", "zh_TW": "2024年5月13日", "en": "May 13, 2024"}[language]
    assert poppler.contains(text, day) and poppler.contains(text, "李明")
    plain = render_receipt(receipt(next_appointment=None), Paper.A5, language)
    assert not poppler.contains(poppler.layout_text(plain), day)


@both
@every_language
def test_the_font_is_embedded_and_nothing_else_is_needed(language: str, paper: Paper) -> None:
    rows = poppler.fonts(rendered(language, paper))
    assert rows and all(row["emb"] == "yes" for row in rows), rows
    assert any("WenQuanYi" in row["name"] for row in rows)


@both
@every_language
def test_a_reprint_is_marked_as_a_copy_with_its_count(language: str, paper: Paper) -> None:
    copy = text_of(language, paper, copy_number=2)
    assert poppler.contains(copy, COPY_MARKS[language]) and "2" in copy
    original = text_of(language, paper)
    assert not poppler.contains(original, COPY_MARKS[language])


def test_the_chinese_copy_mark_names_the_reprint() -> None:
    assert poppler.contains(text_of("zh_CN", Paper.ROLL_80MM, 2), "副本（第2次重印）")


@both
def test_two_equal_payments_stay_two_lines(paper: Paper) -> None:
    text = text_of("en", paper)
    cash_lines = [line for line in text.splitlines() if "现金 Cash" in line]
    assert len(cash_lines) == 2 and all(money(30000, "en") in line for line in cash_lines)


def test_category_subtotals_follow_their_items() -> None:
    text = poppler.squeezed(text_of("en", Paper.ROLL_80MM))
    treatment = poppler.squeezed("治疗 Treatment subtotal") + poppler.squeezed(money(130000, "en"))
    assert treatment in text
    assert text.index("根管治疗") < text.index(treatment) < text.index("药品")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_amounts_on_a_roll_are_right_aligned(language: str) -> None:
    doc = receipt()
    figures = {money(v, language) for v in (
        *(line.amount for line in LINES), 12000, 130000, 4650, 146650, -4650, TOTAL,
        doc.earlier_balance, doc.paid_today, *(p.amount for p in PAYMENTS), 4000,
        doc.balance_after)}
    right_edge = Paper.ROLL_80MM.spec.width - Paper.ROLL_80MM.spec.margin_x
    placed = [w for w in poppler.words(rendered(language, Paper.ROLL_80MM)) if w.text in figures]
    assert {w.text for w in placed} == figures
    assert all(abs(w.x_max - right_edge) < 0.6 for w in placed), placed


def test_amounts_on_a_sheet_line_up_in_their_columns() -> None:
    doc = receipt()
    spec = Paper.A5.spec
    page = poppler.words(rendered("en", Paper.A5))
    right_column = {money(v, "en") for v in (4650, 130000, 146650, -4650, TOTAL,
                                             doc.earlier_balance, doc.paid_today,
                                             doc.balance_after)}
    placed = [w for w in page if w.text in right_column]
    assert {w.text for w in placed} == right_column
    assert all(abs(w.x_max - (spec.width - spec.margin_x)) < 0.6 for w in placed), placed
    payments = [w for w in page if w.text in {money(30000, "en"), money(4000, "en")}]
    assert len(payments) == 4 and max(w.x_max for w in payments) - min(
        w.x_max for w in payments) < 0.6


def test_a_roll_is_80_mm_wide_and_as_long_as_its_content() -> None:
    short = render_receipt(receipt(), Paper.ROLL_80MM, "zh_CN")
    many = tuple(replace(LINES[0], description=f"全景片 X-ray {n}") for n in range(40))
    total = sum(line.amount for line in many) - sum(d.amount for d in DISCOUNTS)
    long = render_receipt(receipt(lines=many, total_charged=total,
                                  balance_after=20000 + total - 140000), Paper.ROLL_80MM, "zh_CN")
    (short_pages, width, short_height), (long_pages, _w, long_height) = (
        poppler.page_info(short), poppler.page_info(long))
    assert short_pages == long_pages == 1
    assert abs(width - 80 * MM) < 0.5
    assert long_height > short_height + 30 * 12  # forty lines instead of four
    assert poppler.contains(poppler.layout_text(long), "全景片 X-ray 39")


@pytest.mark.parametrize(("paper", "size_mm"), [(Paper.A5, (148, 210)), (Paper.A4, (210, 297))])
def test_sheets_have_their_standard_size(paper: Paper, size_mm: tuple[int, int]) -> None:
    pages, width, height = poppler.page_info(render_receipt(receipt(), paper, "en"))
    assert pages == 1
    assert abs(width - size_mm[0] * MM) < 1 and abs(height - size_mm[1] * MM) < 1


def test_the_receipt_language_does_not_change_the_screens_language() -> None:
    i18n.set_language("en")
    text = poppler.layout_text(render_receipt(receipt(), Paper.ROLL_80MM, "zh_CN"))
    assert "收据" in text
    assert i18n.current_language() == "en"


def test_a_simple_payment_in_full_shows_a_zero_balance() -> None:
    line = ReceiptLine("Check-up", "Examination", 1, 5000, 5000)
    doc = receipt(lines=(line,), discounts=(), total_charged=5000, earlier_balance=0,
                  paid_today=5000, payments=(ReceiptPayment("Cash", 5000),), balance_after=0,
                  change_given=None, next_appointment=None)
    text = poppler.layout_text(render_receipt(doc, Paper.ROLL_80MM, "en"))
    assert poppler.contains(text, "Balance CN¥0.00")
    for absent in ("Items total", "Earlier balance", "Change", "Next appointment"):
        assert absent not in text


def test_a_deposit_leaves_a_credit_on_account() -> None:
    doc = receipt(lines=(), discounts=(), total_charged=0, earlier_balance=0, paid_today=50000,
                  payments=(ReceiptPayment("Alipay", 50000, "2088000111"),),
                  balance_after=-50000, change_given=None)
    text = poppler.layout_text(render_receipt(doc, Paper.A5, "en"))
    assert poppler.contains(text, "Credit on account CN¥500.00")


def test_clinic_data_is_printed_literally_not_read_as_markup() -> None:
    doc = receipt(clinic_name="A&B <Dental> Clinic", patient_name="O'Neil & Sons")
    text = poppler.layout_text(render_receipt(doc, Paper.ROLL_80MM, "en"))
    assert "A&B <Dental> Clinic" in text and "O'Neil & Sons" in text


@pytest.mark.parametrize("changes", [
    {"total_charged": TOTAL + 1},
    {"paid_today": 140001},
    {"balance_after": 22001},
    {"issued_at": datetime(2024, 5, 6, 14, 32)},
    {"copy_number": -1},
], ids=["total", "paid", "balance", "naive-time", "copy"])
def test_a_receipt_that_does_not_add_up_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        receipt(**changes)


def test_the_document_is_immutable() -> None:
    doc: ReceiptDocument = receipt()
    with pytest.raises(AttributeError):
        doc.total_charged = 0  # type: ignore[misc]


def test_a_long_receipt_on_a_sheet_names_itself_on_the_next_page() -> None:
    many = tuple(replace(LINES[1], description=f"Root canal {n}") for n in range(40))
    total = sum(line.amount for line in many) - sum(d.amount for d in DISCOUNTS)
    doc = receipt(lines=many, total_charged=total, balance_after=20000 + total - 140000)
    pdf = render_receipt(doc, Paper.A5, "en")
    pages = poppler.layout_text(pdf).split("\f")
    assert poppler.page_info(pdf)[0] >= 2
    assert "Page 2" in pages[1] and doc.receipt_number in pages[1] and "Item" in pages[1]
    assert "Page 1" not in pages[0]
