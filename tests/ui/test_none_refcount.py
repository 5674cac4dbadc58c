"""PySide6 6.12 drops a reference to None on every call of a method that returns nothing,
and one to True on every signal emitted (on Python before 3.12): `keep_none_alive` pads
their counts so the program never dies of it. When PySide6 fixes this, the first test
fails and the guard can go."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from clinic_desk.ui.none_refcount import PAD, SINGLETONS, keep_none_alive

CALLS = 5_000

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12),
                                reason="None, True and False are immortal from Python 3.12 on")


class Emitter(QObject):
    happened = Signal()


def test_pyside_still_drops_references_to_none_and_true(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    emitter = Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(CALLS):
        label.setText("x")
        emitter.happened.emit()
    assert none_before - sys.getrefcount(None) >= CALLS * 0.9
    assert true_before - sys.getrefcount(True) >= CALLS * 0.9


def test_the_counts_cannot_be_used_up_and_are_padded_once(qtbot):
    keep_none_alive()
    padded = [sys.getrefcount(s) for s in SINGLETONS]
    assert all(count > PAD // 2 for count in padded)
    keep_none_alive()
    assert all(sys.getrefcount(s) < count + 1_000 for s, count in zip(SINGLETONS, padded))
