"""A settings page listing one kind of entry, with Add and Edit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QPushButton, QTableView, QVBoxLayout,
                               QWidget)

from clinic_desk.i18n import gettext as _
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import read_only_rows

Row = TypeVar("Row")


class ListPage(QWidget, Generic[Row]):
    """Subclasses give `columns()`, `load()` and `editor(row or None)` (a FormDialog)."""

    #: The column that takes the spare width (usually the name).
    stretch_column = 1

    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor = actor
        self.model: RowTableModel[Row] = RowTableModel(self.columns(), self)
        self.table = read_only_rows(QTableView(objectName="table"))
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._edit_index)
        self.add_button = QPushButton(_("Add…"), objectName="add")
        self.edit_button = QPushButton(_("Edit…"), objectName="edit")
        self.add_button.clicked.connect(lambda: self.open_editor(None))
        self.edit_button.clicked.connect(self.edit_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch()
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.table)
        self.reload()

    def columns(self) -> Sequence[Column[Row]]:
        raise NotImplementedError

    def load(self) -> Sequence[Row]:
        raise NotImplementedError

    def editor(self, row: Row | None) -> Any:
        raise NotImplementedError

    def reload(self) -> None:
        self.model.set_rows(self.load())
        self.table.resizeColumnsToContents()
        if self.model.columnCount() > self.stretch_column:
            self.table.horizontalHeader().setSectionResizeMode(
                self.stretch_column, QHeaderView.ResizeMode.Stretch)

    def selected_row(self) -> Row | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.model.row_at(indexes[0].row()) if indexes else None

    def _edit_index(self, index: QModelIndex) -> None:
        self.open_editor(self.model.row_at(index.row()))

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_editor(row)

    def open_editor(self, row: Row | None) -> bool:
        dialog = self.editor(row)
        if dialog.exec():
            self.reload()
            return True
        return False
