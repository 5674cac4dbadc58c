"""This PC's own settings: which database file it opens (takes effect at the next start)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from clinic_desk.config import (WorkstationConfig, check_database_location, load_config,
                                save_config)
from clinic_desk.i18n import gettext as _
from clinic_desk.ui.field_errors import FieldErrors


class WorkstationPage(QWidget):
    def __init__(self, config_loader: Callable[[], WorkstationConfig] = load_config,
                 config_saver: Callable[[WorkstationConfig], None] = save_config,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._save_config = config_saver
        self.config: WorkstationConfig = config_loader()
        layout = QVBoxLayout(self)
        hint = QLabel(_("The database this PC opens at start. Several PCs that share one clinic "
                        "need a database server (a PostgreSQL URL); a file on a network share "
                        "is refused because SQLite files get corrupted there."))
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        layout.addWidget(hint)
        form = QFormLayout()
        self.location = QLineEdit(self.config.database_location(), objectName="database")
        browse = QPushButton(_("Choose file…"))
        browse.clicked.connect(self.browse)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.location)
        row_layout.addWidget(browse)
        self.general_error = QLabel()
        self.errors = FieldErrors(self.general_error)
        self.errors.add_row(form, _("Database"), "database", row)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        self.save_button = QPushButton(_("Save"), objectName="save")
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.saved_label)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addStretch()

    def browse(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Database file"), self.location.text(), _("Clinic database (*.sqlite3)"),
            options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.location.setText(path)

    def save(self) -> None:
        self.saved_label.clear()
        if self.errors.run(self._store):
            self.saved_label.setText(_("Saved. clinic_desk opens this database at the next start."))

    def _store(self) -> None:
        self.config.database = check_database_location(self.location.text())
        self._save_config(self.config)
