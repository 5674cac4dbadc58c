"""The correction register (更改登记) on paper, for the manager's file and the day's papers.

One row per correction, in number order: when, which patient, the entry that was wrong as it
was posted (it is reversed, never erased), what was posted instead, what was wrong, why, how
it was corrected, the cashier and the approving manager. That is more columns than a portrait
page holds readably, so the register lies on A4 turned sideways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, gettext as _, ngettext, use_language
from clinic_desk.printing.fonts import MUTED, Styles, styles
from clinic_desk.printing.layout import (GUTTER, Cell, Progress, ProgressLine, build_pdf,
                                         clinic_header, details_table, grid, local_date_time,
                                         para, require_aware, rule)
from clinic_desk.printing.paper import Paper
from clinic_desk.services.corrections import ENTRY_KIND_NAMES, CorrectionRow, describe_entry

REGISTER_PAPER = Paper.A4_LANDSCAPE

#: Share of the width per column: number, patient, wrong entry, right entry, what was wrong,
#: why, how corrected, cashier and manager.
_SHARES = (0.085, 0.08, 0.185, 0.185, 0.13, 0.115, 0.12, 0.10)


@dataclass(frozen=True)
class CorrectionRegisterDocument:
    """The register of the business days `start` to `end`, as the query gave it."""

    clinic_name: str
    clinic_address: str
    clinic_phone: str
    start: date
    end: date
    printed_at: datetime
    printed_by: str
    timezone: str
    currency: str
    rows: tuple[CorrectionRow, ...]

    def __post_init__(self) -> None:
        require_aware(self.printed_at, "printed_at")
        if self.start > self.end:
            raise ValueError("the period ends before it starts")


def period_text(start: date, end: date) -> str:
    """"2 Mar 2026" for one day, "2 Mar 2026 – 8 Mar 2026" for several."""
    if start == end:
        return format_date(start)
    return _("{start} – {end}").format(start=format_date(start), end=format_date(end))


def render_correction_register(doc: CorrectionRegisterDocument, language: str,
                               progress: Progress | None = None) -> bytes:
    """The register as PDF bytes, in `language` whatever the screens show; `progress` hears
    of each correction as it is drawn (~10 ms each) and cancels by returning False
    (ExportCancelled)."""
    with use_language(language):
        spec = REGISTER_PAPER.spec
        st = styles(spec.font_size)
        title = _("Correction register")
        period = period_text(doc.start, doc.end)
        flow: list[Flowable] = clinic_header(doc.clinic_name, doc.clinic_address,
                                             doc.clinic_phone, title, 0, spec, st)
        flow.append(details_table([
            (_("Period"), period),
            (_("Printed"), _("{time} by {name}").format(
                time=local_date_time(doc.printed_at, zone(doc.timezone)), name=doc.printed_by)),
        ], spec, st, pairs_per_row=2))
        flow.append(rule(spec))
        if doc.rows:
            flow.append(_table(doc, st, spec.content_width, progress))
        else:
            flow.append(para(_("No corrections in this period."), st.body))
        flow.append(rule(spec))
        flow.append(para(ngettext("{count} correction", "{count} corrections",
                                  len(doc.rows)).format(count=len(doc.rows)), st.body))
        return build_pdf(flow, REGISTER_PAPER, f"{title} {period}")


def _table(doc: CorrectionRegisterDocument, st: Styles, width: float,
           progress: Progress | None) -> Flowable:
    widths = [width * share for share in _SHARES]
    headers = (_("No. / time"), _("Patient"), _("Wrong entry (reversed)"),
               _("Posted instead"), _("What was wrong"), _("Why"), _("How it was corrected"),
               _("Cashier / approved by"))
    rows: list[list[Cell]] = [[para(h, st.small) for h in headers]]
    tz = zone(doc.timezone)
    for index, row in enumerate(doc.rows):
        when = local_date_time(row.corrected_at, tz, "short")
        cells = (
            (row.number, when),
            (row.patient_name, row.record_number),
            (describe_entry(row.wrong, doc.currency, row.patient_id),
             _(ENTRY_KIND_NAMES[row.kind])),
            (describe_entry(row.right, doc.currency, row.patient_id) if row.right is not None
             else _("Nothing: reversed only"), ""),
            (row.what_was_wrong, ""),
            (row.reason, ""),
            (row.how_corrected, ""),
            (row.cashier_name, _("Approved: {name}").format(name=row.approved_by_name)),
        )
        line = _cells(cells, widths, st)
        if progress is not None:
            line[0] = ProgressLine(row.number, st.body, index, len(doc.rows), progress, when,
                                   st.small)
        rows.append(line)
    commands: list[tuple] = [("LINEBELOW", (0, 0), (-1, 0), 0.6, "black"),
                             ("LINEBELOW", (0, 1), (-1, -1), 0.3, MUTED),
                             ("TOPPADDING", (0, 1), (-1, -1), 3),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    return grid(rows, widths, commands, repeat_header=True)


def _cells(texts: Sequence[tuple[str, str]], widths: Sequence[float], st: Styles) -> list[Cell]:
    """Each column's text, with a smaller second line where it has one."""
    return [para(text, st.body, detail, st.small, width=column - GUTTER)
            for (text, detail), column in zip(texts, widths)]
