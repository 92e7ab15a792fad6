"""Fixtures for the corpus tests."""

from __future__ import annotations

from pathlib import Path

import pytest

_PARENTS = Path(__file__).resolve().parents
SHARED = _PARENTS[3] / "shared" if len(_PARENTS) > 3 else None


@pytest.fixture
def shared_formats() -> Path:
    """The shared sample transcripts; skips when the shared checkout is absent."""
    folder = SHARED / "corpora" / "transcript_formats" if SHARED else None
    if folder is None or not folder.is_dir():
        pytest.skip(f"shared sample transcripts not available at {folder}")
    return folder
