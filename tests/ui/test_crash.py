"""An unexpected error: logged, shown in a friendly dialog with "Copy details", and never a
half-written action (the use case's transaction rolls back on its way out)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton

from clinic_desk import logs
from clinic_desk.models import Sex
from clinic_desk.services import audit
from clinic_desk.services.patients import PatientForm, register_patient
from clinic_desk.ui.crash import CrashHandler, install_crash_handler
from tests.clinics import Clinic
from tests.services.helpers import dump


@pytest.fixture
def log_path(tmp_path: Path) -> Iterator[Path]:
    """The program's rotating log, in a folder of the test's own."""
    path = logs.set_up_logging(tmp_path / "logs")
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "baseFilename", "") == str(path)]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture
def handler(log_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CrashHandler]:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    handler = install_crash_handler(log_path)
    yield handler
    if handler.dialog is not None:
        handler.dialog.close()


def a_register_button(clinic: Clinic) -> QPushButton:
    """A button that registers a patient, the way every screen runs a use case."""
    button = QPushButton("Register")
    button.clicked.connect(lambda: register_patient(clinic.desk, clinic.receptionist, PatientForm(
        name="张三", sex=Sex.MALE, birth_date=date(1980, 1, 1), phone="139 0000 0001")))
    return button


@pytest.mark.qt_no_exception_capture
def test_an_error_half_way_through_an_action_writes_nothing_and_is_shown_and_logged(
        qtbot, clinic: Clinic, handler: CrashHandler, log_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_gone(*_args: object, **_kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(audit, "record", disk_gone)  # after the patient's rows were written
    button = a_register_button(clinic)
    qtbot.addWidget(button)
    before = dump(clinic.desk)

    button.click()

    assert dump(clinic.desk) == before
    dialog = handler.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Something went wrong"
    assert "nothing half-done was written" in dialog.findChild(QLabel, "message").text()
    assert dialog.findChild(QLabel, "log_path").text() == \
        f"The details are also in the log file {log_path}."
    details = dialog.text.toPlainText()
    assert details.startswith("clinic_desk 0.1.0 · Python ")
    assert "register_patient" in details and "OSError: [Errno 5] Input/output error" in details
    logged = log_path.read_text(encoding="utf-8")
    assert "CRITICAL clinic_desk.crash [MainThread] unexpected error" in logged
    assert "OSError: [Errno 5] Input/output error" in logged


@pytest.mark.qt_no_exception_capture
def test_copy_details_puts_them_on_the_clipboard(qtbot, clinic: Clinic, handler: CrashHandler,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "record", lambda *_a, **_k: 1 / 0)
    button = a_register_button(clinic)
    qtbot.addWidget(button)
    button.click()
    dialog = handler.dialog
    assert dialog is not None

    dialog.copy_button.click()

    assert QGuiApplication.clipboard().text() == dialog.details
    assert "ZeroDivisionError: division by zero" in dialog.details
    assert dialog.copy_button.text() == "Copied"


@pytest.mark.qt_no_exception_capture
def test_errors_while_the_dialog_is_open_are_logged_but_not_shown_again(
        qtbot, clinic: Clinic, handler: CrashHandler, log_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "record", lambda *_a, **_k: 1 / 0)
    button = a_register_button(clinic)
    qtbot.addWidget(button)
    button.click()
    first = handler.dialog

    button.click()

    assert handler.dialog is first
    assert log_path.read_text(encoding="utf-8").count("ZeroDivisionError") == 2
