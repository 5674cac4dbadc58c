"""The audit log as a SHA-256 hash chain, written in the same transaction as the change.

Each entry's hash covers its own content and the previous entry's hash, so editing,
deleting, reordering or inserting an entry breaks the chain at that point.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desk.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot record {type(value).__name__} in the audit log")


def canonical_details(details: dict[str, Any]) -> str:
    return json.dumps(details, default=_json_default, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def entry_hash(entry: AuditEntry) -> str:
    content = {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "approved_by_id": entry.approved_by_id,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "details": entry.details,
        "reason": entry.reason,
        "previous_hash": entry.previous_hash,
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(session: Session, at: datetime, actor_id: int | None, action: str, entity: str,
           entity_id: int | None, details: dict[str, Any] | None = None, reason: str = "",
           approved_by_id: int | None = None) -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)
                           .with_for_update()).scalar_one()
    entry = AuditEntry(
        id=head.last_entry_id + 1, at=at.astimezone(timezone.utc), actor_id=actor_id,
        approved_by_id=approved_by_id, action=action, entity=entity, entity_id=entity_id,
        details=canonical_details(details or {}), reason=reason, previous_hash=head.last_hash)
    entry.entry_hash = entry_hash(entry)
    session.add(entry)
    head.last_entry_id = entry.id
    head.last_hash = entry.entry_hash
    session.flush()
    return entry


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """{"field": [old, new]} for every field that differs: what a patient's history shows."""
    return {key: [old.get(key), new.get(key)] for key in sorted(set(old) | set(new))
            if old.get(key) != new.get(key)}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries_checked: int
    first_broken_id: int | None = None
    problem: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole chain; report the first entry that does not follow from the one before."""
    previous_hash = GENESIS_HASH
    expected_id = 1
    checked = 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(
        yield_per=2000)).scalars()
    for entry in rows:
        if entry.id != expected_id:
            return ChainReport(False, checked, expected_id, "missing_entry")
        if entry.previous_hash != previous_hash:
            return ChainReport(False, checked, entry.id, "broken_link")
        if entry_hash(entry) != entry.entry_hash:
            return ChainReport(False, checked, entry.id, "altered_entry")
        previous_hash = entry.entry_hash
        expected_id += 1
        checked += 1
    head = session.get(AuditHead, 1)
    if head is None or head.last_entry_id != expected_id - 1 or head.last_hash != previous_hash:
        return ChainReport(False, checked, expected_id, "missing_entry")
    return ChainReport(True, checked)


def head(session: Session) -> AuditHead:
    return session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
