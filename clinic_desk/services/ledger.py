"""Sums over the append-only ledger: what a patient or a visit owes.

A patient's balance = charges − discounts − payments + refunds; positive is owed to the
clinic, negative is money on account (a deposit not used yet). Reversing entries carry
negative amounts, so plain sums are always right.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desk.models import Charge, Discount, Payment, Refund


@dataclass(frozen=True)
class Totals:
    charged: int
    discounted: int
    paid: int
    refunded: int

    @property
    def balance(self) -> int:
        return self.charged - self.discounted - self.paid + self.refunded


def _sum(session: Session, column, *conditions) -> int:  # type: ignore[no-untyped-def]
    return int(session.execute(select(func.coalesce(func.sum(column), 0)).where(*conditions))
               .scalar_one())


def patient_totals(session: Session, patient_id: int) -> Totals:
    return Totals(
        charged=_sum(session, Charge.amount, Charge.patient_id == patient_id),
        discounted=_sum(session, Discount.amount, Discount.patient_id == patient_id),
        paid=_sum(session, Payment.amount, Payment.patient_id == patient_id),
        refunded=_sum(session, Refund.amount, Refund.patient_id == patient_id))


def visit_totals(session: Session, visit_id: int) -> Totals:
    return Totals(
        charged=_sum(session, Charge.amount, Charge.visit_id == visit_id),
        discounted=_sum(session, Discount.amount, Discount.visit_id == visit_id),
        paid=_sum(session, Payment.amount, Payment.visit_id == visit_id),
        refunded=_sum(session, Refund.amount, Refund.visit_id == visit_id))
