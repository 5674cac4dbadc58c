"""The refund slip leaves the program through the document preview: printed in the clinic's
language for printed papers, each print recorded, every print after the first a copy."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from clinic_desk.i18n import N_, gettext as _
from clinic_desk.printing.paper import Paper
from clinic_desk.printing.refund_slip import render_recorded_slip
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.refunds import record_print, refund_slip_data
from clinic_desk.ui.document_output import DocumentKind, present_document
from clinic_desk.ui.widgets import enum_combo

#: Sizes a refund slip is printed on: A5 leaves room to sign, the roll suits the desk printer.
SLIP_PAPERS = {Paper.A5: N_("A5 sheet"), Paper.ROLL_80MM: N_("80 mm roll")}


def slip_paper_combo() -> QComboBox:
    combo = enum_combo(SLIP_PAPERS)
    combo.setObjectName("slip_paper")
    return combo


def show_slip(parent: QWidget, desk: Desk, actor: Actor, refund_id: int, paper: Paper) -> None:
    """Open the slip's preview: the original until it was printed once, then copies."""
    data = refund_slip_data(desk, refund_id)
    present_document(
        parent, DocumentKind.REFUND_SLIP, render_recorded_slip(data, paper), paper,
        _("Refund slip {number}").format(number=data.refund.number),
        on_printed=lambda printer: record_print(desk, actor, refund_id, printer),
        next_copy=lambda: render_recorded_slip(refund_slip_data(desk, refund_id), paper))

