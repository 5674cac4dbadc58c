"""Background tasks: results and errors come back on the GUI thread, jobs run one at a time in
order on the worker thread, and tests can run them at once without threads."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QWidget

from clinic_desk.ui import background
from clinic_desk.ui.background import BackgroundTask, Progress


def test_without_threads_the_result_arrives_before_the_task_returns(
        qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "start_job", background.run_now)
    parent = QWidget()
    qtbot.addWidget(parent)
    results: list[object] = []
    reports: list[bool] = []

    def work(progress: Progress) -> str:
        reports.extend(progress(step, 3) for step in range(1, 4))
        return threading.current_thread().name

    task = BackgroundTask(parent, "Working…", work, results.append, results.append)

    assert results == [threading.main_thread().name] and reports == [True, True, True]
    assert not task.dialog.isVisible() and not task.running

    BackgroundTask(parent, "Failing…", lambda _progress: 1 / 0, results.append, results.append)
    assert isinstance(results[-1], ZeroDivisionError)


def test_jobs_run_in_order_on_one_worker_thread_and_report_back_on_the_gui_thread(
        qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    ran: list[tuple[int, str]] = []
    delivered: list[tuple[int, str]] = []

    def work(number: int):  # type: ignore[no-untyped-def]
        def run(_progress: Progress) -> int:
            ran.append((number, threading.current_thread().name))
            return number
        return run

    for number in range(3):
        BackgroundTask(parent, "Working…", work(number),
                       lambda n: delivered.append((n, threading.current_thread().name)),
                       lambda error: delivered.append((-1, repr(error))))
    qtbot.waitUntil(lambda: len(delivered) == 3, timeout=5000)

    assert [n for n, _thread in ran] == [0, 1, 2]
    assert len({thread for _n, thread in ran}) == 1
    assert ran[0][1] != threading.main_thread().name
    assert delivered == [(n, threading.main_thread().name) for n in range(3)]
