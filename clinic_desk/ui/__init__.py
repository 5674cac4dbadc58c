"""The Qt screens: the only package that imports PySide6."""
