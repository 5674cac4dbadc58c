"""A clinic for the calendar, schedule and call tests (the `cal` fixture): two doctors with
weekly hours, a few patients, and a booking helper. The clock starts at Monday 2 March 2026,
10:00 Shanghai."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from clinic_desk.models import Sex
from clinic_desk.services.calendar import BookingRequest, book
from clinic_desk.services.context import Actor

from tests.clinics import Clinic
from .helpers import TODAY, Patients, add_doctor, at, kind_id

TOMORROW = TODAY + timedelta(days=1)
WEEKDAYS = range(5)
SATURDAY, SUNDAY = 5, 6


@dataclass
class Calendar:
    clinic: Clinic
    li: int      # D01: Monday to Saturday 08:30-12:00 and 13:30-17:30
    wang: int    # D02: Monday to Friday 09:00-17:00; Saturday off
    checkup: int
    first: int
    zhang: int   # patients
    wang_fang: int
    chen: int

    @property
    def actor(self) -> Actor:
        return self.clinic.receptionist

    def request(self, patient_id: int | None = None, doctor_id: int | None = None,
                hour: int = 14, minute: int = 0, day: date = TOMORROW, units: int = 2,
                **changes: object) -> BookingRequest:
        values: dict[str, object] = {
            "patient_id": patient_id or self.zhang, "doctor_id": doctor_id or self.li,
            "starts_at": at(hour, minute, day), "units": units, "visit_kind_id": self.checkup}
        values.update(changes)
        return BookingRequest(**values)  # type: ignore[arg-type]

    def book(self, patient_id: int | None = None, doctor_id: int | None = None,
             hour: int = 14, minute: int = 0, day: date = TOMORROW, units: int = 2,
             **changes: object) -> int:
        return book(self.clinic.desk, self.actor,
                    self.request(patient_id, doctor_id, hour, minute, day, units, **changes))


def build_calendar(clinic: Clinic) -> Calendar:
    li = add_doctor(clinic, "D01", "李建国", Sex.MALE,
                    *((d, "08:30", "12:00") for d in range(6)),
                    *((d, "13:30", "17:30") for d in range(6)))
    wang = add_doctor(clinic, "D02", "王丽华", Sex.FEMALE,
                      *((d, "09:00", "17:00") for d in WEEKDAYS))
    patients = Patients(clinic)
    return Calendar(clinic=clinic, li=li, wang=wang, checkup=kind_id(clinic, "checkup"),
                    first=kind_id(clinic, "first"), zhang=patients.add("张三"),
                    wang_fang=patients.add("王芳"), chen=patients.add("陈明"))
