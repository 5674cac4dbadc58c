"""A dialog with a form whose OK button runs a use case and shows its field messages."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout,
                               QWidget)

from clinic_desk.ui.field_errors import FieldErrors


class FormDialog(QDialog):
    """Subclasses add rows with `add_row` and implement `submit` (raise to stay open)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.general_error = QLabel(objectName="general_error")
        self.layout_.addWidget(self.general_error)
        self.errors = FieldErrors(self.general_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_submit)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(460)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.buttons)

    def add_row(self, label: str, field: str, widget: QWidget) -> None:
        self.errors.add_row(self.form, label, field, widget)

    def submit(self) -> None:
        raise NotImplementedError

    def try_submit(self) -> None:
        if self.errors.run(self.submit):
            self.accept()
