"""`clinic-desk` / `python -m clinic_desk`: start the program or run a command-line task."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clinic-desk", description="clinic_desk front desk")
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help="database file or SQLAlchemy URL (default: this PC's setting)")
    parser.add_argument("--demo", action="store_true",
                        help="open (or create) the demo clinic and log in as its manager")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("verify-audit", help="check the audit log's hash chain")
    export = commands.add_parser("export-day", help="export a day's (or a period's) reconciliation")
    export.add_argument("--date", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the business day (the first day of a period with --to)")
    export.add_argument("--to", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the last day of a period (default: --date)")
    export.add_argument("--format", required=True, choices=("pdf", "xlsx", "csv"))
    export.add_argument("--out", required=True, type=Path, metavar="PATH")
    smoke = commands.add_parser("smoke-test", help="check that this build carries what it needs: "
                                "demo clinic, windows, receipt PDF, backup (offscreen)")
    smoke.add_argument("out", type=Path, metavar="FOLDER", help="where the demo clinic and the "
                       "receipt are written")
    parser.add_argument("--exit-when-ready", action="store_true",
                        help="quit as soon as the first window is drawn (start-up benchmark)")
    return parser


def _database_location(args: argparse.Namespace) -> str:
    from clinic_desk.config import load_config
    from clinic_desk.paths import demo_database_path

    if args.db:
        return str(args.db)
    if args.demo:
        return str(demo_database_path())
    return load_config().database_location()


def verify_audit(location: str) -> int:
    from clinic_desk.clinic import open_clinic
    from clinic_desk.services.audit_report import verify_audit_log, describe

    report = verify_audit_log(open_clinic(location))
    print(describe(report))
    return 0 if report.ok else 1


def export_day(location: str, start: date, end: date | None, kind: str, out: Path) -> int:
    from clinic_desk.clinic import open_clinic
    from clinic_desk.i18n import gettext as _
    from clinic_desk.printing.day_export import ExportFormat, render_export
    from clinic_desk.services.errors import DomainError
    from clinic_desk.services.reconciliation import day_report
    from clinic_desk.services.settings import get_settings

    desk = open_clinic(location)
    try:
        report = day_report(desk, start, end)
    except DomainError as error:
        print(error.message, file=sys.stderr)
        return 2
    data = render_export(report, ExportFormat(kind), get_settings(desk).language)
    partial = out.with_name(out.name + ".partial")
    try:
        partial.write_bytes(data)
        partial.replace(out)
    except OSError as error:
        print(_("Could not save {path}: {reason}").format(path=out, reason=error.strerror),
              file=sys.stderr)
        return 2
    print(_("Saved {path}.").format(path=out))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from clinic_desk.db import NetworkShareRefused
    from clinic_desk.logs import set_up_logging

    set_up_logging()
    if args.command == "smoke-test":
        from clinic_desk.smoke import run_smoke_test

        return run_smoke_test(args.out)

    try:
        location = _database_location(args)
        if args.command == "verify-audit":
            return verify_audit(location)
        if args.command == "export-day":
            return export_day(location, args.date, args.to, args.format, args.out)
        from clinic_desk.ui.app import run

        return run(location, demo=args.demo, exit_when_ready=args.exit_when_ready)
    except NetworkShareRefused as error:
        print(error.message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
