"""Showing a use case's field messages next to the fields they concern."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from clinic_desk.services.errors import DomainError, ValidationError
from clinic_desk.ui.crash import report_error


class FieldErrors:
    """Maps the service's field names to widgets; shows each message under its field.

    Messages for fields the form does not know go to the general label, so nothing a
    service says is ever lost.
    """

    def __init__(self, general: QLabel) -> None:
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        self._general = general
        self._general.setProperty("role", "field-error")
        self._general.setWordWrap(True)
        self._general.hide()

    def add_row(self, form: QFormLayout, label: str, field: str, widget: QWidget) -> QLabel:
        """Add `widget` to `form` with an (initially hidden) error label beneath it."""
        form.addRow(label, widget)
        message = QLabel()
        message.setProperty("role", "field-error")
        message.setWordWrap(True)
        message.setObjectName(f"error_{field}")
        message.hide()
        form.addRow("", message)
        self.register(field, widget, message)
        return message

    def register(self, field: str, widget: QWidget, message: QLabel) -> None:
        message.setProperty("role", "field-error")
        message.hide()
        self._fields[field] = (widget, message)

    def clear(self) -> None:
        for widget, message in self._fields.values():
            self._mark(widget, False)
            message.clear()
            message.hide()
        self._general.clear()
        self._general.hide()

    def show(self, error: ValidationError) -> None:
        self.clear()
        general: list[str] = []
        first: QWidget | None = None
        for field, text in error.errors.items():
            if field in self._fields:
                widget, message = self._fields[field]
                message.setText(text)
                message.show()
                self._mark(widget, True)
                first = first or widget
            else:
                general.append(text)
        if general:
            self.show_general("\n".join(general))
        if first is not None:
            first.setFocus()

    def run(self, action: Callable[[], object]) -> bool:
        """Run a use case; show its messages and return False if it refused."""
        self.clear()
        try:
            action()
        except ValidationError as error:
            self.show(error)
            return False
        except DomainError as error:
            self.show_general(error.message)
            return False
        return True

    def show_failure(self, error: BaseException) -> None:
        """A use case's refusal that came back from a background task: at its field or under
        the form. Anything else is unexpected and goes to the crash handler."""
        if isinstance(error, ValidationError):
            self.show(error)
        elif isinstance(error, DomainError):
            self.show_general(error.message)
        else:
            report_error(error)

    def show_general(self, text: str) -> None:
        self._general.setText(text)
        self._general.show()

    def message_for(self, field: str) -> str:
        return self._fields[field][1].text() if field in self._fields else ""

    @staticmethod
    def _mark(widget: QWidget, invalid: bool) -> None:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
