"""A bare PySide6 window, frozen with the program's own spec (`-- --bare-qt`): the floor that
bench/startup.py measures the program's start against. Like the program with
`--exit-when-ready`, it quits as soon as its window has been drawn."""

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel


class QuitWhenDrawn(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, QApplication.quit)
        return False


if __name__ == "__main__":
    app = QApplication(sys.argv)
    window = QLabel("clinic_desk")
    window.installEventFilter(QuitWhenDrawn(window))
    window.resize(400, 200)
    window.show()
    sys.exit(app.exec())
