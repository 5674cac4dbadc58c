"""How a backup is described on screen: its kind, when it was made, its size and contents."""

from __future__ import annotations

from datetime import datetime, tzinfo

from babel.numbers import format_decimal
from babel.units import format_unit

from clinic_desk.i18n import N_, babel_locale, format_datetime, gettext as _
from clinic_desk.services.backup import BackupContents, BackupKind

KIND_NAMES = {
    BackupKind.DAILY: N_("Daily"),
    BackupKind.MONTHLY: N_("Monthly"),
    BackupKind.BEFORE_UPGRADE: N_("Before an upgrade"),
    BackupKind.BEFORE_RESTORE: N_("Before a restore"),
    BackupKind.COPY: N_("Copy"),
}


def kind_text(kind: BackupKind) -> str:
    return _(KIND_NAMES[kind])


def when_text(moment: datetime, tz: tzinfo | None) -> str:
    return format_datetime(moment, "medium", tz=tz)


def size_text(size: int) -> str:
    return format_unit(size / 1_000_000, "digital-megabyte", length="short", format="#,##0.0",
                       locale=babel_locale())


def contents_text(contents: BackupContents, tz: tzinfo | None) -> str:
    def count(n: int) -> str:
        return format_decimal(n, locale=babel_locale())

    counts = _("Patients: {patients} · Visits: {visits} · Payments: {payments}").format(
        patients=count(contents.patients), visits=count(contents.visits),
        payments=count(contents.payments))
    if contents.last_change_at is None:
        return counts
    return counts + "\n" + _("Last change recorded: {when}").format(
        when=when_text(contents.last_change_at, tz))
