"""Keeping None (and True and False) alive under PySide6 6.12 on CPython 3.11.

PySide6 6.12's wheels (abi3, for Python 3.10 and later) treat these objects as immortal,
which they are only from Python 3.12 on (PEP 683): each call of a wrapped C++ method that
returns nothing (`label.setText`, `painter.fillRect`, `widget.update` ...) drops a reference
to None, and each `signal.emit(...)` drops one to True. A program starts with some 50,000
references to None and 14,000 to True; the calendar grid makes a few thousand painter calls
per frame, so after some scrolling or dragging the process died with "Fatal Python error:
none_dealloc: deallocating None" (or bool_dealloc, after enough signals).

Giving these objects a reference count no session can use up does by hand what Python 3.12
does itself. Increments and decrements stay balanced around it, so it never overflows.
"""

from __future__ import annotations

import ctypes
import sys

#: Far more decrements than a program makes in its lifetime, far from Py_ssize_t's limit.
PAD = 1 << 60
SINGLETONS = (None, True, False)


def keep_none_alive() -> None:
    """Pad the counts of None, True and False once per process (nothing to do where they
    are immortal)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for singleton in SINGLETONS:
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < PAD // 2:
            count.value += PAD
