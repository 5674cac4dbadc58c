"""Backups on screen: Back up now (with progress and Cancel on the worker thread), the restore
dialog, the Tools menu, and the offer to restore when the clinic's file is damaged at start."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRunnable
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton

from clinic_desk.services.backup import backup_now, integrity_problem, read_contents
from clinic_desk.ui import background, messages
from clinic_desk.ui.backups.back_up_now import BackUpNowDialog
from clinic_desk.ui.backups.recovery import check_at_start
from clinic_desk.ui.backups.restore_dialog import RestoreDialog
from clinic_desk.ui.main_window import MainWindow
from tests.clinics import Clinic
from tests.damaged_files import break_an_index, overwrite_header
from tests.services.helpers import Patients, audit_actions, dump
from tests.ui.modal import when_shown
from tests.ui.typing import type_text


@pytest.fixture
def answers() -> Iterator[tuple[list[str], list[str]]]:
    """(confirmations asked, notices shown); every confirmation is answered yes."""
    asked: list[str] = []
    told: list[str] = []
    messages.confirm_hook = lambda _title, text: asked.append(text) or True
    messages.notice_hook = lambda _title, text: told.append(text)
    yield asked, told
    messages.confirm_hook = None
    messages.notice_hook = None


@pytest.fixture
def no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "start_job", background.run_now)


class Gate(QRunnable):
    """Holds the worker thread until released, like a long export ahead in the queue."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def run(self) -> None:
        self.release.wait(10)


class Marker(QRunnable):
    """Runs after everything queued before it on the worker thread."""

    def __init__(self) -> None:
        super().__init__()
        self.reached = threading.Event()

    def run(self) -> None:
        self.reached.set()


def back_up_now(qtbot, clinic: Clinic, folder: str) -> BackUpNowDialog:  # type: ignore[no-untyped-def]
    dialog = BackUpNowDialog(clinic.desk, clinic.manager)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.folder, folder)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog


# --- Back up now -----------------------------------------------------------------------------

def test_back_up_now_copies_the_clinic_to_the_chosen_folder(qtbot, clinic: Clinic, tmp_path: Path,
                                                            answers, no_threads) -> None:
    _asked, told = answers
    stick = tmp_path / "stick"
    stick.mkdir()
    before = dump(clinic.desk)

    dialog = back_up_now(qtbot, clinic, str(stick))

    copy = stick / "clinic-2026-03-02-100000.sqlite3"
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.copy == copy
    assert told == [f"The clinic's data was copied to {copy}."]
    assert dump(copy) == before
    assert audit_actions(clinic.desk)[-1] == "backup_copied"


def test_back_up_now_shows_a_wrong_folder_at_its_field(qtbot, clinic: Clinic, tmp_path: Path,
                                                       answers, no_threads) -> None:
    before = dump(clinic.desk)

    dialog = back_up_now(qtbot, clinic, str(tmp_path / "unplugged"))

    assert dialog.errors.message_for("folder") == "This folder does not exist."
    assert dialog.isVisible() and dialog.copy is None
    assert dump(clinic.desk) == before
    assert not (tmp_path / "unplugged").exists()


def test_back_up_now_shows_progress_when_it_waits_and_can_be_cancelled(
        qtbot, clinic: Clinic, tmp_path: Path, answers) -> None:
    """On the real worker thread: a long job ahead keeps the copy waiting, so its progress
    dialog appears (after the delay); Cancel leaves nothing behind, and a second try works."""
    _asked, told = answers
    stick = tmp_path / "stick"
    stick.mkdir()
    gate = Gate()
    background.start_job(gate)

    dialog = back_up_now(qtbot, clinic, str(stick))

    progress = dialog.task.dialog
    assert not progress.isVisible()  # quick work never flickers
    assert not dialog.buttons.isEnabled()
    qtbot.waitUntil(progress.isVisible, timeout=3000)
    assert progress.labelText() == f"Backing up to {stick}…"
    progress.findChild(QPushButton).click()
    assert dialog.buttons.isEnabled() and dialog.isVisible()
    marker = Marker()
    background.start_job(marker)
    gate.release.set()
    qtbot.waitUntil(marker.reached.is_set, timeout=5000)
    qtbot.wait(20)
    assert list(stick.iterdir()) == [] and told == []
    assert "backup_copied" not in audit_actions(clinic.desk)

    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert [p.name for p in stick.iterdir()] == ["clinic-2026-03-02-100000.sqlite3"]
    assert told == [f"The clinic's data was copied to {stick / 'clinic-2026-03-02-100000.sqlite3'}."]


# --- Restore -----------------------------------------------------------------------------------

def test_the_restore_dialog_shows_each_backup_and_puts_the_chosen_one_back(
        qtbot, clinic: Clinic, answers, no_threads) -> None:
    asked, told = answers
    patients = Patients(clinic)
    patients.add("王芳")
    daily = backup_now(clinic.desk)
    clinic.clock.advance(hours=2)
    patients.add("李四")

    dialog = RestoreDialog(clinic.desk, clinic.manager)
    qtbot.addWidget(dialog)
    dialog.show()

    table = dialog.table
    assert dialog.model.rowCount() == 2
    assert [dialog.model.index(r, 1).data() for r in range(2)] == ["Daily", "Monthly"]
    assert table.selectionModel().selectedRows()[0].row() == 0
    assert "Patients: 1 · Visits: 0 · Payments: 0" in dialog.details.text()
    assert dialog.details.text().startswith("Made Mar 2, 2026, 10:00:00")

    dialog.restore_button.click()

    assert len(asked) == 1 and "Patients: 1 · Visits: 0 · Payments: 0" in asked[0]
    assert dialog.restored and dialog.result() == QDialog.DialogCode.Accepted
    (notice,) = told
    assert notice.startswith("The backup is back in place. The data as it was before is kept in ")
    assert "clinic-before-restore-20260302-040000.sqlite3" in notice
    assert read_contents(clinic.path).patients == 1
    assert daily is not None and audit_actions(clinic.desk)[-1] == "backup_restored"


def test_a_damaged_file_from_elsewhere_cannot_be_restored(qtbot, clinic: Clinic, tmp_path: Path,
                                                         answers, no_threads) -> None:
    daily = backup_now(clinic.desk)
    assert daily is not None
    elsewhere = tmp_path / "stick-copy.sqlite3"
    elsewhere.write_bytes(daily.read_bytes())
    overwrite_header(elsewhere)
    dialog = RestoreDialog(clinic.desk, clinic.manager)
    qtbot.addWidget(dialog)

    dialog.add_file(elsewhere)

    assert dialog.model.rowCount() == 3 and dialog.selected().path == elsewhere  # type: ignore[union-attr]
    assert "is damaged or is not a clinic database (file is not a database)" in \
        dialog.details.text()
    assert not dialog.restore_button.isEnabled()


def test_managers_find_backup_and_restore_in_the_tools_menu_and_log_in_again_after_a_restore(
        qtbot, clinic: Clinic, answers, no_threads) -> None:
    backup_now(clinic.desk)
    Patients(clinic).add("王芳")
    window = MainWindow(clinic.desk, clinic.manager)
    qtbot.addWidget(window)
    tools = {a.text(): a for a in window.menuBar().actions()}["&Tools"].menu()
    actions = {a.text(): a for a in tools.actions()}
    assert {"Back up now…", "Restore from a backup…"} <= set(actions)

    when_shown(RestoreDialog, lambda dialog: dialog.restore_button.click())
    with qtbot.waitSignal(window.log_out_requested, timeout=5000):
        actions["Restore from a backup…"].trigger()
    assert read_contents(clinic.path).patients == 0

    receptionist = MainWindow(clinic.desk, clinic.receptionist)
    qtbot.addWidget(receptionist)
    tools = {a.text(): a for a in receptionist.menuBar().actions()}["&Tools"].menu()
    assert not {"Back up now…", "Restore from a backup…"} & {a.text() for a in tools.actions()}


# --- a damaged file at start -------------------------------------------------------------------

def test_a_damaged_file_at_start_is_replaced_by_the_newest_good_backup_when_the_user_agrees(
        clinic: Clinic, answers) -> None:
    asked, told = answers
    Patients(clinic).add("王芳")
    backup_now(clinic.desk)
    clinic.desk.db.dispose()
    break_an_index(clinic.path)

    assert check_at_start(str(clinic.path))

    (question,) = asked
    assert question.startswith(f"The clinic's database {clinic.path} cannot be used: row ")
    assert "missing from index" in question and "Patients: 1 · Visits: 0 · Payments: 0" in question
    assert integrity_problem(clinic.path) is None
    assert read_contents(clinic.path).patients == 1
    (notice,) = told
    assert "the damaged file is kept as" in notice
    (damaged,) = clinic.path.parent.glob("clinic-damaged-*.sqlite3")  # with its -wal and -shm
    assert damaged.name in notice and integrity_problem(damaged) is not None


def test_a_damaged_file_is_left_alone_when_the_user_declines(clinic: Clinic, answers) -> None:
    backup_now(clinic.desk)
    clinic.desk.db.dispose()
    break_an_index(clinic.path)
    damaged = clinic.path.read_bytes()
    messages.confirm_hook = lambda _title, _text: False

    assert not check_at_start(str(clinic.path))

    assert clinic.path.read_bytes() == damaged
    assert not [p for p in clinic.path.parent.iterdir() if "damaged" in p.name]


def test_a_damaged_file_without_a_backup_is_left_alone(clinic: Clinic, answers) -> None:
    asked, told = answers
    clinic.desk.db.dispose()
    overwrite_header(clinic.path)
    damaged = clinic.path.read_bytes()

    assert not check_at_start(str(clinic.path))

    assert asked == []
    (notice,) = told
    assert "file is not a database" in notice and "There is no good backup next to it" in notice
    assert clinic.path.read_bytes() == damaged


def test_a_sound_file_and_a_new_one_start_without_questions(clinic: Clinic, tmp_path: Path,
                                                            answers) -> None:
    asked, told = answers
    assert check_at_start(str(clinic.path))
    assert check_at_start(str(tmp_path / "new" / "clinic.sqlite3"))
    assert asked == [] and told == []
