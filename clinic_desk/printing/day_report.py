"""The day-close report (日结报表) on A4: the day's or the period's takings with their charts,
the cash count and terminal checks of every close, refunds, corrections, discounts and the
visits, ending with signature lines for the cashier and the receiver.

Each close prints the audit chain's head hash it recorded: if the database is later
rewritten, the chain no longer leads to the hash on this paper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cache

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, format_time, gettext as _, ngettext, use_language
from clinic_desk.money import format_money
from clinic_desk.printing.day_charts import doctor_chart, hour_chart, method_chart
from clinic_desk.printing.fonts import Styles, styles
from clinic_desk.printing.layout import (AmountRow, Cell, Line, Progress, ProgressLine,
                                         amounts_table, build_pdf, clinic_header, details_table,
                                         fit_width, grid, local_date_time, para, rule,
                                         signature_block)
from clinic_desk.printing.paper import Paper, PaperSpec
from clinic_desk.services.checkin import FIRST_VISIT_CODE, RETURN_VISIT_CODE
from clinic_desk.services.reconciliation import ClosingRecord, DayReport

PAPER = Paper.A4
Money = Callable[[int], str]
FIT = -1.0


def period_text(report: DayReport) -> str:
    if report.single_day:
        return format_date(report.start, "full")
    return _("{start} to {end}").format(start=format_date(report.start),
                                        end=format_date(report.end))


def report_title(report: DayReport) -> str:
    return _("Day close report") if report.single_day else _("Reconciliation report")


def wait_text(wait: timedelta | None) -> str:
    if wait is None:
        return "—"
    minutes = round(wait.total_seconds() / 60)
    return ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)


@dataclass(frozen=True)
class _Col:
    header: str
    width: float = FIT  # FIT: as wide as its widest text; 0: what the other columns leave
    right: bool = False


def _table(columns: Sequence[_Col], rows: Sequence[Sequence[str]], width: float, st: Styles,
           total: Sequence[str] | None = None) -> Flowable:
    """A listing with a ruled header repeated on each page; figures, numbers and times on
    one line in columns that fit them, text wrapped in the columns left; an optional total
    row under a rule."""
    lines = [*rows, *([total] if total else [])]
    widths = [fit_width([c.header, *(row[i] for row in lines)], st.body) + 2 * mm
              if c.width == FIT else c.width for i, c in enumerate(columns)]
    flexible = [i for i, w in enumerate(widths) if not w]
    share = (width - sum(widths)) / max(len(flexible), 1)
    widths = [w or share for w in widths]
    data: list[list[Cell]] = [[Line(c.header, st.small_right if c.right else st.small)
                               for c in columns]]
    for row in lines:
        data.append([Line(text, st.body_right) if c.right else para(text, st.body, width=w - 4)
                     for text, c, w in zip(row, columns, widths)])
    commands: list[tuple] = [("LINEBELOW", (0, 0), (-1, 0), 0.5, "black")]
    if total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.5, "black"))
    return grid(data, widths, commands, repeat_header=True)


class _Sections:
    """Section headings; drawing each one reports the progress of a long report and stops
    it when the user cancelled."""

    COUNT = 9

    def __init__(self, st: Styles, progress: Progress | None) -> None:
        self.st, self.progress, self.done = st, progress, 0

    def __call__(self, title: str) -> list[Flowable]:
        heading: Flowable = (para(title, self.st.strong) if self.progress is None else
                             ProgressLine(title, self.st.strong, self.done, self.COUNT,
                                          self.progress))
        self.done += 1
        return [CondPageBreak(30 * mm), Spacer(1, 3 * mm), heading, Spacer(1, 1 * mm)]


def _summary(report: DayReport, spec: PaperSpec, st: Styles, money: Money) -> list[Flowable]:
    rows = [AmountRow(_("Charged"), money(report.charged)),
            AmountRow(_("Discounts"), money(-report.discounted)),
            AmountRow(_("Taken at the desk"), money(report.taken)),
            AmountRow(_("Changed by corrections"), money(report.corrected)),
            AmountRow(_("Refunded"), money(-report.refunded)),
            AmountRow(_("Received"), money(report.received), strong=True)]
    return [amounts_table(rows, spec.content_width * 0.55, st)]


def _methods(report: DayReport, spec: PaperSpec, st: Styles, money: Money) -> list[Flowable]:
    rows = [[m.name, money(m.taken), money(m.corrected), money(-m.refunded), money(m.received)]
            for m in report.methods]
    total = [_("Total"), money(report.taken), money(report.corrected), money(-report.refunded),
             money(report.received)]
    headers = (_("Taken"), _("Corrections"), _("Refunds"), _("Received"))
    columns = [_Col(_("Payment method"), 0)] + [_Col(h, right=True) for h in headers]
    height = 40 + 16 * max(len(report.methods), 1)
    return [_table(columns, rows, spec.content_width, st, total), Spacer(1, 3 * mm),
            method_chart(report, spec.content_width, height)]


def _totals_table(title: str, totals: Sequence[tuple[str, int, int]], spec: PaperSpec,
                  st: Styles, money: Money) -> Flowable:
    rows = [[label, str(count), money(amount)] for label, amount, count in totals]
    total = [_("Total"), str(sum(c for _l, _a, c in totals)),
             money(sum(a for _l, a, _c in totals))]
    columns = [_Col(title, 0), _Col(_("Entries"), right=True), _Col(_("Charged"), right=True)]
    return _table(columns, rows, spec.content_width, st, total)


def _charged(report: DayReport, spec: PaperSpec, st: Styles, money: Money) -> list[Flowable]:
    height = 40 + 16 * max(len(report.by_doctor), 1)
    flow: list[Flowable] = [doctor_chart(report, spec.content_width, height), Spacer(1, 3 * mm)]
    for title, totals in ((_("Doctor"), report.by_doctor), (_("Price-list item"), report.by_item),
                          (_("Category"), report.by_category)):
        flow += [_totals_table(title, [(t.label, t.amount, t.count) for t in totals], spec, st,
                               money), Spacer(1, 3 * mm)]
    return flow


def closing_status(closing: ClosingRecord) -> str:
    if closing.reopened:
        return _("re-opened")
    return _("handed over") if closing.handed_over else _("closed, not handed over")


def _closing_detail(closing: ClosingRecord, spec: PaperSpec, st: Styles, money: Money,
                    tz: tzinfo) -> list[Flowable]:
    title = _("Closing {number} · {station} · version {version} ({status})").format(
        number=closing.number, station=closing.station, version=closing.version,
        status=closing_status(closing))
    amounts = amounts_table([
        AmountRow(_("Opening float"), money(closing.opening_float)),
        AmountRow(_("Cash taken"), money(closing.cash_taken)),
        AmountRow(_("Cash refunded"), money(-closing.cash_refunded)),
        AmountRow(_("Expected cash"), money(closing.expected_cash), strong=True),
        AmountRow(_("Counted cash"), money(closing.counted_cash), strong=True),
        AmountRow(_("Difference"), money(closing.difference), strong=True),
        AmountRow(_("Float kept in the drawer"), money(closing.float_kept)),
        AmountRow(_("Cash handed over"), money(closing.cash_handed_over)),
    ], spec.content_width * 0.48, st)
    lines = [[money(d), str(c), money(d * c)] for d, c in closing.count_lines]
    count_total = ["", "", money(closing.counted_cash)]
    half = spec.content_width * 0.46
    count = _table([_Col(_("Note or coin"), right=True), _Col(_("Count"), right=True),
                    _Col(_("Amount"), 0, True)],
                   lines, half, st, count_total)
    side = grid([[amounts, "", count]], [spec.content_width * 0.48, spec.content_width * 0.06,
                                        half])
    flow: list[Flowable] = [para(title, st.strong), Spacer(1, 1.5 * mm), side]
    if closing.methods:
        checks = [[m.name, money(m.system), "—" if m.reported is None else money(m.reported),
                   money(m.difference)] for m in closing.methods]
        headers = (_("Program"), _("Terminal / merchant"), _("Difference"))
        flow += [Spacer(1, 2 * mm), _table(
            [_Col(_("Payment method"), 0)] + [_Col(h, right=True)
                                              for h in headers], checks, spec.content_width, st)]
    pairs = [(_("Explanation"), closing.explanation or "—"),
             (_("Closed by"), f"{closing.closed_by} · {local_date_time(closing.closed_at, tz)}")]
    if closing.approved_by:
        pairs.append((_("Difference approved by"), closing.approved_by))
    if closing.handed_over and closing.handed_at is not None:
        pairs.append((_("Accepted by"),
                      f"{closing.handed_to} · {local_date_time(closing.handed_at, tz)}"))
    if closing.reopened and closing.reopened_at is not None:
        when = local_date_time(closing.reopened_at, tz)
        pairs.append((_("Re-opened by"),
                      f"{closing.reopened_by} · {when} · {closing.reopen_reason}"))
    if closing.supersedes_number:
        pairs.append((_("Replaces closing"), closing.supersedes_number))
    pairs.append((_("Audit chain head at the close"),
                  _("entry {entry}: {hash}").format(entry=closing.audit_head_id,
                                                    hash=closing.audit_head_hash)))
    flow += [Spacer(1, 2 * mm), details_table(pairs, spec, st), Spacer(1, 4 * mm)]
    return [KeepTogether(flow[:3]), *flow[3:]]


def _closings(report: DayReport, spec: PaperSpec, st: Styles, money: Money,
              tz: tzinfo) -> list[Flowable]:
    if not report.closings:
        return [para(_("No till was closed in this period."), st.body)]
    if report.single_day:
        return [f for c in report.closings for f in _closing_detail(c, spec, st, money, tz)]
    rows = [[format_date(c.business_date, "short"), c.number, c.station, str(c.version),
             money(c.expected_cash), money(c.counted_cash), money(c.difference), closing_status(c)]
            for c in report.closings]
    return [_table([_Col(_("Date")), _Col(_("Closing")), _Col(_("Cash desk"), 0),
                    _Col(_("Version"), right=True),
                    *(_Col(h, right=True)
                      for h in (_("Expected"), _("Counted"), _("Difference"))),
                    _Col(_("Status"))], rows, spec.content_width, st)]


def _when(moment: datetime, report: DayReport, tz: tzinfo) -> str:
    if report.single_day:
        return format_time(moment, "short", tz=tz)
    return local_date_time(moment, tz, "short")


def _refunds(report: DayReport, spec: PaperSpec, st: Styles, money: Money,
             tz: tzinfo) -> list[Flowable]:
    if not report.refunds:
        return [para(_("No refunds."), st.body)]
    rows = [[r.number, _when(r.at, report, tz), f"{r.patient_name} ({r.record_number})",
             r.method_name, r.reason, money(r.amount)] for r in report.refunds]
    total = [_("Total"), "", "", "", "", money(report.refunded)]
    return [_table([_Col(_("No.")), _Col(_("Time")), _Col(_("Patient"), 0),
                    _Col(_("Method")), _Col(_("Reason"), 0),
                    _Col(_("Amount"), right=True)],
                   rows, spec.content_width, st, total)]


def _corrections(report: DayReport, spec: PaperSpec, st: Styles, money: Money,
                 tz: tzinfo) -> list[Flowable]:
    if not report.corrections:
        return [para(_("No corrections."), st.body)]
    rows = [[c.number, _when(c.at, report, tz), f"{c.patient_name} ({c.record_number})",
             f"{c.what_was_wrong}\n{c.reason}\n{c.how_corrected}",
             f"{c.cashier} / {c.approved_by}", money(c.payments)] for c in report.corrections]
    return [_table([_Col(_("No.")), _Col(_("Time")), _Col(_("Patient"), 30 * mm),
                    _Col(_("What was wrong · why · how corrected"), 0),
                    _Col(_("Cashier / approved by"), 30 * mm),
                    _Col(_("Payments"), right=True)],
                   rows, spec.content_width, st)]


def _discounts(report: DayReport, spec: PaperSpec, st: Styles, money: Money,
               tz: tzinfo) -> list[Flowable]:
    if not report.discounts:
        return [para(_("No discounts."), st.body)]
    rows = [[_when(d.at, report, tz), f"{d.patient_name} ({d.record_number})", d.reason,
             d.approved_by or "—", money(d.amount)] for d in report.discounts]
    total = [_("Total"), "", "", "", money(report.discounted)]
    return [_table([_Col(_("Time")), _Col(_("Patient"), 0), _Col(_("Reason"), 0),
                    _Col(_("Approved by")),
                    _Col(_("Amount"), right=True)],
                   rows, spec.content_width, st, total)]


def _visits(report: DayReport, spec: PaperSpec, st: Styles) -> list[Flowable]:
    v = report.visits
    others = [k for k in v.by_kind if k.key not in (FIRST_VISIT_CODE, RETURN_VISIT_CODE)]
    pairs = [(_("Visits"), str(v.visits)), (_("First visits"), str(v.first_visits)),
             (_("Return visits"), str(v.return_visits)),
             *((kind.label, str(kind.count)) for kind in others),
             (_("No-shows"), str(v.no_shows)),
             (_("Left without being seen"), str(v.left_unseen)),
             (_("Average wait"), wait_text(v.average_wait)),
             (_("Longest wait"), wait_text(v.longest_wait))]
    return [details_table(pairs, spec, st, strong=[_("Visits")], pairs_per_row=2)]


def _signatures(report: DayReport, spec: PaperSpec, st: Styles) -> list[Flowable]:
    """The cashier and the receiver sign under the cash count of a day's close."""
    current = [c for c in report.closings if not c.reopened]
    if not report.single_day or not current:
        return []
    return [signature_block([(_("Cashier"), current[-1].closed_by),
                             (_("Received by"), current[-1].handed_to)], spec, st)]


def render_day_report(report: DayReport, language: str,
                      progress: Progress | None = None) -> bytes:
    """The report as A4 PDF bytes, in `language`."""
    with use_language(language):
        spec = PAPER.spec
        st = styles(spec.font_size)
        tz = zone(report.timezone)
        section = _Sections(st, progress)

        @cache
        def money(minor: int) -> str:
            return format_money(minor, report.currency, language)

        title = report_title(report)
        flow: list[Flowable] = clinic_header(report.clinic_name, report.clinic_address,
                                             report.clinic_phone, title, 0, spec, st)
        flow.append(details_table([
            (_("Period"), period_text(report)),
            (_("Printed"), local_date_time(report.generated_at, tz)),
            (_("Audit chain head now"), _("entry {entry}: {hash}").format(
                entry=report.audit_head_id, hash=report.audit_head_hash)),
        ], spec, st))
        flow.append(rule(spec))
        flow += section(_("Summary")) + _summary(report, spec, st, money)
        flow += section(_("By payment method")) + _methods(report, spec, st, money)
        flow += section(_("By hour")) + [hour_chart(report, spec.content_width, 150)]
        flow += section(_("Charged by doctor, item and category")) + _charged(
            report, spec, st, money)
        flow += section(_("Cash count and terminal checks")) + _closings(
            report, spec, st, money, tz) + _signatures(report, spec, st)
        flow += section(_("Refunds")) + _refunds(report, spec, st, money, tz)
        flow += section(_("Corrections")) + _corrections(report, spec, st, money, tz)
        flow += section(_("Discounts")) + _discounts(report, spec, st, money, tz)
        flow += section(_("Visits")) + _visits(report, spec, st)
        return build_pdf(flow, PAPER, f"{title} {period_text(report)}")
