"""Every shipped language translates every message, keeping its placeholders."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from clinic_desk.i18n import translations_for
from clinic_desk.paths import translations_dir

PLACEHOLDER = re.compile(r"\{[^}]*\}")
TRANSLATED_LANGUAGES = ("zh_CN", "zh_TW")


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (translations_dir() / language / "LC_MESSAGES" / "clinic_desk.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _template_ids() -> set[str]:
    with (translations_dir() / "clinic_desk.pot").open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_plural_messages_are_checked_too():
    """An untranslated plural is a tuple of empty strings, which is truthy: count forms."""
    plural = [m for m in _catalog("zh_CN") if m.pluralizable]
    assert plural and all(all(m.string) for m in plural)


def test_the_template_is_up_to_date_with_the_code(tmp_path):
    """A string marked in the code but missing from the catalogs would show in English."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_", "-k", "N_", "-k", "ngettext:1,2", "-k", "pgettext:1c,2",
                    "-o", str(fresh), "clinic_desk"], check=True, cwd=translations_dir().parent,
                   capture_output=True)
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    assert extracted == _template_ids(), "run scripts/update-translations.sh"


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language):
    catalog = _catalog(language)
    ids = {m.id for m in catalog if m.id}
    assert ids >= _template_ids()
    for message in catalog:
        if not message.id:
            continue
        source = message.id[0] if message.pluralizable else message.id
        forms = message.string if message.pluralizable else (message.string,)
        assert forms and all(forms), f"{language}: untranslated {source!r}"
        assert not message.fuzzy, f"{language}: fuzzy {source!r}"
        # A plural form may follow the singular ("printed once") or the plural ("{count} times")
        sources = message.id if message.pluralizable else (message.id,)
        allowed = [set(PLACEHOLDER.findall(text)) for text in sources]
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) in allowed, \
                f"{language}: placeholders differ in {source!r}"


def test_languages_load_and_traditional_differs_from_simplified():
    assert translations_for("zh_CN").gettext("Settings") == "设置"
    assert translations_for("zh_TW").gettext("Settings") == "設定"
    assert translations_for("zh_HK").gettext("Settings") == "設定"  # falls back to zh_TW
    assert translations_for("en").gettext("Settings") == "Settings"
