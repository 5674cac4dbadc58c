"""Sample documents for the printing tests: a split payment with two categories, a discount,
an earlier balance and a next appointment; a cash refund; a refund register."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

from clinic_desk.printing.receipt import (NextAppointment, ReceiptDiscount, ReceiptDocument,
                                          ReceiptLine, ReceiptPayment)
from clinic_desk.printing.refund_register import RefundRegisterDocument
from clinic_desk.printing.refund_slip import RefundSlipDocument
from clinic_desk.services.refunds import RefundRegisterRow

ISSUED = datetime(2024, 5, 6, 6, 32, tzinfo=timezone.utc)  # 14:32 in Shanghai
FIRST_VISIT = date(2023, 11, 2)

LINES = (
    ReceiptLine("全景片 Panoramic X-ray", "检查 Examination", 1, 12000, 12000, "李明", ""),
    ReceiptLine("根管治疗 Root canal", "治疗 Treatment", 1, 80000, 80000, "李明", "36"),
    ReceiptLine("树脂充填 Filling", "治疗 Treatment", 2, 25000, 50000, "王芳", "11, 21"),
    ReceiptLine("漱口水 Mouthwash", "药品 Medicine", 3, 1550, 4650, "", ""),
)
DISCOUNTS = (ReceiptDiscount("会员折扣 Member discount", 4650),)
TOTAL = 142000  # 146650 − 4650
PAYMENTS = (
    ReceiptPayment("银行卡 Bank card", 50000, "VISA ****1234"),
    ReceiptPayment("微信支付 WeChat Pay", 30000, "4200001234567"),
    ReceiptPayment("现金 Cash", 30000),
    ReceiptPayment("现金 Cash", 30000),
)


def receipt(**changes: object) -> ReceiptDocument:
    document = ReceiptDocument(
        clinic_name="康乐口腔诊所 Kangle Dental", clinic_address="上海市徐汇区漕溪北路 88 号 2 楼",
        clinic_phone="021-6438 0000", receipt_number="R2024-000187", issued_at=ISSUED,
        timezone="Asia/Shanghai", patient_name="张三丰", record_number="P000123",
        cashier_name="孙美玲", currency="CNY", lines=LINES, discounts=DISCOUNTS,
        total_charged=TOTAL, earlier_balance=20000, paid_today=140000, payments=PAYMENTS,
        balance_after=22000, change_given=4000,
        next_appointment=NextAppointment(datetime(2024, 5, 13, 1, 30, tzinfo=timezone.utc),
                                         "李明"))
    return replace(document, **changes)  # type: ignore[arg-type]


def refund_slip(**changes: object) -> RefundSlipDocument:
    document = RefundSlipDocument(
        clinic_name="康乐口腔诊所 Kangle Dental", clinic_address="上海市徐汇区漕溪北路 88 号 2 楼",
        clinic_phone="021-6438 0000", slip_number="T2024-000012", refunded_at=ISSUED,
        timezone="Asia/Shanghai", patient_name="张三丰", record_number="P000123",
        first_visit=date(2023, 11, 2), currency="CNY", total_paid=142000, amount_refunded=12345,
        reason_category="治疗未进行 Treatment not done",
        reason_detail="患者改约后决定不做全景片 The patient chose not to have the X-ray",
        doctor_name="李明", manager_name="周建国", manager_opinion="同意退款 Approved",
        cashier_name="孙美玲", receiver_name="张三丰", method_name="现金 Cash", is_cash=True,
        refunded_item="全景片 Panoramic X-ray", receipt_number="00000187")
    return replace(document, **changes)  # type: ignore[arg-type]


def register_row(number: int, **changes: object) -> RefundRegisterRow:
    """One refund of the register: the slip's refund, numbered `number`."""
    row = RefundRegisterRow(
        refund_id=number, number=f"{number:08d}", refunded_at=ISSUED,
        business_date=date(2024, 5, 6), patient_id=7, patient_name="张三丰",
        record_number="P000123", first_visit=FIRST_VISIT,
        reason="治疗未进行 Treatment not done",
        reason_detail="患者改约后决定不做全景片 The patient chose not to have the X-ray",
        item="全景片 Panoramic X-ray", total_paid=142000, amount=12345, method_name="现金 Cash",
        is_cash=True, doctor_name="李明", manager_name="周建国", opinion="同意退款 Approved",
        cashier_name="孙美玲", receiver_name="张三丰", receipt_number="00000187")
    return replace(row, **changes)  # type: ignore[arg-type]


def refund_register(rows: int = 3, **changes: object) -> RefundRegisterDocument:
    """A register of `rows` refunds, the second by card for an amount rather than an item."""
    lines = tuple(register_row(n, **({"item": "", "method_name": "银行卡 Bank card",
                                      "is_cash": False, "amount": 50000 + n}
                                     if n % 2 == 0 else {}))
                  for n in range(1, rows + 1))
    document = RefundRegisterDocument(
        clinic_name="康乐口腔诊所 Kangle Dental", clinic_address="上海市徐汇区漕溪北路 88 号 2 楼",
        clinic_phone="021-6438 0000", start=date(2024, 5, 1), end=date(2024, 5, 31),
        doctor_name="", reason_name="", currency="CNY", timezone="Asia/Shanghai",
        made_at=ISSUED, rows=lines)
    return replace(document, **changes)  # type: ignore[arg-type]
