"""Asking why an appointment is moved, resized or cancelled, and doing it in the same dialog:
the service's refusal (no reason, outside working hours, taken) stays in view at its field
until the desk fixes it or cancels."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QWidget

from clinic_desk.services.errors import DomainError, ValidationError
from clinic_desk.ui.queue.reason_dialog import ReasonDialog

REASON = "reason"


class ReasonForm(ReasonDialog):
    """`refusal` holds the service's answer when it refused for another cause than the
    reason; the dialog then closes (there is nothing to fix in it)."""

    def __init__(self, title: str, summary: str, action: Callable[[str], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.summary = QLabel(summary, objectName="summary")
        self.summary.setWordWrap(True)
        self.layout_.insertWidget(0, self.summary)
        self.action = action
        self.refusal: DomainError | None = None
        self.reason.setFocus()

    def try_submit(self) -> None:
        self.errors.clear()
        try:
            self.action(self.reason.text())
        except ValidationError as error:
            if REASON in error.errors:
                self.errors.show(ValidationError.single(REASON, error.errors[REASON]))
                return
            self.refusal = error
            self.reject()
            return
        except DomainError as error:
            self.refusal = error
            self.reject()
            return
        self.accept()
