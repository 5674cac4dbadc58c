"""Restore: the backups kept next to the clinic's file (or any other file, e.g. on a USB
stick), what the chosen one holds, and putting it back after a copy of the current data.

The user logs in again afterwards: staff and settings are the backup's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QLabel,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, gettext as _
from clinic_desk.paths import backups_dir_for
from clinic_desk.services.backup import (BackupContents, BackupFile, DatabaseDamaged,
                                         database_file, describe_file, list_backups,
                                         read_contents)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.restore import restore_backup
from clinic_desk.services.settings import get_settings
from clinic_desk.ui import messages
from clinic_desk.ui.background import BackgroundTask
from clinic_desk.ui.backups.describe import contents_text, kind_text, size_text, when_text
from clinic_desk.ui.field_errors import FieldErrors
from clinic_desk.ui.table_model import Column, RowTableModel


class RestoreDialog(QDialog):
    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.database = database_file(desk)
        self.tz = zone(get_settings(desk).timezone)
        self.restored = False
        self.contents: BackupContents | None = None
        self.task: BackgroundTask[Path] | None = None
        self.setWindowTitle(_("Restore from a backup"))
        layout = QVBoxLayout(self)
        intro = QLabel(_("Choose the backup to put back. Everything recorded after it is taken "
                         "out of the clinic's file; the current data is copied first, so a "
                         "restore can itself be undone."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        columns: Sequence[Column[BackupFile]] = (
            Column(N_("Made"), lambda f: when_text(f.made_at, self.tz)),
            Column(N_("Kind"), lambda f: kind_text(f.kind)),
            Column(N_("Size"), lambda f: size_text(f.size), align_right=True),
            Column(N_("File"), lambda f: str(f.path)),
        )
        self.model: RowTableModel[BackupFile] = RowTableModel(columns, self)
        self.model.set_rows(list_backups(self.database))
        self.table = QTableView(objectName="backups")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table)
        other = QPushButton(_("Other file…"), objectName="other_file")
        other.clicked.connect(self.choose_file)
        layout.addWidget(other)
        self.details = QLabel(objectName="contents")
        self.details.setWordWrap(True)
        layout.addWidget(self.details)
        general = QLabel(objectName="general_error")
        layout.addWidget(general)
        self.errors = FieldErrors(general)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = QPushButton(_("Restore…"), objectName="restore")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.confirm_restore)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.resizeColumnsToContents()
        self.resize(820, 460)
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.details.setText(_("There are no backups next to the clinic's file yet: use "
                                   "Other file… to restore a copy from elsewhere."))

    def selected(self) -> BackupFile | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def add_file(self, path: Path) -> None:
        """Offer a file from elsewhere (a USB stick) first in the list, selected."""
        rows = [self.model.row_at(i) for i in range(self.model.rowCount())]
        self.model.set_rows([describe_file(path, self.database.stem)]
                            + [row for row in rows if row.path != path])
        self.table.selectRow(0)

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose a backup"), str(self.database.parent),
            _("Clinic backups (*.sqlite3)"))
        if path:
            self.add_file(Path(path))

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.errors.clear()
        file = self.selected()
        self.contents = None
        if file is None:
            self.details.clear()
        else:
            try:
                self.contents = read_contents(file.path)
                self.details.setText(_("Made {when}.").format(when=when_text(file.made_at, self.tz))
                                     + "\n" + contents_text(self.contents, self.tz))
            except DatabaseDamaged as error:
                self.details.setText(error.message)
        self.restore_button.setEnabled(self.contents is not None)

    def confirm_restore(self) -> None:
        file = self.selected()
        if file is None or self.contents is None:
            return
        question = _("Put back the backup made {when}?\n\n{contents}\n\nEverything recorded "
                     "after it is taken out of the clinic's file. The current data is copied "
                     "first to {folder}.").format(
            when=when_text(file.made_at, self.tz), contents=contents_text(self.contents, self.tz),
            folder=backups_dir_for(self.database))
        if not messages.confirm(self, _("Restore from a backup"), question):
            return
        self.restore_button.setEnabled(False)
        self.task = BackgroundTask(
            self, _("Restoring the backup…"),
            lambda progress: restore_backup(self.desk, self.actor, file.path, progress),
            self.done_restoring, self.failed)
        self.task.dialog.canceled.connect(lambda: self.restore_button.setEnabled(True))

    def done_restoring(self, safety_copy: Path) -> None:
        self.restored = True
        messages.inform(self, _("Restore from a backup"), _(
            "The backup is back in place. The data as it was before is kept in {path}. "
            "Log in again.").format(path=safety_copy))
        self.accept()

    def failed(self, error: Exception) -> None:
        self.restore_button.setEnabled(self.contents is not None)
        self.errors.show_failure(error)
