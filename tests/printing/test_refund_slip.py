"""Refund slips: every field of the refund register, capital numerals on Chinese slips, the
cash stamp and a signature line for each person involved."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import pytest

from clinic_desk.i18n import format_date
from clinic_desk.money import format_money
from clinic_desk.printing import Paper
from clinic_desk.printing.refund_slip import (capital_amount, render_recorded_slip,
                                              render_refund_slip)
from clinic_desk.services.refunds import RefundSlipData
from clinic_desk.services.settings import ClinicSettings
from tests.printing import poppler
from tests.printing.documents import refund_slip, register_row

LANGUAGES = ("zh_CN", "zh_TW", "en")
PAPERS = (Paper.A5, Paper.ROLL_80MM)
TITLES = {"zh_CN": "退款单", "zh_TW": "退款單", "en": "REFUND SLIP"}
STAMPS = {"zh_CN": "现金付讫", "zh_TW": "現金付訖", "en": "PAID IN CASH"}
IN_WORDS = {"zh_CN": "人民币壹佰贰拾叁元肆角伍分", "zh_TW": "人民幣壹佰貳拾參元肆角伍分"}
SIGNERS = {"zh_CN": ("医生", "主管", "收费员", "患者（领款人）"),
           "zh_TW": ("醫師", "主管", "收費員", "病患（領款人）"),
           "en": ("Doctor", "Manager", "Cashier", "Patient (receiver)")}


@cache
def text_of(language: str, paper: Paper, **changes: object) -> str:
    return poppler.layout_text(render_refund_slip(refund_slip(**changes), paper, language))


both = pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.value)
every_language = pytest.mark.parametrize("language", LANGUAGES)


@both
@every_language
def test_the_slip_carries_every_field_of_the_register(language: str, paper: Paper) -> None:
    doc = refund_slip()
    text = text_of(language, paper)
    expected = [
        doc.clinic_name, TITLES[language], doc.slip_number, doc.patient_name, doc.record_number,
        format_date(doc.first_visit, "medium", language=language),  # type: ignore[arg-type]
        format_date(doc.refunded_at.date(), "medium", language=language),
        format_money(doc.total_paid, "CNY", language),
        format_money(doc.amount_refunded, "CNY", language),
        doc.reason_category, doc.reason_detail, doc.doctor_name, doc.manager_name,
        doc.manager_opinion, doc.cashier_name, doc.receiver_name, doc.method_name,
        doc.refunded_item, doc.receipt_number, *SIGNERS[language]]
    missing = [item for item in expected if not poppler.contains(text, item)]
    assert not missing, f"{language} {paper.value}: missing {missing}\n{text}"


@both
@pytest.mark.parametrize("language", ["zh_CN", "zh_TW"])
def test_chinese_slips_write_the_amount_in_capital_numerals(language: str, paper: Paper) -> None:
    assert poppler.contains(text_of(language, paper), IN_WORDS[language])


def test_english_slips_and_other_currencies_have_no_capital_numerals() -> None:
    assert not poppler.contains(text_of("en", Paper.A5), "人民币")
    assert capital_amount(12345, "HKD", "zh_TW") is None
    assert capital_amount(12345, "CNY", "en") is None
    assert capital_amount(12345, "CNY", "zh_HK") == IN_WORDS["zh_TW"]
    assert capital_amount(12345, "CNY", "zh_SG") == IN_WORDS["zh_CN"]


@both
@every_language
def test_a_cash_refund_is_stamped_paid_in_cash_with_its_date(language: str,
                                                             paper: Paper) -> None:
    text = text_of(language, paper)
    assert poppler.contains(text, STAMPS[language])
    assert not poppler.contains(text_of(language, paper, is_cash=False), STAMPS[language])


def test_the_stamp_date_is_the_clinics_day_not_utc() -> None:
    late = datetime.fromisoformat("2024-05-06T17:30:00+00:00")  # 01:30 on 7 May in Shanghai
    text = text_of("en", Paper.A5, refunded_at=late)
    lines = [line for line in text.splitlines() if "May 7, 2024" in line]
    assert len(lines) >= 2  # the refund date and the stamp's date


@every_language
def test_a_reprinted_slip_is_marked_as_a_copy(language: str) -> None:
    mark = {"zh_CN": "副本", "zh_TW": "副本", "en": "COPY (reprint 1)"}[language]
    assert poppler.contains(text_of(language, Paper.A5, copy_number=1), mark)
    assert not poppler.contains(text_of(language, Paper.A5), mark)


@both
def test_the_slip_is_one_page_with_the_font_embedded(paper: Paper) -> None:
    pdf = render_refund_slip(refund_slip(), paper, "zh_CN")
    assert poppler.page_info(pdf)[0] == 1
    rows = poppler.fonts(pdf)
    assert rows and all(row["emb"] == "yes" for row in rows)


@pytest.mark.parametrize("changes", [
    {"amount_refunded": 0}, {"amount_refunded": -100}, {"amount_refunded": 142001},
    {"refunded_at": datetime(2024, 5, 6, 14, 32)}, {"copy_number": -1},
], ids=["zero", "negative", "more-than-paid", "naive-time", "copy"])
def test_an_impossible_refund_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        refund_slip(**changes)


@both
def test_a_recorded_refund_prints_its_item_its_receipt_and_later_as_a_copy(paper: Paper) -> None:
    row = register_row(12)
    clinic = ClinicSettings(clinic_name="康乐口腔诊所", address="漕溪北路 88 号",
                            phone="021-6438 0000")
    original = poppler.layout_text(render_recorded_slip(RefundSlipData(row, clinic, 0), paper))
    for item in (row.number, row.item, row.receipt_number, row.reason_detail, "退款单",
                 "人民币壹佰贰拾叁元肆角伍分", "现金付讫", clinic.clinic_name):
        assert poppler.contains(original, item), item
    assert not poppler.contains(original, "副本")
    reprint = poppler.layout_text(render_recorded_slip(RefundSlipData(row, clinic, 1), paper,
                                                       "en"))
    assert poppler.contains(reprint, "COPY (reprint 1)")
    assert poppler.contains(reprint, "REFUND SLIP")


def test_an_amount_refund_by_card_has_no_item_line_and_no_cash_stamp() -> None:
    row = register_row(3, item="", is_cash=False, method_name="银行卡 Bank card")
    text = poppler.layout_text(render_recorded_slip(
        RefundSlipData(row, ClinicSettings(clinic_name="康乐"), 0), Paper.A5, "en"))
    assert poppler.contains(text, "银行卡 Bank card")
    assert not poppler.contains(text, "Refunded item")
    assert not poppler.contains(text, "PAID IN CASH")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_slip_with_every_field_stays_on_one_a5_page(language: str) -> None:
    row = register_row(12, opinion="同意。患者已确认不做该项目，按原支付方式退回。" * 2)
    pdf = render_recorded_slip(RefundSlipData(row, ClinicSettings(clinic_name="康乐"), 2),
                               Paper.A5, language)
    assert poppler.page_info(pdf)[0] == 1
    assert poppler.contains(poppler.layout_text(pdf), SIGNERS[language][-1])
