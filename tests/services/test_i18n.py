"""Languages: catalogs, the chosen language, per-thread overrides, locale formats of dates."""

from __future__ import annotations

import gettext
import threading
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from clinic_desk import i18n
from clinic_desk.i18n import (DEFAULT_LANGUAGE, current_language, format_date, format_datetime,
                              set_language, translations_for, use_language, weekday_name)
from clinic_desk.paths import translations_dir

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOMENT = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


@pytest.fixture(autouse=True)
def restore_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_current_language", i18n._current_language)


def catalog_path(language: str):  # type: ignore[no-untyped-def]
    return translations_dir() / language / "LC_MESSAGES" / "clinic_desk.po"


def test_the_simplified_chinese_catalog_loads() -> None:
    translations = translations_for("zh_CN")
    path = catalog_path("zh_CN")
    if not path.exists():
        # No catalog shipped: the program must still run, in its source language.
        assert type(translations) is gettext.NullTranslations
        assert translations.gettext("Settings") == "Settings"
        return
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    messages = [m for m in catalog if m.id and isinstance(m.id, str) and m.string
                and not m.fuzzy]
    assert len(messages) > 20
    assert isinstance(translations, gettext.GNUTranslations)
    for message in messages:
        assert translations.gettext(message.id) == message.string


def test_gettext_follows_the_current_language() -> None:
    set_language("en")
    assert i18n.gettext("Settings") == "Settings"
    if catalog_path("zh_CN").exists():
        set_language("zh_CN")
        assert i18n.gettext("Settings") != "Settings"


@pytest.mark.parametrize(("asked", "chosen"), [
    ("en", "en"), ("zh_TW", "zh_TW"), ("zh_HK", "zh_HK"), ("fr", DEFAULT_LANGUAGE),
    ("", DEFAULT_LANGUAGE), ("zh", DEFAULT_LANGUAGE),
])
def test_set_language_falls_back_to_the_default_for_unknown_codes(asked: str, chosen: str) -> None:
    set_language("en" if chosen != "en" else "zh_TW")
    set_language(asked)
    assert current_language() == chosen


def test_use_language_is_per_thread_and_restores() -> None:
    set_language("zh_CN")
    seen_elsewhere: list[str] = []
    with use_language("en"):
        assert current_language() == "en"
        worker = threading.Thread(target=lambda: seen_elsewhere.append(current_language()))
        worker.start()
        worker.join()
        with use_language("zh_TW"):
            assert current_language() == "zh_TW"
        assert current_language() == "en"
    assert seen_elsewhere == ["zh_CN"]
    assert current_language() == "zh_CN"


def test_use_language_restores_after_an_error() -> None:
    set_language("zh_CN")
    with pytest.raises(RuntimeError), use_language("en"):
        raise RuntimeError
    assert current_language() == "zh_CN"


def test_dates_are_written_the_way_each_language_writes_them() -> None:
    day = date(2026, 3, 2)
    assert format_date(day, language="zh_CN") == "2026年3月2日"
    assert format_date(day, language="en") == "Mar 2, 2026"
    assert format_date(day, format="long", language="zh_TW") == "2026年3月2日"
    assert weekday_name(day.weekday(), language="zh_CN") == "星期一"
    assert weekday_name(day.weekday(), language="en") == "Monday"


def test_datetimes_are_shown_in_the_clinics_time_zone_and_language() -> None:
    chinese = format_datetime(MOMENT, tz=SHANGHAI, language="zh_CN")
    english = format_datetime(MOMENT, tz=SHANGHAI, language="en")
    assert chinese.startswith("2026年3月2日") and "10:00" in chinese
    assert english.startswith("Mar 2, 2026") and "10:00" in english and "AM" in english
    assert "\u202f" not in english


def test_formats_use_the_current_language_by_default() -> None:
    with use_language("en"):
        assert format_date(date(2026, 3, 2)) == "Mar 2, 2026"
    with use_language("zh_CN"):
        assert format_date(date(2026, 3, 2)) == "2026年3月2日"
