"""Capital numerals (大写金额) against the cases finance staff check by hand."""

from __future__ import annotations

import pytest

from clinic_desk.printing.capital_numerals import MAX_MINOR_UNITS, to_capital_numerals

CASES = [  # fen, simplified, traditional
    (0, "人民币零元整", "人民幣零元整"),
    (5, "人民币伍分", "人民幣伍分"),
    (50, "人民币伍角整", "人民幣伍角整"),
    (55, "人民币伍角伍分", "人民幣伍角伍分"),
    (100, "人民币壹元整", "人民幣壹元整"),
    (1000, "人民币壹拾元整", "人民幣壹拾元整"),
    (1050, "人民币壹拾元伍角整", "人民幣壹拾元伍角整"),
    (1005, "人民币壹拾元零伍分", "人民幣壹拾元零伍分"),
    (1500, "人民币壹拾伍元整", "人民幣壹拾伍元整"),
    (10007, "人民币壹佰元零柒分", "人民幣壹佰元零柒分"),
    (12345, "人民币壹佰贰拾叁元肆角伍分", "人民幣壹佰貳拾參元肆角伍分"),
    (100100, "人民币壹仟零壹元整", "人民幣壹仟零壹元整"),
    (101000, "人民币壹仟零壹拾元整", "人民幣壹仟零壹拾元整"),
    (168032, "人民币壹仟陆佰捌拾元叁角贰分", "人民幣壹仟陸佰捌拾元參角貳分"),
    (1000000, "人民币壹万元整", "人民幣壹萬元整"),
    (1000050, "人民币壹万元零伍角整", "人民幣壹萬元零伍角整"),
    (1001000, "人民币壹万零壹拾元整", "人民幣壹萬零壹拾元整"),
    (10000000, "人民币壹拾万元整", "人民幣壹拾萬元整"),
    (10700053, "人民币壹拾万柒仟元伍角叁分", "人民幣壹拾萬柒仟元伍角參分"),
    (1000100000, "人民币壹仟万壹仟元整", "人民幣壹仟萬壹仟元整"),
    (10000000010, "人民币壹亿元零壹角整", "人民幣壹億元零壹角整"),
    (10000100000, "人民币壹亿零壹仟元整", "人民幣壹億零壹仟元整"),
    (10000000001, "人民币壹亿元零壹分", "人民幣壹億元零壹分"),
    (99999999999, "人民币玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
     "人民幣玖億玖仟玖佰玖拾玖萬玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("fen", "simplified", "traditional"), CASES,
                         ids=[str(case[0]) for case in CASES])
def test_capital_numerals_table(fen: int, simplified: str, traditional: str) -> None:
    assert to_capital_numerals(fen) == simplified
    assert to_capital_numerals(fen, traditional=True) == traditional


def test_every_amount_ends_in_fen_or_whole() -> None:
    for fen in range(0, 1_000_000, 7):
        text = to_capital_numerals(fen)
        assert text.endswith("整") != text.endswith("分"), (fen, text)
        assert "零零" not in text and not text.endswith("零整"), (fen, text)


@pytest.mark.parametrize("fen", [-1, MAX_MINOR_UNITS + 1])
def test_amounts_out_of_range_are_refused(fen: int) -> None:
    with pytest.raises(ValueError):
        to_capital_numerals(fen)
