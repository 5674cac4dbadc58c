"""How a patient's name appears where others can read it (the waiting-room screen)."""

from __future__ import annotations

import enum
import re

from clinic_desk.services.search_terms import pinyin_forms

#: Two-character surnames, so 欧阳明华 shows as 欧阳*华 rather than 欧*华.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "尉迟",
    "长孙", "宇文", "公孙", "轩辕", "端木", "独孤", "南宫", "西门", "澹台", "歐陽", "諸葛",
    "司馬", "東方", "長孫", "軒轅", "獨孤", "南宮",
})


class DisplayName(enum.StrEnum):
    MASKED = "masked"      # 张*明
    INITIALS = "initials"  # Z.S.M.
    NUMBER = "number"      # the day's queue number


def mask_name(name: str) -> str:
    """Keep the surname and the last character, hide the rest: 张*明, 欧阳*华, 王*."""
    name = name.strip()
    surname_length = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    surname, given = name[:surname_length], name[surname_length:]
    if not given:
        return surname
    if len(given) == 1:
        return f"{surname}*"
    return f"{surname}*{given[-1]}"


#: A run of Chinese characters, or a word in any other letters.
_NAME_PARTS = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)|[^\W_\u3400-\u9fff\uf900-\ufaff]+")


def initials(name: str) -> str:
    """Z.S.M. for 张三明: a pinyin initial per Chinese character, and one letter per word
    of a name in other letters (A.M. for Anna Müller, never the name spelled out)."""
    letters: list[str] = []
    for match in _NAME_PARTS.finditer(name):
        if match.group(1):
            forms, _fulls = pinyin_forms(match.group(1))
            letters.extend(forms[0] if forms else "")
        else:
            letters.append(match.group(0)[0])
    return ".".join(letters).upper() + "." if letters else "?"


def public_name(name: str, mode: DisplayName, number: int) -> str:
    if mode == DisplayName.INITIALS:
        return initials(name)
    if mode == DisplayName.NUMBER:
        return f"{number:03d}"
    return mask_name(name)
