"""Fixtures for the corpus tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture
def shared_formats() -> Path:
    """The shared sample transcripts; skips when the shared checkout is absent."""
    folder = SHARED / "corpora" / "transcript_formats"
    if not folder.is_dir():
        pytest.skip(f"shared sample transcripts not available at {folder}")
    return folder
