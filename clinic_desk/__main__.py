"""`clinic-desk` / `python -m clinic_desk`: start the program or run a command-line task."""

from __future__ import annotations

import argparse
import sys



def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clinic-desk", description="clinic_desk front desk")
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help="database file or SQLAlchemy URL (default: this PC's setting)")
    parser.add_argument("--demo", action="store_true",
                        help="open (or create) the demo clinic and log in as its manager")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("verify-audit", help="check the audit log's hash chain")
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from clinic_desk.db import NetworkShareRefused

    try:
        location = _database_location(args)
        if args.command == "verify-audit":
            return verify_audit(location)
        from clinic_desk.ui.app import run

        return run(location, demo=args.demo)
    except NetworkShareRefused as error:
        print(error.message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
