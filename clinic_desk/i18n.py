"""Translations and locale formats, shared by the screens and the printed documents.

Strings are marked with `_`/`N_`/`ngettext`/`pgettext` and translated when shown, never at
import time. Catalogs are the Babel-managed `.po` files under `translations/`; they are
compiled in memory when a language is chosen, so there is no build step to forget.
"""

from __future__ import annotations

import gettext as _gettext
import io
import threading
from datetime import date, datetime, time, tzinfo
from functools import cache

from babel import Locale, dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from clinic_desk.paths import translations_dir

DOMAIN = "clinic_desk"

#: The languages the program ships, with their names written in themselves.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("zh_CN", "简体中文"),
    ("zh_TW", "繁體中文"),
    ("en", "English"),
)
DEFAULT_LANGUAGE = "zh_CN"

#: Languages without a catalog of their own that read another one (Babel does not do this).
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "zh_HK": ("zh_HK", "zh_TW"),
    "zh_MO": ("zh_MO", "zh_TW"),
    "zh_SG": ("zh_SG", "zh_CN"),
}

_state = threading.local()
_current_language = DEFAULT_LANGUAGE


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


@cache
def translations_for(language: str) -> _gettext.NullTranslations:
    """The compiled catalog for `language` (English, the source language, needs none)."""
    chain = _FALLBACKS.get(language, (language,))
    result: _gettext.NullTranslations | None = None
    for code in reversed(chain):
        po_path = translations_dir() / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=code, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        loaded = _gettext.GNUTranslations(buffer)
        if result is not None:
            loaded.add_fallback(result)
        result = loaded
    return result or _gettext.NullTranslations()


def set_language(language: str) -> None:
    """Choose the language of the screens (printed documents may pick their own)."""
    global _current_language
    if language not in dict(LANGUAGES) and language not in _FALLBACKS:
        language = DEFAULT_LANGUAGE
    _current_language = language


def current_language() -> str:
    override = getattr(_state, "language", None)
    return override or _current_language


class use_language:  # noqa: N801 (used as a function: `with use_language(...)`)
    """Context manager: translate and format in another language on this thread only.

    Printing a receipt in the clinic's receipt language while the screen shows another
    uses this.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self.previous: str | None = None

    def __enter__(self) -> use_language:
        self.previous = getattr(_state, "language", None)
        _state.language = self.language
        return self

    def __exit__(self, *exc: object) -> None:
        _state.language = self.previous


def gettext(message: str) -> str:
    return translations_for(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations_for(current_language()).pgettext(context, message)


_ = gettext


@cache
def _parsed_locale(code: str) -> Locale:
    return Locale.parse(code)


def babel_locale(language: str | None = None) -> Locale:
    """Parsed once per language: every amount and date on screen and paper asks for it."""
    return _parsed_locale(language or current_language())


def _clean(text: str) -> str:
    # Babel's English time formats use U+202F, which the shipped CJK font has no glyph for.
    return text.replace("\u202f", " ")


def format_date(value: date, format: str = "medium", language: str | None = None) -> str:
    return _clean(dates.format_date(value, format=format, locale=babel_locale(language)))


def format_time(value: time | datetime, format: str = "short", tz: tzinfo | None = None,
                language: str | None = None) -> str:
    return _clean(dates.format_time(value, format=format, tzinfo=tz, locale=babel_locale(language)))


def format_datetime(value: datetime, format: str = "medium", tz: tzinfo | None = None,
                    language: str | None = None) -> str:
    return _clean(dates.format_datetime(value, format=format, tzinfo=tz,
                                        locale=babel_locale(language)))


def weekday_name(weekday: int, width: str = "wide", language: str | None = None) -> str:
    """Monday is 0, as in `date.weekday()`."""
    return babel_locale(language).days["format"][width][weekday]
