"""The day-close report on paper: A4, the font embedded, each close with its count, its
terminal checks and the audit head hash it recorded, both versions of a re-opened day."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clinic_desk.clock import FixedClock
from clinic_desk.money import format_money
from clinic_desk.printing.day_report import render_day_report
from clinic_desk.services.auth import log_in
from clinic_desk.services.day_close import accept_handover, reopen_day
from clinic_desk.services.reconciliation import day_report, till_totals
from tests.clinics import MANAGER_LOGIN, START, ClinicTemplate
from tests.printing import poppler
from tests.services.activity import VisitPlan, play
from tests.services.cash import Till, TillTemplate, build_till_template, till_copy
from tests.services.closing import close_on, count
from tests.services.helpers import TODAY, at

A4 = (595.3, 841.9)


@pytest.fixture(scope="module")
def till_template(clinic_template: ClinicTemplate,
                  tmp_path_factory: pytest.TempPathFactory) -> TillTemplate:
    return build_till_template(clinic_template, tmp_path_factory.mktemp("till"),
                               FixedClock(START))


@pytest.fixture
def till(till_template: TillTemplate, tmp_path: Path) -> Iterator[Till]:
    with till_copy(till_template, tmp_path, FixedClock(START)) as till:
        yield till


def busy_day(till: Till) -> None:
    play(till, [VisitPlan(arrives=minutes, other_doctor=minutes % 2 == 0,
                          items=(("filling", 1), ("exam", 1)),
                          discount_percent=5 if minutes == 90 else None,
                          parts=(("cash", 33), (kind, 33)), pays_after=20,
                          refund_percent=40 if minutes == 120 else None, reversed_last=False)
                for minutes, kind in zip(range(0, 480, 30), ["card", "wechat", "alipay"] * 6)])


def test_the_report_prints_each_close_with_its_count_and_audit_head(till: Till,
                                                                    tmp_path: Path) -> None:
    busy_day(till)
    desk = till.clinic.desk
    till.clinic.clock.set(at(18))
    with desk.db.read() as session:
        totals = {t.method_id: t.received for t in till_totals(session, TODAY, None)}
    reported = {m: v for m, v in totals.items() if m != till.methods.cash}
    drawer = (50000 + totals[till.methods.cash] - 300) // 10 * 10  # no fen coins in the drawer
    _sheet, result = count(till, drawer, reported)
    first = close_on(till, result, "gave ¥3 too much change", float_kept="500.00")
    reopen_day(desk, till.clinic.manager, first.closing_id, "a receipt was found later")
    _sheet, result = count(till, drawer, reported)
    second = close_on(till, result, "gave ¥3 too much change, checked", float_kept="500.00")
    accept_handover(desk, log_in(desk, *MANAGER_LOGIN), second.closing_id)
    report = day_report(desk, TODAY)

    pdf = render_day_report(report, "en")
    pages, width, height = poppler.page_info(pdf)
    assert (round(width, 1), round(height, 1)) == A4 and pages >= 2
    assert all(f["emb"] == "yes" for f in poppler.fonts(pdf))
    text = poppler.layout_text(pdf)
    old, new = report.closings
    for closing in (old, new):
        assert poppler.contains(text, closing.audit_head_hash)
        assert poppler.contains(text, f"Closing {closing.number}")
    assert poppler.contains(text, "version 1 (re-opened)")
    assert poppler.contains(text, "version 2 (handed over)")
    assert poppler.contains(text, "a receipt was found later")
    for amount in (new.expected_cash, new.counted_cash, new.difference, report.received,
                   report.charged):
        assert poppler.contains(text, format_money(amount, "CNY", "en"))
    for refund in report.refunds:
        assert poppler.contains(text, refund.number)
    assert poppler.contains(text, report.clinic_name)
    # a page to look at, kept by CI (see test_artifacts.py)
    artifacts = os.environ.get("CLINIC_DESK_ARTIFACTS")
    folder = Path(artifacts) / "printing" if artifacts else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for language in ("zh_CN", "en"):
        png = poppler.save_png(render_day_report(report, language),
                               folder / f"day-close-report-a4-{language}")
        assert png.stat().st_size > 10_000


def test_a_range_lists_every_close_and_sums_every_day(till: Till) -> None:
    busy_day(till)
    desk, clock = till.clinic.desk, till.clinic.clock
    clock.set(at(18))
    with desk.db.read() as session:
        totals = {t.method_id: t.received for t in till_totals(session, TODAY, None)}
    reported = {m: v for m, v in totals.items() if m != till.methods.cash}
    _sheet, result = count(till, (50000 + totals[till.methods.cash]) // 10 * 10, reported)
    close_on(till, result, float_kept="500.00")
    clock.set(at(10, day=TODAY + timedelta(days=1)))
    patient = till.new_patient()
    till.pay(patient, None, till.cash("100.00"), deposit=True)
    monday = day_report(desk, TODAY)
    period = day_report(desk, TODAY, TODAY + timedelta(days=6))
    assert period.received == monday.received + 10000
    text = poppler.layout_text(render_day_report(period, "en"))
    assert poppler.contains(text, "Reconciliation report")
    assert poppler.contains(text, format_money(period.received, "CNY", "en"))
    assert poppler.contains(text, monday.closings[0].number)
