"""Helpers for the pseudonymisation tests: the [pseudonymise] extra (Presidio, spaCy and an English pipeline)
is needed by the slow tests only. Without it they skip, except in CI (``CI`` set), where its absence fails
them: CI's second stage installs the extra and must not pass by skipping."""

from __future__ import annotations

import importlib
import os

import pytest


def require_extra() -> None:
    """Skip (fail in CI) unless Presidio, spaCy and an English spaCy pipeline are installed."""
    for module in ("presidio_analyzer", "spacy"):
        try:
            importlib.import_module(module)
        except ImportError:
            message = f"{module} is not installed (pip install 'bctcoder[pseudonymise]')"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    from bctcoder.pseudonymise.spacy_pipeline import BLANK, pipeline_name

    if pipeline_name(None) == BLANK:
        message = "no English spaCy pipeline is installed (pip install 'bctcoder[pseudonymise]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def extra() -> None:
    """The [pseudonymise] extra is installed (else skip; in CI, fail)."""
    require_extra()
