"""Checking a patient in: visit kind, chief complaint, and the doctor the rules chose."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QWidget

from clinic_desk.i18n import N_, gettext as _
from clinic_desk.models import AssignmentRule
from clinic_desk.services import catalog, patients
from clinic_desk.services.checkin import (CheckInForm, CheckInProposal, CheckInRequest,
                                          CheckInResult, check_in, list_doctors,
                                          propose_check_in)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.badges import badge_html
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.reception.summary import summary_line
from clinic_desk.ui.widgets import SEX_NAMES, data_combo, select_data

RULE_TEXTS = {
    AssignmentRule.APPOINTMENT: N_("the doctor of today's appointment"),
    AssignmentRule.PREFERRED_DOCTOR: N_("the doctor the patient asked for"),
    AssignmentRule.RETREATMENT: N_("the doctor who did the earlier work (within a year)"),
    AssignmentRule.SAME_DOCTOR: N_("the same doctor as last time (one patient, one doctor)"),
    AssignmentRule.PREFERRED_SEX: N_("a doctor of the sex the patient asked for"),
    AssignmentRule.ROTATION: N_("rotation among the doctors on duty, keeping loads even"),
    AssignmentRule.EMERGENCY: N_("emergency: the least busy doctor on duty"),
    AssignmentRule.OVERRIDE: N_("chosen by the desk"),
}


def rule_text(rule: AssignmentRule) -> str:
    return _(RULE_TEXTS[rule])


class CheckInDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, patient_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Check in"), parent)
        self.desk, self.actor, self.patient_id = desk, actor, patient_id
        self.result_: CheckInResult | None = None
        self.today = patients.today(desk)
        summary = patients.get_summary(desk, patient_id)
        self.doctor_names = {d.id: d.name for d in list_doctors(desk)}
        header = QLabel(f"<b>{summary_line(summary, self.today)}</b><br>"
                        f"{badge_html(summary.flags, summary.vip)}")
        self.layout_.insertWidget(0, header)
        self.emergency = QCheckBox(_("Emergency: goes first, the manager is told"),
                                   objectName="emergency")
        self.asked_doctor = data_combo([(_("no preference"), None)]
                                       + [(n, i) for i, n in self.doctor_names.items()])
        self.asked_sex = data_combo([(_("no preference"), None)]
                                    + [(_(t), s) for s, t in SEX_NAMES.items()])
        self.problem = QCheckBox(_("Comes back with a problem on earlier work"),
                                 objectName="problem")
        self.refuses = QCheckBox(_("Refuses the doctor who did that work (a complaint)"),
                                 objectName="refuses")
        self.refusal_reason = QLineEdit(objectName="refusal_reason")
        self.visit_kind = data_combo((k.name, k.id) for k in catalog.list_visit_kinds(desk)
                                     if k.active)
        self.visit_kind.setObjectName("visit_kind")
        self.complaint = QLineEdit(objectName="chief_complaint")
        self.doctor = data_combo(())
        self.doctor.setObjectName("doctor")
        self.rule = QLabel(objectName="rule")
        self.rule.setWordWrap(True)
        self.override_reason = QLineEdit(objectName="override_reason")
        self.add_row("", "emergency", self.emergency)
        self.add_row(_("Asks for doctor"), "preferred_doctor", self.asked_doctor)
        self.add_row(_("Asks for a doctor who is"), "preferred_sex", self.asked_sex)
        self.add_row("", "problem", self.problem)
        self.add_row("", "refuses", self.refuses)
        self.add_row(_("Why the patient refuses"), "refusal_reason", self.refusal_reason)
        self.add_row(_("Visit kind"), "visit_kind", self.visit_kind)
        self.add_row(_("Chief complaint"), "chief_complaint", self.complaint)
        self.add_row(_("Doctor"), "doctor", self.doctor)
        self.add_row("", "rule", self.rule)
        self.add_row(_("Why another doctor"), "override_reason", self.override_reason)
        self.finish_layout()
        for box in (self.emergency, self.problem, self.refuses):
            box.toggled.connect(self.propose)
        for combo in (self.asked_doctor, self.asked_sex):
            combo.currentIndexChanged.connect(self.propose)
        self.doctor.currentIndexChanged.connect(self._show_override)
        self.proposal: CheckInProposal | None = None
        self.propose()
        self.complaint.setFocus()

    def request(self) -> CheckInRequest:
        return CheckInRequest(
            patient_id=self.patient_id, emergency=self.emergency.isChecked(),
            preferred_doctor_id=self.asked_doctor.currentData(),
            preferred_sex=self.asked_sex.currentData(),
            problem_with_earlier_work=self.problem.isChecked(),
            refuses_original_doctor=self.refuses.isChecked())

    def propose(self) -> None:
        """Ask the rules again whenever something the rules depend on changes."""
        first_time = self.proposal is None
        self.proposal = propose_check_in(self.desk, self.request())
        self.doctor.blockSignals(True)
        self.doctor.clear()
        for doctor in self.proposal.on_duty:
            self.doctor.addItem(_("{name} (waiting today: {count})").format(
                name=doctor.name, count=doctor.load_today), doctor.id)
        select_data(self.doctor, self.proposal.assignment.doctor_id)
        self.doctor.blockSignals(False)
        if first_time and self.proposal.visit_kind_id is not None:
            select_data(self.visit_kind, self.proposal.visit_kind_id)
        self.refusal_reason.setEnabled(self.refuses.isChecked())
        self._show_override()

    def _show_override(self) -> None:
        if self.proposal is None:
            return
        assignment = self.proposal.assignment
        lines = []
        if assignment.doctor_id is None:
            lines.append(_("No doctor is on duty now."))
        elif self.doctor.currentData() == assignment.doctor_id:
            lines.append(_("Chosen by rule: {rule}.").format(rule=rule_text(assignment.rule)))
        else:
            lines.append(_("You chose another doctor than the rules: say why below."))
        if assignment.unavailable_doctor_id is not None:
            lines.append(_("{name} is not on duty now.").format(
                name=self.doctor_names.get(assignment.unavailable_doctor_id, "?")))
        self.rule.setText(" ".join(lines))
        self.override_reason.setEnabled(self.doctor.currentData() != assignment.doctor_id)

    def submit(self) -> None:
        self.result_ = check_in(self.desk, self.actor, CheckInForm(
            request=self.request(), visit_kind_id=self.visit_kind.currentData(),
            chief_complaint=self.complaint.text(), doctor_id=self.doctor.currentData(),
            override_reason=self.override_reason.text(),
            refusal_reason=self.refusal_reason.text()))
