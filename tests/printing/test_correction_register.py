"""The printed correction register: what a reader finds in it, in each language, on A4 turned
sideways, across pages, and through the program's own print path."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, gettext as _, use_language
from clinic_desk.money import format_money
from clinic_desk.printing.correction_register import (REGISTER_PAPER, CorrectionRegisterDocument,
                                                      render_correction_register)
from clinic_desk.printing.layout import ExportCancelled, local_date_time
from clinic_desk.services.corrections import (ChargeEntry, CorrectionRow, DiscountEntry,
                                              EntryKind, PaymentEntry)
from clinic_desk.ui.print_bridge import save_pdf_via_qt
from tests.printing import poppler

LANGUAGES = ("zh_CN", "zh_TW", "en")
CORRECTED = datetime(2024, 5, 6, 6, 32, tzinfo=timezone.utc)  # 14:32 in Shanghai
DAY = date(2024, 5, 6)
MM = 72 / 25.4


def _posted(entry_id: int, amount: int, patient: tuple[int, str, str] = (12, "张三丰", "P000123"),
            visit_date: date | None = DAY) -> dict[str, object]:
    patient_id, name, number = patient
    return {"entry_id": entry_id, "amount": amount, "patient_id": patient_id,
            "patient_name": name, "record_number": number, "visit_id": 3 if visit_date else None,
            "visit_date": visit_date, "posted_at": CORRECTED, "business_date": DAY}


def payment(entry_id: int, amount: int, method: str, receipt: str, reference: str = "",
            **where: object) -> PaymentEntry:
    return PaymentEntry(**_posted(entry_id, amount, **where), method_id=1,  # type: ignore[arg-type]
                        method_name=method, card_type="", card_last4="", reference=reference,
                        receipt_number=receipt, is_deposit=False)


def row(number: str, kind: EntryKind, wrong: object, right: object, texts: tuple[str, str, str],
        minutes: int = 0) -> CorrectionRow:
    return CorrectionRow(
        correction_id=int(number), number=number, business_date=DAY,
        corrected_at=CORRECTED + timedelta(minutes=minutes), patient_id=12,
        patient_name="张三丰", record_number="P000123", kind=kind, wrong=wrong,  # type: ignore[arg-type]
        right=right, what_was_wrong=texts[0], reason=texts[1],  # type: ignore[arg-type]
        how_corrected=texts[2], cashier_name="孙美玲", approved_by_name="周建国")


ROWS = (
    row("00000007", EntryKind.PAYMENT, payment(41, 28000, "现金 Cash", "R2024-000187"),
        payment(58, 28000, "微信支付 WeChat Pay", "R2024-000190", reference="4200001234567"),
        ("记为现金，实为微信支付 Cash recorded, paid by WeChat",
         "选错支付方式 Wrong method chosen", "冲销后按微信支付重记 Reversed, posted as WeChat")),
    row("00000008", EntryKind.CHARGE,
        ChargeEntry(**_posted(17, 75000), price_item_id=4,  # type: ignore[arg-type]
                    item_name="树脂充填 Filling", quantity=3, unit_price=25000, doctor_id=2,
                    doctor_name="李明", position_note="11, 21"),
        ChargeEntry(**_posted(60, 50000), price_item_id=4,  # type: ignore[arg-type]
                    item_name="树脂充填 Filling", quantity=2, unit_price=25000, doctor_id=2,
                    doctor_name="李明", position_note="11, 21"),
        ("数量3，应为2 Quantity 3 instead of 2", "录入错误 Typing slip",
         "冲销后按2颗重记 Reversed, charged 2"), minutes=5),
    row("00000009", EntryKind.PAYMENT, payment(44, 12000, "支付宝 Alipay", "R2024-000189",
                                               reference="2024050622001"),
        payment(61, 12000, "支付宝 Alipay", "R2024-000191", reference="2024050622001",
                patient=(31, "李四光", "P000200")),
        ("付款记到了张三丰名下 Posted to the wrong patient", "同名同姓 Similar names",
         "冲销后记到李四光名下 Reversed, posted to 李四光"), minutes=9),
    row("00000010", EntryKind.DISCOUNT,
        DiscountEntry(**_posted(5, 4650), reason="会员折扣 Member discount"),  # type: ignore[arg-type]
        None, ("非会员 Not a member", "会员卡已过期 Card expired", "冲销折扣 Discount reversed"),
        minutes=12),
)


def register(**changes: object) -> CorrectionRegisterDocument:
    document = CorrectionRegisterDocument(
        clinic_name="康乐口腔诊所 Kangle Dental", clinic_address="上海市徐汇区漕溪北路 88 号 2 楼",
        clinic_phone="021-6438 0000", start=DAY, end=DAY + timedelta(days=6),
        printed_at=CORRECTED + timedelta(hours=3), printed_by="周建国", timezone="Asia/Shanghai",
        currency="CNY", rows=ROWS)
    return replace(document, **changes)  # type: ignore[arg-type]


def text_of(language: str, **changes: object) -> str:
    """The text in drawing order, so a cell's wrapped lines read as one."""
    return poppler.raw_text(render_correction_register(register(**changes), language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_register_shows_every_correction_with_what_it_says(language: str) -> None:
    text = text_of(language)
    with use_language(language):
        expected = [_("Correction register"), format_date(DAY), format_money(28000, "CNY"),
                    format_money(75000, "CNY"), format_money(50000, "CNY"),
                    format_money(4650, "CNY"),
                    local_date_time(CORRECTED, zone("Asia/Shanghai"), "short")]
    expected += ["康乐口腔诊所 Kangle Dental", "张三丰", "P000123", "孙美玲", "周建国",
                 "R2024-000187", "R2024-000190", "4200001234567", "树脂充填 Filling", "11, 21",
                 "李四光 (P000200)", "会员折扣 Member discount"]
    for correction in ROWS:
        expected += [correction.number, correction.what_was_wrong, correction.reason,
                     correction.how_corrected]
    missing = [part for part in expected if not poppler.contains(text, part)]
    assert not missing, (missing, text)
    squeezed = poppler.squeezed(text)
    positions = [squeezed.index(correction.number) for correction in ROWS]
    assert positions == sorted(positions)


def test_the_register_speaks_the_language_asked_for_not_the_screens() -> None:
    english = text_of("en")
    assert "Posted instead" in english and "Nothing: reversed only" in english
    assert poppler.contains(english, "May 6, 2024 – May 12, 2024")
    chinese = text_of("zh_CN")
    assert poppler.contains(chinese, "2024年5月6日 – 2024年5月12日")
    assert not poppler.contains(chinese, "May 6, 2024")


def test_the_register_lies_on_a4_sideways_with_the_font_embedded() -> None:
    pdf = render_correction_register(register(), "zh_CN")
    pages, width, height = poppler.page_info(pdf)
    assert pages == 1
    assert (round(width / MM), round(height / MM)) == (297, 210)
    used = poppler.fonts(pdf)
    assert used and all(font["emb"] == "yes" for font in used), used


def test_a_long_register_runs_onto_more_pages_with_its_headings_on_each() -> None:
    many = tuple(replace(ROWS[index % len(ROWS)], number=f"{index + 1:08d}")
                 for index in range(60))
    pdf = render_correction_register(register(rows=many), "en")
    pages, _width, _height = poppler.page_info(pdf)
    assert pages >= 3
    text = poppler.layout_text(pdf)
    assert text.count("Posted instead") == pages
    assert all(poppler.contains(text, f"{n:08d}") for n in range(1, 61))
    assert poppler.contains(text, "60 corrections")


def test_a_long_register_reports_its_progress_and_can_be_cancelled() -> None:
    many = tuple(replace(ROWS[index % len(ROWS)], number=f"{index + 1:08d}")
                 for index in range(30))
    heard: list[tuple[int, int]] = []
    pdf = render_correction_register(register(rows=many), "en",
                                     lambda done, total: heard.append((done, total)) or True)
    assert heard == [(index, 30) for index in range(30)]
    assert poppler.contains(poppler.raw_text(pdf), "00000030")
    with pytest.raises(ExportCancelled):
        render_correction_register(register(rows=many), "en", lambda done, _total: done < 12)


def test_an_empty_period_says_so() -> None:
    text = text_of("en", rows=(), end=DAY)
    assert "No corrections in this period." in text
    assert poppler.contains(text, "0 corrections")
    assert "May 6, 2024 –" not in text  # one day is named once


def test_a_register_needs_a_real_period_and_an_aware_print_time() -> None:
    with pytest.raises(ValueError):
        register(start=DAY, end=DAY - timedelta(days=1))
    with pytest.raises(ValueError):
        register(printed_at=datetime(2024, 5, 6, 9, 0))


def test_printing_through_qt_keeps_the_page_sideways(qapp: object, tmp_path: Path) -> None:
    target = tmp_path / "register.pdf"
    save_pdf_via_qt(render_correction_register(register(), "zh_CN"), target, REGISTER_PAPER)
    pages, width, height = poppler.page_info(target.read_bytes())
    assert pages == 1
    assert abs(width - 297 * MM) < 1.5 and abs(height - 210 * MM) < 1.5
