"""Answering a modal dialog from a test: the dialog's `exec()` blocks the test until the
dialog closes, so what the user does in it runs from the event loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

D = TypeVar("D", bound=QDialog)
WAIT_S = 10.0


def when_shown(kind: type[D], action: Callable[[D], None]) -> list[D]:
    """Run `action` on the next modal dialog of `kind` once it shows; returns the dialogs
    seen. The action must close the dialog (OK, Cancel ...). If it fails, or leaves the
    dialog open (an OK that was refused), the dialog is rejected and the test fails instead
    of waiting for ever."""
    seen: list[D] = []
    deadline = time.monotonic() + WAIT_S

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind) or not dialog.isVisible():
            if time.monotonic() < deadline:
                QTimer.singleShot(10, attempt)
            return
        seen.append(dialog)
        try:
            action(dialog)
        except BaseException:
            dialog.reject()
            raise
        if dialog.isVisible():
            dialog.reject()
            raise AssertionError(f"{kind.__name__} was still open after the test's answer")

    QTimer.singleShot(0, attempt)
    return seen


def press(dialog: QDialog, which: QDialogButtonBox.StandardButton) -> None:
    """Click one of the dialog's standard buttons (OK, Cancel ...)."""
    for box in dialog.findChildren(QDialogButtonBox):
        button = box.button(which)
        if button is not None:
            button.click()
            return
    raise AssertionError(f"{type(dialog).__name__} has no {which} button")
