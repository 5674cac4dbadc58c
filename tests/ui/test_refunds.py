"""Refunds driven as the desk does them: a cashier fills the refund dialog, a manager approves
at the same PC, the slip opens and prints (a reprint is a copy); the refund register filters,
exports and prints; the refund reasons are a list in the settings."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from clinic_desk.config import WorkstationConfig, save_config
from clinic_desk.printing.day_export import ExportFormat
from clinic_desk.services import catalog
from clinic_desk.services.auth import approve
from clinic_desk.services.refunds import record_print, record_refund
from clinic_desk.ui.approval import ApprovalDialog
from clinic_desk.ui.cashdesk.view import CashDeskView
from clinic_desk.ui.document_output import DocumentKind, DocumentPreview
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.main_window import MainWindow
from clinic_desk.ui.refunds.dialog import RefundDialog
from clinic_desk.ui.refunds.register_view import RefundRegisterView
from clinic_desk.ui.settings.lists_page import RefundReasonsPage
from clinic_desk.ui.widgets import select_data
from tests.clinics import MANAGER_LOGIN
from tests.printing import poppler
from tests.printing.test_print_bridge import PRINTER, cups_pdf_folder  # noqa: F401
from tests.services.cash import Till
from tests.services.conftest import till, till_template  # noqa: F401  (fixtures)
from tests.services.helpers import TODAY, dump, rows
from tests.services.test_refunds import Paid, paid_visit, request_for
from tests.ui.document_preview import open_preview, workstation_config  # noqa: F401
from tests.ui.modal import when_shown
from tests.ui.typing import type_text

pytestmark = pytest.mark.usefixtures("workstation_config")
OK = QDialogButtonBox.StandardButton.Ok


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    """The cash desk's place: the dialog's parent, where the slip's preview opens."""
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def paid(till: Till) -> Paid:  # noqa: F811
    return paid_visit(till)


def open_dialog(qtbot: QtBot, till: Till, paid: Paid,  # noqa: F811
                parent: QWidget) -> RefundDialog:
    dialog = RefundDialog(till.clinic.desk, till.clinic.cashier, paid.patient, parent)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def manager_approves(qtbot: QtBot) -> list[ApprovalDialog]:
    def log_in(dialog: ApprovalDialog) -> None:
        type_text(qtbot, dialog.username, MANAGER_LOGIN[0])
        type_text(qtbot, dialog.password, MANAGER_LOGIN[1])
        dialog.try_accept()
    return when_shown(ApprovalDialog, log_in)


def fill_reason(qtbot: QtBot, dialog: RefundDialog,
                detail: str = "补牙后仍痛，改做根管治疗") -> None:
    dialog.reason.setCurrentIndex(1)
    type_text(qtbot, dialog.detail, detail)
    type_text(qtbot, dialog.opinion, "同意退款")


def refunds(till: Till) -> list[tuple[object, ...]]:  # noqa: F811
    return rows(till.clinic.desk, "SELECT number, charge_id, amount, method_id, doctor_id, "
                                  "approved_by_id, approval_opinion, receiver_name FROM refunds")


def shoot(widget: QWidget, name: str) -> None:
    """A screenshot for a person to look at, kept where CI keeps its artifacts (if set)."""
    folder = os.environ.get("CLINIC_DESK_ARTIFACTS")
    if folder:
        target = Path(folder) / "ui"
        target.mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(target / f"{name}.png"))


def test_a_cashier_refunds_an_item_with_the_managers_approval_and_the_slip_opens(
        qtbot: QtBot, till: Till, paid: Paid, parent: QWidget) -> None:  # noqa: F811
    dialog = open_dialog(qtbot, till, paid, parent)
    assert dialog.payment.count() == 1 and "CN¥330.00" in dialog.payment.currentText()
    assert dialog.item.count() == 3  # an amount, the filling, the examination
    assert dialog.method.currentData() == till.methods.card  # back the way it was paid
    assert dialog.receiver.text() == "张三"
    assert dialog.doctor.currentData() == till.doctor  # who treated the visit
    select_data(dialog.item, paid.filling)
    assert dialog.amount.text() == "280.00"
    assert dialog.maximum.text() == "At most CN¥280.00"
    assert dialog.balance_after.text() == "After the refund the patient owes nothing."
    fill_reason(qtbot, dialog)
    shoot(dialog, "refund-dialog")
    approvals = manager_approves(qtbot)
    dialog.buttons.button(OK).click()
    assert len(approvals) == 1
    assert dialog.result() == QDialog.DialogCode.Accepted
    manager = till.clinic.manager.staff_id
    assert refunds(till) == [("00000001", paid.filling, 28000, till.methods.card, till.doctor,
                              manager, "同意退款", "张三")]
    preview = open_preview(parent)
    assert preview.kind == DocumentKind.REFUND_SLIP
    assert preview.windowTitle() == "Refund slip 00000001"
    text = poppler.layout_text(preview.pdf)  # in the clinic's language for papers
    for expected in ("退款单", "00000001", "张三", "补牙", "人民币贰佰捌拾元整",
                     "补牙后仍痛，改做根管治疗", "同意退款", "李建国", "患者（领款人）"):
        assert poppler.contains(text, expected), expected
    assert not poppler.contains(text, "现金付讫")  # refunded to the card
    assert not poppler.contains(text, "副本")
    qtbot.wait(300)  # the view draws its pages in the background
    shoot(preview, "refund-slip-preview")


def test_the_cash_desk_opens_the_refund_for_its_patient(
        qtbot: QtBot, till: Till, paid: Paid) -> None:  # noqa: F811
    desk = till.clinic.desk
    watcher = ChangeWatcher(desk)
    view = CashDeskView(desk, till.clinic.cashier, watcher)
    watcher.setParent(view)
    qtbot.addWidget(view)
    view.show()
    view.choose(paid.patient, paid.visit)

    def fill(dialog: RefundDialog) -> None:
        select_data(dialog.item, paid.exam)
        fill_reason(qtbot, dialog)
        dialog.buttons.button(OK).click()

    approvals = manager_approves(qtbot)
    filled = when_shown(RefundDialog, fill)
    next(b for b in view.findChildren(QPushButton) if b.text() == "Refund…").click()
    assert len(filled) == 1 and len(approvals) == 1
    assert [(r[0], r[1], r[2]) for r in refunds(till)] == [("00000001", paid.exam, 5000)]
    assert open_preview(view).windowTitle() == "Refund slip 00000001"


def test_wrong_fields_are_shown_at_the_fields_before_the_manager_is_called(
        qtbot: QtBot, till: Till, paid: Paid, parent: QWidget) -> None:  # noqa: F811
    dialog = open_dialog(qtbot, till, paid, parent)
    type_text(qtbot, dialog.amount, "330.01")
    approvals = manager_approves(qtbot)
    before = dump(till.clinic.desk)
    dialog.buttons.button(OK).click()
    assert dialog.errors.message_for("amount") == \
        "More than can be refunded: at most CN¥330.00."
    assert dialog.errors.message_for("reason_id") == "Choose the reason for the refund."
    assert dialog.errors.message_for("reason_detail") == "Describe the reason in detail."
    assert dialog.errors.message_for("opinion") == "Enter the manager's opinion."
    assert dialog.isVisible() and dump(till.clinic.desk) == before
    shoot(dialog, "refund-dialog-errors")
    # corrected, the same dialog records the refund: the manager was called once, now
    dialog.amount.clear()
    type_text(qtbot, dialog.amount, "30")
    assert dialog.balance_after.text() == "After the refund the patient owes CN¥30.00."
    fill_reason(qtbot, dialog)
    dialog.buttons.button(OK).click()
    assert len(approvals) == 1 and dialog.result() == QDialog.DialogCode.Accepted
    assert [r[2] for r in refunds(till)] == [3000]


def test_cash_for_a_card_payment_needs_the_extra_confirmation(
        qtbot: QtBot, till: Till, paid: Paid, parent: QWidget) -> None:  # noqa: F811
    dialog = open_dialog(qtbot, till, paid, parent)
    assert not dialog.cash_out.isVisible()
    select_data(dialog.method, till.methods.cash)
    assert dialog.cash_out.isVisible()
    type_text(qtbot, dialog.amount, "50")
    fill_reason(qtbot, dialog)
    before = dump(till.clinic.desk)
    dialog.buttons.button(OK).click()
    assert "confirm" in dialog.errors.message_for("cash_out_confirmed")
    assert dump(till.clinic.desk) == before
    dialog.cash_out.setChecked(True)
    manager_approves(qtbot)
    dialog.buttons.button(OK).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [r[3] for r in refunds(till)] == [till.methods.cash]
    assert poppler.contains(poppler.layout_text(open_preview(parent).pdf), "现金付讫")


def test_no_approval_no_refund(qtbot: QtBot, till: Till, paid: Paid,  # noqa: F811
                               parent: QWidget) -> None:
    dialog = open_dialog(qtbot, till, paid, parent)
    type_text(qtbot, dialog.amount, "50")
    fill_reason(qtbot, dialog)
    refused = when_shown(ApprovalDialog, lambda approval: approval.reject())
    before = dump(till.clinic.desk)
    dialog.buttons.button(OK).click()
    assert len(refused) == 1 and dialog.isVisible()
    assert dialog.general_error.text() == "The manager did not approve: nothing was refunded."
    assert dump(till.clinic.desk) == before


def test_a_patient_with_nothing_left_to_refund_is_told_so(
        qtbot: QtBot, till: Till, parent: QWidget) -> None:  # noqa: F811
    patient = till.new_patient("王五")
    dialog = RefundDialog(till.clinic.desk, till.clinic.cashier, patient, parent)
    qtbot.addWidget(dialog)
    assert dialog.payment.count() == 0
    assert dialog.general_error.text() == "王五 has no payment left to refund."
    assert not dialog.buttons.button(OK).isEnabled()


def test_the_slip_prints_and_every_later_print_is_a_copy(
        qtbot: QtBot, till: Till, paid: Paid, parent: QWidget,  # noqa: F811
        cups_pdf_folder: Path) -> None:  # noqa: F811
    save_config(WorkstationConfig(printers={DocumentKind.REFUND_SLIP.value: PRINTER}))
    dialog = open_dialog(qtbot, till, paid, parent)
    type_text(qtbot, dialog.amount, "12.50")
    fill_reason(qtbot, dialog)
    manager_approves(qtbot)
    dialog.buttons.button(OK).click()
    preview = open_preview(parent)
    assert not poppler.contains(poppler.layout_text(preview.pdf), "副本")  # the original
    before = set(cups_pdf_folder.iterdir())
    assert preview.print_document()
    assert rows(till.clinic.desk, "SELECT copy_number, printer_name FROM document_prints") == [
        (0, PRINTER)]
    assert poppler.contains(poppler.layout_text(preview.pdf), "副本")  # the next print
    assert preview.print_document()
    assert [c for (c,) in rows(till.clinic.desk, "SELECT copy_number FROM document_prints")] \
        == [0, 1]
    # the queue got both jobs (as pictures of the pages: what was sent is checked above)
    arrived = new_jobs(qtbot, cups_pdf_folder, before, 2)
    assert all(poppler.page_info(p.read_bytes())[0] == 1 for p in arrived)
    for path in arrived:
        path.unlink()


def new_jobs(qtbot: QtBot, folder: Path, before: set[Path], count: int) -> list[Path]:
    """The PDFs cups-pdf wrote since `before`, oldest first, once each is complete."""
    def complete() -> list[Path]:
        return [p for p in set(folder.iterdir()) - before
                if p.suffix == ".pdf" and p.read_bytes().rstrip().endswith(b"%%EOF")]

    deadline = time.monotonic() + 20
    while len(complete()) < count and time.monotonic() < deadline:
        qtbot.wait(100)
    arrived = sorted(complete(), key=lambda p: p.stat().st_mtime)
    assert len(arrived) == count, sorted(p.name for p in set(folder.iterdir()) - before)
    return arrived


# --- the register ---------------------------------------------------------------------------

@pytest.fixture
def two_refunds(till: Till) -> list[int]:  # noqa: F811
    """A filling refunded for 张三 (first reason) and an amount for 李四 (second reason)."""
    desk, cashier = till.clinic.desk, till.clinic.cashier
    reasons = [r.id for r in catalog.list_refund_reasons(desk)]
    approval = approve(desk, *MANAGER_LOGIN)
    first, second = paid_visit(till), paid_visit(till, "wechat", name="李四")
    return [record_refund(desk, cashier, request, approval).refund_id for request in (
        request_for(till, first, reasons, "280", charge_id=first.filling),
        request_for(till, second, reasons, "30", receiver_name="李四", reason_id=reasons[1]))]


@pytest.fixture
def register(qtbot: QtBot, till: Till, two_refunds: list[int]) -> RefundRegisterView:  # noqa: F811
    view = RefundRegisterView(till.clinic.desk, till.clinic.cashier)
    qtbot.addWidget(view)
    view.show()
    return view


def test_the_register_lists_and_filters_the_refunds(
        qtbot: QtBot, qtmodeltester: ModelTester, till: Till,  # noqa: F811
        register: RefundRegisterView) -> None:
    qtmodeltester.check(register.model)
    assert register.model.rowCount() == 2
    assert [register.model.index(0, c).data() for c in (1, 2, 7, 10, 11, 13)] == [
        "00000001", f"张三 · {rows(till.clinic.desk, 'SELECT record_number FROM patients')[0][0]}",
        "CN¥280.00", "Zhou Min", "同意 Agreed", "张三"]
    assert register.total.text() == "2 refunds, CN¥310.00 in all"
    shoot(register, "refund-register")
    register.reason.setCurrentIndex(2)  # the second reason
    assert [r.number for r in register.rows()] == ["00000002"]
    register.reason.setCurrentIndex(0)
    select_data(register.doctor, till.other_doctor)
    assert register.rows() == ()
    register.doctor.setCurrentIndex(0)
    register.start.setDate(register.start.date().addDays(TODAY.day))  # after today
    assert register.rows() == ()


def test_the_register_exports_a_workbook_and_a_pdf_without_blocking(
        qtbot: QtBot, register: RefundRegisterView, tmp_path: Path) -> None:
    register.export_to(tmp_path / "refunds", ExportFormat.XLSX)
    workbook = tmp_path / "refunds.xlsx"
    qtbot.waitUntil(workbook.exists, timeout=10_000)
    qtbot.waitUntil(lambda: register.message.text().startswith("Saved as"), timeout=10_000)
    sheet = load_workbook(io.BytesIO(workbook.read_bytes())).active
    amounts = [row[9] for row in sheet.iter_rows(values_only=True)
               if row[0] in ("00000001", "00000002")]
    assert amounts == [280, 30]
    register.export_to(tmp_path / "refunds.pdf", ExportFormat.PDF)
    pdf = tmp_path / "refunds.pdf"
    qtbot.waitUntil(pdf.exists, timeout=10_000)
    qtbot.waitUntil(lambda: register.task is not None and not register.task.running)
    text = poppler.raw_text(pdf.read_bytes())
    assert poppler.contains(text, "00000002") and poppler.contains(text, "补牙")


def test_the_register_prints_and_reprints_a_slip_as_a_copy(
        qtbot: QtBot, till: Till, register: RefundRegisterView,  # noqa: F811
        two_refunds: list[int]) -> None:
    register.print_button.click()
    qtbot.waitUntil(lambda: any(p.isVisible() for p in register.findChildren(DocumentPreview)),
                    timeout=10_000)
    printed = open_preview(register)
    assert printed.kind == DocumentKind.REFUND_REGISTER
    assert poppler.page_info(printed.pdf)[1] > poppler.page_info(printed.pdf)[2]  # landscape
    printed.close()
    register.reprint_button.click()
    assert register.message.text() == "Choose a refund in the register first."
    record_print(till.clinic.desk, till.clinic.cashier, two_refunds[0], "front desk")
    register.table.selectRow(0)
    register.reprint_button.click()
    slip = open_preview(register)
    assert slip.windowTitle() == "Refund slip 00000001"
    assert poppler.contains(poppler.layout_text(slip.pdf), "副本")


def test_cashiers_and_managers_reach_the_register_from_the_workspaces_menu(
        qtbot: QtBot, till: Till) -> None:  # noqa: F811
    def register_action(window: MainWindow):
        menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Workspaces")
        return next((a for a in menu.actions() if a.text() == "Refund register"), None)

    for actor in (till.clinic.cashier, till.clinic.manager):
        window = MainWindow(till.clinic.desk, actor)
        qtbot.addWidget(window)
        register_action(window).trigger()
        assert window.refund_register is not None and window.refund_register.isVisible()
        window.close()
    receptionist = MainWindow(till.clinic.desk, till.clinic.receptionist)
    qtbot.addWidget(receptionist)
    assert register_action(receptionist) is None


def test_refund_reasons_are_edited_in_the_settings(
        qtbot: QtBot, qtmodeltester: ModelTester, till: Till) -> None:  # noqa: F811
    page = RefundReasonsPage(till.clinic.desk, till.clinic.manager)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    seeded = page.model.rowCount()
    dialog = page.editor(None)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.name, "设备故障")
    dialog.buttons.accepted.emit()
    page.reload()
    assert page.model.rowCount() == seeded + 1
    assert page.model.index(seeded, 0).data() == "设备故障"
    duplicate = page.editor(None)
    qtbot.addWidget(duplicate)
    type_text(qtbot, duplicate.name, "设备故障")
    duplicate.buttons.accepted.emit()
    assert duplicate.errors.message_for("name") == "设备故障 is already used."
