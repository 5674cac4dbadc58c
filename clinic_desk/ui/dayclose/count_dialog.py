"""Closing the till (日结) as the cashier does it: count the drawer note by note and type the
terminals' totals first; only once that count is on record does the dialog show what the
program expected, the differences, and ask for an explanation or a manager's approval.

The second page is built from what `record_count` returns: before that call the dialog
holds no expected figure at all, so nothing can give it away.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox,
                               QLabel, QLineEdit, QPlainTextEdit, QStackedWidget, QVBoxLayout,
                               QWidget)

from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.money import AmountError, format_money, format_plain, parse_amount
from clinic_desk.services.cashdesk import ApprovalNeeded
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.day_close import (CloseForm, ClosedDay, CloseSheet, CountForm,
                                            CountResult, close_day, record_count)
from clinic_desk.ui.approval import ask_approval
from clinic_desk.ui.field_errors import FieldErrors

DIFFERENCE_RED = "#c62828"


def _error_label(field: str) -> QLabel:
    label = QLabel(objectName=f"error_{field}")
    label.setWordWrap(True)
    return label


def _strong(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text, objectName=name)
    font = label.font()
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label


def _right(label: QLabel) -> QLabel:
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


def version_text(sheet: CloseSheet) -> str:
    if sheet.version == 1:
        return ""
    return _("closing again after a re-opening (version {version})").format(
        version=sheet.version)


class CloseDayDialog(QDialog):
    """Page 1: the blind count. Page 2: expected, counted, difference; then the close."""

    def __init__(self, desk: Desk, actor: Actor, sheet: CloseSheet,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.sheet = desk, actor, sheet
        self.result_: CountResult | None = None
        self.closed: ClosedDay | None = None
        self.setWindowTitle(_("Close the day"))
        heading = _("Count the drawer of {station} for {day}.").format(
            station=sheet.station_name, day=format_date(sheet.business_date, "full"))
        self.title = QLabel(" ".join(t for t in (heading, version_text(sheet)) if t))
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.general = QLabel(objectName="general_error")
        self.errors = FieldErrors(self.general)
        self.pages = QStackedWidget(objectName="pages")
        self.pages.addWidget(self._count_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.general)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.record_button = self.buttons.addButton(
            _("Record the count"), QDialogButtonBox.ButtonRole.ActionRole)
        self.record_button.setObjectName("record_count")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.record)
        self.close_button = self.buttons.addButton(
            _("Close the day"), QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button.setObjectName("close_day")
        self.close_button.hide()
        self.close_button.clicked.connect(self.close_the_day)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self._update_total()

    # --- page 1: the blind count ------------------------------------------------------------

    def _money(self, minor: int) -> str:
        return format_money(minor, self.sheet.currency)

    def _count_page(self) -> QWidget:
        page = QWidget(objectName="count_page")
        column = QVBoxLayout(page)
        float_box = QFormLayout()
        self.opening_float: QLineEdit | None = None
        if self.sheet.opening_float is None:
            self.opening_float = QLineEdit(objectName="opening_float")
            self.opening_float.setMaximumWidth(140)
            self.opening_float.setPlaceholderText(format_plain(0, self.sheet.currency))
            self.errors.add_row(float_box, _("Opening float"), "opening_float",
                                self.opening_float)
        else:
            float_box.addRow(_("Opening float"), QLabel(_("{amount}, carried from closing "
                                                          "{number}").format(
                amount=self._money(self.sheet.opening_float), number=self.sheet.carried_from),
                objectName="carried_float"))
        column.addLayout(float_box)

        notes = QGroupBox(_("Notes and coins in the drawer"))
        grid = QGridLayout(notes)
        for col, text in enumerate((_("Note or coin"), _("Count"), _("Amount"))):
            grid.addWidget(_right(QLabel(text)) if col else QLabel(text), 0, col)
        self.counts: dict[int, QLineEdit] = {}
        self.line_totals: dict[int, QLabel] = {}
        for row, denomination in enumerate(self.sheet.denominations, start=1):
            edit = QLineEdit(objectName=f"count_{denomination}")
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(90)
            edit.textChanged.connect(self._update_total)
            field = f"counts.{denomination}"
            message = _error_label(field)
            self.errors.register(field, edit, message)
            self.counts[denomination] = edit
            self.line_totals[denomination] = _right(QLabel())
            grid.addWidget(QLabel(self._money(denomination)), row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(self.line_totals[denomination], row, 2)
            grid.addWidget(message, row, 3)
        self.counted = _right(_strong(name="counted_total"))
        last = len(self.sheet.denominations) + 1
        grid.addWidget(_strong(_("Counted cash")), last, 0, 1, 2)
        grid.addWidget(self.counted, last, 2)
        grid.setColumnStretch(3, 1)
        column.addWidget(notes)

        self.reported: dict[int, QLineEdit] = {}
        if self.sheet.terminal_methods:
            terminals = QGroupBox(_("Totals printed by the card terminal and the merchant "
                                    "accounts"))
            form = QFormLayout(terminals)
            for method in self.sheet.terminal_methods:
                edit = QLineEdit(objectName=f"reported_{method.method_id}")
                edit.setMaximumWidth(140)
                self.errors.add_row(form, method.name, f"reported.{method.method_id}", edit)
                self.reported[method.method_id] = edit
            column.addWidget(terminals)
        hint = QLabel(_("Count before you look at any figure: the program's figures are shown "
                        "once the count is recorded."))
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        column.addWidget(hint)
        column.addStretch()
        return page

    def _update_total(self) -> None:
        total = 0
        for denomination, edit in self.counts.items():
            text = edit.text().strip()
            if text.isascii() and text.isdigit():
                total += denomination * int(text)
                self.line_totals[denomination].setText(self._money(denomination * int(text)))
            else:
                self.line_totals[denomination].setText("—" if text else "")
        self.counted.setText(self._money(total))

    def count_form(self) -> CountForm:
        return CountForm(
            business_date=self.sheet.business_date, cash_station_id=self.sheet.cash_station_id,
            counts={d: edit.text() for d, edit in self.counts.items()},
            reported={m: edit.text() for m, edit in self.reported.items()},
            opening_float_text=self.opening_float.text() if self.opening_float else "")

    def record(self) -> None:
        def run() -> None:
            self.result_ = record_count(self.desk, self.actor, self.count_form())

        if self.errors.run(run) and self.result_ is not None:
            self.show_result(self.result_)

    # --- page 2: the figures ---------------------------------------------------------------

    def show_result(self, result: CountResult) -> None:
        for edit in [*self.counts.values(), *self.reported.values()]:
            edit.setReadOnly(True)
        self.pages.addWidget(self._result_page(result))
        self.pages.setCurrentIndex(1)
        self.title.setText(_("What {station} should hold on {day}, and what was found.").format(
            station=self.sheet.station_name, day=format_date(self.sheet.business_date, "full")))
        self.record_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.explanation.setFocus()

    def _difference(self, minor: int, name: str, tolerance: int) -> QLabel:
        label = _right(_strong(self._money(minor), name))
        if abs(minor) > tolerance:
            label.setStyleSheet(f"color: {DIFFERENCE_RED};")
        return label

    def _result_page(self, result: CountResult) -> QWidget:
        page = QWidget(objectName="result_page")
        column = QVBoxLayout(page)
        table = QGridLayout()
        for col, text in enumerate(("", _("Expected"), _("Counted / reported"),
                                    _("Difference"))):
            table.addWidget(_right(QLabel(text)) if col else QLabel(text), 0, col)
        table.addWidget(_strong(_("Cash")), 1, 0)
        table.addWidget(_right(QLabel(self._money(result.expected_cash),
                                      objectName="expected_cash")), 1, 1)
        table.addWidget(_right(QLabel(self._money(result.counted_cash),
                                      objectName="counted_cash")), 1, 2)
        table.addWidget(self._difference(result.cash_difference, "cash_difference",
                                         result.tolerance), 1, 3)
        for row, method in enumerate(result.methods, start=2):
            reported = "—" if method.reported is None else self._money(method.reported)
            table.addWidget(QLabel(method.name), row, 0)
            table.addWidget(_right(QLabel(self._money(method.system),
                                          objectName=f"system_{method.method_id}")), row, 1)
            table.addWidget(_right(QLabel(reported)), row, 2)
            table.addWidget(self._difference(method.difference,
                                             f"difference_{method.method_id}",
                                             result.tolerance), row, 3)
        column.addLayout(table)
        how = QLabel(_("Expected cash = opening float {opening} + cash taken {taken} − cash "
                       "refunded {refunded}.").format(
            opening=self._money(result.opening_float), taken=self._money(result.cash_taken),
            refunded=self._money(result.cash_refunded)), objectName="how_expected")
        how.setProperty("role", "hint")
        how.setWordWrap(True)
        column.addWidget(how)
        if result.needs_explanation:
            needed = _("A difference above {tolerance} needs an explanation.").format(
                tolerance=self._money(result.tolerance))
            if result.needs_approval:
                needed += " " + _("Above {limit} a manager approves the close.").format(
                    limit=self._money(result.approval_limit))
            notice = QLabel(needed, objectName="needs")
            notice.setStyleSheet(f"color: {DIFFERENCE_RED};")
            notice.setWordWrap(True)
            column.addWidget(notice)
        form = QFormLayout()
        self.explanation = QPlainTextEdit(objectName="explanation")
        self.explanation.setMaximumHeight(80)
        self.errors.add_row(form, _("Explanation"), "explanation", self.explanation)
        self.float_kept = QLineEdit(objectName="float_kept")
        self.float_kept.setMaximumWidth(140)
        self.float_kept.setText(format_plain(min(result.opening_float, result.counted_cash),
                                             self.sheet.currency))
        self.float_kept.textChanged.connect(lambda: self._update_handed(result))
        self.errors.add_row(form, _("Float kept in the drawer"), "float_kept", self.float_kept)
        self.handed = QLabel(objectName="cash_handed_over")
        form.addRow(_("Cash handed over"), self.handed)
        column.addLayout(form)
        column.addStretch()
        self._update_handed(result)
        return page

    def _update_handed(self, result: CountResult) -> None:
        try:
            kept = parse_amount(self.float_kept.text(), self.sheet.currency)
        except AmountError:
            self.handed.setText("—")
            return
        self.handed.setText(self._money(result.counted_cash - kept))

    def close_the_day(self) -> None:
        if self.result_ is None:
            return
        count_id = self.result_.count_id
        what = _("the difference in the close of {day}").format(
            day=format_date(self.sheet.business_date))

        def run() -> None:
            form = CloseForm(count_id, self.explanation.toPlainText(), self.float_kept.text())
            try:
                self.closed = close_day(self.desk, self.actor, form)
            except ApprovalNeeded as needed:
                approval = ask_approval(self.desk, what, self)
                if approval is None:
                    raise needed from None
                self.closed = close_day(self.desk, self.actor, form, approval)

        if self.errors.run(run):
            self.accept()
