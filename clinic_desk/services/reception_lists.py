"""The clinic's lists the reception forms offer: flagged conditions, referral sources."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from clinic_desk.models import ConditionKind, ReferralSource
from clinic_desk.services.context import Desk


@dataclass(frozen=True)
class ConditionChoice:
    id: int
    name: str
    colour: str


@dataclass(frozen=True)
class ReferralChoice:
    id: int
    name: str


def condition_kinds(desk: Desk) -> list[ConditionChoice]:
    with desk.db.read() as session:
        rows = session.execute(select(ConditionKind).where(ConditionKind.active.is_(True))
                               .order_by(ConditionKind.sort_order, ConditionKind.id)).scalars()
        return [ConditionChoice(k.id, k.name, k.colour) for k in rows]


def referral_sources(desk: Desk) -> list[ReferralChoice]:
    with desk.db.read() as session:
        rows = session.execute(select(ReferralSource).where(ReferralSource.active.is_(True))
                               .order_by(ReferralSource.sort_order, ReferralSource.id)).scalars()
        return [ReferralChoice(r.id, r.name) for r in rows]
