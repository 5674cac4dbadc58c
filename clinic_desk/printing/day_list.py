"""The day's appointments in time order (今日预约一览), printed on A4 for the morning meeting.

One ruled line per appointment: time and length, doctor, patient with record number, phone,
visit kind, status and note; cancelled ones are left out. Under the table, how many each
doctor has, so the meeting sees the day's load at a glance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from reportlab.lib import colors
from reportlab.platypus import Flowable

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, format_time, gettext as _, ngettext, use_language, \
    weekday_name
from clinic_desk.models import AppointmentStatus, UNIT_MINUTES
from clinic_desk.printing.fonts import Styles, styles
from clinic_desk.printing.layout import (GUTTER, Cell, build_pdf, clinic_header,
                                         details_table, fit_width, grid, local_date_time, para)
from clinic_desk.printing.paper import Paper
from clinic_desk.services.calendar import CalendarBlock, DayView, status_label
from clinic_desk.services.settings import ClinicSettings


@dataclass(frozen=True)
class DayListDocument:
    clinic_name: str
    clinic_address: str
    clinic_phone: str
    day: date
    timezone: str
    made_at: datetime
    appointments: tuple[CalendarBlock, ...]  # in time order, none cancelled


def day_list_document(view: DayView, clinic: ClinicSettings, made_at: datetime) -> DayListDocument:
    """The list from a day view as the calendar read it: by time, then doctor."""
    blocks = sorted((b for b in view.blocks if b.status != AppointmentStatus.CANCELLED),
                    key=lambda b: (b.starts_at, b.doctor_name, b.appointment_id))
    return DayListDocument(clinic.clinic_name, clinic.address, clinic.phone, view.day,
                           clinic.timezone, made_at, tuple(blocks))


def list_title() -> str:
    return _("Appointments of the day")


def day_text(day: date) -> str:
    return f"{format_date(day, 'long')} {weekday_name(day.weekday())}"


@dataclass(frozen=True)
class _Column:
    header: str
    cap: float  # the most of the page's width it may take; 0: whatever the others leave
    text: Callable[[CalendarBlock], tuple[str, str]]  # main text, smaller second line


def _columns(tz: tzinfo) -> list[_Column]:
    def when(block: CalendarBlock) -> tuple[str, str]:
        span = f"{format_time(block.starts_at, tz=tz)}–{format_time(block.ends_at, tz=tz)}"
        minutes = block.units * UNIT_MINUTES
        return span, ngettext("{count} minute", "{count} minutes", minutes).format(
            count=minutes)

    return [
        _Column(_("Time"), 0.2, when),
        _Column(_("Doctor"), 0.12, lambda b: (b.doctor_name, "")),
        _Column(_("Patient"), 0.16, lambda b: (b.patient_name, b.record_number)),
        _Column(_("Phone"), 0.18, lambda b: (b.phone, "")),
        _Column(_("Visit kind"), 0.14, lambda b: (b.visit_kind, "")),
        _Column(_("Status"), 0.12, lambda b: (status_label(b.status), "")),
        _Column(_("Note"), 0, lambda b: (b.note, "")),
    ]


#: Cell padding, left and right together.
_PADDING = 4
#: The note column keeps at least this share of the width.
_NOTE_SHARE = 0.18


def _widths(columns: list[_Column], rows: tuple[CalendarBlock, ...], width: float,
            st: Styles) -> list[float]:
    """Times, phones and names sized to fit on one line (up to their cap); the note takes
    what is left, at least _NOTE_SHARE of the width."""
    widths = []
    for column in columns:
        if not column.cap:
            widths.append(0.0)
            continue
        texts = [column.text(block) for block in rows]
        need = max(fit_width([column.header], st.small), fit_width([t for t, _d in texts], st.body),
                   fit_width([d for _t, d in texts], st.small))
        widths.append(min(need - GUTTER + _PADDING, column.cap * width))
    fixed = sum(widths)
    room = width * (1 - _NOTE_SHARE)
    if fixed > room:
        widths = [w * room / fixed for w in widths]
    return [w or width - sum(widths) for w in widths]


def _table(doc: DayListDocument, width: float, st: Styles, tz: tzinfo) -> Flowable:
    columns = _columns(tz)
    widths = _widths(columns, doc.appointments, width, st)
    data: list[list[Cell]] = [[para(c.header, st.small, width=w - _PADDING)
                               for c, w in zip(columns, widths)]]
    for block in doc.appointments:
        row: list[Cell] = []
        for column, column_width in zip(columns, widths):
            text, detail = column.text(block)
            row.append(para(text, st.body, detail, st.small, width=column_width - _PADDING))
        data.append(row)
    return grid(data, widths, [
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
    ], repeat_header=True)


def count_text(count: int) -> str:
    return ngettext("{count} appointment", "{count} appointments", count).format(count=count)


def _per_doctor(doc: DayListDocument, st: Styles, width: float) -> Flowable:
    counts = Counter(b.doctor_name for b in doc.appointments)
    parts = [f"{name} {count}" for name, count in sorted(counts.items())]
    text = _("{total} in all: {per_doctor}").format(
        total=count_text(len(doc.appointments)), per_doctor=", ".join(parts)) if parts \
        else _("No appointments on this day.")
    line = para(text, st.body, width=width)
    line.spaceBefore = st.body.fontSize * 0.6
    return line


def render_day_list(doc: DayListDocument, language: str, paper: Paper = Paper.A4) -> bytes:
    """The list as a PDF in `language` (A4 by default; A4 landscape gives the notes room)."""
    with use_language(language):
        spec = paper.spec
        st = styles(spec.font_size)
        tz = zone(doc.timezone)
        title = list_title()
        flow: list[Flowable] = clinic_header(doc.clinic_name, doc.clinic_address,
                                             doc.clinic_phone, title, 0, spec, st)
        flow.append(details_table([(_("Day"), day_text(doc.day)),
                                   (_("Printed"), local_date_time(doc.made_at, tz))],
                                  spec, st, pairs_per_row=2))
        if doc.appointments:
            flow.append(_table(doc, spec.content_width, st, tz))
        flow.append(_per_doctor(doc, st, spec.content_width))
        return build_pdf(flow, paper, f"{title} {format_date(doc.day, 'medium')}")
