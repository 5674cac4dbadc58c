"""`clinic-desk smoke-test OUT`: does this build of the program carry what it needs?

Run from the frozen program in CI (offscreen, no display needed). It creates the demo clinic
in OUT (migrations, pinyin and phone data, password hashing), opens the login window and the
main window in every shipped language (Qt plugins, the font, the catalogs, Babel's locale
data), takes a deposit and writes its receipt PDF through the same code as the cash desk
(ReportLab with the embedded font), reads that PDF back with QtPdf, and makes the automatic
backup. It prints what it did and exits 0, or prints the traceback and exits 1.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import date
from pathlib import Path


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise RuntimeError(f"smoke test failed: {what}")


def _languages() -> None:
    from clinic_desk import i18n
    from clinic_desk.money import format_money

    for code, _name in i18n.LANGUAGES:
        i18n.set_language(code)
        welcome = i18n.gettext("Log in")
        _check(code == "en" or welcome != "Log in", f"no {code} catalog")
        print(f"{code}: {welcome} · {i18n.format_date(date(2026, 3, 2), 'full')} · "
              f"{format_money(123456, 'CNY')}")


def _windows(desk, actor) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from clinic_desk import i18n
    from clinic_desk.services.settings import get_settings
    from clinic_desk.ui.login import LoginDialog
    from clinic_desk.ui.look import apply_language
    from clinic_desk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    shown = []
    for code, _name in i18n.LANGUAGES:
        i18n.set_language(code)
        apply_language(app, code)  # type: ignore[arg-type]
        cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
        _check(code == "en" or cancel != "Cancel", f"no Qt translation for {code}")
        windows = [LoginDialog(desk, get_settings(desk).clinic_name)]
        if code == get_settings(desk).language:
            windows.append(MainWindow(desk, actor))  # every workspace the manager has
        for window in windows:
            window.show()
            app.processEvents()
            _check(not window.grab().isNull(), f"{type(window).__name__} in {code}")
            window.close()
            shown.append(f"{type(window).__name__} ({code}, {cancel})")
    print(f"windows on the {app.platformName()} platform: {', '.join(shown)}")  # type: ignore[attr-defined]


def _receipt(desk, actor, out: Path) -> Path:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    from sqlalchemy import select

    from clinic_desk.models import Patient, PaymentKind
    from clinic_desk.printing.paper import Paper
    from clinic_desk.printing.posted_receipt import render_posted_receipt
    from clinic_desk.services import catalog
    from clinic_desk.services.cashdesk import PaymentPart, PaymentRequest, post_payment
    from clinic_desk.services.receipts import receipt_data

    cash = next(m.id for m in catalog.list_payment_methods(desk) if m.kind == PaymentKind.CASH)
    with desk.db.read() as session:
        patient_id = session.execute(select(Patient.id).order_by(Patient.id)).scalars().first()
    posted = post_payment(desk, actor, PaymentRequest(
        patient_id=patient_id, visit_id=None, parts=(PaymentPart(cash, "500.00"),),
        idempotency_key="smoke-test-deposit", deposit=True))
    pdf = render_posted_receipt(receipt_data(desk, posted.receipt_id), Paper.ROLL_80MM)
    path = out / f"receipt-{posted.receipt_number}.pdf"
    path.write_bytes(pdf)
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    _check(document.status() == QPdfDocument.Status.Ready and document.pageCount() == 1,
           "the receipt PDF does not load in QtPdf")
    print(f"receipt: {path} ({len(pdf)} bytes, {document.pageCount()} page)")
    return path


def run_smoke_test(out: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from clinic_desk.demo import open_demo
        from clinic_desk.services.backup import backup_now

        out.mkdir(parents=True, exist_ok=True)
        database = out / "demo.sqlite3"
        for part in (database, database.with_name(database.name + "-wal"),
                     database.with_name(database.name + "-shm")):
            part.unlink(missing_ok=True)
        desk, manager = open_demo(database)
        print(f"demo clinic: {database}")
        _languages()
        _windows(desk, manager)
        _receipt(desk, manager, out)
        print(f"backup: {backup_now(desk)}")
        desk.db.dispose()
    except Exception:  # noqa: BLE001  (the point is to report anything at all that fails)
        traceback.print_exc()
        return 1
    print("smoke test passed")
    return 0
