"""Long work (exports, big documents) off the GUI thread, so the window never freezes.

The work runs on Qt's thread pool and reports `(done, total)` through a progress callback,
which answers False once the user pressed Cancel (the work then stops at its next report,
usually by raising). A progress dialog appears only when the work takes longer than a
moment, so quick work never flickers; the result comes back on the GUI thread.

Work runs on one worker thread, in order (like Anki's task manager): the clinic's SQLite
file takes one writer at a time anyway. Tests set `start_job = run_now` to run the work at
once on the calling thread, without threads (like Picard's test thread pool).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from clinic_desk.i18n import gettext as _

#: Given (done, total); returns False when the user cancelled. total 0: unknown.
Progress = Callable[[int, int], bool]
T = TypeVar("T")

#: Work that ends sooner shows no progress dialog at all.
SHOW_AFTER_MS = 600


class _Signals(QObject):
    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[Progress], Any], signals: _Signals,
                 cancelled: threading.Event) -> None:
        super().__init__()
        self.work, self.signals, self.cancelled = work, signals, cancelled

    def report(self, done: int, total: int) -> bool:
        self.signals.progressed.emit(done, total)
        return not self.cancelled.is_set()

    def run(self) -> None:
        try:
            result = self.work(self.report)
        except Exception as error:  # noqa: BLE001  (handed to the GUI thread, which shows it)
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)


_worker: QThreadPool | None = None


def _start_on_worker(job: QRunnable) -> None:
    global _worker
    if _worker is None:
        _worker = QThreadPool()
        _worker.setMaxThreadCount(1)
    _worker.start(job)


def run_now(job: QRunnable) -> None:
    """Run the job on the calling thread: its result arrives before `BackgroundTask()` returns."""
    job.run()


#: How a job starts: on the worker thread, or `run_now` in tests.
start_job: Callable[[QRunnable], None] = _start_on_worker


class BackgroundTask(QObject, Generic[T]):
    """One piece of work under way; `on_done` gets its result, `on_failed` its exception.
    Neither is called once the user cancelled."""

    def __init__(self, parent: QWidget, label: str, work: Callable[[Progress], T],
                 on_done: Callable[[T], None],
                 on_failed: Callable[[Exception], None]) -> None:
        super().__init__(parent)
        self.on_done, self.on_failed = on_done, on_failed
        self.cancelled = threading.Event()
        self.running = True
        self.dialog = QProgressDialog(label, _("Cancel"), 0, 0, parent)
        self.dialog.setObjectName("progress")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setValue(0)  # starts that clock now (without it Qt waits its default 4 s)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self.signals = _Signals(self)
        self.signals.progressed.connect(self._progressed)
        self.signals.finished.connect(self._finished)
        self.signals.failed.connect(self._failed)
        start_job(_Job(work, self.signals, self.cancelled))

    def cancel(self) -> None:
        self.cancelled.set()
        self._end()

    def _progressed(self, done: int, total: int) -> None:
        if self.running and total:
            self.dialog.setMaximum(total)
            self.dialog.setValue(done)

    def _end(self) -> None:
        self.running = False
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.dialog.deleteLater()

    def _finished(self, result: T) -> None:
        if self.cancelled.is_set():
            return
        self._end()
        self.on_done(result)

    def _failed(self, error: Exception) -> None:
        if self.cancelled.is_set():
            return
        self._end()
        self.on_failed(error)

