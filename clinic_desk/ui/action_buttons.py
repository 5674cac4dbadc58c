"""A workspace's button and the keyboard shortcut that does the same, so every action works
without the mouse and shows its shortcut in the tooltip and the workspace's menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget


def action_button(owner: QWidget, text: str, shortcut: str,
                  slot: Callable[[], object]) -> tuple[QAction, QPushButton]:
    """The shortcut works while the focus is anywhere inside `owner` (not in another
    workspace that uses the same key)."""
    action = QAction(text, owner)
    action.setShortcut(QKeySequence(shortcut))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(slot)
    owner.addAction(action)
    button = QPushButton(text)
    button.setToolTip(f"{text} — "
                      f"{action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}")
    button.clicked.connect(action.trigger)
    return action, button
