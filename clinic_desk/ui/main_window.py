"""The main window: the workspaces this user may use, the menus, and the status bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from clinic_desk import __version__
from clinic_desk.i18n import LANGUAGES, current_language, gettext as _
from clinic_desk.services.audit_report import describe, verify_audit_log
from clinic_desk.services.auth import Permission, can
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.settings import get_settings
from clinic_desk.ui import messages
from clinic_desk.ui.backups.back_up_now import BackUpNowDialog
from clinic_desk.ui.backups.restore_dialog import RestoreDialog
from clinic_desk.ui.calendar.view import CalendarView
from clinic_desk.ui.cashdesk.view import CashDeskView
from clinic_desk.ui.corrections.register_view import CorrectionRegisterView
from clinic_desk.ui.dayclose.view import DayCloseView
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.notification_bar import NotificationBar
from clinic_desk.ui.queue.display import WaitingRoomDisplay
from clinic_desk.ui.queue.view import QueueView
from clinic_desk.ui.reception.view import ReceptionView
from clinic_desk.ui.refunds.register_view import RefundRegisterView, register_window
from clinic_desk.ui.settings.view import SettingsView
from clinic_desk.ui.widgets import ROLE_NAMES, enum_name


class WelcomePanel(QWidget):
    """What a user sees when none of their workspaces is open yet."""

    def __init__(self, clinic_name: str, actor: Actor) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(clinic_name)
        title.setProperty("role", "title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        roles = "、".join(enum_name(ROLE_NAMES, r) for r in sorted(actor.roles))
        who = QLabel(_("Logged in as {name} ({roles}).").format(name=actor.name, roles=roles))
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        layout.addWidget(who)


class MainWindow(QMainWindow):
    language_requested = Signal(str)
    log_out_requested = Signal()

    def __init__(self, desk: Desk, actor: Actor) -> None:
        super().__init__()
        self.desk = desk
        self.actor = actor
        settings = get_settings(desk)
        self.setWindowTitle(_("clinic_desk · {clinic} · {user}").format(
            clinic=settings.clinic_name, user=actor.name))
        self.tabs = QTabWidget(objectName="workspaces")
        self.tabs.setDocumentMode(True)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.notification_bar: NotificationBar | None = None
        if can(actor, Permission.APPROVE):
            self.notification_bar = NotificationBar(desk, actor)
            column.addWidget(self.notification_bar)
        column.addWidget(self.tabs)
        self.setCentralWidget(central)
        self.watcher = ChangeWatcher(desk, self)
        self.reception_view: ReceptionView | None = None
        self.queue_view: QueueView | None = None
        self.calendar_view: CalendarView | None = None
        self.cashdesk_view: CashDeskView | None = None
        self.day_close_view: DayCloseView | None = None
        self.settings_view: SettingsView | None = None
        self.display: WaitingRoomDisplay | None = None
        self.correction_register: CorrectionRegisterView | None = None
        self.refund_register: RefundRegisterView | None = None
        if can(actor, Permission.REGISTER_PATIENTS):
            self.reception_view = ReceptionView(desk, actor)
            self.tabs.addTab(self.reception_view, _("Reception"))
        if can(actor, Permission.RUN_QUEUE):
            self.queue_view = QueueView(desk, actor, self.watcher)
            self.tabs.addTab(self.queue_view, _("Queue"))
        if can(actor, Permission.BOOK_APPOINTMENTS):
            self.calendar_view = CalendarView(desk, actor, self.watcher)
            self.tabs.addTab(self.calendar_view, _("Calendar"))
        if can(actor, Permission.TAKE_PAYMENTS):
            self.cashdesk_view = CashDeskView(desk, actor, self.watcher)
            self.tabs.addTab(self.cashdesk_view, _("Cash desk"))
        if can(actor, Permission.CLOSE_DAY):
            self.day_close_view = DayCloseView(desk, actor, self.watcher)
            self.tabs.addTab(self.day_close_view, _("Day close"))
        if can(actor, Permission.MANAGE_SETTINGS):
            self.settings_view = SettingsView(desk, actor, self.language_requested.emit)
            self.tabs.addTab(self.settings_view, _("Settings"))
        if self.tabs.count() == 0:
            self.tabs.addTab(WelcomePanel(settings.clinic_name, actor), _("Start"))
        self._build_menus()
        location = str(desk.db.file_path or desk.db.url.render_as_string(hide_password=True))
        self.statusBar().addPermanentWidget(QLabel(location))
        self.statusBar().showMessage(_("Welcome, {name}.").format(name=actor.name))
        self.resize(1100, 720)

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        file_menu.addAction(self._action(_("Log out"), self.log_out_requested.emit, "Ctrl+Shift+L"))
        file_menu.addAction(self._action(_("Quit"), self.close, "Ctrl+Q"))
        workspaces = bar.addMenu(_("&Workspaces"))
        for index in range(self.tabs.count()):
            workspaces.addAction(self._action(
                self.tabs.tabText(index), lambda i=index: self.tabs.setCurrentIndex(i),
                f"Ctrl+{index + 1}"))
        if self.queue_view is not None:
            workspaces.addSeparator()
            workspaces.addAction(self._action(_("Waiting-room display"), self.show_display,
                                              "Ctrl+Shift+D"))
        if can(self.actor, Permission.TAKE_PAYMENTS) or can(self.actor, Permission.APPROVE):
            workspaces.addSeparator()
            workspaces.addAction(self._action(_("Correction register"),
                                              self.show_correction_register))
        if can(self.actor, Permission.RECORD_REFUNDS):  # beside the correction register
            workspaces.addAction(self._action(_("Refund register"), self.show_refund_register))
        for view, title in ((self.reception_view, _("&Patient")), (self.queue_view, _("&Queue")),
                            (self.calendar_view, _("&Calendar")),
                            (self.cashdesk_view, _("Cas&h desk")),
                            (self.day_close_view, _("&Day close"))):
            if view is not None:
                bar.addMenu(title).addActions(view.menu_actions())
        tools = bar.addMenu(_("&Tools"))
        if self.settings_view is not None:
            tools.addAction(self._action(_("Settings"), self.show_settings, "Ctrl+,"))
        if can(self.actor, Permission.VERIFY_AUDIT):
            tools.addAction(self._action(_("Verify audit log"), self.verify_audit))
        if can(self.actor, Permission.MANAGE_SETTINGS) and self.desk.db.file_path is not None:
            tools.addSeparator()
            tools.addAction(self._action(_("Back up now…"), self.back_up_now))
            tools.addAction(self._action(_("Restore from a backup…"), self.restore_backup))
        language_menu = bar.addMenu(_("&Language"))
        group = QActionGroup(self)
        for code, name in LANGUAGES:
            action = QAction(name, self, checkable=True)
            action.setChecked(code == current_language())
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.language_requested.emit(c))
            group.addAction(action)
            language_menu.addAction(action)
        help_menu = bar.addMenu(_("&Help"))
        help_menu.addAction(self._action(_("About clinic_desk"), self.show_about))

    def show_display(self) -> None:
        if self.display is None:
            self.display = WaitingRoomDisplay(self.desk, self.watcher)
        self.display.show_on_screen()
        self.display.raise_()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if self.display is not None:
            self.display.close()
        super().closeEvent(event)

    def show_refund_register(self) -> None:
        if self.refund_register is None:
            self.refund_register = register_window(self, self.desk, self.actor, self.watcher)
        self.refund_register.show()
        self.refund_register.raise_()
        self.refund_register.activateWindow()

    def show_correction_register(self) -> None:
        """The register in a window of its own beside the workspaces, kept while open."""
        if self.correction_register is None:
            self.correction_register = CorrectionRegisterView(self.desk, self.actor,
                                                              self.watcher, self)
            self.correction_register.setWindowFlag(Qt.WindowType.Window, True)
        self.correction_register.show()
        self.correction_register.raise_()
        self.correction_register.activateWindow()

    def show_settings(self) -> None:
        if self.settings_view is not None:
            self.tabs.setCurrentWidget(self.settings_view)

    def back_up_now(self) -> None:
        BackUpNowDialog(self.desk, self.actor, self).exec()

    def restore_backup(self) -> None:
        """After a restore the user logs in again: staff and settings are the backup's."""
        dialog = RestoreDialog(self.desk, self.actor, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.restored:
            self.log_out_requested.emit()

    def verify_audit(self) -> None:
        report = verify_audit_log(self.desk, self.actor)
        messages.inform(self, _("Verify audit log"), describe(report), warning=not report.ok)

    def show_about(self) -> None:
        messages.inform(self, _("About clinic_desk"), _(
            "clinic_desk {version}: registration, queue, calendar, cash desk and day closing "
            "for small dental and eye clinics.").format(version=__version__))
