"""The pinyin forms a patient's name is found by.

Every reading of the surname counts (单 is shan and dan, 曾 zeng and ceng), and the two
commonest of each other character, read one character at a time (phrase dictionaries
would pick the word reading: 解放 jiefang, never the surname xie); the forms are the
cartesian product of those readings.
Forms are stored space-separated with a leading space (" zs dan"), which makes "starts
with" a plain indexed LIKE ' zs%'.
"""

from __future__ import annotations

from itertools import islice, product

from pypinyin import Style, pinyin

MAX_FORMS = 16


GIVEN_NAME_READINGS = 2


def _readings(name: str) -> list[list[str]]:
    readings: list[list[str]] = []
    for char in name:
        if char.isspace():
            continue
        syllables = pinyin(char, style=Style.NORMAL, heteronym=True, errors="default")[0]
        cleaned = list(dict.fromkeys(s.lower().replace("ü", "v") for s in syllables
                                     if s.strip() and s.isalnum()))
        if not cleaned:
            continue
        readings.append(cleaned if not readings else cleaned[:GIVEN_NAME_READINGS])
    return readings


def search_forms(name: str) -> tuple[str, str]:
    """(initials forms, full forms) for `name`, each " form1 form2 ..." (leading space)."""
    readings = _readings(name.strip())
    if not readings:
        return "", ""
    fulls: list[str] = []
    initials: list[str] = []
    for combination in islice(product(*readings), MAX_FORMS):
        full = "".join(combination)
        initial = "".join(part[0] for part in combination)
        if full not in fulls:
            fulls.append(full)
        if initial not in initials:
            initials.append(initial)
    return " " + " ".join(initials), " " + " ".join(fulls)
