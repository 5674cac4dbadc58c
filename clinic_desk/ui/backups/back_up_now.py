"""Back up now: a checked copy of the clinic's file in a folder the manager chooses, usually
a USB stick that leaves the clinic at night. The copy runs on the worker thread with progress
and Cancel; the dialog closes when the copy is done."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QPushButton, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.services.backup import back_up_to_folder, check_backup_folder, database_file
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui import messages
from clinic_desk.ui.background import BackgroundTask
from clinic_desk.ui.backups.describe import size_text
from clinic_desk.ui.form_dialog import FormDialog


class BackUpNowDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Back up now"), parent)
        self.desk, self.actor = desk, actor
        self.copy: Path | None = None
        self.task: BackgroundTask[Path] | None = None
        source = database_file(desk)
        about = QLabel(_("A checked copy of the clinic's file ({size}) is written to the folder "
                         "you choose, named by today's date and time. Keep a recent copy on a "
                         "USB stick away from the clinic.").format(size=size_text(
                             source.stat().st_size)), objectName="about")
        about.setWordWrap(True)
        self.form.addRow(about)
        self.folder = QLineEdit(objectName="folder")
        self.add_row(_("Folder"), "folder", self.folder)
        choose = QPushButton(_("Choose…"), objectName="choose")
        choose.clicked.connect(self.choose_folder)
        self.form.addRow("", choose)
        self.buttons.button(self.buttons.StandardButton.Ok).setText(_("Back up"))
        self.finish_layout()

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose a folder"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def try_submit(self) -> None:
        """Check the folder at once; the dialog closes only when the copy is done."""
        self.errors.run(self.start)

    def start(self) -> None:
        folder = self.folder.text()
        check_backup_folder(folder)
        self.buttons.setEnabled(False)
        self.task = BackgroundTask(
            self, _("Backing up to {folder}…").format(folder=folder.strip()),
            lambda progress: back_up_to_folder(self.desk, self.actor, folder, progress),
            self.done_copying, self.failed)
        self.task.dialog.canceled.connect(lambda: self.buttons.setEnabled(True))

    def done_copying(self, copy: Path) -> None:
        self.copy = copy
        messages.inform(self, _("Back up now"),
                        _("The clinic's data was copied to {path}.").format(path=copy))
        self.accept()

    def failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.errors.show_failure(error)
