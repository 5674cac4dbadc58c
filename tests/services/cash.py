"""Cash-desk test helpers: a price list, a doctor on duty, visits, and payment parts.

The test clinic is created in zh_CN, so its payment methods carry Chinese names; they are
found here by their kind, never by name.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from clinic_desk.clock import FixedClock
from clinic_desk.models import PaymentKind, Sex, Visit, VisitState
from clinic_desk.services import catalog
from clinic_desk.services.cashdesk import (ChargeLine, PaymentPart, PaymentRequest, PostedPayment,
                                           add_charges, post_payment)
from clinic_desk.services.patients import PatientForm, register_patient
from clinic_desk.services.checkin import CheckInForm, CheckInRequest, check_in, propose_check_in

from tests.clinics import Clinic, ClinicTemplate, clinic_copy, close_for_copying
from .helpers import MONDAY, Patients, add_doctor

_keys = itertools.count(1)


def new_key(prefix: str = "pay") -> str:
    """A client-made idempotency key, unique within the test run."""
    return f"{prefix}-{next(_keys)}"


@dataclass(frozen=True)
class Methods:
    cash: int
    card: int
    wechat: int
    alipay: int


@dataclass(frozen=True)
class Items:
    exam: int       # 检查 50.00
    filling: int    # 治疗 280.00
    crown: int      # 治疗 2,500.00
    gauze: int      # 材料 3.50
    implant: int    # 治疗 1,000,000.00 (the kill test's inexhaustible debt)
    retired: int    # no longer on the price list


@dataclass(frozen=True)
class Till:
    """A clinic ready to charge: price list, payment methods, two doctors, patients."""

    clinic: Clinic
    methods: Methods
    items: Items
    doctor: int
    other_doctor: int
    patients: Patients

    def new_patient(self, name: str = "张三") -> int:
        """A patient with a phone number and birth date of their own (never a duplicate)."""
        self.patients.count += 1  # shares the phone series with `patients.add`
        count = self.patients.count
        return register_patient(self.clinic.desk, self.clinic.receptionist, PatientForm(
            name=name, sex=Sex.MALE, birth_date=date(1950, 1, 1) + timedelta(days=count),
            phone=f"139 0000 {count:04d}"))

    def visit(self, patient_id: int, doctor_id: int | None = None) -> int:
        """Check the patient in with `doctor_id` (default: the first doctor); the visit's id."""
        request = CheckInRequest(patient_id=patient_id)
        proposal = propose_check_in(self.clinic.desk, request)
        chosen = doctor_id or self.doctor
        return check_in(self.clinic.desk, self.clinic.receptionist, CheckInForm(
            request=request, visit_kind_id=proposal.visit_kind_id, chief_complaint="牙痛",
            doctor_id=chosen, override_reason="" if chosen == proposal.assignment.doctor_id
            else "patient asked for this doctor")).visit_id

    def charge(self, visit_id: int, item_id: int, quantity: int = 1, **changes: object) -> int:
        (charge_id,) = add_charges(self.clinic.desk, self.clinic.cashier, visit_id,
                                   [ChargeLine(item_id, quantity, **changes)])  # type: ignore[arg-type]
        return charge_id

    def to_cashier(self, visit_id: int, state: VisitState = VisitState.TO_CASHIER) -> None:
        """Treatment done (the queue's part, which these tests do not exercise)."""
        with self.clinic.desk.db.write() as session:
            visit = session.get(Visit, visit_id)
            assert visit is not None
            visit.state = state

    def finish(self, visit_id: int) -> None:
        """The visit is over (left with a balance), so the patient can be checked in again."""
        self.to_cashier(visit_id, VisitState.FINISHED)

    def pay(self, patient_id: int, visit_id: int | None, *parts: PaymentPart,
            key: str | None = None, deposit: bool = False,
            accept_reused_reference: bool = False) -> PostedPayment:
        return post_payment(self.clinic.desk, self.clinic.cashier, PaymentRequest(
            patient_id=patient_id, visit_id=visit_id, parts=parts,
            idempotency_key=key or new_key(), deposit=deposit,
            accept_reused_reference=accept_reused_reference))

    # payment parts ---------------------------------------------------------------------------

    def cash(self, amount: str, tendered: str = "") -> PaymentPart:
        return PaymentPart(self.methods.cash, amount, tendered_text=tendered)

    def card(self, amount: str, last4: str = "6222", reference: str | None = None,
             card_type: str = "UnionPay debit") -> PaymentPart:
        return PaymentPart(self.methods.card, amount, card_type=card_type, card_last4=last4,
                           reference=new_key("POS") if reference is None else reference)

    def wechat(self, amount: str, reference: str | None = None) -> PaymentPart:
        return PaymentPart(self.methods.wechat, amount,
                           reference=new_key("WX") if reference is None else reference)

    def alipay(self, amount: str, reference: str | None = None) -> PaymentPart:
        return PaymentPart(self.methods.alipay, amount,
                           reference=new_key("ALI") if reference is None else reference)


def methods_of(clinic: Clinic) -> Methods:
    by_kind = {m.kind: m.id for m in catalog.list_payment_methods(clinic.desk) if m.active}
    return Methods(cash=by_kind[PaymentKind.CASH], card=by_kind[PaymentKind.CARD],
                   wechat=by_kind[PaymentKind.WECHAT], alipay=by_kind[PaymentKind.ALIPAY])


def open_till(clinic: Clinic) -> Till:
    """Price-list items in the clinic's categories, two doctors working all Monday (the tests'
    day)."""
    desk, manager = clinic.desk, clinic.manager
    categories = {c.name: c.id for c in catalog.list_categories(desk)}  # the clinic's own
    exam, treatment, materials = categories["检查"], categories["治疗"], categories["材料"]

    def item(code: str, name: str, category: int, price: str, active: bool = True) -> int:
        return catalog.save_price_item(desk, manager, None, catalog.PriceItemForm(
            code=code, name=name, category_id=category, price_text=price, active=active))

    items = Items(
        exam=item("E01", "口腔检查", exam, "50.00"),
        filling=item("T01", "补牙", treatment, "280.00"),
        crown=item("T02", "烤瓷冠", treatment, "2500.00"),
        gauze=item("M01", "纱布", materials, "3.50"),
        implant=item("T99", "全口种植", treatment, "1000000.00"),
        retired=item("T00", "旧项目", treatment, "10.00", active=False))
    doctor = add_doctor(clinic, "D01", "李建国", Sex.MALE, (MONDAY, "08:00", "18:00"))
    other = add_doctor(clinic, "D02", "王丽", Sex.FEMALE, (MONDAY, "08:00", "18:00"))
    return Till(clinic=clinic, methods=methods_of(clinic), items=items, doctor=doctor,
                other_doctor=other, patients=Patients(clinic))


@dataclass(frozen=True)
class TillTemplate:
    """A clinic file with its till set up once (through the real services), for copying."""

    clinic: ClinicTemplate
    till: Till


def build_till_template(template: ClinicTemplate, directory: Path,
                        clock: FixedClock) -> TillTemplate:
    with clinic_copy(template, directory, clock) as clinic:
        till = open_till(clinic)
        close_for_copying(clinic.desk)
    return TillTemplate(replace(template, path=clinic.path), till)


@contextmanager
def till_copy(template: TillTemplate, directory: Path, clock: FixedClock) -> Iterator[Till]:
    with clinic_copy(template.clinic, directory, clock) as clinic:
        yield replace(template.till, clinic=clinic, patients=Patients(clinic))
