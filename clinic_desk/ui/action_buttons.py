"""A workspace's button and the keyboard shortcut that does the same, so every action works
without the mouse and shows its shortcut in the tooltip and the workspace's menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget


def shortcut_action(owner: QWidget, text: str, shortcut: str,
                    slot: Callable[[], object]) -> QAction:
    """The shortcut works while the focus is anywhere inside `owner` (not in another
    workspace that uses the same key)."""
    action = QAction(text, owner)
    action.setShortcut(QKeySequence(shortcut))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action


def shortcut_text(action: QAction) -> str:
    """The action's shortcut as this platform writes it (Ctrl+P, ⌘P)."""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def action_button(owner: QWidget, text: str, shortcut: str,
                  slot: Callable[[], object]) -> tuple[QAction, QPushButton]:
    action = shortcut_action(owner, text, shortcut, slot)
    button = QPushButton(text)
    button.setToolTip(f"{text} — {shortcut_text(action)}")
    button.clicked.connect(action.trigger)
    return action, button


class ActionButtons(QObject):
    """A workspace's buttons in the order they are made; their actions are the workspace's
    menu in the main window. A child of the workspace that holds no reference back to it, so
    the workspace is freed as soon as it is closed, not at some later garbage collection."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self._actions: list[QAction] = []

    def button(self, text: str, shortcut: str, slot: Callable[[], object]) -> QPushButton:
        action, button = action_button(cast(QWidget, self.parent()), text, shortcut, slot)
        self._actions.append(action)
        return button

    def actions(self) -> list[QAction]:
        return list(self._actions)
