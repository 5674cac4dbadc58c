"""Starting the program: open the clinic, first-start wizard or login, then the main window."""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from clinic_desk import i18n
from clinic_desk.clinic import open_clinic
from clinic_desk.db import NetworkShareRefused
from clinic_desk.i18n import gettext as _
from clinic_desk.logs import log_file
from clinic_desk.paths import demo_database_path
from clinic_desk.services.backup import backup_now
from clinic_desk.services.errors import DomainError
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.settings import get_settings
from clinic_desk.services.setup import needs_first_start
from clinic_desk.services.staff import own_language, set_own_language
from clinic_desk.ui import messages
from clinic_desk.ui.backups.recovery import check_at_start
from clinic_desk.ui.crash import install_crash_handler
from clinic_desk.ui.first_start import FirstStartWizard
from clinic_desk.ui.login import LoginDialog
from clinic_desk.ui.look import apply_language, language_from_system

if TYPE_CHECKING:  # imported when first shown: the login window need not wait for every workspace
    from clinic_desk.ui.main_window import MainWindow

logger = logging.getLogger(__name__)


class ClinicApp(QObject):
    """Owns the logged-in session and the main window; rebuilds it when the language changes."""

    def __init__(self, app: QApplication, desk: Desk) -> None:
        super().__init__()
        self.app = app
        self.desk = desk
        self.actor: Actor | None = None
        self.window: MainWindow | None = None

    def use_language(self, language: str) -> None:
        i18n.set_language(language)
        apply_language(self.app, i18n.current_language())

    def log_in_interactively(self) -> bool:
        """First-start wizard on an empty clinic, else the login window."""
        if needs_first_start(self.desk):
            self.use_language(language_from_system())
            wizard = FirstStartWizard(self.desk, i18n.current_language())
            if wizard.exec() != QDialog.DialogCode.Accepted or wizard.actor is None:
                return False
            self.actor = wizard.actor
        else:
            self.use_language(get_settings(self.desk).language)
            dialog = LoginDialog(self.desk, get_settings(self.desk).clinic_name)
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
                return False
            self.actor = dialog.actor
        return True

    def show_main_window(self, actor: Actor) -> MainWindow:
        from clinic_desk.ui.main_window import MainWindow

        self.actor = actor
        language = own_language(self.desk, actor.staff_id) or get_settings(self.desk).language
        self.use_language(language)
        previous = self.window
        self.window = MainWindow(self.desk, actor)
        self.window.language_requested.connect(self.switch_language)
        self.window.log_out_requested.connect(self.log_out)
        if previous is not None:
            self.window.setGeometry(previous.geometry())
            previous.close()
            previous.deleteLater()
        self.window.show()
        return self.window

    def switch_language(self, language: str) -> None:
        """Remember the user's choice and rebuild the screens in that language."""
        if self.actor is None:
            return
        set_own_language(self.desk, self.actor, language)
        current_tab = self.window.tabs.currentIndex() if self.window else 0
        window = self.show_main_window(self.actor)
        window.tabs.setCurrentIndex(current_tab)

    def log_out(self) -> None:
        if self.window is not None:
            self.window.hide()
        self.actor = None
        if self.log_in_interactively() and self.actor is not None:
            self.show_main_window(self.actor)
        else:
            self.app.quit()


class QuitWhenDrawn(QObject):
    """`--exit-when-ready` (the start-up benchmark): close everything once the first window
    has been drawn, so the process's lifetime is the time to a usable window."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) \
                and watched.isWindow():
            QCoreApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, self.close_everything)
        return False

    def close_everything(self) -> None:
        for widget in QApplication.topLevelWidgets():
            widget.close()
        QApplication.quit()


def back_up_at_exit(desk: Desk) -> None:
    """The automatic backup when the program closes; a failure is shown, never hidden."""
    try:
        copy = backup_now(desk)
    except (DomainError, OSError, sqlite3.Error) as error:
        logger.exception("the backup at exit failed")
        message = error.message if isinstance(error, DomainError) else str(error)
        messages.inform(None, _("The backup failed"), message, warning=True)
        return
    if copy is not None:
        logger.info("backed up at exit to %s", copy)


def run(location: str, demo: bool = False, exit_when_ready: bool = False) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("clinic_desk")
    app.setOrganizationName("clinic_desk")
    app.setQuitOnLastWindowClosed(True)
    install_crash_handler(log_file())
    if exit_when_ready:
        QuitWhenDrawn(app)
    i18n.set_language(language_from_system())  # until the clinic's own language is known
    apply_language(app, i18n.current_language())
    try:
        if not check_at_start(location):
            return 3
        if demo:
            from clinic_desk.demo import open_demo

            desk, actor = open_demo(Path(location) if location else demo_database_path())
        else:
            desk, actor = open_clinic(location), None
    except NetworkShareRefused as error:
        QMessageBox.critical(None, _("Database on a network share"), error.message)
        return 2
    controller = ClinicApp(app, desk)
    if actor is None:
        if not controller.log_in_interactively() or controller.actor is None:
            return 0
        actor = controller.actor
    controller.show_main_window(actor)
    status = app.exec()
    back_up_at_exit(desk)
    return status
