"""Checking the audit chain on request (menu item and `clinic-desk verify-audit`)."""

from __future__ import annotations

from clinic_desk.i18n import gettext as _
from clinic_desk.services.audit import ChainReport, verify_chain
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk


def verify_audit_log(desk: Desk, actor: Actor | None = None) -> ChainReport:
    """From the menu a manager must be logged in; the command line has file access anyway."""
    if actor is not None:
        require(actor, Permission.VERIFY_AUDIT)
    with desk.db.read() as session:
        return verify_chain(session)


def describe(report: ChainReport) -> str:
    if report.ok:
        return _("OK: the audit log is intact ({count} entries checked).").format(
            count=report.entries_checked)
    problems = {
        "missing_entry": _("an entry is missing"),
        "broken_link": _("the entry does not follow the one before it (removed, inserted or "
                         "reordered)"),
        "altered_entry": _("the entry was changed after it was written"),
    }
    return _("BROKEN at entry {id}: {problem}.").format(
        id=report.first_broken_id, problem=problems.get(report.problem, report.problem))
