"""Money: typed text to minor units and back, always through Babel."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from clinic_desk.i18n import LANGUAGES
from clinic_desk.money import (AmountError, format_money, format_plain, minor_digits,
                               parse_amount)


@pytest.mark.parametrize(("text", "currency", "expected"), [
    ("12.5", "CNY", 1250),
    ("12.50", "CNY", 1250),
    ("1,234.50", "CNY", 123450),
    ("¥12", "CNY", 1200),
    ("￥12", "CNY", 1200),
    ("CN¥1,234.50", "CNY", 123450),
    ("HK$12.5", "HKD", 1250),
    ("NT$100", "TWD", 10000),
    ("  8 ", "CNY", 800),
    ("0", "CNY", 0),
    ("0.01", "CNY", 1),
    ("1200", "JPY", 1200),
    ("1,200", "JPY", 1200),
])
def test_typed_amounts_become_minor_units(text: str, currency: str, expected: int) -> None:
    assert parse_amount(text, currency) == expected


@pytest.mark.parametrize(("text", "currency"), [
    ("abc", "CNY"), ("1e3", "CNY"), ("12元", "CNY"), ("", "CNY"), ("   ", "CNY"), ("¥", "CNY"),
    ("-1", "CNY"), ("1.234", "CNY"),
    ("12.5", "JPY"), ("NaN", "CNY"), ("Infinity", "CNY"), ("12..5", "CNY"),
    ("1000000000.01", "CNY"),
])
def test_bad_amounts_are_refused_with_a_message(text: str, currency: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_amount(text, currency)
    assert info.value.message


def test_negative_amounts_only_where_allowed() -> None:
    assert parse_amount("-1.5", "CNY", allow_negative=True) == -150


def test_currency_decimals_come_from_babel() -> None:
    assert (minor_digits("CNY"), minor_digits("JPY")) == (2, 0)


@pytest.mark.parametrize(("minor", "currency", "locale", "expected"), [
    (123450, "CNY", "zh_CN", "¥1,234.50"),
    (123450, "CNY", "en", "CN¥1,234.50"),
    (5, "CNY", "zh_CN", "¥0.05"),
    (1200, "JPY", "en", "¥1,200"),
])
def test_formatting_follows_the_locale(minor: int, currency: str, locale: str,
                                       expected: str) -> None:
    assert format_money(minor, currency, locale) == expected


@pytest.mark.parametrize("locale", ["zh_TW", "en"])
def test_taiwan_dollars_never_show_as_a_bare_dollar(locale: str) -> None:
    text = format_money(123450, "TWD", locale)
    assert "NT$" in text and "1,234.50" in text
    assert text.count("$") == 1


def test_plain_amounts_are_what_one_types() -> None:
    assert format_plain(123450, "CNY") == "1234.50"
    assert format_plain(1200, "JPY") == "1200"


@given(minor=st.integers(0, 10**11),
       currency=st.sampled_from(["CNY", "HKD", "TWD", "JPY", "USD"]),
       locale=st.sampled_from([code for code, _ in LANGUAGES]))
def test_a_plain_amount_reads_back_as_itself(minor: int, currency: str, locale: str) -> None:
    assert parse_amount(format_plain(minor, currency), currency, locale) == minor


@given(minor=st.integers(0, 10**11), locale=st.sampled_from([code for code, _ in LANGUAGES]))
def test_a_formatted_amount_pasted_back_reads_as_itself(minor: int, locale: str) -> None:
    assert parse_amount(format_money(minor, "CNY", locale), "CNY", locale) == minor
