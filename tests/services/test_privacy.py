"""Names on the waiting-room screen: partly hidden, as initials, or as the day's number."""

from __future__ import annotations

import pytest

from clinic_desk.services.privacy import DisplayName, initials, mask_name, public_name


@pytest.mark.parametrize(("name", "shown"), [
    ("张三明", "张*明"),
    ("欧阳明华", "欧阳*华"),   # compound surname kept whole
    ("司马相如", "司马*如"),
    ("张伟", "张*"),           # a one-character given name is hidden entirely
    ("欧阳华", "欧阳*"),
    ("张", "张"),              # a single character: only a surname to show
    ("欧阳", "欧*"),           # not a compound surname without a given name
    ("李小龙飞", "李*飞"),
    ("  张三明 ", "张*明"),
])
def test_mask_name_keeps_the_surname_and_the_last_character(name: str, shown: str) -> None:
    assert mask_name(name) == shown


@pytest.mark.parametrize(("name", "shown"), [
    ("张三明", "Z.S.M."),
    ("欧阳明华", "O.Y.M.H."),
    ("张伟", "Z.W."),
    ("单田芳", "S.T.F."),       # the surname's reading as a name: shan, not dan
    ("Anna Müller", "A.M."),    # a name in Latin letters: one letter per word, not spelled out
    ("李 Anna", "L.A."),
    ("", "?"),
])
def test_initials(name: str, shown: str) -> None:
    assert initials(name) == shown


@pytest.mark.parametrize(("mode", "shown"), [
    (DisplayName.MASKED, "欧阳*华"),
    (DisplayName.INITIALS, "O.Y.M.H."),
    (DisplayName.NUMBER, "007"),
    ("number", "007"),  # as stored in the settings
])
def test_public_name_follows_the_display_mode(mode: DisplayName, shown: str) -> None:
    assert public_name("欧阳明华", mode, 7) == shown


def test_the_number_mode_never_shows_the_name() -> None:
    assert public_name("张三明", DisplayName.NUMBER, 123) == "123"
    assert "张" not in public_name("张三明", DisplayName.NUMBER, 1)
