"""The Day close workspace, driven as the cashier and the manager would: the blind count
before any figure, the close, the handover under the manager's own login, re-opening with
a manager's approval, the export and the live overview."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from clinic_desk.money import format_money, format_plain
from clinic_desk.services.day_close import close_sheet, day_closings
from clinic_desk.services.reconciliation import till_totals
from clinic_desk.services.settings import get_settings
from clinic_desk.ui import background, messages
from clinic_desk.ui.approval import ApprovalDialog
from clinic_desk.ui.dayclose.count_dialog import CloseDayDialog
from clinic_desk.ui.dayclose.export_dialog import ExportDialog
from clinic_desk.ui.dayclose.handover_dialog import HandoverDialog
from clinic_desk.ui.dayclose.reopen_dialog import ReopenDialog
from clinic_desk.ui.dayclose.view import DayCloseView
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.settings.clinic_page import ClinicPage
from tests.clinics import CASHIER_LOGIN, MANAGER_LOGIN
from tests.services.cash import Till
from tests.services.closing import close_exactly, notes_for
from tests.services.conftest import till, till_template  # noqa: F401  (fixtures)
from tests.services.helpers import TODAY, rows
from tests.ui.document_preview import workstation_config  # noqa: F401
from tests.ui.modal import press, when_shown
from tests.ui.typing import type_text

OK = QDialogButtonBox.StandardButton.Ok
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Background work (the backup after the close, exports) runs on the test's thread."""
    monkeypatch.setattr(background, "start_job", background.run_now)


@pytest.fixture
def notices() -> Iterator[list[str]]:
    told: list[str] = []
    messages.notice_hook = lambda _title, text: told.append(text)
    yield told
    messages.notice_hook = None


@pytest.fixture
def day(till: Till) -> dict[int, int]:  # noqa: F811
    """Two patients paid: 330.00 in cash, 280.00 by card and 50.00 by WeChat Pay; what
    each method took."""
    for parts in ((till.cash("330.00"),), (till.card("280.00"), till.wechat("50.00"))):
        patient = till.new_patient()
        visit = till.visit(patient)
        till.charge(visit, till.items.filling)
        till.charge(visit, till.items.exam)
        till.pay(patient, visit, *parts)
    till.clinic.clock.advance(hours=8)
    return {till.methods.cash: 33000, till.methods.card: 28000, till.methods.wechat: 5000}


def texts(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


def view_of(qtbot, till: Till, actor) -> DayCloseView:  # type: ignore[no-untyped-def]  # noqa: F811
    watcher = ChangeWatcher(till.clinic.desk)
    widget = DayCloseView(till.clinic.desk, actor, watcher)
    watcher.setParent(widget)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def count_in(qtbot, dialog: CloseDayDialog, drawer: int, reported: dict[int, int],  # type: ignore[no-untyped-def]
             opening_float: str = "500.00") -> None:
    """Type the count as the cashier does, note by note, and the terminals' totals."""
    if dialog.opening_float is not None:
        type_text(qtbot, dialog.opening_float, opening_float)
    for denomination, count in notes_for(drawer, dialog.sheet.denominations).items():
        if count != "0":
            type_text(qtbot, dialog.counts[denomination], count)
    for method, amount in reported.items():
        type_text(qtbot, dialog.reported[method], format_plain(amount, "CNY"))


def test_the_expected_figures_appear_only_once_the_count_is_recorded(
        qtbot, till: Till, day: dict[int, int]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk, cashier = till.clinic.desk, till.clinic.cashier
    sheet = close_sheet(desk, cashier, TODAY)
    dialog = CloseDayDialog(desk, cashier, sheet)
    qtbot.addWidget(dialog)
    dialog.show()
    expected_cash = format_money(50000 + 33000, "CNY")
    hidden = [expected_cash, format_money(day[till.methods.card], "CNY")]  # ¥830.00, ¥280.00

    count_in(qtbot, dialog, 50000 + 33000 - 200, {till.methods.card: 28000,
                                                 till.methods.wechat: 5000})
    assert dialog.counts[5000].text() == ""  # no 50-yuan notes in this drawer
    type_text(qtbot, dialog.counts[5000], "x")  # "x" is no count
    assert dialog.counted.text() == format_money(50000 + 33000 - 200, "CNY")
    shown = texts(dialog)
    assert not any(figure in text for text in shown for figure in hidden)
    assert dialog.findChild(QLabel, "expected_cash") is None
    assert dialog.findChild(QLabel, f"system_{till.methods.card}") is None

    qtbot.mouseClick(dialog.record_button, LEFT)
    assert "whole number" in dialog.errors.message_for("counts.5000")
    assert dialog.pages.currentIndex() == 0
    assert dialog.findChild(QLabel, "expected_cash") is None
    assert rows(desk, "SELECT count(*) FROM audit_entries WHERE action = 'cash_counted'") == [(0,)]

    dialog.counts[5000].clear()
    qtbot.mouseClick(dialog.record_button, LEFT)
    assert dialog.pages.currentIndex() == 1
    assert rows(desk, "SELECT count(*) FROM audit_entries WHERE action = 'cash_counted'") == [(1,)]
    assert dialog.findChild(QLabel, "expected_cash").text() == expected_cash
    assert dialog.findChild(QLabel, "counted_cash").text() == format_money(82800, "CNY")
    assert dialog.findChild(QLabel, "cash_difference").text() == format_money(-200, "CNY")
    assert all(edit.isReadOnly() for edit in dialog.counts.values())

    qtbot.mouseClick(dialog.close_button, LEFT)  # ¥2 short: the explanation is missing
    assert dialog.errors.message_for("explanation")
    assert day_closings(desk, cashier, TODAY) == []
    type_text(qtbot, dialog.explanation, "gave 2 yuan too much change")
    qtbot.mouseClick(dialog.close_button, LEFT)
    assert dialog.closed is not None
    (closing,) = day_closings(desk, cashier, TODAY)
    assert (closing.counted_cash, closing.difference, closing.explanation) == (
        82800, -200, "gave 2 yuan too much change")


def test_a_cashier_closes_the_day_and_a_manager_accepts_it_in_the_window(
        qtbot, till: Till, day: dict[int, int], notices: list[str],  # noqa: F811
        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = view_of(qtbot, till, till.clinic.cashier)
    panel = view.closings
    assert panel.close_button.isEnabled() and not panel.handover_button.isEnabled()
    assert panel.export_button is None and view.overview is None

    def count_and_close(dialog: CloseDayDialog) -> None:
        count_in(qtbot, dialog, 83000, {m: v for m, v in day.items()
                                        if m != till.methods.cash})
        qtbot.mouseClick(dialog.record_button, LEFT)
        qtbot.mouseClick(dialog.close_button, LEFT)

    def hand_over(dialog: HandoverDialog) -> None:
        type_text(qtbot, dialog.username, CASHIER_LOGIN[0])
        type_text(qtbot, dialog.password, CASHIER_LOGIN[1])
        press(dialog, OK)
        assert "manager" in dialog.message.text()  # the cashier is not the receiver
        dialog.username.clear()
        type_text(qtbot, dialog.username, MANAGER_LOGIN[0])
        type_text(qtbot, dialog.password, MANAGER_LOGIN[1])
        press(dialog, OK)

    closed = when_shown(CloseDayDialog, count_and_close)
    handed = when_shown(HandoverDialog, hand_over)
    qtbot.mouseClick(panel.close_button, LEFT)
    assert closed and handed
    (closing,) = day_closings(till.clinic.desk, till.clinic.cashier, TODAY)
    assert closing.handed_to == till.clinic.manager.name
    assert closing.closed_by == till.clinic.cashier.name
    assert not panel.close_button.isEnabled() and not panel.handover_button.isEnabled()
    assert closing.number in panel.status.text()
    assert closing.audit_head_hash in panel.details.text()
    assert (till.clinic.path.parent / "backups").is_dir()  # backed up at the close


def test_reopening_asks_a_cashier_for_a_managers_approval(
        qtbot, till: Till, day: dict[int, int]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    close_exactly(till, 33000, {m: v for m, v in day.items() if m != till.methods.cash})
    view = view_of(qtbot, till, till.clinic.cashier)
    panel = view.closings
    assert not panel.close_button.isEnabled()

    def reopen(dialog: ReopenDialog) -> None:
        press(dialog, OK)
        assert dialog.errors.message_for("reason")
        type_text(qtbot, dialog.reason, "a card payment was posted as cash")
        when_shown(ApprovalDialog, approve)
        press(dialog, OK)

    def approve(dialog: ApprovalDialog) -> None:
        type_text(qtbot, dialog.username, MANAGER_LOGIN[0])
        type_text(qtbot, dialog.password, MANAGER_LOGIN[1])
        press(dialog, OK)

    when_shown(ReopenDialog, reopen)
    qtbot.mouseClick(panel.reopen_button, LEFT)
    (closing,) = day_closings(till.clinic.desk, till.clinic.cashier, TODAY)
    assert closing.reopened and closing.reopened_by == till.clinic.manager.name
    assert panel.close_button.isEnabled()
    assert "re-opened" in panel.model.data(panel.model.index(0, 8))


def test_the_manager_exports_the_day_to_a_workbook(
        qtbot, till: Till, day: dict[int, int], notices: list[str], tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    view = view_of(qtbot, till, till.clinic.manager)
    target = tmp_path / "day"

    def export(dialog: ExportDialog) -> None:
        press(dialog, OK)
        assert dialog.errors.message_for("path")  # where to?
        dialog.kind.setCurrentIndex(dialog.kind.findData("xlsx"))
        type_text(qtbot, dialog.path, str(target))
        press(dialog, OK)

    when_shown(ExportDialog, export)
    assert view.closings.export_button is not None
    qtbot.mouseClick(view.closings.export_button, LEFT)
    saved = target.with_suffix(".xlsx")
    assert notices == [f"Saved {saved}."]
    workbook = load_workbook(saved)
    payments = list(workbook["Payments"].iter_rows(min_row=2, values_only=True))
    assert sorted(round(row[6] * 100) for row in payments) == sorted(day.values())


def test_the_overview_shows_todays_figures_and_follows_new_payments(
        qtbot, till: Till, day: dict[int, int]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    view = view_of(qtbot, till, till.clinic.manager)
    view.tabs.setCurrentWidget(view.overview)
    overview = view.overview
    assert overview is not None
    received = overview.findChild(QLabel, "received")
    assert received.text() == format_money(sum(day.values()), "CNY")
    with till.clinic.desk.db.read() as session:
        assert {t.method_id: t.received for t in till_totals(session, TODAY, None)
                if t.received} == day
    patient = till.new_patient()
    till.pay(patient, None, till.cash("12.30"), deposit=True)
    for watcher in view.findChildren(ChangeWatcher):  # as it does every second
        watcher.poll()
    qtbot.waitUntil(lambda: received.text() == format_money(sum(day.values()) + 1230, "CNY"))
    assert overview.report is not None and overview.report.start == date(2026, 3, 2)


def test_the_till_tolerance_and_approval_limit_are_clinic_settings(qtbot, desk, manager) -> None:  # type: ignore[no-untyped-def]
    page = ClinicPage(desk, manager)
    qtbot.addWidget(page)
    assert page.closing_tolerance.text() == "1.00"
    page.closing_tolerance.clear()
    type_text(qtbot, page.closing_tolerance, "2.5x")
    page.save_button.click()
    assert page.errors.message_for("closing_tolerance")
    page.closing_tolerance.clear()
    type_text(qtbot, page.closing_tolerance, "2.50")
    page.closing_approval_limit.clear()
    type_text(qtbot, page.closing_approval_limit, "1.00")
    page.save_button.click()
    assert page.errors.message_for("closing_approval_limit")  # below the tolerance
    assert get_settings(desk).closing_tolerance == 100
    page.closing_approval_limit.clear()
    type_text(qtbot, page.closing_approval_limit, "80")
    page.save_button.click()
    saved = get_settings(desk)
    assert (saved.closing_tolerance, saved.closing_approval_limit) == (250, 8000)
