"""Check-in through the database: who is on duty, the suggested visit kind and doctor, and
what a check-in writes (visit, queue entry, audit, notifications) or refuses to write."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from clinic_desk.i18n import use_language
from clinic_desk.models import Absence, NotificationKind, Sex, Visit, VisitKind, VisitState
from clinic_desk.services.checkin import (CheckInForm, CheckInRequest, CheckInResult,
                                          check_in, propose_check_in)
from clinic_desk.services.duty import doctors_on_duty
from clinic_desk.services.errors import Conflict, PermissionDenied
from clinic_desk.services.notifications import mark_seen, unread_notifications

from tests.clinics import START, Clinic
from .helpers import (MONDAY, TODAY, TUESDAY, Patients, add_doctor, at, dump, expect_denied,
                      expect_field_error, kind_id, last_audit_entry, rows)


@dataclass(frozen=True)
class Doctors:
    li: int      # D01, male, Monday 08:00-12:00 and 13:00-17:00
    wang: int    # D02, female, Monday 08:00-18:00
    zhao: int    # D03, male, Monday 09:00-11:00
    chen: int    # D04, female, Tuesdays only


@pytest.fixture
def doctors(clinic: Clinic) -> Doctors:
    def add(number: str, name: str, sex: Sex, *shifts: tuple[int, str, str]) -> int:
        return add_doctor(clinic, number, name, sex, *shifts)
    return Doctors(
        li=add("D01", "李建国", Sex.MALE,
               (MONDAY, "08:00", "12:00"), (MONDAY, "13:00", "17:00")),
        wang=add("D02", "王丽", Sex.FEMALE, (MONDAY, "08:00", "18:00")),
        zhao=add("D03", "赵强", Sex.MALE, (MONDAY, "09:00", "11:00")),
        chen=add("D04", "陈静", Sex.FEMALE, (TUESDAY, "08:00", "18:00")))


@pytest.fixture
def patients(clinic: Clinic) -> Patients:
    return Patients(clinic)


def on_duty(clinic: Clinic, moment: datetime) -> list[int]:
    with clinic.desk.db.read() as session:
        return [d.id for d in doctors_on_duty(session, moment)]


def add_absence(clinic: Clinic, staff_id: int, start: date, end: date,
                hours: tuple[str, str] | None = None, cancelled: bool = False) -> None:
    with clinic.desk.db.write() as session:
        session.add(Absence(
            staff_id=staff_id, start_date=start, end_date=end,
            start_time=time.fromisoformat(hours[0]) if hours else None,
            end_time=time.fromisoformat(hours[1]) if hours else None, reason="leave",
            created_at=START, cancelled_at=START if cancelled else None))


def form(clinic: Clinic, patient_id: int, doctor_id: int | None = -1, kind: str | None = None,
         **changes: object) -> CheckInForm:
    """The form as the desk confirms it: the proposal's kind and doctor unless changed."""
    request_fields = {k: changes.pop(k) for k in list(changes)
                      if k in CheckInRequest.__annotations__}
    request = CheckInRequest(patient_id=patient_id, **request_fields)  # type: ignore[arg-type]
    proposal = propose_check_in(clinic.desk, request)
    return CheckInForm(
        request=request,
        visit_kind_id=proposal.visit_kind_id if kind is None else (kind_id(clinic, kind)
                                                                   if kind else None),
        chief_complaint=str(changes.pop("chief_complaint", "牙痛")),
        doctor_id=proposal.assignment.doctor_id if doctor_id == -1 else doctor_id,
        **changes)  # type: ignore[arg-type]


def arrive(clinic: Clinic, patient_id: int, **changes: object) -> CheckInResult:
    return check_in(clinic.desk, clinic.receptionist, form(clinic, patient_id, **changes))


def treated_earlier(clinic: Clinic, patient_id: int, weeks_ago: int, **changes: object) -> int:
    """A visit checked in on the same weekday and hour `weeks_ago`, then treated and paid."""
    clinic.clock.set(START - timedelta(weeks=weeks_ago))
    visit_id = arrive(clinic, patient_id, **changes).visit_id
    with clinic.desk.db.write() as session:
        session.get(Visit, visit_id).state = VisitState.FINISHED  # type: ignore[union-attr]
    clinic.clock.set(START)
    return visit_id


def visit_row(clinic: Clinic, visit_id: int) -> dict[str, object]:
    columns = ("patient_id", "business_date", "visit_kind_id", "doctor_id", "helping_doctor_id",
               "assignment_rule", "override_reason", "refused_doctor_id", "chief_complaint",
               "emergency", "state", "checked_in_by_id")
    values = rows(clinic.desk, f"SELECT {', '.join(columns)} FROM visits WHERE id = ?",
                  visit_id)[0]
    return dict(zip(columns, values))


def notifications(clinic: Clinic) -> list[tuple[object, ...]]:
    return rows(clinic.desk, "SELECT kind, patient_id, visit_id, created_by_id FROM notifications "
                             "ORDER BY id")


# --- who is on duty --------------------------------------------------------------------------

def test_doctors_on_duty_follow_their_weekly_hours(clinic: Clinic, doctors: Doctors) -> None:
    assert on_duty(clinic, START) == [doctors.li, doctors.wang, doctors.zhao]
    assert on_duty(clinic, at(8, 30)) == [doctors.li, doctors.wang]
    assert on_duty(clinic, at(11, 0)) == [doctors.li, doctors.wang]  # Zhao's shift has ended
    assert on_duty(clinic, at(12, 30)) == [doctors.wang]  # Li's lunch break
    assert on_duty(clinic, at(10, 0, TODAY + timedelta(days=1))) == [doctors.chen]


@pytest.mark.parametrize("moment", [at(7, 59), at(18, 0), at(22, 0),
                                    at(10, 0, TODAY - timedelta(days=1))],
                         ids=["before", "closing", "night", "sunday"])
def test_outside_working_hours_nobody_is_on_duty(clinic: Clinic, doctors: Doctors,
                                                 moment: datetime) -> None:
    assert on_duty(clinic, moment) == []


def test_a_doctor_absent_today_is_not_on_duty(clinic: Clinic, doctors: Doctors) -> None:
    add_absence(clinic, doctors.li, TODAY - timedelta(days=1), TODAY)
    add_absence(clinic, doctors.zhao, TODAY, TODAY, hours=("09:30", "10:30"))
    add_absence(clinic, doctors.wang, TODAY, TODAY, cancelled=True)
    assert on_duty(clinic, START) == [doctors.wang]
    assert on_duty(clinic, at(10, 30)) == [doctors.wang, doctors.zhao]  # back from training
    add_absence(clinic, doctors.wang, TODAY - timedelta(days=7), TODAY - timedelta(days=1))
    assert on_duty(clinic, START) == [doctors.wang]


def test_nobody_on_duty_is_refused_at_the_doctor_field(clinic: Clinic, doctors: Doctors,
                                                       patients: Patients) -> None:
    clinic.clock.set(at(20, 0))
    patient = patients.add()
    proposal = propose_check_in(clinic.desk, CheckInRequest(patient))
    assert (proposal.assignment.doctor_id, proposal.on_duty) == (None, ())
    expect_field_error(clinic.desk, "doctor", lambda: arrive(clinic, patient))


# --- the proposal ----------------------------------------------------------------------------

def test_a_new_patient_is_proposed_a_first_visit_by_rotation(clinic: Clinic, doctors: Doctors,
                                                             patients: Patients) -> None:
    proposal = propose_check_in(clinic.desk, CheckInRequest(patients.add()))
    assert proposal.first_visit is True
    assert proposal.visit_kind_id == kind_id(clinic, "first")
    assert (proposal.assignment.doctor_id, proposal.assignment.rule) == (doctors.li, "rotation")
    assert [d.id for d in proposal.on_duty] == [doctors.li, doctors.wang, doctors.zhao]
    assert proposal.regular_doctor_id is None


def test_a_patient_treated_within_a_year_is_proposed_a_return_visit_to_the_same_doctor(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    patient = patients.add()
    earlier = treated_earlier(clinic, patient, weeks_ago=8, doctor_id=doctors.wang,
                              override_reason="patient asked")
    assert rows(clinic.desk, "SELECT business_date, doctor_id, state FROM visits WHERE id = ?",
                earlier) == [("2026-01-05", doctors.wang, "finished")]
    proposal = propose_check_in(clinic.desk, CheckInRequest(patient))
    assert proposal.first_visit is False
    assert proposal.visit_kind_id == kind_id(clinic, "return")
    assert (proposal.assignment.doctor_id, proposal.assignment.rule) == (
        doctors.wang, "same_doctor")
    assert proposal.regular_doctor_id == doctors.wang


def test_a_patient_not_seen_for_over_a_year_is_proposed_a_first_visit(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    patient = patients.add()
    treated_earlier(clinic, patient, weeks_ago=56)
    proposal = propose_check_in(clinic.desk, CheckInRequest(patient))
    assert (proposal.first_visit, proposal.visit_kind_id) == (True, kind_id(clinic, "first"))


def test_a_visit_that_was_never_treated_does_not_make_a_return_visit(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    patient = patients.add()
    clinic.clock.set(START - timedelta(weeks=8))
    visit = arrive(clinic, patient).visit_id
    with clinic.desk.db.write() as session:
        session.get(Visit, visit).state = VisitState.LEFT  # type: ignore[union-attr]
    clinic.clock.set(START)
    assert propose_check_in(clinic.desk, CheckInRequest(patient)).first_visit is True


# --- what a check-in writes ------------------------------------------------------------------

def test_check_in_creates_the_visit_its_queue_entry_and_an_audit_entry(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    patient = patients.add()
    result = arrive(clinic, patient, chief_complaint="  左下牙痛三天 ")
    assert (result.doctor_id, result.rule) == (doctors.li, "rotation")
    assert visit_row(clinic, result.visit_id) == {
        "patient_id": patient, "business_date": "2026-03-02",
        "visit_kind_id": kind_id(clinic, "first"), "doctor_id": doctors.li,
        "helping_doctor_id": None, "assignment_rule": "rotation", "override_reason": "",
        "refused_doctor_id": None, "chief_complaint": "左下牙痛三天", "emergency": 0,
        "state": "open", "checked_in_by_id": clinic.receptionist.staff_id}
    station = rows(clinic.desk, "SELECT id FROM stations ORDER BY sort_order, id")[0][0]
    assert rows(clinic.desk, "SELECT visit_id, station_id, doctor_id, state FROM queue_entries"
                ) == [(result.visit_id, station, doctors.li, "waiting")]
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == (
        "patient_checked_in", "visit", result.visit_id, clinic.receptionist.staff_id)
    assert (entry.details["patient_id"], entry.details["doctor_id"], entry.details["rule"]) == (
        patient, doctors.li, "rotation")
    assert notifications(clinic) == []


def test_new_patients_are_rotated_keeping_loads_even(clinic: Clinic, doctors: Doctors,
                                                     patients: Patients) -> None:
    chosen = [arrive(clinic, patients.add(name)).doctor_id
              for name in ("张一", "张二", "张三", "张四", "张五", "张六")]
    assert chosen == [doctors.li, doctors.wang, doctors.zhao] * 2
    with clinic.desk.db.read() as session:
        assert {d.id: d.load_today for d in doctors_on_duty(session, START)} == {
            doctors.li: 2, doctors.wang: 2, doctors.zhao: 2}


def test_rotation_continues_after_the_last_doctor_chosen_by_rotation(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    assert arrive(clinic, patients.add("张一")).doctor_id == doctors.li  # rotation
    assert [arrive(clinic, patients.add(name), emergency=True).doctor_id
            for name in ("张二", "张三")] == [doctors.wang, doctors.zhao]  # not rotation
    # one visit each: the tie goes to the next staff number after Li, the last rotated
    result = arrive(clinic, patients.add("张四"))
    assert (result.doctor_id, result.rule) == (doctors.wang, "rotation")


def test_choosing_another_doctor_needs_a_reason(clinic: Clinic, doctors: Doctors,
                                                patients: Patients) -> None:
    patient = patients.add()
    expect_field_error(clinic.desk, "override_reason",
                       lambda: arrive(clinic, patient, doctor_id=doctors.zhao,
                                      override_reason="   "))
    result = arrive(clinic, patient, doctor_id=doctors.zhao, override_reason=" 患者要求 ")
    assert (result.doctor_id, result.rule) == (doctors.zhao, "override")
    row = visit_row(clinic, result.visit_id)
    assert (row["doctor_id"], row["assignment_rule"], row["override_reason"]) == (
        doctors.zhao, "override", "患者要求")
    assert last_audit_entry(clinic.desk).details["override_reason"] == "患者要求"


def test_the_proposed_doctor_needs_no_reason_and_keeps_no_typed_one(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    result = arrive(clinic, patients.add(), override_reason="just in case")
    assert visit_row(clinic, result.visit_id)["override_reason"] == ""


@pytest.mark.parametrize("doctor", ["chen", "absent_li", "none", "unknown"])
def test_a_doctor_not_on_duty_is_refused(clinic: Clinic, doctors: Doctors,
                                         patients: Patients, doctor: str) -> None:
    patient = patients.add()
    if doctor == "absent_li":
        add_absence(clinic, doctors.li, TODAY, TODAY)
    doctor_id = {"chen": doctors.chen, "absent_li": doctors.li, "none": None,
                 "unknown": 9999}[doctor]
    expect_field_error(clinic.desk, "doctor", lambda: arrive(
        clinic, patient, doctor_id=doctor_id, override_reason="patient asked"))


@pytest.mark.parametrize("kind", ["", "unknown"])
def test_a_visit_kind_is_required(clinic: Clinic, doctors: Doctors, patients: Patients,
                                  kind: str) -> None:
    patient = patients.add()
    check = form(clinic, patient)
    check = replace(check, visit_kind_id=None if not kind else 9999)
    expect_field_error(clinic.desk, "visit_kind",
                       lambda: check_in(clinic.desk, clinic.receptionist, check))


def test_an_inactive_visit_kind_is_refused(clinic: Clinic, doctors: Doctors,
                                           patients: Patients) -> None:
    patient = patients.add()
    check = form(clinic, patient, kind="ortho")
    with clinic.desk.db.write() as session:
        session.execute(select(VisitKind).where(VisitKind.code == "ortho")).scalar_one() \
            .active = False
    expect_field_error(clinic.desk, "visit_kind",
                       lambda: check_in(clinic.desk, clinic.receptionist, check))


def test_a_patient_waiting_today_cannot_be_checked_in_again(clinic: Clinic, doctors: Doctors,
                                                            patients: Patients) -> None:
    patient = patients.add()
    first = arrive(clinic, patient)
    before = dump(clinic.desk)
    with pytest.raises(Conflict):
        arrive(clinic, patient)
    assert dump(clinic.desk) == before
    with clinic.desk.db.write() as session:
        session.get(Visit, first.visit_id).state = VisitState.FINISHED  # type: ignore[union-attr]
    clinic.clock.advance(hours=2)
    again = arrive(clinic, patient)  # back the same afternoon: a new visit
    assert rows(clinic.desk, "SELECT count(*) FROM visits WHERE patient_id = ?", patient) == [(2,)]
    assert again.visit_id != first.visit_id


# --- emergencies, complaints, helping --------------------------------------------------------

def test_an_emergency_goes_to_the_least_busy_doctor_and_notifies(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    arrive(clinic, patients.add("张一"))  # Li
    arrive(clinic, patients.add("张二"))  # Wang
    patient = patients.add("李四")
    result = arrive(clinic, patient, emergency=True, chief_complaint="外伤")
    assert (result.doctor_id, result.rule) == (doctors.zhao, "emergency")
    row = visit_row(clinic, result.visit_id)
    assert (row["emergency"], row["assignment_rule"]) == (1, "emergency")
    assert notifications(clinic) == [("emergency", patient, result.visit_id,
                                      clinic.receptionist.staff_id)]
    [shown] = unread_notifications(clinic.desk, clinic.manager)
    assert "李四" in shown.message


def test_refusing_the_original_doctor_within_a_year_is_a_complaint(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    patient = patients.add()
    treated_earlier(clinic, patient, weeks_ago=8)  # by rotation: Li
    request = {"problem_with_earlier_work": True, "refuses_original_doctor": True}
    proposal = propose_check_in(clinic.desk, CheckInRequest(
        patient, problem_with_earlier_work=True, refuses_original_doctor=True))
    assert proposal.assignment.complaint_about_doctor_id == doctors.li
    assert proposal.assignment.doctor_id not in (None, doctors.li)

    expect_field_error(clinic.desk, "refusal_reason",
                       lambda: arrive(clinic, patient, refusal_reason="  ", **request))
    result = arrive(clinic, patient, refusal_reason="填充物脱落, 不信任医生", **request)
    assert result.doctor_id == proposal.assignment.doctor_id
    row = visit_row(clinic, result.visit_id)
    assert (row["refused_doctor_id"], row["doctor_id"]) == (doctors.li, result.doctor_id)
    assert notifications(clinic) == [("complaint", patient, result.visit_id,
                                      clinic.receptionist.staff_id)]
    assert "填充物脱落" in rows(clinic.desk, "SELECT message FROM notifications")[0][0]
    assert last_audit_entry(clinic.desk).details["refused_doctor_id"] == doctors.li


def test_a_problem_with_earlier_work_goes_back_to_the_doctor_who_did_it(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    patient = patients.add()
    treated_earlier(clinic, patient, weeks_ago=8, doctor_id=doctors.zhao,
                    override_reason="patient asked")
    result = arrive(clinic, patient, problem_with_earlier_work=True)
    assert (result.doctor_id, result.rule) == (doctors.zhao, "retreatment")
    assert notifications(clinic) == []


def test_another_doctor_seeing_a_regular_patient_is_helping_their_doctor(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    patient = patients.add()
    treated_earlier(clinic, patient, weeks_ago=8)  # Li's patient
    add_absence(clinic, doctors.li, TODAY, TODAY)
    result = arrive(clinic, patient)
    assert result.rule == "rotation" and result.doctor_id != doctors.li
    assert visit_row(clinic, result.visit_id)["helping_doctor_id"] == doctors.li


def test_the_regular_doctor_is_not_helping_themselves(clinic: Clinic, doctors: Doctors,
                                                      patients: Patients) -> None:
    patient = patients.add()
    treated_earlier(clinic, patient, weeks_ago=8)
    result = arrive(clinic, patient)
    assert (result.doctor_id, result.rule) == (doctors.li, "same_doctor")
    assert visit_row(clinic, result.visit_id)["helping_doctor_id"] is None


# --- who may check in ------------------------------------------------------------------------

def test_a_receptionist_may_check_in_and_a_cashier_may_not(clinic: Clinic, doctors: Doctors,
                                                           patients: Patients) -> None:
    patient = patients.add()
    check = form(clinic, patient)
    expect_denied(clinic.desk, lambda: check_in(clinic.desk, clinic.cashier, check))
    check_in(clinic.desk, clinic.receptionist, check)
    assert rows(clinic.desk, "SELECT patient_id, checked_in_by_id FROM visits") == [
        (patient, clinic.receptionist.staff_id)]


def test_the_manager_sees_an_emergency_until_marking_it_seen(clinic: Clinic, doctors: Doctors,
                                                             patients: Patients) -> None:
    patient = patients.add("欧阳华")
    arrive(clinic, patient, emergency=True, chief_complaint="外伤")
    unread = unread_notifications(clinic.desk, clinic.manager)
    assert [(n.kind, n.message) for n in unread] == [
        (NotificationKind.EMERGENCY, "Emergency: 欧阳华 has arrived.")]
    with pytest.raises(PermissionDenied):
        unread_notifications(clinic.desk, clinic.receptionist)
    clinic.clock.advance(minutes=1)
    mark_seen(clinic.desk, clinic.manager, unread[0].id)
    assert unread_notifications(clinic.desk, clinic.manager) == []
    seen_by, seen_at = rows(clinic.desk, "SELECT read_by_id, read_at FROM notifications")[0]
    assert seen_by == clinic.manager.staff_id and seen_at is not None


def test_each_manager_reads_a_notification_in_their_own_language(
        clinic: Clinic, doctors: Doctors, patients: Patients) -> None:
    arrive(clinic, patients.add("欧阳华"), emergency=True, chief_complaint="外伤")
    with use_language("zh_CN"):
        assert [n.message for n in unread_notifications(clinic.desk, clinic.manager)] == [
            "急诊：欧阳华 已到达。"]
    assert [n.message for n in unread_notifications(clinic.desk, clinic.manager)] == [
        "Emergency: 欧阳华 has arrived."]
