"""The Qt screens: the only package that imports PySide6."""

from clinic_desk.ui.none_refcount import keep_none_alive

# Before any screen makes its first Qt call (see none_refcount): every way into the screens,
# the program, the tests and the print bridge, goes through this package.
keep_none_alive()
