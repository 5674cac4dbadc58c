"""The forms a patient is found by at the desk.

- pinyin, read one character at a time (a phrase dictionary would pick the word reading:
  解放 jiefang, never the surname xie): the surname by its common reading and, for the
  surnames read differently from the character (单 shan, 曾 zeng), by every reading people
  use for it; each other character by its common reading. As initials ("zs") and
  in full ("zhangsan"); typing a prefix ("zhang") finds the full form;
- every tail of the name ("张三丰", "三丰", "丰"), so any part of the name is a prefix;
- the phone's national number, so its first digits find it (its last 4 have a column).
"""

from __future__ import annotations

from itertools import islice, product

import phonenumbers
from pypinyin import Style, pinyin

MAX_FORMS = 16
GIVEN_NAME_READINGS = 1
MAX_TERM = 60

#: Surnames whose reading as a name differs from the character's common reading; people
#: say either, so both find the patient. Other surnames are read the common way only (石
#: is never looked up as "dan").
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan", "dan"), "曾": ("zeng", "ceng"), "解": ("xie", "jie"), "区": ("ou", "qu"),
    "仇": ("qiu", "chou"), "朴": ("piao", "pu"), "查": ("zha", "cha"), "盖": ("ge", "gai"),
    "乐": ("yue", "le"), "尉": ("yu", "wei"), "缪": ("miao", "mou"), "覃": ("qin", "tan"),
    "翟": ("zhai", "di"), "召": ("shao", "zhao"), "谌": ("chen", "shen"), "种": ("chong", "zhong"),
    "繁": ("po", "fan"), "员": ("yun", "yuan"), "宓": ("mi", "fu"), "冼": ("xian",),
    "洗": ("xian", "xi"), "句": ("gou", "ju"), "秘": ("bi", "mi"), "郇": ("huan", "xun"),
    "阚": ("kan",), "隗": ("wei", "kui"), "粘": ("nian", "zhan"), "厍": ("she",),
    "长": ("chang", "zhang"), "重": ("chong", "zhong"), "燕": ("yan",), "任": ("ren",),
}


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
        if not readings:
            cleaned = list(SURNAME_READINGS.get(char, ())) or cleaned[:1]
        readings.append(cleaned[:GIVEN_NAME_READINGS] if readings else cleaned)
    return readings


def pinyin_forms(name: str) -> tuple[list[str], list[str]]:
    """(initials forms, full forms) of `name`, most likely reading first."""
    readings = _readings(name.strip())
    initials: list[str] = []
    fulls: list[str] = []
    if not readings:
        return initials, fulls
    for combination in islice(product(*readings), MAX_FORMS):
        full = "".join(combination)
        initial = "".join(part[0] for part in combination)
        if full not in fulls:
            fulls.append(full)
        if initial not in initials:
            initials.append(initial)
    return initials, fulls


PHONE_PUNCTUATION = frozenset("+-()（）")


def normalise_query(text: str) -> str:
    """What the desk typed, in the form the terms are stored in; a phone number typed as
    +852 9123-4567 or (021) 6438 8888 becomes its digits."""
    compact = "".join(text.split()).lower()
    digits = "".join(ch for ch in compact if ch not in PHONE_PUNCTUATION)
    if digits.isdigit() and len(digits) < len(compact):
        return digits
    return compact


def name_terms(name: str) -> set[str]:
    compact = normalise_query(name)
    initials, fulls = pinyin_forms(name)
    tails = {compact[i:] for i in range(len(compact))}
    return {term[:MAX_TERM] for term in (*initials, *fulls, *tails) if term}


def phone_terms(e164: str) -> set[str]:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return set()
    national = str(number.national_number)
    return {national, f"{number.country_code}{national}"}


def patient_terms(name: str, phone: str) -> set[str]:
    return name_terms(name) | phone_terms(phone)
