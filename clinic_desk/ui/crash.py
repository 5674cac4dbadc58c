"""Unexpected errors: written to the log with their traceback and shown in a friendly dialog
with "Copy details", instead of a program that silently stops.

Nothing half-done is ever left written: every use case runs inside `Database.write()`, whose
transaction is rolled back as the error passes through it, before it reaches this hook.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from clinic_desk import __version__
from clinic_desk.i18n import gettext as _

logger = logging.getLogger("clinic_desk.crash")


def error_details(kind: type[BaseException], error: BaseException,
                  trace: TracebackType | None) -> str:
    """What someone fixing the program needs: versions, system, and the traceback."""
    header = (f"clinic_desk {__version__} · Python {platform.python_version()} · "
              f"PySide6 {pyside_version} · {platform.platform()}")
    return header + "\n\n" + "".join(traceback.format_exception(kind, error, trace))


class CrashDialog(QDialog):
    def __init__(self, details: str, log_path: Path | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details = details
        self.setWindowTitle(_("Something went wrong"))
        layout = QVBoxLayout(self)
        message = QLabel(_("The program ran into an error it did not expect. What you were "
                           "doing was not saved, and nothing half-done was written: you can "
                           "try again."), objectName="message")
        message.setWordWrap(True)
        layout.addWidget(message)
        if log_path is not None:
            where = QLabel(_("The details are also in the log file {path}.").format(
                path=log_path), objectName="log_path")
            where.setWordWrap(True)
            where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(where)
        self.text = QPlainTextEdit(details, objectName="details")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(_("Copy details"), objectName="copy_details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText(_("Copied"))


class CrashHandler:
    """Installed as `sys.excepthook`: logs every unexpected error and shows it once."""

    def __init__(self, log_path: Path | None) -> None:
        self.log_path = log_path
        self.dialog: CrashDialog | None = None

    def __call__(self, kind: type[BaseException], error: BaseException,
                 trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        logger.critical("unexpected error", exc_info=(kind, error, trace))
        if QApplication.instance() is None or threading.current_thread() is not \
                threading.main_thread():
            return
        if self.dialog is not None and self.dialog.isVisible():
            return  # one error often brings more; the first one is shown, all are logged
        self.dialog = CrashDialog(error_details(kind, error, trace), self.log_path,
                                  QApplication.activeWindow())
        self.dialog.open()


def install_crash_handler(log_path: Path | None) -> CrashHandler:
    """Catch what nothing else caught, on the GUI thread and on worker threads (logged)."""
    handler = CrashHandler(log_path)
    sys.excepthook = handler
    threading.excepthook = _log_thread_error
    return handler


def _log_thread_error(args: threading.ExceptHookArgs) -> None:
    logger.critical("unexpected error in thread %s", args.thread.name if args.thread else "?",
                    exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def report_error(error: BaseException) -> None:
    """Hand an unexpected error a screen caught (e.g. from a background task) to the hook."""
    sys.excepthook(type(error), error, error.__traceback__)
