"""The print path of the program: PDF pages rendered by QtPdf and painted onto a QPrinter,
into a file and through a real CUPS queue."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from clinic_desk.printing import Paper
from clinic_desk.printing.receipt import render_receipt
from clinic_desk.printing.refund_slip import render_refund_slip
from clinic_desk.ui.print_bridge import PrintFailed, print_pdf, printer_names, save_pdf_via_qt
from tests.printing import poppler
from tests.printing.documents import receipt, refund_slip

REPO = Path(__file__).resolve().parents[2]
QUEUE_SCRIPT = REPO / "scripts" / "print-queue.sh"
PRINTER = "CUPS-PDF"
JOB_TIMEOUT_S = 20.0
MM = 72 / 25.4


@pytest.mark.parametrize(("paper", "width_mm", "height_mm"), [
    (Paper.A5, 148, 210), (Paper.ROLL_80MM, 80, None)], ids=["a5", "roll"])
def test_saving_through_qt_gives_a_pdf_page_per_page(qapp: object, tmp_path: Path, paper: Paper,
                                                     width_mm: int, height_mm: int | None) -> None:
    source = render_receipt(receipt(), paper, "zh_CN")
    target = tmp_path / "through-qt.pdf"
    save_pdf_via_qt(source, target, paper)
    printed = target.read_bytes()
    assert printed.startswith(b"%PDF")
    pages, width, height = poppler.page_info(printed)
    _, source_width, source_height = poppler.page_info(source)
    assert pages == 1
    assert abs(width - width_mm * MM) < 1.5
    assert abs(height - (height_mm * MM if height_mm else source_height)) < 1.5


def test_an_unknown_printer_fails_with_a_message(qapp: object) -> None:
    with pytest.raises(PrintFailed) as failure:
        print_pdf(render_receipt(receipt(), Paper.ROLL_80MM, "en"), "No Such Printer 42",
                  Paper.ROLL_80MM)
    assert "No Such Printer 42" in failure.value.message


def test_bytes_that_are_not_a_pdf_fail_with_a_message(qapp: object, tmp_path: Path) -> None:
    with pytest.raises(PrintFailed) as failure:
        save_pdf_via_qt(b"not a pdf", tmp_path / "x.pdf", Paper.A5)
    assert failure.value.message


@pytest.fixture(scope="module")
def cups_pdf_folder() -> Path:
    """A CUPS-PDF queue, set up by scripts/print-queue.sh; skipped (with the reason) only
    when the queue cannot be set up on this machine."""
    try:
        result = subprocess.run(["bash", str(QUEUE_SCRIPT)], capture_output=True, text=True,
                                timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"could not set up the CUPS-PDF print queue: {error}")
    if result.returncode != 0:
        pytest.skip("could not set up the CUPS-PDF print queue: "
                    + (result.stderr.strip() or f"exit status {result.returncode}"))
    return Path(result.stdout.strip().splitlines()[-1])


def wait_for_job(folder: Path, job_name: str) -> Path:
    """cups-pdf names the file after the job title (plus its own suffixes)."""
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        arrived = [p for p in folder.glob(f"{job_name}*.pdf") if p.stat().st_size > 0]
        if arrived:
            time.sleep(0.2)  # let cups-pdf finish writing
            return arrived[0]
        time.sleep(0.1)
    listing = sorted(p.name for p in folder.iterdir()) if folder.exists() else "missing"
    jobs = subprocess.run(["lpstat", "-W", "all", "-o", PRINTER], capture_output=True,
                          text=True).stdout
    pytest.fail(f"no PDF for job {job_name} in {folder} after {JOB_TIMEOUT_S:.0f} s; "
                f"folder: {listing}; jobs: {jobs}")


@pytest.mark.parametrize(("paper", "render"), [
    (Paper.ROLL_80MM, lambda: render_receipt(receipt(), Paper.ROLL_80MM, "zh_CN")),
    (Paper.A5, lambda: render_refund_slip(refund_slip(), Paper.A5, "zh_CN")),
], ids=["receipt-roll", "refund-slip-a5"])
def test_a_document_printed_to_a_real_queue_arrives(qapp: object, cups_pdf_folder: Path,
                                                    paper: Paper, render: object) -> None:
    assert PRINTER in printer_names(), (
        f"the queue is set up but Qt lists only {printer_names()}: is libcups2 installed?")
    job_name = f"clinic-desk-test-{uuid.uuid4().hex[:10]}"
    pdf = render()  # type: ignore[operator]
    print_pdf(pdf, PRINTER, paper, job_name=job_name)
    arrived = wait_for_job(cups_pdf_folder, job_name)
    try:
        pages, width, height = poppler.page_info(arrived.read_bytes())
        _, source_width, source_height = poppler.page_info(pdf)
        assert pages == 1
        assert abs(width - source_width) < 1.5 and abs(height - source_height) < 1.5
    finally:
        if os.access(arrived.parent, os.W_OK):
            arrived.unlink()
