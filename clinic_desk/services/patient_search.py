"""Type-ahead patient search: record number, phone (or its last 4 digits), name or any part
of it, pinyin initials ("zs" finds 张三), full pinyin and its prefixes ("zhang").

Every lookup is an indexed equality or range scan in plain SQL, so it stays fast on a
clinic with hundreds of thousands of patients and runs the same on any database.
"""

from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from clinic_desk.models import Patient, PatientSearchTerm
from clinic_desk.services.context import Desk
from clinic_desk.services.patients import PatientSummary, summaries
from clinic_desk.services.search_terms import normalise_query

DEFAULT_LIMIT = 30
#: Past every character a term can hold, closing "starts with" as a range.
_HIGH = "\U0010ffff"


def _starting_with(column, prefix: str):  # type: ignore[no-untyped-def]
    return (column >= prefix) & (column < prefix + _HIGH)


def matching_ids(session: Session, text: str, limit: int = DEFAULT_LIMIT) -> list[int]:
    """Patient ids for what was typed, best matches first, at most `limit`."""
    query = normalise_query(text)
    if not query:
        return []
    found: dict[int, None] = {}

    def take(ids: list[int]) -> None:
        for patient_id in ids:
            found.setdefault(patient_id)

    # Exact answers first: the record number itself, then the phone's last 4 digits, and
    # only then record numbers that merely start so (0001 starts a hundred of them).
    record = query.upper()
    take(session.execute(select(Patient.id).where(Patient.record_number == record)
                         ).scalars().all())
    if query.isdigit() and len(query) == 4:
        take(session.execute(select(Patient.id).where(Patient.phone_last4 == query)
                             .order_by(Patient.id).limit(limit)).scalars().all())
    take(session.execute(select(Patient.id).where(_starting_with(Patient.record_number, record))
                         .order_by(Patient.record_number).limit(limit)).scalars().all())
    # One patient has many terms with the same prefix (every reading of the name): read
    # further batches, continuing after the last row, until `limit` patients are found.
    batch = limit * 4
    after = select(PatientSearchTerm.term, PatientSearchTerm.patient_id).where(
        _starting_with(PatientSearchTerm.term, query))
    last: tuple[str, int] | None = None
    while len(found) < limit:
        page = after if last is None else after.where(
            tuple_(PatientSearchTerm.term, PatientSearchTerm.patient_id) > tuple_(*last))
        batch_rows = session.execute(page.order_by(PatientSearchTerm.term,
                                                   PatientSearchTerm.patient_id)
                                     .limit(batch)).all()
        take([patient_id for _term, patient_id in batch_rows])
        if len(batch_rows) < batch:
            break
        last = tuple(batch_rows[-1])  # type: ignore[assignment]
    return list(found)[:limit]


def search_patients(desk: Desk, text: str, limit: int = DEFAULT_LIMIT) -> list[PatientSummary]:
    with desk.db.read() as session:
        return summaries(session, matching_ids(session, text, limit))
