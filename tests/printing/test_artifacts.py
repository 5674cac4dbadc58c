"""One PNG per document, paper and language, for a person to look at (not a pixel test).

They go to `$CLINIC_DESK_ARTIFACTS/printing/` when that is set (CI keeps that folder), else
to pytest's temporary folder; never into the repository.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from clinic_desk.printing import Paper
from clinic_desk.printing.correction_register import render_correction_register
from clinic_desk.printing.receipt import render_receipt
from clinic_desk.printing.refund_slip import render_refund_slip
from tests.printing import poppler
from tests.printing.documents import receipt, refund_slip
from tests.printing.test_correction_register import register as correction_register

DOCUMENTS: dict[str, Callable[[Paper, str], bytes]] = {
    "receipt": lambda paper, language: render_receipt(receipt(), paper, language),
    "receipt-copy": lambda paper, language: render_receipt(receipt(copy_number=2), paper,
                                                           language),
    "refund-slip": lambda paper, language: render_refund_slip(refund_slip(), paper, language),
}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("CLINIC_DESK_ARTIFACTS")
    folder = (Path(configured) / "printing" if configured
              else tmp_path_factory.mktemp("printing-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.A5], ids=lambda p: p.value)
@pytest.mark.parametrize("document", sorted(DOCUMENTS))
def test_render_a_png_to_look_at(artifacts: Path, document: str, paper: Paper,
                                 language: str) -> None:
    pdf = DOCUMENTS[document](paper, language)
    name = f"{document}-{paper.value}-{language}"
    (artifacts / f"{name}.pdf").write_bytes(pdf)
    png = poppler.save_png(pdf, artifacts / name)
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_render_the_correction_register_to_look_at(artifacts: Path, language: str) -> None:
    pdf = render_correction_register(correction_register(), language)
    name = f"correction-register-{language}"
    (artifacts / f"{name}.pdf").write_bytes(pdf)
    assert poppler.save_png(pdf, artifacts / name).stat().st_size > 10_000
