"""A receipt posted at the cash desk, read back and printed in every language on every paper:
what the patient reads on it must be what was posted."""

from __future__ import annotations

import pytest

from clinic_desk.models import PaymentKind
from clinic_desk.money import format_money
from clinic_desk.printing import Paper
from clinic_desk.printing.posted_receipt import payment_detail, render_posted_receipt
from clinic_desk.services.cashdesk import add_discount
from clinic_desk.services.receipts import (ReceiptData, ReceiptPaymentLine, receipt_data,
                                           record_print)
from tests.printing import poppler
from tests.printing.test_receipt import COPY_MARKS, TITLES
from tests.services.cash import Till
from tests.services.conftest import till, till_template  # noqa: F401  (fixtures)

LANGUAGES = ("zh_CN", "zh_TW", "en")


@pytest.fixture
def posted(till: Till) -> ReceiptData:  # noqa: F811
    """A split payment (card and cash with change) on two items and a percentage discount,
    leaving a balance."""
    desk, cashier = till.clinic.desk, till.clinic.cashier
    patient = till.patients.add("欧阳娜娜")
    visit = till.visit(patient)
    till.charge(visit, till.items.filling, 2, position_note="16, 17")
    till.charge(visit, till.items.exam, doctor_id=till.other_doctor)
    add_discount(desk, cashier, visit, percent=5, reason="会员折扣")
    receipt_id = till.pay(patient, visit, till.card("300.00", last4="6222", reference="POS-1"),
                          till.cash("150.00", tendered="200.00")).receipt_id
    return receipt_data(desk, receipt_id)


@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.A5], ids=lambda p: p.value)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_posted_receipt_prints_what_was_posted(posted: ReceiptData, language: str,
                                                   paper: Paper) -> None:
    text = poppler.layout_text(render_posted_receipt(posted, paper, language))

    def money(minor: int) -> str:
        return format_money(minor, posted.clinic.currency, language)
    assert (posted.total_charged, posted.paid_today, posted.balance_after) == (57950, 45000,
                                                                                12950)
    expected = [posted.clinic.clinic_name, posted.clinic.address, posted.clinic.phone,
                TITLES[language], posted.number, posted.patient_name, posted.record_number,
                posted.cashier_name, *(i.description for i in posted.items),
                *(i.category for i in posted.items), "16, 17", "李建国", "王丽",
                *(p.method_name for p in posted.payments), "UnionPay debit ****6222 · POS-1",
                money(posted.total_charged), money(posted.paid_today),
                money(posted.balance_after), money(30000), money(15000), money(5000)]
    missing = [item for item in expected if not poppler.contains(text, item)]
    assert not missing, f"{language} {paper.value}: missing {missing}\n{text}"
    assert poppler.contains(text, "会员折扣 (5%)")
    assert not poppler.contains(text, COPY_MARKS[language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reprint_is_marked_with_its_count(till: Till, posted: ReceiptData,  # noqa: F811
                                            language: str) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    assert record_print(desk, cashier, posted.receipt_id, "CUPS-PDF") == 0
    assert record_print(desk, cashier, posted.receipt_id, "CUPS-PDF") == 1
    again = receipt_data(desk, posted.receipt_id)
    text = poppler.layout_text(render_posted_receipt(again, Paper.ROLL_80MM, language))
    assert again.prints == 2  # the next print is the second reprint
    assert poppler.contains(text, COPY_MARKS[language])
    assert poppler.contains(text, posted.number)


def test_the_clinics_language_is_the_default(posted: ReceiptData) -> None:
    assert posted.clinic.language == "zh_CN"
    text = poppler.layout_text(render_posted_receipt(posted, Paper.ROLL_80MM))
    assert poppler.contains(text, "收据")


def test_card_and_reference_details() -> None:
    line = ReceiptPaymentLine("银行卡", PaymentKind.CARD, 100, "VISA", "1234", "", None)
    assert payment_detail(line) == "VISA ****1234"
    assert payment_detail(ReceiptPaymentLine("微信", PaymentKind.WECHAT, 100, "", "", "WX-1",
                                             None)) == "WX-1"
    assert payment_detail(ReceiptPaymentLine("现金", PaymentKind.CASH, 100, "", "", "",
                                             0)) == ""
