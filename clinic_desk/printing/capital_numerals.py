"""Amounts in Chinese capital numerals (大写金额), as finance slips write them.

Capital digits cannot be turned into other digits with a stroke, which is why refund slips
carry them next to the figures. Rules (the 《支付结算办法》 appendix, as cashiers learn them):

- every run of skipped places inside the number is written as one 零 (壹仟零壹元);
- zeros at the end of a four-digit section are not written (壹拾元, 壹仟万壹仟元), but a whole
  empty section between written ones is one 零 (壹亿零壹仟元), and the same holds for 角 after
  an empty 元 section (壹亿元零壹角整) while 壹拾元伍角整 needs none;
- 角 zero before a non-zero 分 is 零 (壹佰元零柒分); an amount without 分 ends in 整;
- 拾 at the front keeps its 壹 (壹拾元整), because a bare 拾 is easy to alter.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class _Script:
    prefix: str
    digits: str  # 零 to 玖
    places: tuple[str, str, str, str]  # inside a section: units, 拾, 佰, 仟
    sections: tuple[str, str, str]  # units, 万, 亿
    yuan: str = "元"
    jiao: str = "角"
    fen: str = "分"
    whole: str = "整"


SIMPLIFIED = _Script("人民币", "零壹贰叁肆伍陆柒捌玖", ("", "拾", "佰", "仟"), ("", "万", "亿"))
TRADITIONAL = _Script("人民幣", "零壹貳參肆伍陸柒捌玖", ("", "拾", "佰", "仟"), ("", "萬", "億"))

_SECTION = 10_000
#: 9,999,9999,9999 yuan: beyond that the unit would be 万亿, far above any clinic's amounts.
MAX_MINOR_UNITS = _SECTION ** 3 * 100 - 1


def to_capital_numerals(minor_units: int, traditional: bool = False) -> str:
    """CNY fen as capital numerals: 12345 → 人民币壹佰贰拾叁元肆角伍分."""
    if minor_units < 0 or minor_units > MAX_MINOR_UNITS:
        raise ValueError(f"capital numerals need 0 to {MAX_MINOR_UNITS} fen, got {minor_units}")
    script = TRADITIONAL if traditional else SIMPLIFIED
    yuan, cents = divmod(minor_units, 100)
    jiao, fen = divmod(cents, 10)
    if minor_units == 0:
        return f"{script.prefix}{script.digits[0]}{script.yuan}{script.whole}"
    words, zero_pending = _yuan_words(yuan, script)
    if yuan:
        words += script.yuan
    if jiao:
        words += (script.digits[0] if zero_pending else "") + script.digits[jiao] + script.jiao
    elif fen and yuan:
        zero_pending = True
    if fen:
        words += (script.digits[0] if zero_pending else "") + script.digits[fen] + script.fen
    else:
        words += script.whole
    return script.prefix + words


def _yuan_words(yuan: int, script: _Script) -> tuple[str, bool]:
    """The yuan part, and whether a 零 is owed to whatever follows (an empty 元 section)."""
    out: list[str] = []
    zero_pending = False
    for section_index in reversed(range(len(script.sections))):
        section = yuan // _SECTION ** section_index % _SECTION
        if section == 0:
            zero_pending = bool(out)
            continue
        for place in reversed(range(4)):
            digit = section // 10 ** place % 10
            if digit == 0:
                zero_pending = bool(out)
                continue
            if zero_pending:
                out.append(script.digits[0])
                zero_pending = False
            out.append(script.digits[digit] + script.places[place])
        # Zeros closing a written section are not spoken: 壹仟万壹仟, 壹拾元伍角.
        zero_pending = False
        out.append(script.sections[section_index])
    return "".join(out), zero_pending
