"""The cash desk workspace, driven as a cashier would: choose who is waiting, add charges,
give a discount (with a manager's approval), take one or several payments, print the
receipt."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from clinic_desk.config import WorkstationConfig, load_config, save_config
from clinic_desk.models import Counter, PaymentKind, VisitState
from clinic_desk.printing import Paper
from clinic_desk.services.cashdesk import RECEIPT_SERIES, post_payment
from clinic_desk.ui import messages
from clinic_desk.ui.approval import ApprovalDialog
from clinic_desk.ui.cashdesk.charge_dialog import ChargeDialog
from clinic_desk.ui.cashdesk.discount_dialog import DiscountDialog
from clinic_desk.ui.cashdesk.payment_dialog import PaymentDialog, PaymentPartRow
from clinic_desk.ui.cashdesk.receipt_output import ReprintDialog
from clinic_desk.ui.cashdesk.view import CashDeskView
from clinic_desk.ui.live import ChangeWatcher
from tests.clinics import MANAGER_LOGIN
from tests.printing import poppler
from tests.printing.test_print_bridge import PRINTER, cups_pdf_folder, wait_for_job  # noqa: F401
from tests.services.cash import Till
from tests.services.conftest import till, till_template  # noqa: F401  (fixtures)
from tests.services.helpers import dump, rows
from tests.ui.document_preview import open_preview, workstation_config  # noqa: F401
from tests.ui.modal import press, when_shown
from tests.ui.typing import type_text

pytestmark = pytest.mark.usefixtures("workstation_config")
OK = QDialogButtonBox.StandardButton.Ok
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def view(qtbot, till: Till) -> CashDeskView:  # type: ignore[no-untyped-def]  # noqa: F811
    watcher = ChangeWatcher(till.clinic.desk)
    widget = CashDeskView(till.clinic.desk, till.clinic.cashier, watcher)
    watcher.setParent(widget)  # stops polling when the test's window goes
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


@pytest.fixture
def waiting(till: Till) -> tuple[int, int]:  # noqa: F811
    """张三's visit: a filling and a check-up (330.00), treatment done."""
    patient = till.patients.add("张三")
    visit = till.visit(patient)
    till.charge(visit, till.items.filling, position_note="36")
    till.charge(visit, till.items.exam)
    till.to_cashier(visit)
    return patient, visit


def choose_waiting(qtbot, view: CashDeskView, patient_name: str) -> None:  # type: ignore[no-untyped-def]
    view.reload()
    names = [view.waiting_model.row_at(r).patient_name
             for r in range(view.waiting_model.rowCount())]
    row = names.index(patient_name)
    rect = view.waiting.visualRect(view.waiting_model.index(row, 1))
    qtbot.mouseClick(view.waiting.viewport(), LEFT, pos=rect.center())
    assert view.current is not None and view.current.patient_name == patient_name


def set_method(row: PaymentPartRow, kind: PaymentKind) -> None:
    index = next(i for i in range(row.method.count())
                 if row.methods[row.method.itemData(i)].kind == kind)
    row.method.setCurrentIndex(index)


def fill(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.clear()
    qtbot.keyClicks(edit, text)


def payments(till: Till, patient: int) -> list[tuple[object, ...]]:  # noqa: F811
    return rows(till.clinic.desk, "SELECT m.kind, p.amount, p.tendered, p.change_given, "
                                  "p.card_type, p.card_last4, p.reference FROM payments p "
                                  "JOIN payment_methods m ON m.id = p.method_id "
                                  "WHERE p.patient_id = ? ORDER BY p.id", patient)


def test_a_split_payment_for_a_finished_visit(qtbot, view: CashDeskView, till: Till,  # noqa: F811
                                              waiting: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    patient, visit = waiting
    choose_waiting(qtbot, view, "张三")
    assert [view.bill_model.row_at(r).description for r in range(view.bill_model.rowCount())] \
        == ["补牙", "口腔检查"]
    assert view.due.text() == "CN¥330.00"
    view.grab().save("/tmp/cashdesk-workspace.png")

    def pay(dialog: PaymentDialog) -> None:
        cash = dialog.rows[0]
        assert cash.amount.text() == "330.00"  # the whole amount due, to start with
        fill(qtbot, cash.amount, "100.00")
        fill(qtbot, cash.tendered, "200.00")
        assert cash.change.text() == "CN¥100.00"
        qtbot.mouseClick(dialog.findChild(QPushButton, "add_method"), LEFT)
        card = dialog.rows[1]
        set_method(card, PaymentKind.CARD)
        assert card.card_last4.isVisibleTo(dialog) and not card.tendered.isVisibleTo(dialog)
        fill(qtbot, card.amount, "230.00")
        card.card_type.setCurrentIndex(0)  # UnionPay debit
        fill(qtbot, card.card_last4, "6222")
        fill(qtbot, card.reference, "POS-77")
        assert dialog.summary.text() == "Paying now CN¥330.00, nothing left to pay."
        dialog.grab().save("/tmp/cashdesk-payment-dialog.png")
        qtbot.mouseClick(dialog.post_button, LEFT)

    when_shown(PaymentDialog, pay)
    assert view.take_payment()
    assert payments(till, patient) == [
        ("cash", 10000, 20000, 10000, "", "", ""),
        ("card", 23000, None, None, "UnionPay debit", "6222", "POS-77")]
    assert rows(till.clinic.desk, "SELECT state FROM visits WHERE id = ?", visit) == [
        (VisitState.FINISHED.value,)]
    assert view.waiting_model.rowCount() == 0
    assert view.due.text() == "CN¥0.00"
    assert "give CN¥100.00 change" in view.status.text()
    preview = open_preview(view)
    text = poppler.layout_text(preview.pdf)
    for expected in ("收据", "张三", "补牙", "口腔检查", "UnionPay debit ****6222 · POS-77",
                     "¥330.00", "¥100.00", "¥230.00"):
        assert poppler.contains(text, expected), expected
    qtbot.wait(800)  # the preview draws its page in the background
    preview.grab().save("/tmp/cashdesk-receipt-preview.png")


def test_a_discount_above_the_limit_is_approved_on_the_spot(qtbot, view: CashDeskView,  # type: ignore[no-untyped-def]
                                                            till: Till,  # noqa: F811
                                                            waiting: tuple[int, int]) -> None:
    _patient, visit = waiting
    choose_waiting(qtbot, view, "张三")

    def approve(dialog: ApprovalDialog) -> None:
        fill(qtbot, dialog.username, MANAGER_LOGIN[0])
        fill(qtbot, dialog.password, MANAGER_LOGIN[1])
        press(dialog, OK)

    def discount(dialog: DiscountDialog) -> None:
        dialog.percent.setValue(20)  # the clinic's limit is 10 %
        type_text(qtbot, dialog.reason, "员工家属")
        approvals.append(when_shown(ApprovalDialog, approve))
        press(dialog, OK)

    approvals: list[list[ApprovalDialog]] = []
    when_shown(DiscountDialog, discount)
    assert view.add_discount()
    assert [len(shown) for shown in approvals] == [1]
    assert rows(till.clinic.desk, "SELECT amount, percent_basis_points, reason, approved_by_id "
                                  "FROM discounts WHERE visit_id = ?", visit) == [
        (6600, 2000, "员工家属", till.clinic.manager.staff_id)]
    assert view.due.text() == "CN¥264.00"
    last = view.bill_model.row_at(view.bill_model.rowCount() - 1)
    assert (last.description, last.amount, last.note) == (
        "Discount: 员工家属 (20%)", -6600, "approved by Zhou Min")


def test_a_refused_approval_gives_no_discount(qtbot, view: CashDeskView, till: Till,  # type: ignore[no-untyped-def]  # noqa: F811
                                             waiting: tuple[int, int]) -> None:
    choose_waiting(qtbot, view, "张三")

    def discount(dialog: DiscountDialog) -> None:
        dialog.by_amount.setChecked(True)
        fill(qtbot, dialog.amount, "200.00")
        fill(qtbot, dialog.reason, "friend")
        when_shown(ApprovalDialog, lambda approval: approval.reject())
        press(dialog, OK)
        assert dialog.isVisible()
        assert "manager" in dialog.general_error.text()
        dialog.reject()

    when_shown(DiscountDialog, discount)
    assert not view.add_discount()
    assert rows(till.clinic.desk, "SELECT COUNT(*) FROM discounts") == [(0,)]


def test_a_part_payment_leaves_a_balance(qtbot, view: CashDeskView, till: Till,  # type: ignore[no-untyped-def]  # noqa: F811
                                         waiting: tuple[int, int]) -> None:
    patient, visit = waiting
    choose_waiting(qtbot, view, "张三")
    qtbot.mouseClick(view.refresh_button, LEFT)  # everyone who owes, read on request

    def owing() -> list[tuple[str, int]]:
        return [(view.balances_model.row_at(r).name, view.balances_model.row_at(r).balance)
                for r in range(view.balances_model.rowCount())]

    assert owing() == [("张三", 33000)]

    def pay(dialog: PaymentDialog) -> None:
        set_method(dialog.rows[0], PaymentKind.WECHAT)
        fill(qtbot, dialog.rows[0].amount, "100.00")
        fill(qtbot, dialog.rows[0].reference, "4200001")
        assert dialog.summary.text() == "Paying now CN¥100.00, balance after: CN¥230.00."
        qtbot.mouseClick(dialog.post_button, LEFT)

    when_shown(PaymentDialog, pay)
    assert view.take_payment()
    assert payments(till, patient) == [("wechat", 10000, None, None, "", "", "4200001")]
    assert view.due.text() == "CN¥230.00"
    assert [(w.visit_id, w.due) for w in (view.waiting_model.row_at(0),)] == [(visit, 23000)]
    assert owing() == [("张三", 23000)]  # the listed patients' balances stay current
    assert poppler.contains(poppler.layout_text(open_preview(view).pdf), "¥230.00")


def test_bad_input_shows_at_its_field_and_posts_nothing(qtbot, view: CashDeskView,  # type: ignore[no-untyped-def]
                                                       till: Till,  # noqa: F811
                                                       waiting: tuple[int, int]) -> None:
    patient, _visit = waiting
    choose_waiting(qtbot, view, "张三")
    before = dump(till.clinic.desk)
    seen: dict[str, str] = {}

    def pay(dialog: PaymentDialog) -> None:
        cash = dialog.rows[0]
        for typed, message in (("12.345", "at most 2 decimals"), ("-5", "cannot be negative"),
                               ("0", "more than zero"), ("abc", "Enter an amount"),
                               ("330.01", "More than is due")):
            fill(qtbot, cash.amount, typed)
            qtbot.mouseClick(dialog.post_button, LEFT)
            assert message in cash.errors["amount"].text(), (typed, cash.errors["amount"].text())
            assert cash.amount.property("invalid") is True
            assert dump(till.clinic.desk) == before
        fill(qtbot, cash.amount, "30.00")
        qtbot.mouseClick(dialog.findChild(QPushButton, "add_method"), LEFT)
        card = dialog.rows[1]
        set_method(card, PaymentKind.CARD)
        fill(qtbot, card.amount, "300.00")
        qtbot.mouseClick(dialog.post_button, LEFT)  # no card type, no last 4, no reference
        seen.update({name: card.errors[name].text()
                     for name in ("card_type", "card_last4", "reference")})
        assert not cash.errors["amount"].text()
        assert dump(till.clinic.desk) == before
        card.card_type.setEditText("Visa credit")
        fill(qtbot, card.card_last4, "12a4")
        fill(qtbot, card.reference, "POS-1")
        qtbot.mouseClick(dialog.post_button, LEFT)
        seen["card_last4 again"] = card.errors["card_last4"].text()
        assert dump(till.clinic.desk) == before
        dialog.reject()

    when_shown(PaymentDialog, pay)
    assert not view.take_payment()
    assert seen == {"card_type": "Enter the card type (e.g. UnionPay debit).",
                    "card_last4": "Enter the card's last 4 digits.",
                    "reference": "Enter the transaction reference.",
                    "card_last4 again": "Enter the card's last 4 digits."}
    assert payments(till, patient) == []


def test_a_retry_after_a_lost_answer_posts_once(qtbot, view: CashDeskView, till: Till,  # type: ignore[no-untyped-def]  # noqa: F811
                                               waiting: tuple[int, int]) -> None:
    """The first click's answer never reached the screen (a dropped connection): the
    cashier clicks again and the same payment comes back instead of a second one."""
    patient, _visit = waiting
    choose_waiting(qtbot, view, "张三")

    def pay(dialog: PaymentDialog) -> None:
        first = post_payment(till.clinic.desk, till.clinic.cashier, dialog.request())
        qtbot.mouseClick(dialog.post_button, LEFT)
        assert dialog.posted is not None and dialog.posted.repeated
        assert dialog.posted.receipt_id == first.receipt_id
        qtbot.mouseClick(dialog.post_button, LEFT)  # a double click: nothing more

    when_shown(PaymentDialog, pay)
    assert view.take_payment()
    assert payments(till, patient) == [("cash", 33000, None, None, "", "", "")]
    assert rows(till.clinic.desk, "SELECT COUNT(*) FROM receipts") == [(1,)]


def test_charges_from_the_price_list(qtbot, view: CashDeskView, till: Till,  # type: ignore[no-untyped-def]  # noqa: F811
                                     waiting: tuple[int, int]) -> None:
    _patient, visit = waiting
    choose_waiting(qtbot, view, "张三")

    def charge(dialog: ChargeDialog) -> None:
        type_text(qtbot, dialog.search, "烤瓷")
        assert dialog.proxy.rowCount() == 1 and dialog.chosen().name == "烤瓷冠"
        dialog.quantity.setValue(2)
        assert dialog.amount.text() == "CN¥5,000.00"
        dialog.doctor.setCurrentIndex(dialog.doctor.findData(till.other_doctor))
        fill(qtbot, dialog.position, "11, 21")
        qtbot.mouseClick(dialog.add_next, LEFT)
        assert dialog.isVisible() and dialog.added == 1
        fill(qtbot, dialog.search, "zzz")  # nothing found: said at the list
        qtbot.mouseClick(dialog.add_next, LEFT)
        assert dialog.errors.message_for("lines.0.item") == "Choose an item of the price list."
        fill(qtbot, dialog.search, "M01")
        press(dialog, OK)

    when_shown(ChargeDialog, charge)
    assert view.add_charge()
    assert rows(till.clinic.desk, "SELECT description, quantity, amount, doctor_id, "
                                  "position_note FROM charges WHERE visit_id = ? ORDER BY id",
                visit)[2:] == [("烤瓷冠", 2, 500000, till.other_doctor, "11, 21"),
                               ("纱布", 1, 350, till.other_doctor, "")]  # the doctor stays
    assert view.due.text() == "CN¥5,333.50"


def test_a_deposit_is_kept_on_account_and_used_by_the_next_bill(  # type: ignore[no-untyped-def]
        qtbot, view: CashDeskView, till: Till) -> None:  # noqa: F811
    patient = till.patients.add("李四")
    type_text(qtbot, view.search, "ls")
    qtbot.waitUntil(lambda: view.balances_model.rowCount() == 1)
    qtbot.mouseClick(view.balances.viewport(), LEFT,
                     pos=view.balances.visualRect(view.balances_model.index(0, 1)).center())
    assert view.current is not None and view.current.visit_id is None
    assert not view.charge_button.isEnabled() and view.deposit_button.isEnabled()

    def deposit(dialog: PaymentDialog) -> None:
        assert dialog.rows[0].amount.text() == ""
        fill(qtbot, dialog.rows[0].amount, "500.00")
        qtbot.mouseClick(dialog.post_button, LEFT)

    when_shown(PaymentDialog, deposit)
    assert view.take_deposit()
    assert (view.earlier_caption.text(), view.earlier.text()) == ("Money on account",
                                                                  "CN¥500.00")
    visit = till.visit(patient)
    till.charge(visit, till.items.crown)
    till.to_cashier(visit)
    choose_waiting(qtbot, view, "李四")
    assert view.due.text() == "CN¥2,000.00"


def test_the_receipt_is_printed_and_reprinted_as_a_copy(  # type: ignore[no-untyped-def]
        qtbot, view: CashDeskView, till: Till, waiting: tuple[int, int],  # noqa: F811
        cups_pdf_folder: Path) -> None:  # noqa: F811
    save_config(WorkstationConfig(printers={"receipt": PRINTER}))
    with till.clinic.desk.db.write() as session:  # a number no other test prints at once
        session.add(Counter(name=RECEIPT_SERIES, last_value=random.randrange(10**6, 10**7)))
    view.paper.setCurrentIndex(view.paper.findData(Paper.A5.value))
    assert load_config().receipt_paper == "a5"
    choose_waiting(qtbot, view, "张三")
    when_shown(PaymentDialog, lambda dialog: qtbot.mouseClick(dialog.post_button, LEFT))
    assert view.take_payment()
    preview = open_preview(view)
    number = rows(till.clinic.desk, "SELECT number FROM receipts")[0][0]
    assert preview.windowTitle() == f"Receipt {number}"
    assert poppler.page_info(preview.pdf)[1:] == pytest.approx((419.5, 595.3), abs=1)

    job = f"Receipt_{number}"  # how cups-pdf names the file after the job's title
    for copy in (0, 1):
        for old in cups_pdf_folder.glob(f"{job}*.pdf"):
            old.unlink(missing_ok=True)
        sent = poppler.layout_text(preview.pdf)  # the printer gets pictures of these pages
        assert poppler.contains(sent, "副本") == bool(copy)
        qtbot.mouseClick(preview.print_button, LEFT)
        arrived = wait_for_job(cups_pdf_folder, job)
        assert poppler.page_info(arrived.read_bytes())[1:] == pytest.approx((419.5, 595.3),
                                                                             abs=1.5)
        arrived.unlink(missing_ok=True)
    assert rows(till.clinic.desk, "SELECT copy_number, printer_name FROM document_prints") == [
        (0, PRINTER), (1, PRINTER)]
    preview.close()

    def reprint(dialog: ReprintDialog) -> None:
        assert dialog.model.rowCount() == 1
        assert dialog.model.data(dialog.model.index(0, 4)) == "printed 2 times"
        press(dialog, OK)

    when_shown(ReprintDialog, reprint)
    assert view.reprint()
    assert poppler.contains(poppler.layout_text(open_preview(view).pdf), "副本（第2次重印）")


def test_a_reference_used_before_is_warned_about(qtbot, view: CashDeskView, till: Till,  # type: ignore[no-untyped-def]  # noqa: F811
                                                waiting: tuple[int, int],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    patient, _visit = waiting
    till.pay(till.patients.add("李四"), None, till.alipay("10.00", reference="2088-555"),
             deposit=True)
    choose_waiting(qtbot, view, "张三")
    asked: list[str] = []
    answers = iter((False, True))
    monkeypatch.setattr(messages, "confirm_hook",
                        lambda _title, text: asked.append(text) or next(answers))

    def pay(dialog: PaymentDialog) -> None:
        set_method(dialog.rows[0], PaymentKind.ALIPAY)
        fill(qtbot, dialog.rows[0].reference, "2088-555")
        qtbot.mouseClick(dialog.post_button, LEFT)  # the cashier says no: nothing posted
        assert dialog.isVisible() and payments(till, patient) == []
        assert "2088-555" in dialog.general_error.text()
        qtbot.mouseClick(dialog.post_button, LEFT)  # checked with the patient: post it

    when_shown(PaymentDialog, pay)
    assert view.take_payment()
    assert len(asked) == 2 and all("2088-555" in text for text in asked)
    assert payments(till, patient) == [("alipay", 33000, None, None, "", "", "2088-555")]


def test_correct_and_refund_open_for_the_chosen_patient(qtbot, view: CashDeskView,  # type: ignore[no-untyped-def]
                                                       till: Till,  # noqa: F811
                                                       waiting: tuple[int, int]) -> None:
    from clinic_desk.ui.corrections.dialog import CorrectionDialog
    from clinic_desk.ui.refunds.dialog import RefundDialog
    patient, _visit = waiting
    till.pay(patient, None, till.cash("330.00"))
    choose_waiting(qtbot, view, "张三")
    before = dump(till.clinic.desk)
    opened: list[tuple[str, int]] = []

    def look_and_cancel(dialog) -> None:  # type: ignore[no-untyped-def]
        opened.append((type(dialog).__name__, dialog.patient_id))
        dialog.reject()

    for kind, slot in ((CorrectionDialog, view.correct), (RefundDialog, view.refund)):
        when_shown(kind, look_and_cancel)
        assert not slot()  # cancelled: nothing posted
    assert opened == [("CorrectionDialog", patient), ("RefundDialog", patient)]
    assert dump(till.clinic.desk) == before
    texts = {b.text() for b in view.findChildren(QPushButton)}
    assert {"Correct…", "Refund…"} <= texts and "Next visit…" not in texts  # a cashier books not


def test_the_next_visit_is_booked_for_the_patient(qtbot, till: Till,  # type: ignore[no-untyped-def]  # noqa: F811
                                                  waiting: tuple[int, int]) -> None:
    from clinic_desk.ui.calendar.booking_dialog import BookingDialog
    patient, _visit = waiting
    manager = till.clinic.manager  # may take payments and book
    watcher = ChangeWatcher(till.clinic.desk)
    view = CashDeskView(till.clinic.desk, manager, watcher)
    watcher.setParent(view)
    qtbot.addWidget(view)
    view.show()
    choose_waiting(qtbot, view, "张三")
    chosen: list[object] = []

    def look_and_cancel(dialog: BookingDialog) -> None:
        chosen.append(dialog.patient.selected())
        dialog.reject()

    when_shown(BookingDialog, look_and_cancel)
    assert "Next visit…" in {b.text() for b in view.findChildren(QPushButton)}
    assert not view.book_next_visit()
    assert [getattr(p, "id", None) for p in chosen] == [patient]
