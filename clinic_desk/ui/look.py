"""Fonts, Qt's own translations and the shared style, chosen per language.

Qt's fallback font depends on the process locale, so the UI font is named explicitly:
the CJK font shipped in `resources/fonts` is always loaded, and the system's own Chinese
fonts are preferred where the operating system has them (Windows).
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from clinic_desk.paths import cjk_font_path

SHIPPED_FAMILY = "WenQuanYi Micro Hei"
PREFERRED_FAMILIES: dict[str, tuple[str, ...]] = {
    "zh_CN": ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC"),
    "zh_TW": ("Microsoft JhengHei UI", "Microsoft JhengHei", "PingFang TC", "Noto Sans CJK TC"),
    "en": ("Segoe UI", "Helvetica Neue", "DejaVu Sans"),
}

STYLE_SHEET = """
QLabel[role="field-error"] { color: #c62828; }
QLineEdit[invalid="true"], QComboBox[invalid="true"], QSpinBox[invalid="true"],
QTableWidget[invalid="true"], QListWidget[invalid="true"] { border: 1px solid #c62828; }
QLabel[role="title"] { font-size: 16pt; font-weight: 600; }
QLabel[role="hint"] { color: #555; }
"""

_translators: list[QTranslator] = []


def load_shipped_font() -> None:
    if SHIPPED_FAMILY not in QFontDatabase.families():
        QFontDatabase.addApplicationFont(str(cjk_font_path()))


def ui_font_family(language: str, available: list[str]) -> str:
    """The first preferred family the system has; the shipped font covers the rest."""
    for family in PREFERRED_FAMILIES.get(language, ()):
        if family in available:
            return family
    return SHIPPED_FAMILY


def apply_language(app: QApplication, language: str) -> None:
    """Font, Qt's own button texts (OK, Cancel ...) and locale for `language`."""
    load_shipped_font()
    font = QFont(ui_font_family(language, QFontDatabase.families()))
    font.setPointSize(10)
    app.setFont(font)
    for translator in _translators:
        app.removeTranslator(translator)
    _translators.clear()
    if language != "en":
        translator = QTranslator(app)
        path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{language}", path):
            app.installTranslator(translator)
            _translators.append(translator)
    QLocale.setDefault(QLocale(language))
    app.setStyleSheet(STYLE_SHEET)


def language_from_system() -> str:
    """A first guess before the clinic has chosen: the system's Chinese variant, or English."""
    name = QLocale.system().name()
    if name.startswith(("zh_TW", "zh_HK", "zh_MO")):
        return "zh_TW"
    if name.startswith("zh") or not name.startswith("en"):
        return "zh_CN"
    return "en"
