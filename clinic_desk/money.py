"""Money as an integer count of the currency's minor unit (fen, cents).

Everything below the UI passes `int` minor units; this module is the only place that turns
them into text (through Babel, for the chosen locale) or turns typed text back into them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_currency, get_currency_precision, parse_decimal

from clinic_desk.i18n import N_, babel_locale, gettext as _


class AmountError(ValueError):
    """Typed text is not a valid amount; `message` is already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def minor_digits(currency: str) -> int:
    """How many decimals the currency has (2 for CNY, 0 for TWD cash, ...)."""
    return get_currency_precision(currency)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """`¥1,234.50` for 123450 fen in zh_CN; always through Babel, never `%.2f`."""
    text = format_currency(to_decimal(minor, currency), currency, locale=babel_locale(locale),
                           currency_digits=True)
    if currency == "TWD":
        # Babel writes a bare "$" for TWD in zh_TW, which patients read as US dollars.
        text = text.replace("$", "NT$") if "NT$" not in text else text
    return text


def format_plain(minor: int, currency: str) -> str:
    """The amount without currency sign, as typed into an input field (`1234.50`)."""
    value = to_decimal(minor, currency)
    return f"{value:.{minor_digits(currency)}f}"


_NOT_A_NUMBER = N_("Enter an amount such as 12.50.")
_TOO_MANY_DECIMALS = N_("{currency} amounts have at most {digits} decimals.")
_NEGATIVE = N_("The amount cannot be negative.")
_TOO_LARGE = N_("The amount is too large.")

#: Largest amount accepted anywhere: 1,000,000,000.00 in two-decimal currencies.
MAX_MINOR = 100_000_000_000


def parse_amount(text: str, currency: str, locale: str | None = None,
                 allow_negative: bool = False) -> int:
    """Turn what a user typed into minor units, or raise AmountError saying what is wrong."""
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    # Longest first: stripping "¥" before "CN¥" would leave "CN" behind.
    for sign in ("MOP$", "CN¥", "HK$", "NT$", "US$", "¥", "￥", "$", "€", "£"):
        cleaned = cleaned.replace(sign, "")
    if not cleaned or any(ch.isalpha() for ch in cleaned):
        raise AmountError(_(_NOT_A_NUMBER))
    try:
        value = parse_decimal(cleaned, locale=babel_locale(locale), strict=True)
    except (NumberFormatError, InvalidOperation):
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise AmountError(_(_NOT_A_NUMBER)) from None
    if not value.is_finite():
        raise AmountError(_(_NOT_A_NUMBER))
    digits = minor_digits(currency)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise AmountError(_(_TOO_MANY_DECIMALS).format(currency=currency, digits=digits))
    if value < 0 and not allow_negative:
        raise AmountError(_(_NEGATIVE))
    minor = int(value.scaleb(digits))
    if abs(minor) > MAX_MINOR:
        raise AmountError(_(_TOO_LARGE))
    return minor
