"""Render every screen of the program to PNG files for review (run under Xvfb or offscreen).

    xvfb-run -a python scripts/screenshots.py artifacts/screens [zh_CN zh_TW en]
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from clinic_desk import i18n
from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock
from clinic_desk.demo import open_demo
from clinic_desk.services import catalog, staff
from clinic_desk.services.patient_search import search_patients
from clinic_desk.ui.app import ClinicApp
from clinic_desk.ui.approval import ApprovalDialog
from clinic_desk.ui.first_start import FirstStartWizard
from clinic_desk.ui.login import LoginDialog
from clinic_desk.ui.look import apply_language
from clinic_desk.ui.settings.price_list_page import PriceItemDialog
from clinic_desk.ui.reception.check_in_dialog import CheckInDialog
from clinic_desk.ui.reception.history_dialog import HistoryDialog
from clinic_desk.ui.reception.registration_dialog import RegistrationDialog
from clinic_desk.ui.settings.staff_page import StaffDialog


def save(widget: QWidget, path: Path) -> None:
    widget.show()
    for _ in range(5):
        QApplication.processEvents()
    widget.grab().save(str(path))
    print(path)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts/screens")
    languages = sys.argv[2:] or ["zh_CN", "en", "zh_TW"]
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp())
    desk, actor = open_demo(work / "demo.sqlite3")
    desk.clock = FixedClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))  # Mon 10:00
    patient = search_patients(desk, "dan")[0]
    for language in languages:
        i18n.set_language(language)
        apply_language(app, language)
        wizard = FirstStartWizard(open_clinic(work / f"new-{language}.sqlite3"), language)
        save(wizard, out / f"{language}-01-first-start.png")
        wizard.next()
        wizard.validateCurrentPage()
        save(wizard, out / f"{language}-02-first-start-errors.png")
        login = LoginDialog(desk, "康齿口腔门诊部")
        login.username.setText("manager")
        login.password.setText("wrong")
        login.try_accept()
        save(login, out / f"{language}-03-login-wrong-password.png")
        staff.set_own_language(desk, actor, language)
        controller = ClinicApp(app, desk)
        window = controller.show_main_window(actor)
        window.resize(1200, 760)
        save(window, out / f"{language}-04-main.png")
        window.tabs.setCurrentWidget(window.settings_view)
        view = window.settings_view
        for index in range(view.count()):
            view.setCurrentIndex(index)
            save(window, out / f"{language}-1{index}-settings-{index}.png")
        doctor = next(r for r in staff.list_staff(desk) if r.staff_number == "D01")
        save(StaffDialog(desk, actor, doctor), out / f"{language}-20-staff-dialog.png")
        item = PriceItemDialog(desk, actor, catalog.list_price_items(desk)[0])
        item.price.setText("12.345")
        item.try_submit()
        save(item, out / f"{language}-21-price-item-error.png")
        approval = ApprovalDialog(desk, "¥120.00")
        save(approval, out / f"{language}-22-approval.png")
        window.tabs.setCurrentWidget(window.reception_view)
        window.reception_view.search.setText("dan")
        window.reception_view.run_search()
        save(window, out / f"{language}-30-reception.png")
        save(CheckInDialog(desk, actor, patient.id), out / f"{language}-31-check-in.png")
        registration = RegistrationDialog(desk, actor, name="张三")
        registration.national_id.setText("11010519491231002Y")
        registration.try_submit()
        save(registration, out / f"{language}-32-registration-errors.png")
        save(HistoryDialog(desk, patient.id, patient.name), out / f"{language}-33-history.png")
        window.close()
    app.quit()


if __name__ == "__main__":
    main()
