"""Passwords, logging in, locking out, approvals and permissions checked in the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from clinic_desk.models import PaymentKind, Role, Sex
from clinic_desk.services import catalog, settings, staff
from clinic_desk.services.audit_report import verify_audit_log
from clinic_desk.services.auth import (LOCKOUT, MAX_FAILED_LOGINS, Approval, approve, can,
                                       hash_password, log_in, Permission, verify_password)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import AccountLocked, AuthenticationFailed, PermissionDenied
from clinic_desk.services.patients import PatientForm, register_patient

from tests.clinics import CASHIER_LOGIN, MANAGER_LOGIN, RECEPTIONIST_LOGIN, Clinic
from .helpers import dump, expect_denied, last_audit_entry, rows


def staff_state(desk: Desk, staff_id: int) -> tuple[int, str | None]:
    return rows(desk, "SELECT failed_logins, locked_until FROM staff WHERE id = ?", staff_id)[0]


def last_about(desk: Desk, staff_id: int) -> tuple[str, int | None, dict[str, object]]:
    entry = last_audit_entry(desk)
    assert (entry.entity, entry.entity_id) == ("staff", staff_id)
    return entry.action, entry.actor_id, entry.details


# --- passwords -------------------------------------------------------------------------------

def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert salt and digest and "correct horse" not in first
    assert first != second  # a new salt every time
    assert verify_password("correct horse", first) and verify_password("correct horse", second)


@pytest.mark.parametrize("password", ["correct hors", "Correct horse", "", "correct horse "])
def test_a_wrong_password_does_not_verify(password: str) -> None:
    assert not verify_password(password, hash_password("correct horse"))


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "md5$abc$def$1$x$y"])
def test_a_missing_or_foreign_hash_never_verifies(stored: str | None) -> None:
    assert not verify_password("anything", stored)


# --- logging in --------------------------------------------------------------------------------

def test_logging_in_returns_the_actor_and_is_audited(clinic: Clinic) -> None:
    actor = log_in(clinic.desk, f"  {MANAGER_LOGIN[0].upper()} ", MANAGER_LOGIN[1])
    assert actor == clinic.manager
    assert last_about(clinic.desk, actor.staff_id) == ("login", actor.staff_id, {})


def test_a_wrong_password_is_refused_and_counted(clinic: Clinic) -> None:
    manager_id = clinic.manager.staff_id
    with pytest.raises(AuthenticationFailed):
        log_in(clinic.desk, MANAGER_LOGIN[0], "wrong-password")
    # Committed although the attempt raised.
    assert staff_state(clinic.desk, manager_id) == (1, None)
    assert last_about(clinic.desk, manager_id) == (
        "login_failed", None, {"purpose": "login", "failed_logins": 1})


def test_an_unknown_user_is_refused_without_writing_anything(clinic: Clinic) -> None:
    before = dump(clinic.desk)
    with pytest.raises(AuthenticationFailed):
        log_in(clinic.desk, "nobody", MANAGER_LOGIN[1])
    assert dump(clinic.desk) == before


def test_a_right_password_clears_the_failure_count(clinic: Clinic) -> None:
    with pytest.raises(AuthenticationFailed):
        log_in(clinic.desk, *RECEPTIONIST_LOGIN[:1], "wrong-password")
    log_in(clinic.desk, *RECEPTIONIST_LOGIN)
    assert staff_state(clinic.desk, clinic.receptionist.staff_id) == (0, None)


def test_too_many_wrong_passwords_lock_the_account_for_five_minutes(clinic: Clinic) -> None:
    desk, clock, manager_id = clinic.desk, clinic.clock, clinic.manager.staff_id
    username, password = MANAGER_LOGIN
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed):
            log_in(desk, username, "wrong-password")
    assert staff_state(desk, manager_id)[0] == MAX_FAILED_LOGINS - 1

    with pytest.raises(AccountLocked) as locked:
        log_in(desk, username, "wrong-password")
    assert locked.value.until == clock.now() + LOCKOUT == clock.now() + timedelta(minutes=5)
    assert staff_state(desk, manager_id)[1] is not None
    assert last_about(desk, manager_id) == (
        "account_locked", None, {"purpose": "login", "failed_logins": MAX_FAILED_LOGINS})

    clock.advance(minutes=4, seconds=59)
    before = dump(desk)
    with pytest.raises(AccountLocked) as still_locked:
        log_in(desk, username, password)  # even the right password
    assert still_locked.value.until == locked.value.until
    assert dump(desk) == before

    clock.advance(seconds=1)
    assert log_in(desk, username, password) == clinic.manager
    assert staff_state(desk, manager_id) == (0, None)


def test_a_lockout_holds_for_every_pc(clinic: Clinic) -> None:
    """The lock is in the database, not in the memory of the PC where it happened."""
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed):
            log_in(clinic.desk, CASHIER_LOGIN[0], "wrong-password")
    with pytest.raises(AccountLocked):
        log_in(clinic.desk, CASHIER_LOGIN[0], "wrong-password")
    clinic.desk.db.dispose()  # a fresh pool: nothing remembered but the file
    with pytest.raises(AccountLocked):
        log_in(clinic.desk, *CASHIER_LOGIN)


# --- approvals -------------------------------------------------------------------------------

def test_a_manager_approves_on_the_spot(clinic: Clinic) -> None:
    approval = approve(clinic.desk, *MANAGER_LOGIN)
    assert approval == Approval(staff_id=clinic.manager.staff_id, name=clinic.manager.name,
                                at=clinic.clock.now())
    assert last_about(clinic.desk, clinic.manager.staff_id)[0] == "approval_given"


def test_a_cashier_cannot_approve_and_no_approval_is_recorded(clinic: Clinic) -> None:
    before = dump(clinic.desk)["audit_entries"]
    with pytest.raises(PermissionDenied):
        approve(clinic.desk, *CASHIER_LOGIN)
    assert dump(clinic.desk)["audit_entries"] == before


def test_an_approval_with_a_wrong_password_is_refused_and_counted(clinic: Clinic) -> None:
    with pytest.raises(AuthenticationFailed):
        approve(clinic.desk, MANAGER_LOGIN[0], "wrong-password")
    assert staff_state(clinic.desk, clinic.manager.staff_id)[0] == 1
    assert last_about(clinic.desk, clinic.manager.staff_id)[2]["purpose"] == "approval_given"


# --- permissions -----------------------------------------------------------------------------

def test_roles_grant_what_the_desk_expects() -> None:
    def actor(*roles: Role) -> Actor:
        return Actor(1, "x", frozenset(roles))

    assert can(actor(Role.MANAGER), Permission.APPROVE)
    assert can(actor(Role.RECEPTIONIST), Permission.REGISTER_PATIENTS)
    assert not can(actor(Role.RECEPTIONIST), Permission.TAKE_PAYMENTS)
    assert not can(actor(Role.CASHIER), Permission.APPROVE)
    assert not can(actor(Role.DOCTOR), Permission.MANAGE_SETTINGS)
    assert can(actor(Role.CASHIER, Role.RECEPTIONIST), Permission.REGISTER_PATIENTS)
    assert not can(actor(), Permission.RUN_QUEUE)


Attempt = Callable[[Clinic, Actor], object]

ATTEMPTS: dict[str, Attempt] = {
    "save_settings": lambda c, a: settings.save_settings(
        c.desk, a, settings.ClinicSettings(clinic_name="Taken over")),
    "add_staff": lambda c, a: staff.add_staff(c.desk, a, staff.StaffForm(
        staff_number="X01", full_name="Intruder", sex=Sex.MALE, roles=frozenset({Role.MANAGER}),
        username="intruder", password="intruder-pw")),
    "update_staff": lambda c, a: staff.update_staff(
        c.desk, a, c.receptionist.staff_id, staff.StaffForm(
            staff_number="R01", full_name="Promoted", sex=Sex.FEMALE,
            roles=frozenset({Role.MANAGER}), username="front")),
    "save_price_item": lambda c, a: catalog.save_price_item(c.desk, a, None, catalog.PriceItemForm(
        code="FREE", name="Free item", category_id=1, price_text="0")),
    "save_category": lambda c, a: catalog.save_category(c.desk, a, None, "Secret"),
    "save_visit_kind": lambda c, a: catalog.save_visit_kind(c.desk, a, None, "x", "X", 1, 10),
    "save_payment_method": lambda c, a: catalog.save_payment_method(
        c.desk, a, None, "IOU", PaymentKind.OTHER, False, False),
    "verify_audit_log": lambda c, a: verify_audit_log(c.desk, a),
}


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
@pytest.mark.parametrize("who", ["receptionist", "cashier"])
def test_services_refuse_actors_without_the_permission(clinic: Clinic, attempt: Attempt,
                                                       who: str) -> None:
    expect_denied(clinic.desk, lambda: attempt(clinic, getattr(clinic, who)))


def test_a_cashier_may_not_register_patients(clinic: Clinic) -> None:
    form = PatientForm(name="张三", sex=Sex.MALE, birth_date=None, phone="13812345678")
    expect_denied(clinic.desk, lambda: register_patient(clinic.desk, clinic.cashier, form))


def test_the_same_actions_are_allowed_to_a_manager(clinic: Clinic) -> None:
    """The refusals above come from the permission check, not from the data."""
    for name, attempt in ATTEMPTS.items():
        before = len(dump(clinic.desk)["audit_entries"])
        attempt(clinic, clinic.manager)
        if name != "verify_audit_log":
            assert len(dump(clinic.desk)["audit_entries"]) == before + 1, name
