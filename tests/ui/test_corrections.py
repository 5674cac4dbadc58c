"""The correction dialog and the register, driven as the cashier and the manager would: pick
the wrong entry, say what, why and how, change what was wrong, approve on the spot, and find
the correction in the register and its printed preview."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from clinic_desk.printing.correction_register import REGISTER_PAPER
from clinic_desk.services.cashdesk import PostedPayment
from clinic_desk.services.auth import approve
from clinic_desk.services.corrections import (CorrectionRequest, EntryKind, correct_entry,
                                              list_corrections)
from clinic_desk.services.ledger import patient_totals
from clinic_desk.ui.approval import ApprovalDialog
from clinic_desk.ui.corrections.dialog import CorrectionDialog
from clinic_desk.ui.corrections.register_view import CorrectionRegisterView
from clinic_desk.ui.document_output import DocumentKind, DocumentPreview
from clinic_desk.ui.main_window import MainWindow
from tests.clinics import CASHIER_LOGIN, MANAGER_LOGIN, Clinic
from tests.services.cash import Till, open_till
from tests.services.helpers import TODAY, dump
from tests.ui.document_preview import open_preview, workstation_config  # noqa: F401
from tests.ui.typing import type_text

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def till(clinic: Clinic) -> Till:
    return open_till(clinic)


@pytest.fixture
def paid(till: Till) -> tuple[int, int, PostedPayment]:
    """张三 had a filling (280.00) and paid in cash: patient, visit, the posting."""
    patient = till.new_patient("张三")
    visit = till.visit(patient)
    till.charge(visit, till.items.filling)
    return patient, visit, till.pay(patient, visit, till.cash("280.00"))


def open_dialog(qtbot, till: Till, patient: int) -> CorrectionDialog:  # type: ignore[no-untyped-def]
    dialog = CorrectionDialog(till.clinic.desk, till.clinic.cashier, patient)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click_entry(qtbot, dialog: CorrectionDialog, kind: EntryKind,  # type: ignore[no-untyped-def]
                entry_id: int) -> None:
    row = next(r for r in range(dialog.model.rowCount())
               if (dialog.model.row_at(r).entry.kind, dialog.model.row_at(r).entry.entry_id)
               == (kind, entry_id))
    rect = dialog.entries.visualRect(dialog.model.index(row, 2))
    qtbot.mouseClick(dialog.entries.viewport(), LEFT, pos=rect.center())
    assert dialog.selected() is dialog.model.row_at(row)


def say(qtbot, dialog: CorrectionDialog, what: str, why: str,  # type: ignore[no-untyped-def]
        how: str) -> None:
    for box, text in ((dialog.what_was_wrong, what), (dialog.reason, why),
                      (dialog.how_corrected, how)):
        type_text(qtbot, box, text)


def approve_when_asked(qtbot, login: tuple[str, str] | None) -> list[str]:  # type: ignore[no-untyped-def]
    """When the manager's approval is asked, type `login` and approve (None: cancel);
    returns what the approval dialog said it is for."""
    asked: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ApprovalDialog)
        asked.append(dialog.findChild(QLabel).text())
        if login is None:
            dialog.reject()
            return
        type_text(qtbot, dialog.username, login[0])
        type_text(qtbot, dialog.password, login[1])
        dialog.try_accept()

    QTimer.singleShot(0, answer)
    return asked


def error_at(dialog: QWidget, field: str) -> str:
    label = dialog.findChild(QLabel, f"error_{field}")
    assert label is not None, field
    return label.text() if label.isVisible() else ""


def click_correct(qtbot, dialog: CorrectionDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.findChild(QWidget, "correct"), LEFT)


def test_a_cashier_corrects_a_payment_with_approval_and_finds_it_in_the_register(
        qtbot, qtmodeltester, till: Till, paid: tuple[int, int, PostedPayment],  # type: ignore[no-untyped-def]
        notices: list[str], workstation_config) -> None:  # noqa: F811
    patient, visit, posting = paid
    dialog = open_dialog(qtbot, till, patient)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 2  # the filling and the payment
    click_entry(qtbot, dialog, EntryKind.PAYMENT, posting.payment_ids[0])
    page = dialog.payment_page
    assert dialog.pages.currentWidget() is page
    assert (page.record_number.text(), page.amount.text(), page.method.currentData(),
            page.visit.currentData()) == (dialog.model.row_at(0).entry.record_number, "280.00",
                                          till.methods.cash, visit)

    say(qtbot, dialog, "记成了现金", "患者用微信支付", "冲销现金，按微信支付重记")
    page.method.setCurrentIndex(page.method.findData(till.methods.wechat))
    type_text(qtbot, page.reference, "4200009876")
    asked = approve_when_asked(qtbot, MANAGER_LOGIN)
    click_correct(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.posted is not None and dialog.posted.number == "00000001"
    assert asked and "280.00" in asked[0]
    assert notices == [(f"Correction 00000001 is recorded. The right payment is on receipt "
                        f"{dialog.posted.receipt_number}.")]
    desk = till.clinic.desk
    with desk.db.read() as session:
        assert patient_totals(session, patient).balance == 0
    (row,) = list_corrections(desk, TODAY, TODAY)
    assert (row.what_was_wrong, row.approved_by_name, row.right and row.right.reference) == (
        "记成了现金", till.clinic.manager.name, "4200009876")

    view = CorrectionRegisterView(desk, till.clinic.manager)
    qtbot.addWidget(view)
    view.show()
    qtmodeltester.check(view.model)
    assert view.model.rowCount() == 1
    assert view.count.text() == "1 correction"
    shown = [view.model.index(0, c).data() for c in range(view.model.columnCount())]
    assert shown[0] == "00000001" and "张三" in shown[2]
    assert "4200009876" in shown[5] and shown[6:11] == [
        "记成了现金", "患者用微信支付", "冲销现金，按微信支付重记", "Sun Meiling",
        till.clinic.manager.name]
    qtbot.mouseClick(view.table.viewport(), LEFT,
                     pos=view.table.visualRect(view.model.index(0, 0)).center())
    assert "患者用微信支付" in view.details.text()

    qtbot.mouseClick(view.print_button, LEFT)  # made on the worker thread
    qtbot.waitUntil(lambda: any(p.isVisible() for p in view.findChildren(DocumentPreview)),
                    timeout=10_000)
    preview = open_preview(view)
    assert (preview.kind, preview.paper) == (DocumentKind.CORRECTION_REGISTER, REGISTER_PAPER)
    assert preview.document.pageCount() == 1
    assert "Correction register" in preview.windowTitle()
    preview.close()


def test_errors_show_at_their_fields_and_nothing_is_written(
        qtbot, till: Till, paid: tuple[int, int, PostedPayment]) -> None:  # type: ignore[no-untyped-def]
    patient, _visit, posting = paid
    desk = till.clinic.desk
    before = dump(desk)
    dialog = open_dialog(qtbot, till, patient)
    click_correct(qtbot, dialog)  # nothing chosen yet
    assert error_at(dialog, "entry") == "Choose the entry to correct."

    click_entry(qtbot, dialog, EntryKind.PAYMENT, posting.payment_ids[0])
    page = dialog.payment_page
    page.method.setCurrentIndex(page.method.findData(till.methods.card))
    type_text(qtbot, page.reference, "POS-1")
    click_correct(qtbot, dialog)  # no texts, and a card without its digits
    assert error_at(dialog, "what_was_wrong") == "Say what was wrong."
    assert error_at(dialog, "reason") == "Say why it happened."
    assert error_at(dialog, "how_corrected") == "Say how it is corrected."
    assert error_at(dialog, "payment.card_last4") == "Enter the card's last 4 digits."
    assert error_at(dialog, "entry") == ""

    say(qtbot, dialog, "方式错", "手误", "重记")
    type_text(qtbot, page.card_type, "VISA")
    type_text(qtbot, page.card_last4, "1234")
    page.record_number.setText("no-such-record")
    click_correct(qtbot, dialog)
    assert error_at(dialog, "payment.patient_id") == "No patient has this record number."

    page.record_number.setText(dialog.model.row_at(0).entry.record_number)
    approve_when_asked(qtbot, None)  # the manager does not approve
    click_correct(qtbot, dialog)
    general = dialog.findChild(QLabel, "general_error")
    assert general.isVisible() and general.text() == "A correction needs a manager's approval."

    refused = approve_when_asked(qtbot, CASHIER_LOGIN)  # a cashier cannot approve
    QTimer.singleShot(50, lambda: QApplication.activeModalWidget().reject())
    click_correct(qtbot, dialog)
    assert refused and dialog.isVisible() and dialog.posted is None
    assert dump(desk) == before


def test_a_charge_is_reversed_only_or_corrected_and_a_corrected_entry_is_refused(
        qtbot, till: Till, paid: tuple[int, int, PostedPayment], notices: list[str]) -> None:  # type: ignore[no-untyped-def]
    patient, visit, _posting = paid
    gauze = till.charge(visit, till.items.gauze, 3)
    dialog = open_dialog(qtbot, till, patient)
    click_entry(qtbot, dialog, EntryKind.CHARGE, gauze)
    assert dialog.pages.currentWidget() is dialog.charge_page
    assert dialog.charge_page.quantity.value() == 3
    dialog.charge_page.quantity.setFocus()
    dialog.charge_page.quantity.selectAll()
    qtbot.keyClicks(dialog.charge_page.quantity, "2")
    say(qtbot, dialog, "纱布记了3包", "只用了2包", "冲销后按2包重记")
    approve_when_asked(qtbot, MANAGER_LOGIN)
    click_correct(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with till.clinic.desk.db.read() as session:
        assert patient_totals(session, patient).balance == 700

    again = open_dialog(qtbot, till, patient)
    click_entry(qtbot, again, EntryKind.CHARGE, gauze)
    assert again.model.index(again.entries.currentIndex().row(), 4).data() == \
        "Corrected (No. 00000001)"
    say(qtbot, again, "再改一次", "测试", "冲销")
    box = again.post_right  # unticked: reverse only
    qtbot.mouseClick(box, LEFT, pos=QPoint(box.height() // 2, box.height() // 2))
    assert not again.pages.isEnabled()
    click_correct(qtbot, again)
    assert "already corrected (correction 00000001)" in error_at(again, "entry")


def test_the_register_shows_the_days_chosen(qtbot, till: Till,  # type: ignore[no-untyped-def]
                                            paid: tuple[int, int, PostedPayment]) -> None:
    _patient, _visit, posting = paid
    view = CorrectionRegisterView(till.clinic.desk, till.clinic.cashier)
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == 0 and view.count.text() == "0 corrections"
    correct_entry(till.clinic.desk, till.clinic.cashier, CorrectionRequest(
        EntryKind.PAYMENT, posting.payment_ids[0], "x", "y", "z"),
        approve(till.clinic.desk, *MANAGER_LOGIN))
    view.reload()
    assert view.model.rowCount() == 1
    view.end.setDate(QDate(TODAY.year, TODAY.month, TODAY.day).addDays(-1))
    assert view.model.rowCount() == 0
    view.start.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    view.end.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    assert view.model.rowCount() == 1
    assert view.model.index(0, 5).data() == "Nothing: reversed only"


def test_those_who_take_payments_or_approve_open_the_register_from_the_workspaces_menu(
        qtbot, till: Till) -> None:  # type: ignore[no-untyped-def]
    def register_action(window: MainWindow) -> QAction | None:
        menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Workspaces")
        return next((a for a in menu.actions() if a.text() == "Correction register"), None)

    for actor in (till.clinic.cashier, till.clinic.manager):
        window = MainWindow(till.clinic.desk, actor)
        qtbot.addWidget(window)
        action = register_action(window)
        assert action is not None
        action.trigger()
        register = window.correction_register
        assert register is not None and register.isVisible() and register.isWindow()
        action.trigger()  # a second time: the same window, not another
        assert window.correction_register is register
        window.close()
    receptionist = MainWindow(till.clinic.desk, till.clinic.receptionist)
    qtbot.addWidget(receptionist)
    assert register_action(receptionist) is None
