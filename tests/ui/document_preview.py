"""Driving the document preview in UI tests: this PC's configuration in a temporary file,
and the preview a workspace opened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from clinic_desk import config
from clinic_desk.ui.document_output import DocumentPreview


@pytest.fixture
def workstation_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The printers this PC remembers live in a file of the test, never the user's own."""
    path = tmp_path / "workstation.json"
    monkeypatch.setattr(config, "config_path", lambda: path)
    yield path


def open_preview(parent: QWidget) -> DocumentPreview:
    """The preview `parent` opened most recently (and is still open)."""
    previews = [p for p in parent.findChildren(DocumentPreview) if p.isVisible()]
    assert previews, "no document preview is open"
    return previews[-1]
