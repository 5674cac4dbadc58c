"""Gap-free numbers (record numbers, receipts, refund slips, closings).

The counter row is locked and bumped inside the action's own transaction: if the action
rolls back, so does the number, and the series never has a hole or a duplicate.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desk.models import Counter


def take_next(session: Session, series: str) -> int:
    counter = session.execute(
        select(Counter).where(Counter.name == series).with_for_update()).scalar_one_or_none()
    if counter is None:
        counter = Counter(name=series, last_value=0)
        session.add(counter)
    counter.last_value += 1
    session.flush()
    return counter.last_value
