"""Keeping Python's None alive under PySide6 6.12 on CPython 3.11.

PySide6 6.12's wheels (abi3, for Python 3.10 and later) drop one reference to None each time
Python calls a wrapped C++ method that returns nothing (`label.setText`, `painter.fillRect`,
`widget.update` ...), as if None were immortal, which it is only from Python 3.12 on
(PEP 683). A program starts with about 50,000 references to None; a painted widget such as
the calendar grid makes a few thousand such calls per frame, so after some scrolling or
dragging the process dies with "Fatal Python error: none_dealloc: deallocating None".

Giving None a reference count that no session can use up does by hand what Python 3.12
does itself. Increments and decrements stay balanced around it, so it never overflows.
"""

from __future__ import annotations

import ctypes
import sys

#: Far more decrements than a program makes in its lifetime, far from Py_ssize_t's limit.
PAD = 1 << 60


def keep_none_alive() -> None:
    """Pad None's reference count once per process (nothing to do where None is immortal)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    count = ctypes.c_ssize_t.from_address(id(None))
    if count.value < PAD // 2:
        count.value += PAD
