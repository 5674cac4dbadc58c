"""The cash desk workspace: the visits waiting to pay and a search for anyone with a
balance on the left; the chosen patient's bill, what is due, and the cashier's actions on
the right. Every PC's postings show within a second or two (the change watcher)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QDialog, QFormLayout, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from clinic_desk.clock import zone
from clinic_desk.config import load_config, save_config
from clinic_desk.i18n import N_, current_language, format_date, format_time, gettext as _
from clinic_desk.money import format_money
from clinic_desk.printing.paper import Paper
from clinic_desk.printing.posted_receipt import discount_description
from clinic_desk.services.auth import Permission, can
from clinic_desk.services.bills import (Bill, PatientBalance, WaitingVisit, balances_of, bill,
                                        current_visit_id, patient_balances, waiting_to_pay)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import DomainError
from clinic_desk.services.patients import display_phone
from clinic_desk.services.settings import get_settings
from clinic_desk.ui.action_buttons import ActionButtons
from clinic_desk.ui.cashdesk.charge_dialog import ChargeDialog
from clinic_desk.ui.cashdesk.discount_dialog import DiscountDialog
from clinic_desk.ui.cashdesk.payment_dialog import PaymentDialog
from clinic_desk.ui.cashdesk.receipt_output import RECEIPT_PAPERS, ReprintDialog, show_receipt
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import data_combo, row_table, select_data

SEARCH_DELAY_MS = 250


@dataclass(frozen=True)
class BillRow:
    """A line of the bill table: a charge, or a discount (negative amount)."""

    description: str
    category: str
    quantity: str
    unit_price: int | None
    amount: int
    doctor: str
    note: str


def bill_rows(current: Bill) -> list[BillRow]:
    rows = [BillRow(line.description, line.category, str(line.quantity), line.unit_price,
                    line.amount, line.doctor_name, line.position_note) for line in current.lines]
    for discount in current.discounts:
        approved = (_("approved by {name}").format(name=discount.approved_by)
                    if discount.approved_by else "")
        described = discount_description(discount.reason, discount.percent_basis_points,
                                         current_language())
        rows.append(BillRow(_("Discount: {reason}").format(reason=described), "", "", None,
                            -discount.amount, "", approved))
    return rows


class CashDeskView(QWidget):
    def __init__(self, desk: Desk, actor: Actor, watcher: ChangeWatcher,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        settings = get_settings(desk)
        self.currency, self.zone = settings.currency, zone(settings.timezone)
        self.current: Bill | None = None

        self.waiting_model: RowTableModel[WaitingVisit] = RowTableModel([
            Column(N_("Done at"), lambda w: format_time(w.done_at, tz=self.zone)),
            Column(N_("Patient"), lambda w: w.patient_name),
            Column(N_("Record number"), lambda w: w.record_number),
            Column(N_("Doctor"), lambda w: w.doctor_name),
            Column(N_("This visit"), lambda w: self.money(w.visit_total), align_right=True),
            Column(N_("Due"), lambda w: self.money(w.due), align_right=True)], self)
        self.waiting = row_table(self.waiting_model, "waiting", stretch=1)  # the patient
        self.waiting.clicked.connect(lambda index: self.choose_waiting(index.row()))
        self.waiting.activated.connect(lambda index: self.choose_waiting(index.row()))

        self.search = QLineEdit(objectName="search")
        self.search.setPlaceholderText(_("Find a patient: name, record number, phone, pinyin"))
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload_balances)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.reload_balances)
        self.refresh_button = QPushButton(_("Refresh list"), objectName="refresh_balances")
        self.refresh_button.setToolTip(_("Everyone who owes is summed over the whole ledger: "
                                         "read it again now."))
        self.refresh_button.clicked.connect(self.reload_balances)
        self.balances_model: RowTableModel[PatientBalance] = RowTableModel([
            Column(N_("Record number"), lambda p: p.record_number),
            Column(N_("Patient"), lambda p: p.name),
            Column(N_("Phone"), lambda p: display_phone(p.phone)),
            Column(N_("Balance"), lambda p: self.money(p.balance), align_right=True,
                   foreground=lambda p: "#c62828" if p.balance > 0 else None)], self)
        self.balances = row_table(self.balances_model, "balances", stretch=1)  # the patient
        self.balances.clicked.connect(lambda index: self.choose_patient(index.row()))
        self.balances.activated.connect(lambda index: self.choose_patient(index.row()))

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._heading(_("Waiting to pay")))
        left_layout.addWidget(self.waiting, 3)
        left_layout.addWidget(self._heading(_("Patients with a balance")))
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.refresh_button)
        left_layout.addLayout(search_row)
        left_layout.addWidget(self.balances, 2)

        self.patient_label = QLabel(objectName="patient")
        self.patient_label.setProperty("role", "title")
        self.visit_label = QLabel(objectName="visit")
        self.bill_model: RowTableModel[BillRow] = RowTableModel([
            Column(N_("Item"), lambda r: r.description),
            Column(N_("Category"), lambda r: r.category),
            Column(N_("Qty"), lambda r: r.quantity, align_right=True),
            Column(N_("Unit price"), lambda r: self.money(r.unit_price)
                   if r.unit_price is not None else "", align_right=True),
            Column(N_("Amount"), lambda r: self.money(r.amount), align_right=True),
            Column(N_("Doctor"), lambda r: r.doctor),
            Column(N_("Position / note"), lambda r: r.note)], self)
        self.bill_table = row_table(self.bill_model, "bill", stretch=0)  # the item
        self.totals = QFormLayout()
        self.visit_total = QLabel(objectName="visit_total")
        self.visit_settled = QLabel(objectName="visit_settled")
        self.earlier = QLabel(objectName="earlier_balance")
        self.earlier_caption = QLabel()
        self.due = QLabel(objectName="due")
        self.due.setProperty("role", "title")
        self.totals.addRow(_("This visit"), self.visit_total)
        self.totals.addRow(_("Paid on this visit"), self.visit_settled)
        self.totals.addRow(self.earlier_caption, self.earlier)
        self.totals.addRow(_("Due now"), self.due)

        self.paper = data_combo((_(text), paper.value) for text, paper in RECEIPT_PAPERS)
        self.paper.setObjectName("receipt_paper")
        select_data(self.paper, load_config().receipt_paper)
        self.paper.currentIndexChanged.connect(self.remember_paper)
        self.status = QLabel(objectName="status")
        self.status.setWordWrap(True)

        self.action_buttons = ActionButtons(self)
        button = self.action_buttons.button
        self.charge_button = button(_("Add charge…"), "F2", self.add_charge)
        self.discount_button = button(_("Discount…"), "F3", self.add_discount)
        self.pay_button = button(_("Take payment…"), "F9", self.take_payment)
        self.deposit_button = button(_("Deposit…"), "Ctrl+D", self.take_deposit)
        self.reprint_button = button(_("Reprint receipt…"), "Ctrl+P", self.reprint)
        further = [self.reprint_button,
                   button(_("Correct…"), "Ctrl+E", self.correct)]
        if can(actor, Permission.RECORD_REFUNDS):
            further.append(button(_("Refund…"), "Ctrl+R", self.refund))
        if can(actor, Permission.BOOK_APPOINTMENTS):  # booking is the desk's, not the till's
            further.append(button(_("Next visit…"), "Ctrl+N", self.book_next_visit))
        self.patient_buttons = [self.pay_button, self.deposit_button, *further]
        buttons = QGridLayout()
        for row, line in enumerate(((self.charge_button, self.discount_button, self.pay_button,
                                     self.deposit_button), further)):
            for column, button in enumerate(line):
                buttons.addWidget(button, row, column)
        paper_row = QHBoxLayout()
        paper_row.addStretch()
        paper_row.addWidget(QLabel(_("Receipt paper")))
        paper_row.addWidget(self.paper)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.patient_label)
        right_layout.addWidget(self.visit_label)
        right_layout.addWidget(self.bill_table, 1)
        right_layout.addLayout(self.totals)
        right_layout.addLayout(buttons)
        right_layout.addLayout(paper_row)
        right_layout.addWidget(self.status)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([480, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.watcher = watcher
        watcher.changed.connect(self.changed_elsewhere)  # a method: let go with the view
        self.reload_balances()
        self.reload()

    # --- building ----------------------------------------------------------------------------

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-weight: 600;")
        return label

    def menu_actions(self) -> list[QAction]:
        return self.action_buttons.actions()

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency)

    # --- reading -----------------------------------------------------------------------------

    def changed_elsewhere(self, _stamp: int) -> None:
        self.reload()

    def reload(self) -> None:
        """Read again after an action here or a change on any PC: the waiting visits, the
        bill, and the balances of the patients listed (who is listed changes on request)."""
        self.waiting_model.set_rows(waiting_to_pay(self.desk))
        listed = [self.balances_model.row_at(r).patient_id
                  for r in range(self.balances_model.rowCount())]
        self.balances_model.set_rows(balances_of(self.desk, listed))
        self.reload_bill()

    def reload_balances(self) -> None:
        """Search, or with nothing typed list everyone who owes."""
        self._search_timer.stop()
        self.balances_model.set_rows(patient_balances(self.desk, self.search.text()))

    def reload_bill(self) -> None:
        current = self.current
        if current is not None:
            try:
                self.show_bill(bill(self.desk, current.patient_id, current.visit_id))
            except DomainError as error:
                self.status.setText(error.message)
                self.show_bill(None)
        else:
            self.show_bill(None)

    def choose_waiting(self, row: int) -> None:
        waiting = self.waiting_model.row_at(row)
        self.choose(waiting.patient_id, waiting.visit_id)

    def choose_patient(self, row: int) -> None:
        patient_id = self.balances_model.row_at(row).patient_id
        self.choose(patient_id, current_visit_id(self.desk, patient_id))

    def choose(self, patient_id: int, visit_id: int | None) -> None:
        self.status.clear()
        self.show_bill(bill(self.desk, patient_id, visit_id))

    def show_bill(self, current: Bill | None) -> None:
        self.current = current
        for button in self.patient_buttons:
            button.setEnabled(current is not None)
        for button in (self.charge_button, self.discount_button):
            button.setEnabled(current is not None and current.visit_id is not None)
        if current is None:
            self.patient_label.setText(_("Choose a patient on the left."))
            self.visit_label.clear()
            self.bill_model.set_rows([])
            for label in (self.visit_total, self.visit_settled, self.earlier, self.due):
                label.clear()
            self.earlier_caption.setText(_("Earlier balance"))
            return
        self.patient_label.setText(f"{current.patient_name} · {current.record_number}")
        self.visit_label.setText(
            _("Visit of {day}").format(day=format_date(current.visit_date))
            if current.visit_date else _("No visit: an earlier balance or a deposit."))
        self.bill_model.set_rows(bill_rows(current))
        self.visit_total.setText(self.money(current.visit_total))
        self.visit_settled.setText(self.money(current.visit_settled))
        earlier = current.earlier_balance
        self.earlier_caption.setText(_("Money on account") if earlier < 0
                                     else _("Earlier balance"))
        self.earlier.setText(self.money(abs(earlier)))
        self.due.setText(self.money(max(current.due, 0)))

    # --- acting ------------------------------------------------------------------------------

    def _need_patient(self) -> Bill | None:
        if self.current is None:
            self.status.setText(_("Choose a patient on the left first."))
        return self.current

    def _need_visit(self) -> Bill | None:
        current = self._need_patient()
        if current is not None and current.visit_id is None:
            self.status.setText(_("Charges and discounts belong to a visit: this patient has "
                                  "none open."))
            return None
        return current

    def add_charge(self) -> bool:
        current = self._need_visit()
        if current is None or current.visit_id is None:
            return False
        dialog = ChargeDialog(self.desk, self.actor, current.visit_id, current.doctor_id,
                              self.currency, self)
        added = bool(dialog.exec())
        self.reload()
        return added

    def add_discount(self) -> bool:
        current = self._need_visit()
        if current is None or current.visit_id is None:
            return False
        added = bool(DiscountDialog(self.desk, self.actor, current.visit_id,
                                    current.patient_name, self).exec())
        self.reload()
        return added

    def take_payment(self) -> bool:
        return self._pay(deposit=False)

    def take_deposit(self) -> bool:
        return self._pay(deposit=True)

    def _pay(self, deposit: bool) -> bool:
        current = self._need_patient()
        if current is None:
            return False
        if not deposit and current.due <= 0:
            self.status.setText(_("Nothing is due. Take a deposit to keep money on account."))
            return False
        dialog = PaymentDialog(self.desk, self.actor, current.patient_id,
                               None if deposit else current.visit_id, current.due,
                               self.currency, deposit=deposit, parent=self)
        if not dialog.exec() or dialog.posted is None:
            return False
        posted = dialog.posted
        self.reload()
        done = (_("Receipt {number}: {paid} received, give {change} change.") if posted.change
                else _("Receipt {number}: {paid} received."))
        self.status.setText(done.format(number=posted.receipt_number,
                                        paid=self.money(posted.paid),
                                        change=self.money(posted.change)))
        show_receipt(self, self.desk, self.actor, posted.receipt_id, self.receipt_paper())
        return True

    def reprint(self) -> bool:
        current = self._need_patient()
        if current is None:
            return False
        dialog = ReprintDialog(self.desk, current.patient_id, self.currency, self.zone, self)
        receipt_id = dialog.chosen() if dialog.exec() else None
        if receipt_id is None:
            return False
        show_receipt(self, self.desk, self.actor, receipt_id, self.receipt_paper())
        return True

    def _for_patient(self, dialog: Callable[[Bill], QDialog]) -> bool:
        """Run the patient's dialog; True when it posted something (then read again)."""
        current = self._need_patient()
        if current is None:
            return False
        done = bool(dialog(current).exec())
        if done:
            self.reload()
        return done

    def correct(self) -> bool:
        from clinic_desk.ui.corrections.dialog import CorrectionDialog
        return self._for_patient(
            lambda current: CorrectionDialog(self.desk, self.actor, current.patient_id, self))

    def refund(self) -> bool:
        from clinic_desk.ui.refunds.dialog import RefundDialog
        return self._for_patient(
            lambda current: RefundDialog(self.desk, self.actor, current.patient_id, self))

    def book_next_visit(self) -> bool:
        from clinic_desk.ui.calendar.booking_dialog import BookingDialog
        booked = self._for_patient(lambda current: BookingDialog(
            self.desk, self.actor, self, patient_id=current.patient_id,
            doctor_id=current.doctor_id))
        if booked:
            self.status.setText(_("The next visit is booked; the receipt shows it."))
        return booked

    def receipt_paper(self) -> Paper:
        return Paper(self.paper.currentData())

    def remember_paper(self) -> None:
        config = load_config()
        config.receipt_paper = self.paper.currentData()
        save_config(config)
