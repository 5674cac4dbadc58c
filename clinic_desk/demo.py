"""The demo clinic: a believable small dental practice to try the program on.

Built through the same services a clinic uses, so the demo data is audited like real data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import select

from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock, business_date
from clinic_desk.models import PaymentKind, QueueState, Role, Sex, VisitKind
from clinic_desk.money import format_plain
from clinic_desk.services import calendar, catalog, queue
from clinic_desk.services.auth import log_in
from clinic_desk.services.bills import bill, waiting_to_pay
from clinic_desk.services.cashdesk import (ChargeLine, PaymentPart, PaymentRequest, add_charges,
                                          post_payment)
from clinic_desk.services.checkin import CheckInForm, CheckInRequest, check_in, propose_check_in
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import Conflict, ValidationError
from clinic_desk.services.patients import PatientForm, create_patient
from clinic_desk.services.settings import get_settings
from clinic_desk.services.setup import FirstStartForm, create_clinic, needs_first_start
from clinic_desk.services.staff import Shift, StaffForm, add_staff

DEMO_MANAGER = ("manager", "demo1234")
DEMO_PATIENTS = 300
#: The last of DEMO_PATIENTS called to book: name and phone only, completed when they arrive.
DEMO_CALLERS = 12
DEMO_APPOINTMENT_DAYS = 7
#: The demo opens on a day in progress: arrivals over the last hour and a half.
DEMO_MORNING = timedelta(minutes=90)
DEMO_ARRIVALS = 18
DEMO_MAX_ITEM_PRICE = 500_00
DEMO_COMPLAINTS = ("牙痛三天", "洗牙", "补牙复查", "牙龈出血", "智齿发炎", "矫正复诊", "牙齿松动")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
            "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷"
            "龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常单区仇朴查盖解")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文辉鹏宇浩然子涵"
         "欣怡梓轩雨萱俊杰思远晓东海燕春梅慧琳嘉豪宏博佳颖婷雪峰立新金凤淑珍国强")

MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159",
                   "177", "180", "186", "187", "188", "189")

DOCTORS = (
    ("D01", "李建国", Sex.MALE, "doctor.li"),
    ("D02", "王丽华", Sex.FEMALE, "doctor.wang"),
    ("D03", "陈志强", Sex.MALE, "doctor.chen"),
    ("D04", "刘晓燕", Sex.FEMALE, "doctor.liu"),
)

#: Items in the order of the starting categories: examination, treatment, medicine, materials.
PRICE_LIST = (
    (("JC01", "初诊检查", "50.00"), ("JC02", "全景片", "150.00"), ("JC03", "根尖片", "30.00"),
           ("JC04", "CBCT", "400.00")),
    (("ZL01", "洁牙", "200.00"), ("ZL02", "树脂补牙", "300.00"), ("ZL03", "根管治疗", "1200.00"),
           ("ZL04", "简单拔牙", "200.00"), ("ZL05", "阻生齿拔除", "800.00"),
           ("ZL06", "烤瓷牙冠", "2000.00"), ("ZL07", "种植体", "8000.00"),
           ("ZL08", "固定矫治", "15000.00"), ("ZL09", "窝沟封闭", "100.00")),
    (("YP01", "甲硝唑片", "25.00"), ("YP02", "布洛芬缓释胶囊", "18.00"),
     ("YP03", "漱口水", "35.00")),
    (("CL01", "牙线", "15.00"), ("CL02", "夜间护牙套", "120.00")),
)


def _shifts(rng: random.Random) -> tuple[Shift, ...]:
    """Mornings and afternoons on five or six days, one weekday off."""
    day_off = rng.randrange(0, 5)
    shifts = []
    for weekday in range(6):
        if weekday == day_off:
            continue
        shifts.append(Shift(weekday, time(8, 30), time(12, 0)))
        if weekday < 5:
            shifts.append(Shift(weekday, time(13, 30), time(17, 30)))
    return tuple(shifts)


def random_name(rng: random.Random,
                surname_cum_weights: Sequence[float] | None = None) -> str:
    """A Chinese name: about 3% with a compound surname, else one of SURNAMES (evenly, or
    by `surname_cum_weights`, cumulative weights in the order of SURNAMES)."""
    if rng.random() < 0.03:
        surname = rng.choice(COMPOUND_SURNAMES)
    elif surname_cum_weights is None:
        surname = rng.choice(SURNAMES)
    else:
        surname = rng.choices(SURNAMES, cum_weights=surname_cum_weights)[0]
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def random_mobile(rng: random.Random) -> str:
    """A mainland mobile number in its national form (11 digits)."""
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def _random_patient(rng: random.Random, today: date, condition_ids: list[int],
                    caller: bool = False) -> PatientForm:
    """A patient; about one in eight has a flagged condition (allergy, hypertension ...).
    A `caller` registered by phone gave name and phone only."""
    birth = today - timedelta(days=rng.randrange(4 * 365, 85 * 365))
    conditions = frozenset(rng.sample(condition_ids, rng.choice((1, 1, 2))))
    form = PatientForm(name=random_name(rng), sex=rng.choice((Sex.FEMALE, Sex.MALE)),
                       birth_date=birth, phone=random_mobile(rng), vip=rng.random() < 0.03,
                       condition_kind_ids=conditions if rng.random() < 0.12 else frozenset())
    if caller:
        return replace(form, sex=None, birth_date=None, vip=False, condition_kind_ids=frozenset())
    return form


def setup_demo_clinic(desk: Desk, rng: random.Random) -> Actor:
    """The demo clinic without its patients: settings, staff with their shifts, price list.

    Returns the manager; `bench/make_clinic.py` builds its large clinics on the same setup.
    """
    manager = create_clinic(desk, FirstStartForm(
        clinic_name="康齿口腔门诊部", address="上海市徐汇区漕溪北路 88 号 2 楼",
        phone="021-6438 8888",
        currency="CNY", language="zh_CN", clinic_kind="dental", manager_name="周主任",
        manager_staff_number="M01", manager_sex=Sex.FEMALE, username=DEMO_MANAGER[0],
        password=DEMO_MANAGER[1], password_repeat=DEMO_MANAGER[1]))
    for number, name, sex, username in DOCTORS:
        add_staff(desk, manager, StaffForm(staff_number=number, full_name=name, sex=sex,
                                           roles=frozenset({Role.DOCTOR}), username=username,
                                           password=DEMO_MANAGER[1], shifts=_shifts(rng)))
    add_staff(desk, manager, StaffForm(staff_number="R01", full_name="赵小雨", sex=Sex.FEMALE,
                                       roles=frozenset({Role.RECEPTIONIST}), username="reception",
                                       password=DEMO_MANAGER[1]))
    add_staff(desk, manager, StaffForm(staff_number="C01", full_name="孙美玲", sex=Sex.FEMALE,
                                       roles=frozenset({Role.CASHIER}), username="cashier",
                                       password=DEMO_MANAGER[1]))
    categories = catalog.list_categories(desk)
    for category, items in zip(categories, PRICE_LIST):
        for code, name, price in items:
            catalog.save_price_item(desk, manager, None, catalog.PriceItemForm(
                code=code, name=name, category_id=category.id, price_text=price))
    return manager


def populate_demo(desk: Desk, seed: int = 20261123) -> Actor:
    rng = random.Random(seed)
    manager = setup_demo_clinic(desk, rng)
    now = desk.clock.now()
    today = business_date(now, get_settings(desk).timezone)
    condition_ids = [kind.id for kind in catalog.list_condition_kinds(desk, active_only=True)]
    with desk.db.write() as session:
        patients = []
        for number in range(DEMO_PATIENTS):
            caller = number >= DEMO_PATIENTS - DEMO_CALLERS
            form = _random_patient(rng, today, condition_ids, caller)
            patients.append(create_patient(session, manager.staff_id, form, now, today,
                                           allow_duplicate=True, quick=caller).id)
    _book_demo_appointments(desk, manager, rng, patients)
    _demo_morning(desk, rng, patients[:DEMO_PATIENTS - DEMO_CALLERS])
    return manager


def _demo_morning(desk: Desk, rng: random.Random, patients: list[int]) -> None:
    """The last hour and a half of the day so far, so the queue, its alerts and the cash
    desk have something to show: arrivals at random moments, the longest-waiting patient
    seen while others arrive, most of the treated paid with a receipt, some still waiting
    to pay. Done through the services at the moments they happened; an arrival when no
    doctor was on duty is left out."""
    now = desk.clock.now()
    clock = FixedClock(now - DEMO_MORNING)
    past = Desk(db=desk.db, clock=clock)
    receptionist = log_in(past, "reception", DEMO_MANAGER[1])
    cashier = log_in(past, "cashier", DEMO_MANAGER[1])
    moments = sorted(now - DEMO_MORNING * rng.random() for _ in range(DEMO_ARRIVALS))
    in_chair: list[tuple[int, int]] = []
    for patient_id, moment in zip(rng.sample(patients, DEMO_ARRIVALS), moments):
        clock.set(moment)
        if in_chair and rng.random() < 0.8:
            queue.finish(past, receptionist, *in_chair.pop(0))
        request = CheckInRequest(patient_id=patient_id)
        try:
            proposal = propose_check_in(past, request)
            check_in(past, receptionist, CheckInForm(
                request=request, visit_kind_id=proposal.visit_kind_id,
                chief_complaint=rng.choice(DEMO_COMPLAINTS),
                doctor_id=proposal.assignment.doctor_id))
        except (ValidationError, Conflict):
            continue  # nobody on duty then
        if rng.random() < 0.5:
            entry = _call_longest_waiting(past, receptionist)
            if entry is not None:
                queue.start_treatment(past, receptionist, *entry)
                in_chair.append((entry[0], entry[1] + 1))
    clock.set(now - timedelta(minutes=1))
    _call_longest_waiting(past, receptionist)
    _charge_and_pay(past, cashier, rng)


def _call_longest_waiting(desk: Desk, actor: Actor) -> tuple[int, int] | None:
    """Call in the patient who has waited longest: their queue entry and its new version,
    or None when nobody waits."""
    waiting = [row for row in queue.queue_snapshot(desk).rows
               if row.state == QueueState.WAITING]
    if not waiting:
        return None
    row = min(waiting, key=lambda r: r.entered_at)
    queue.call_patient(desk, actor, row.entry_id, row.version)
    return row.entry_id, row.version + 1


def _charge_and_pay(desk: Desk, cashier: Actor, rng: random.Random) -> None:
    """Everyday items charged on each treated visit; two in three paid in full."""
    items = [item.id for item in catalog.list_price_items(desk)
             if item.active and item.price <= DEMO_MAX_ITEM_PRICE]
    methods = {m.kind: m.id for m in catalog.list_payment_methods(desk)}
    currency = get_settings(desk).currency
    for number, waiting in enumerate(waiting_to_pay(desk)):
        add_charges(desk, cashier, waiting.visit_id,
                    [ChargeLine(item) for item in rng.sample(items, 2)])
        if number % 3 == 2:
            continue  # still at the cash desk
        due = bill(desk, waiting.patient_id, waiting.visit_id).due
        kind = rng.choice((PaymentKind.CASH, PaymentKind.WECHAT, PaymentKind.ALIPAY))
        reference = "" if kind == PaymentKind.CASH else str(rng.randrange(10**27, 10**28))
        post_payment(desk, cashier, PaymentRequest(
            patient_id=waiting.patient_id, visit_id=waiting.visit_id,
            parts=(PaymentPart(methods[kind], format_plain(due, currency), reference=reference),),
            idempotency_key=f"demo-{waiting.visit_id}"))


def _book_demo_appointments(desk: Desk, manager: Actor, rng: random.Random,
                            patients: list[int]) -> None:
    """About half of each doctor's hours booked from now for a week, so the
    calendar, the reminder list and the morning list have something to show."""
    now = desk.clock.now()
    with desk.db.write() as session:
        kinds = [kind.id for kind in session.execute(
            select(VisitKind).where(VisitKind.active.is_(True))).scalars()]
        today = calendar.clinic_hours(session).local(now).date()
        for offset in range(DEMO_APPOINTMENT_DAYS):
            for column in calendar.read_day(session, today + timedelta(days=offset),
                                            by_chair=False).columns:
                for start, end in column.working:
                    moment = start
                    while moment < end:
                        units = rng.choice((1, 1, 2, 2, 2, 3, 4))
                        request = calendar.BookingRequest(
                            patient_id=rng.choice(patients), doctor_id=column.key,
                            starts_at=moment, units=units, visit_kind_id=rng.choice(kinds))
                        try:
                            if rng.random() < 0.5:
                                calendar.book_in(session, manager.staff_id, request, now)
                                moment += units * calendar.UNIT
                                continue
                        except (ValidationError, calendar.PatientOverlap):
                            pass  # passed already, runs past the doctor's hours, or clashes
                        moment += calendar.UNIT


def open_demo(path: Path) -> tuple[Desk, Actor]:
    """Open the demo clinic at `path`, creating it on first use, logged in as its manager."""
    desk = open_clinic(path)
    if needs_first_start(desk):
        populate_demo(desk)
    return desk, log_in(desk, *DEMO_MANAGER)
