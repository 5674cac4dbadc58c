"""Building blocks shared by every printed document: header, tables, marks, page setup.

Receipts and refund slips look like one family (same header, same label/amount tables, same
copy mark), so they are built from these pieces. All translated text is looked up when a
document is rendered, inside the caller's `use_language`.

Speed matters (a receipt must print in well under 30 ms): figures, quantities and labels are
single `Line`s measured once, and only free text (names, items, reasons) is a `Paragraph`,
whose CJK line breaking measures every character again on each wrap.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, HRFlowable, PageTemplate,
                                Paragraph, Spacer, Table, TableStyle)

from clinic_desk.i18n import format_date, format_time, gettext as _
from clinic_desk.printing.fonts import FONT_NAME, STAMP_RED, Styles, markup, pdf_text, styles
from clinic_desk.printing.paper import Paper, PaperSpec

#: Extra length on a roll, so rounding in the height estimate can never push a line onto a
#: second page.
_ROLL_SLACK = 2 * mm
_UNBOUNDED = 100_000.0
#: Space between table columns.
GUTTER = 4.0

Cell = Flowable | Sequence[Flowable] | str

#: Told (done, total) as a long document or export is made; answers False to cancel it.
Progress = Callable[[int, int], bool]


class ExportCancelled(Exception):
    """The user cancelled a long document or export while it was being made."""


class Line(Flowable):
    """Text that never wraps (a figure must not be split), with an optional smaller second
    line; should it not fit its column after all, it is drawn smaller rather than clipped."""

    def __init__(self, text: str, style: ParagraphStyle, detail: str = "",
                 detail_style: ParagraphStyle | None = None) -> None:
        super().__init__()
        self.lines = [(pdf_text(text), style)]
        if detail and detail_style is not None:
            self.lines.append((pdf_text(detail), detail_style))
        self.natural_width = max(stringWidth(t, FONT_NAME, s.fontSize) for t, s in self.lines)
        self.scale = 1.0
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        fits = self.natural_width <= available_width or not self.natural_width
        self.scale = 1.0 if fits else available_width / self.natural_width
        self.height = sum(style.leading for _text, style in self.lines)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        top = self.height
        for text, style in self.lines:
            canvas.setFont(FONT_NAME, style.fontSize * self.scale)
            canvas.setFillColor(style.textColor)
            baseline = top - style.fontSize  # where a Paragraph puts it
            if style.alignment == TA_RIGHT:
                canvas.drawRightString(self.width, baseline, text)
            elif style.alignment == TA_CENTER:
                canvas.drawCentredString(self.width / 2, baseline, text)
            else:
                canvas.drawString(0, baseline, text)
            top -= style.leading


class ProgressLine(Line):
    """A table row's first cell: drawing it reports how far a long document got, and stops
    the document when the progress callback says it was cancelled."""

    def __init__(self, text: str, style: ParagraphStyle, done: int, total: int,
                 progress: Progress, detail: str = "",
                 detail_style: ParagraphStyle | None = None) -> None:
        super().__init__(text, style, detail, detail_style)
        self.done, self.total, self.progress = done, total, progress

    def draw(self) -> None:
        if not self.progress(self.done, self.total):
            raise ExportCancelled()
        super().draw()


class _Paragraph(Paragraph):
    """A Paragraph that remembers its last wrap: tables and the roll's height measure every
    cell several times at the same width, and CJK line breaking is the costliest step."""

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._wrapped is not None and self._wrapped[0] == available_width:
            return self._wrapped[1]
        size = super().wrap(available_width, available_height)
        self._wrapped = (available_width, size)
        return size


def para(text: str, style: ParagraphStyle, detail: str = "",
         detail_style: ParagraphStyle | None = None, width: float | None = None) -> Flowable:
    """Free text that may wrap, with an optional smaller second line (card number, doctor).

    Given the column `width`, text that fits on its line(s) becomes a `Line`: most cells do,
    and a Line costs a fraction of a Paragraph. Clinic data is escaped, never read as markup.
    """
    if width is not None:
        line = Line(text, style, detail, detail_style)
        if line.natural_width <= width and "\n" not in text:
            return line
    source = markup(text)
    if detail and detail_style is not None:
        colour = detail_style.textColor.hexval()[2:]
        source += (f'<br/><font size="{detail_style.fontSize}" color="#{colour}">'
                   f"{markup(detail)}</font>")
    return _Paragraph(source, style)


def fit_width(texts: Iterable[str], style: ParagraphStyle) -> float:
    """The column width that holds the widest of these single lines."""
    return GUTTER + max((stringWidth(pdf_text(t), FONT_NAME, style.fontSize) for t in texts),
                        default=0.0)


def local_date_time(moment: datetime, tz: tzinfo, date_format: str = "medium") -> str:
    """Date and time as the clinic reads them, in its own time zone."""
    local_day = moment.astimezone(tz).date()
    return f"{format_date(local_day, date_format)} {format_time(moment, 'short', tz=tz)}"


def require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def grid(rows: list[list[Cell]], widths: Sequence[float], commands: Sequence[tuple] = (),
         repeat_header: bool = False) -> Table:
    """A borderless table with tight padding, the base of every table on our documents."""
    table = Table(rows, colWidths=list(widths), repeatRows=1 if repeat_header else 0,
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT_NAME),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), GUTTER),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        *commands,
    ]))
    return table


def rule(spec: PaperSpec, space: float = 2.5) -> HRFlowable:
    """A separator; dashed on a roll, as receipt printers do it."""
    return HRFlowable(width="100%", thickness=0.6, color=colors.black,
                      dash=(2, 2) if spec.is_roll else None, spaceBefore=space, spaceAfter=space)


def clinic_header(name: str, address: str, phone: str, title: str, copy_number: int,
                  spec: PaperSpec, st: Styles) -> list[Flowable]:
    """Clinic name, address and phone, the document's title, and the copy mark on reprints."""
    width = spec.content_width
    flow: list[Flowable] = [para(name, st.clinic, width=width)]
    if address:
        flow.append(para(address, st.centered, width=width))
    if phone:
        flow.append(para(_("Tel. {phone}").format(phone=phone), st.centered, width=width))
    flow.append(para(title, st.title, width=width))
    if copy_number:
        flow.append(copy_mark(copy_number, st))
    return flow


def copy_mark(copy_number: int, st: Styles) -> Table:
    """A boxed red 副本 / COPY with the reprint count, so nobody takes it for the original."""
    text = _("COPY (reprint {count})").format(count=copy_number)
    mark = Table([[Line(text, st.copy_mark)]], colWidths=[fit_width([text], st.copy_mark)],
                 hAlign="CENTER")
    mark.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.2, STAMP_RED),
                              ("LEFTPADDING", (0, 0), (-1, -1), 6),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                              ("TOPPADDING", (0, 0), (-1, -1), 2),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    mark.spaceAfter = 4
    return mark


def details_table(pairs: Sequence[tuple[str, str]], spec: PaperSpec, st: Styles,
                  strong: Sequence[str] = (), pairs_per_row: int = 1) -> Table:
    """Label / value rows (receipt number, patient, ...); labels in `strong` stand out.

    Sheets have room for two pairs side by side; the label column fits the longest label.
    """
    gap = 3 * mm if pairs_per_row > 1 else 0
    pair_width = (spec.content_width - gap * (pairs_per_row - 1)) / pairs_per_row
    label_width = min(fit_width((label for label, _v in pairs), st.small) + 2 * mm,
                      pair_width * 0.45)
    widths: list[float] = []
    for index in range(pairs_per_row):
        widths += ([gap] if index else []) + [label_width, pair_width - label_width]
    value_width = pair_width - label_width - GUTTER
    rows: list[list[Cell]] = []
    for start in range(0, len(pairs), pairs_per_row):
        row: list[Cell] = []
        for index, (label, value) in enumerate(pairs[start:start + pairs_per_row]):
            style = st.strong if label in strong else st.body
            row += ([""] if index else []) + [Line(label, st.small),
                                              para(value, style, width=value_width)]
        rows.append(row + [""] * (len(widths) - len(row)))
    # Small labels sit on the value's baseline.
    shift = st.body.fontSize - st.small.fontSize
    commands = [("TOPPADDING", (col, 0), (col, -1), 1 + shift)
                for col in range(0, len(widths), 3)]
    return grid(rows, widths, commands)


@dataclass(frozen=True)
class AmountRow:
    """One line of an amounts block: label (and optional detail) left, amount right."""

    label: str
    amount: str
    detail: str = ""
    strong: bool = False
    indent: bool = False


def _amount_width(rows: Sequence[AmountRow], st: Styles) -> float:
    return max(fit_width([r.amount for r in rows if not r.strong], st.body_right),
               fit_width([r.amount for r in rows if r.strong], st.strong_right))


def amounts_natural_width(rows: Sequence[AmountRow], st: Styles) -> float:
    """The width at which no label of the block has to wrap."""
    labels = max(fit_width([r.label for r in rows if not r.strong], st.body),
                 fit_width([r.label for r in rows if r.strong], st.strong),
                 fit_width([r.detail for r in rows], st.small))
    return labels + st.body.fontSize + _amount_width(rows, st)  # room for an indent


def amounts_table(rows: Sequence[AmountRow], width: float, st: Styles) -> Table:
    """Amounts right-aligned in one column, so the figures line up digit under digit."""
    amount_width = _amount_width(rows, st)
    indent = st.body.fontSize
    label_width = width - amount_width - GUTTER
    data: list[list[Cell]] = []
    commands: list[tuple] = []
    for index, row in enumerate(rows):
        label_style, amount_style = (st.strong, st.strong_right) if row.strong else (
            st.body, st.body_right)
        data.append([para(row.label, label_style, row.detail, st.small,
                          width=label_width - (indent if row.indent else 0)),
                     Line(row.amount, amount_style)])
        if row.indent:
            commands.append(("LEFTPADDING", (0, index), (0, index), indent))
    return grid(data, (width - amount_width, amount_width), commands)


def signature_block(signers: Sequence[tuple[str, str]], spec: PaperSpec,
                    st: Styles) -> Table:
    """A line to sign on per role, the role above it and the printed name below it."""
    per_row = 1 if spec.is_roll else 2
    gap = 8 * mm
    width = (spec.content_width - gap * (per_row - 1)) / per_row
    cells: list[Cell] = [
        [Line(label, st.small), Spacer(1, 9 * mm),
         HRFlowable(width="100%", thickness=0.6, color=colors.black, spaceAfter=1),
         Line(name, st.small)]
        for label, name in signers]
    rows: list[list[Cell]] = []
    for start in range(0, len(cells), per_row):
        chunk = cells[start:start + per_row] + [""] * (start + per_row - len(cells))
        row = chunk[:1]
        for cell in chunk[1:]:
            row += ["", cell]  # an empty column makes the gap
        rows.append(row)
    widths = [width] + [gap, width] * (per_row - 1)
    table = grid(rows, widths, [("BOTTOMPADDING", (0, 0), (-1, -1), 6)])
    table.spaceBefore = 6
    return table


class Stamp(Flowable):
    """A red double-ruled stamp (现金付讫 and the date), drawn the way the desk's rubber stamp
    looks; its words stay real text so they can be searched and checked."""

    def __init__(self, heading: str, date_text: str, spec: PaperSpec) -> None:
        super().__init__()
        self.heading = pdf_text(heading)
        self.date_text = pdf_text(date_text)
        self.size = spec.font_size * 1.5
        self.width = max(40 * mm, stringWidth(self.heading, FONT_NAME, self.size) + 10 * mm)
        self.height = self.size * 3.2
        self.hAlign = "CENTER" if spec.is_roll else "RIGHT"
        self.spaceBefore = 6
        self.spaceAfter = 2

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = min(self.width, available_width)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(STAMP_RED)
        canvas.setFillColor(STAMP_RED)
        canvas.setLineWidth(1.6)
        canvas.roundRect(0, 0, self.width, self.height, 4)
        canvas.setLineWidth(0.6)
        canvas.roundRect(2.5, 2.5, self.width - 5, self.height - 5, 3)
        canvas.setFont(FONT_NAME, self.size)
        canvas.drawCentredString(self.width / 2, self.height - self.size * 1.5, self.heading)
        canvas.setFont(FONT_NAME, self.size * 0.62)
        canvas.drawCentredString(self.width / 2, self.size * 0.62, self.date_text)
        canvas.restoreState()


def build_pdf(flow: list[Flowable], paper: Paper, title: str) -> bytes:
    """Lay the flowables out on the paper and return the PDF; a roll is cut to its content.

    A sheet that runs onto more pages names the document and the page at the foot of each
    following page, so a loose second page can be matched to its first.
    """
    spec = paper.spec
    st = styles(spec.font_size)

    def foot(canvas: Canvas, document: BaseDocTemplate) -> None:
        page = canvas.getPageNumber()
        if page > 1:
            canvas.setFont(FONT_NAME, st.small.fontSize)
            canvas.setFillColor(st.small.textColor)
            canvas.drawCentredString(spec.width / 2, spec.margin_bottom / 2, pdf_text(
                f"{title} · " + _("Page {page}").format(page=page)))

    height = spec.height if spec.height is not None else _roll_height(flow, spec)
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer, pagesize=(spec.width, height), leftMargin=spec.margin_x,
        rightMargin=spec.margin_x, topMargin=spec.margin_top, bottomMargin=spec.margin_bottom,
        title=pdf_text(title), author="clinic_desk", creator="clinic_desk",
        initialFontName=FONT_NAME)  # else an unused, unembedded Helvetica is listed
    frame = Frame(spec.margin_x, spec.margin_bottom, spec.content_width,
                  height - spec.margin_top - spec.margin_bottom, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="content")
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=foot)])
    document.build(flow)
    return buffer.getvalue()


def _roll_height(flow: Sequence[Flowable], spec: PaperSpec) -> float:
    """The page height that holds all the flowables at the roll's width (an upper bound:
    the frame drops the first flowable's space before, we count it)."""
    content = 0.0
    for flowable in flow:
        _width, height = flowable.wrap(spec.content_width, _UNBOUNDED)
        content += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return spec.margin_top + content + spec.margin_bottom + _ROLL_SLACK
