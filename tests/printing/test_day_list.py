"""The morning meeting's list of the day's appointments: every appointment in time order with
what the meeting needs, cancelled ones left out, in each language, with the font embedded."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from clinic_desk.i18n import format_date, format_time, weekday_name
from clinic_desk.models import AppointmentStatus
from clinic_desk.printing.day_list import DayListDocument, day_list_document, render_day_list
from clinic_desk.services.calendar import CalendarBlock, CalendarColumn, DayView
from clinic_desk.services.settings import ClinicSettings
from tests.printing import poppler

LANGUAGES = ("zh_CN", "zh_TW", "en")
SHANGHAI = timezone(timedelta(hours=8))
DAY = date(2026, 3, 3)
MADE_AT = datetime(2026, 3, 2, 23, 40, tzinfo=UTC)  # 07:40 on the day, in Shanghai


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=SHANGHAI)


def block(appointment_id: int, hour: int, minute: int, units: int, doctor: str, patient: str,
          record_number: str, phone: str, kind: str, status: AppointmentStatus = (
              AppointmentStatus.BOOKED), note: str = "") -> CalendarBlock:
    return CalendarBlock(
        appointment_id=appointment_id, version=1, column_key=1, starts_at=at(hour, minute),
        units=units, patient_id=appointment_id, patient_name=patient,
        record_number=record_number, phone=phone, visit_kind=kind, status=status, note=note,
        doctor_id=1, doctor_name=doctor)


BLOCKS = (
    block(3, 14, 30, 4, "王丽华", "欧阳明", "000003", "138 0013 0003", "根管治疗",
          AppointmentStatus.CONFIRMED, "第二次 second visit"),
    block(1, 8, 30, 1, "李建国", "张三", "000001", "139 0000 0001", "检查"),
    block(4, 10, 0, 2, "李建国", "Cancelled Person", "000004", "139 0000 0004", "检查",
          AppointmentStatus.CANCELLED),
    block(2, 9, 0, 2, "王丽华", "陈小红", "000002", "+852 9123 4567", "洁牙", note="过敏: 青霉素"),
)
CLINIC = ClinicSettings(clinic_name="康齿口腔门诊部", address="上海市徐汇区漕溪北路 88 号",
                        phone="021-6438 8888")


def document(blocks: tuple[CalendarBlock, ...] = BLOCKS) -> DayListDocument:
    view = DayView(DAY, at(8), at(20), (CalendarColumn(1, "李建国", ()),), blocks)
    return day_list_document(view, CLINIC, MADE_AT)


def test_the_document_keeps_the_days_appointments_in_time_order_without_cancelled() -> None:
    assert [b.appointment_id for b in document().appointments] == [1, 2, 3]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_appointment_is_printed_in_time_order_with_what_the_meeting_needs(
        language: str) -> None:
    text = poppler.layout_text(render_day_list(document(), language))
    squeezed = poppler.squeezed(text)
    order = [squeezed.index(poppler.squeezed(name)) for name in ("张三", "陈小红", "欧阳明")]
    assert order == sorted(order)
    for expected in ("康齿口腔门诊部", "000001", "139 0000 0001", "+852 9123 4567", "李建国",
                     "王丽华", "根管治疗", "过敏: 青霉素",
                     format_date(DAY, "long", language=language),
                     weekday_name(DAY.weekday(), language=language),
                     format_time(at(14, 30), language=language),
                     format_time(at(15, 30), language=language)):
        assert poppler.contains(text, expected), (language, expected)
    assert not poppler.contains(text, "Cancelled Person")


def test_the_english_list_names_lengths_status_and_each_doctors_count() -> None:
    text = poppler.layout_text(render_day_list(document(), "en"))
    for expected in ("Appointments of the day", "8:30 AM–8:45 AM", "15 minutes", "60 minutes",
                     "Confirmed", "Booked", "3 appointments in all: 李建国 1, 王丽华 2",
                     "Printed", "Mar 3, 2026 7:40 AM"):
        assert poppler.contains(text, expected), expected


def test_an_empty_day_says_so() -> None:
    text = poppler.layout_text(render_day_list(document(()), "en"))
    assert poppler.contains(text, "No appointments on this day.")


def test_a_long_day_runs_onto_more_a4_pages_with_the_font_embedded() -> None:
    many = tuple(block(n, 8 + n // 8, (n % 4) * 15, 1, "李建国", f"患者{n:03d}", f"{n:06d}",
                       "139 0000 0000", "检查") for n in range(90))
    pdf = render_day_list(document(many), "zh_CN")
    pages, width, height = poppler.page_info(pdf)
    assert pages >= 2 and (round(width), round(height)) == (595, 842)
    assert all(font["emb"] == "yes" for font in poppler.fonts(pdf))
    text = poppler.layout_text(pdf)
    assert poppler.contains(text, "患者000") and poppler.contains(text, "患者089")


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_a_png_to_look_at(tmp_path_factory: pytest.TempPathFactory,
                                 language: str) -> None:
    configured = os.environ.get("CLINIC_DESK_ARTIFACTS")
    folder = (Path(configured) / "printing" if configured
              else tmp_path_factory.mktemp("day-list"))
    folder.mkdir(parents=True, exist_ok=True)
    pdf = render_day_list(document(), language)
    (folder / f"day-list-a4-{language}.pdf").write_bytes(pdf)
    assert poppler.save_png(pdf, folder / f"day-list-a4-{language}").stat().st_size > 10_000
