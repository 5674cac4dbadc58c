"""The program's start and end: the start-up benchmark's switch, and the backup at exit."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from clinic_desk.services.backup import list_backups
from clinic_desk.ui import messages
from clinic_desk.ui.app import back_up_at_exit, run
from clinic_desk.ui.look import apply_language
from tests.clinics import Clinic
from tests.damaged_files import break_an_index


class Drawn(QObject):
    """Records the titles of the windows that were drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) \
                and watched.isWindow() and watched.windowTitle() not in self.titles:
            self.titles.append(watched.windowTitle())
        return False


def test_exit_when_ready_quits_once_the_login_window_is_drawn(
        qtbot, clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    clinic.desk.db.dispose()
    fallback: list[str] = []
    drawn = Drawn()
    QApplication.instance().installEventFilter(drawn)

    def close_anyway() -> None:
        if QApplication.activeModalWidget() is not None:
            fallback.append("the login window stayed open")
            QApplication.activeModalWidget().close()

    guard = QTimer(singleShot=True, interval=10_000)
    guard.timeout.connect(close_anyway)
    guard.start()
    try:
        status = run(str(clinic.path), exit_when_ready=True)
    finally:
        guard.stop()
        QApplication.instance().removeEventFilter(drawn)
        apply_language(QApplication.instance(), "en")  # type: ignore[arg-type]

    assert status == 0 and fallback == []  # closed by the switch, not by the test
    assert drawn.titles == ["登录 · Bright Smile Dental"]  # in the clinic's language


def test_closing_the_program_backs_the_clinic_up_and_says_when_that_fails(
        clinic: Clinic) -> None:
    told: list[str] = []
    messages.notice_hook = lambda _title, text: told.append(text)
    try:
        back_up_at_exit(clinic.desk)
        assert [f.path.name for f in list_backups(clinic.path)] == [
            "clinic-daily-2026-03-02.sqlite3", "clinic-monthly-2026-03.sqlite3"]
        assert told == []

        clinic.desk.db.dispose()
        break_an_index(clinic.path)
        back_up_at_exit(clinic.desk)
    finally:
        messages.notice_hook = None

    (notice,) = told
    assert notice.startswith(f"The file {clinic.path} is damaged or is not a clinic database")
