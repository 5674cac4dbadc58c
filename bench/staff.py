"""The people a bench needs in its clinic: who acts, and a dozen doctors of its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desk.models import Role, Sex, Staff, StaffRole
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.staff import (Shift, StaffForm, add_staff, list_staff, staff_form,
                                        update_staff)

DOCTOR_NAMES = ("周建华", "吴晓梅", "郑国强", "孙丽娟", "马志远", "朱红霞", "胡文斌", "郭秀英",
                "何振宇", "高雅琴", "林志明", "罗海燕")


def first_actor(session: Session, role: Role) -> Actor:
    """The clinic's first staff member in `role` (by id), acting in that role only."""
    staff = session.execute(select(Staff).join(StaffRole).where(StaffRole.role == role)
                            .order_by(Staff.id).limit(1)).scalar_one()
    return Actor(staff.id, staff.full_name, frozenset({role}))


def retire_doctors(desk: Desk, manager: Actor) -> None:
    """The clinic's doctors set inactive, so that only the bench's own are on duty."""
    for staff in list_staff(desk):
        if Role.DOCTOR in staff.roles:
            update_staff(desk, manager, staff.id, replace(staff_form(desk, staff.id),
                                                          active=False))


def add_doctors(desk: Desk, manager: Actor, count: int, prefix: str,
                shifts: Sequence[Shift]) -> list[int]:
    """`count` doctors (at most 12) working `shifts`, staff numbers `<prefix>01`...; their ids."""
    return [add_staff(desk, manager, StaffForm(
        staff_number=f"{prefix}{n:02d}", full_name=name, sex=Sex.FEMALE if n % 2 else Sex.MALE,
        roles=frozenset({Role.DOCTOR}), shifts=tuple(shifts)))
        for n, name in enumerate(DOCTOR_NAMES[:count], start=1)]
