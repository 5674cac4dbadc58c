"""Confirmations and notices through one small wrapper, so tests can answer them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

#: Tests replace this with a function returning True/False instead of showing a box.
confirm_hook: Callable[[str, str], bool] | None = None
#: Tests replace this to collect notices instead of showing a box.
notice_hook: Callable[[str, str], None] | None = None


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    if confirm_hook is not None:
        return confirm_hook(title, text)
    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def inform(parent: QWidget | None, title: str, text: str, warning: bool = False) -> None:
    if notice_hook is not None:
        notice_hook(title, text)
        return
    if warning:
        QMessageBox.warning(parent, title, text)
    else:
        QMessageBox.information(parent, title, text)
