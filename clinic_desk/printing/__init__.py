"""Printed documents: pure functions from frozen dataclasses to PDF bytes.

Nothing here reads the database or imports Qt: the cash desk and refund services build the
document dataclasses, these modules turn them into PDFs (ReportLab, the shipped CJK TrueType
font embedded), and `clinic_desk.ui.print_bridge` sends the bytes to a printer.
"""

from clinic_desk.printing.paper import Paper, PaperSpec

__all__ = ["Paper", "PaperSpec"]
