"""The receipt (收据) the cashier hands over after a payment.

What it must say comes from the clinic's rules: who paid, for what (items subtotalled by
price-list category, because patients and insurers ask what the money was for), how (each
payment on its own line, with card or reference), and what is still owed: "total X, paid
today Y, balance Z".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from datetime import datetime
from typing import NamedTuple

from babel.numbers import format_decimal
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from clinic_desk.clock import zone
from clinic_desk.i18n import babel_locale, gettext as _, use_language
from clinic_desk.money import format_money
from clinic_desk.printing.fonts import Styles, styles
from clinic_desk.printing.layout import (GUTTER, AmountRow, Cell, Line, amounts_natural_width,
                                         amounts_table, build_pdf, clinic_header, details_table,
                                         fit_width, grid, local_date_time, para, require_aware,
                                         rule)
from clinic_desk.printing.paper import Paper, PaperSpec


@dataclass(frozen=True)
class ReceiptLine:
    """One charge; `category` is the price-list category name as the clinic wrote it."""

    description: str
    category: str
    quantity: int
    unit_price: int
    amount: int
    doctor_name: str = ""
    position_note: str = ""  # tooth or eye position, e.g. "36" or "OD"


class ReceiptDiscount(NamedTuple):
    description: str
    amount: int  # positive: what was taken off


@dataclass(frozen=True)
class ReceiptPayment:
    method_name: str
    amount: int
    detail: str = ""  # "VISA ****1234", a WeChat/Alipay reference...


@dataclass(frozen=True)
class NextAppointment:
    starts_at: datetime
    doctor_name: str = ""


@dataclass(frozen=True)
class ReceiptDocument:
    """Everything printed on a receipt, already looked up; amounts in minor units.

    Balances are what the patient owes (negative: money on account). The figures must add
    up, and a receipt that does not is refused: printing it would hand the patient a wrong
    sum.
    """

    clinic_name: str
    clinic_address: str
    clinic_phone: str
    receipt_number: str
    issued_at: datetime
    timezone: str
    patient_name: str
    record_number: str
    cashier_name: str
    currency: str
    lines: tuple[ReceiptLine, ...]
    discounts: tuple[ReceiptDiscount, ...]
    total_charged: int  # the lines less the discounts
    earlier_balance: int
    paid_today: int
    payments: tuple[ReceiptPayment, ...]
    balance_after: int
    change_given: int | None = None
    next_appointment: NextAppointment | None = None
    copy_number: int = 0  # 0: the original; n: the nth reprint

    def __post_init__(self) -> None:
        require_aware(self.issued_at, "issued_at")
        if self.next_appointment is not None:
            require_aware(self.next_appointment.starts_at, "next_appointment.starts_at")
        if self.copy_number < 0:
            raise ValueError("copy_number cannot be negative")
        items = sum(line.amount for line in self.lines)
        if items - sum(d.amount for d in self.discounts) != self.total_charged:
            raise ValueError("total_charged is not the lines less the discounts")
        if sum(p.amount for p in self.payments) != self.paid_today:
            raise ValueError("paid_today is not the sum of the payments")
        if self.earlier_balance + self.total_charged - self.paid_today != self.balance_after:
            raise ValueError("balance_after is not earlier balance + total - paid today")


def render_receipt(doc: ReceiptDocument, paper: Paper, language: str) -> bytes:
    """The receipt as PDF bytes, in `language` whatever the screens show."""
    with use_language(language):
        spec = paper.spec
        st = styles(spec.font_size)

        @cache
        def money(minor: int) -> str:  # widths and cells ask for the same figures
            return format_money(minor, doc.currency, language)

        title = _("RECEIPT")
        sheet_pairs = 1 if spec.is_roll else 2
        flow: list[Flowable] = clinic_header(doc.clinic_name, doc.clinic_address,
                                             doc.clinic_phone, title, doc.copy_number, spec, st)
        flow.append(details_table([
            (_("Receipt no."), doc.receipt_number),
            (_("Date"), local_date_time(doc.issued_at, zone(doc.timezone))),
            (_("Patient"), doc.patient_name),
            (_("Record number"), doc.record_number),
        ], spec, st, pairs_per_row=sheet_pairs))
        flow.append(rule(spec))
        if doc.lines or doc.discounts:
            flow += [_items_table(doc, spec, st, money, language), rule(spec)]
        flow.append(_money_block(doc, spec, st, money))
        flow.append(rule(spec))
        flow.append(para(_summary(doc, money), st.body, width=spec.content_width))
        flow.append(rule(spec))
        flow.append(details_table(_closing(doc), spec, st))
        return build_pdf(flow, paper, f"{title} {doc.receipt_number}")


@dataclass(frozen=True)
class _Column:
    header: str
    width: float  # 0: takes what the other columns leave
    right: bool = True


def _items_table(doc: ReceiptDocument, spec: PaperSpec, st: Styles,
                 money: Callable[[int], str], language: str) -> Flowable:
    """Lines grouped by category in order of first appearance, each group with its subtotal,
    then the discounts, which reduce the items (so they sit under them, in the same column).

    A roll has room for item, quantity and amount; the unit price, doctor and position go on
    a small line under the item. A sheet gives doctor and unit price their own columns.
    """
    groups: dict[str, list[ReceiptLine]] = {}
    for line in doc.lines:
        groups.setdefault(line.category, []).append(line)
    subtotals = {category: sum(line.amount for line in lines)
                 for category, lines in groups.items()}
    items_total = sum(subtotals.values())
    amounts = [money(v) for v in (*(line.amount for line in doc.lines), *subtotals.values(),
                                  items_total, *(-d.amount for d in doc.discounts))]
    locale = babel_locale(language)
    quantities = {line: format_decimal(line.quantity, locale=locale) for line in doc.lines}

    # Figures on a sheet get air between their columns; a roll has no width to spare.
    room = 0 if spec.is_roll else 3 * mm
    amount_col = _Column(_("Amount"), fit_width([*amounts, _("Amount")], st.body_right) + room)
    quantity_col = _Column(_("Qty"),
                           fit_width([*quantities.values(), _("Qty")], st.body_right) + room)
    if spec.is_roll:
        columns = [_Column(_("Item"), 0, right=False), quantity_col, amount_col]
    else:
        prices = [money(line.unit_price) for line in doc.lines]
        columns = [_Column(_("Item"), 0, right=False),
                   _Column(_("Doctor"), spec.content_width * 0.16, right=False), quantity_col,
                   _Column(_("Unit price"),
                           fit_width([*prices, _("Unit price")], st.body_right) + room),
                   amount_col]
    widths = [c.width for c in columns]
    widths[0] = spec.content_width - sum(widths)
    last = len(columns) - 1
    label_width = sum(widths[:-1]) - GUTTER

    rows: list[list[Cell]] = [[Line(c.header, st.small_right if c.right else st.small)
                               for c in columns]]
    commands: list[tuple] = [("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
                             ("BOTTOMPADDING", (0, 0), (-1, 0), 2)]

    def add_sum_row(label: str, amount: int, style: ParagraphStyle, line_above: bool,
                    indent: float = 0) -> None:
        """A label spanning every column but the amount's."""
        rows.append([para(label, style, width=label_width - indent)] + [""] * (last - 1)
                    + [Line(money(amount), st.body_right)])
        row = len(rows) - 1
        commands.append(("SPAN", (0, row), (last - 1, row)))
        if indent:
            commands.append(("LEFTPADDING", (0, row), (0, row), indent))
        if line_above:
            commands.append(("LINEABOVE", (last, row), (last, row), 0.4, "black"))

    for category, lines in groups.items():
        rows.append([para(category, st.section, width=spec.content_width)] + [""] * last)
        commands.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))
        for line in lines:
            item = _item_cell(line, quantities[line], st, money, spec.is_roll,
                              widths[0] - GUTTER)
            quantity = Line(quantities[line], st.body_right)
            amount = Line(money(line.amount), st.body_right)
            if spec.is_roll:
                rows.append([item, quantity, amount])
            else:
                rows.append([item, para(line.doctor_name, st.body, width=widths[1] - GUTTER),
                             quantity, Line(money(line.unit_price), st.body_right), amount])
        add_sum_row(_("{category} subtotal").format(category=category), subtotals[category],
                    st.body_right, line_above=True)
    if doc.discounts:
        add_sum_row(_("Items total"), items_total, st.body, line_above=False)
        commands.append(("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.4, "black"))
        for discount in doc.discounts:
            add_sum_row(discount.description, -discount.amount, st.body, line_above=False,
                        indent=st.body.fontSize)
    return grid(rows, widths, commands, repeat_header=True)


def _item_cell(line: ReceiptLine, quantity: str, st: Styles, money: Callable[[int], str],
               on_roll: bool, width: float) -> Flowable:
    """The item, with what a roll has no columns for (unit price, doctor) and the position
    on a small line under it."""
    details: list[str] = []
    if on_roll and line.quantity != 1:
        details.append(f"{quantity} × {money(line.unit_price)}")
    if on_roll and line.doctor_name:
        details.append(_("Dr {name}").format(name=line.doctor_name))
    if line.position_note:
        details.append(_("Position: {note}").format(note=line.position_note))
    return para(line.description, st.body, " · ".join(details), st.small, width=width)


def _money_block(doc: ReceiptDocument, spec: PaperSpec, st: Styles,
                 money: Callable[[int], str]) -> Flowable:
    """Totals and payments: one column on a roll; side by side on a sheet, payments left."""
    payments = _payments(doc, money, indent=spec.is_roll)
    if spec.is_roll:
        return amounts_table(_totals(doc, money, payments), spec.content_width, st)
    totals = _totals(doc, money, [])
    gap = 8 * mm
    # Share the width as the two blocks need it, so neither wraps when both can fit.
    available = spec.content_width - gap
    left_need, right_need = (amounts_natural_width(payments, st),
                             amounts_natural_width(totals, st))
    share = min(max(left_need / (left_need + right_need), 0.35), 0.6)
    left_width = available * share
    right_width = available - left_width
    left: Cell = amounts_table(payments, left_width, st) if payments else ""
    return grid([[left, "", amounts_table(totals, right_width, st)]],
                (left_width, gap, right_width))


def _totals(doc: ReceiptDocument, money: Callable[[int], str],
            payments: list[AmountRow]) -> list[AmountRow]:
    """Total, earlier balance, paid today (followed by `payments`, the rows it adds up),
    and what is left."""
    rows = [AmountRow(_("Total"), money(doc.total_charged), strong=True)]
    if doc.earlier_balance:
        rows.append(AmountRow(_("Earlier balance"), money(doc.earlier_balance)))
    rows.append(AmountRow(_("Paid today"), money(doc.paid_today)))
    rows += payments
    if doc.balance_after > 0:
        rows.append(AmountRow(_("Balance due"), money(doc.balance_after), strong=True))
    elif doc.balance_after < 0:
        rows.append(AmountRow(_("Credit on account"), money(-doc.balance_after), strong=True))
    else:
        rows.append(AmountRow(_("Balance"), money(0), strong=True))
    return rows


def _payments(doc: ReceiptDocument, money: Callable[[int], str],
              indent: bool) -> list[AmountRow]:
    # One row per payment, even two equal ones: each is its own record in the till.
    rows = [AmountRow(p.method_name, money(p.amount), detail=p.detail, indent=indent)
            for p in doc.payments]
    if doc.change_given is not None:
        rows.append(AmountRow(_("Change"), money(doc.change_given), indent=indent))
    return rows


def _summary(doc: ReceiptDocument, money: Callable[[int], str]) -> str:
    return _("Total {total}, paid today {paid}, balance {balance}.").format(
        total=money(doc.total_charged), paid=money(doc.paid_today),
        balance=money(doc.balance_after))


def _closing(doc: ReceiptDocument) -> list[tuple[str, str]]:
    pairs = [(_("Cashier"), doc.cashier_name)]
    appointment = doc.next_appointment
    if appointment is not None:
        when = local_date_time(appointment.starts_at, zone(doc.timezone), "full")
        if appointment.doctor_name:
            when += " · " + _("Dr {name}").format(name=appointment.doctor_name)
        pairs.append((_("Next appointment"), when))
    return pairs
