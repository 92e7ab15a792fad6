"""Shared fixtures: fresh projects in temp dirs, the demo project, the shared reference folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bctcoder.demo.build import build_demo, demo_data_dir
from bctcoder.project import Project

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session", autouse=True)
def private_cache_folder(tmp_path_factory):
    """Exported embedding models go to a temp folder, not the tester's ~/.cache."""
    import os

    old = os.environ.get("BCTCODER_CACHE_DIR")
    os.environ["BCTCODER_CACHE_DIR"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if old is None:
        os.environ.pop("BCTCODER_CACHE_DIR", None)
    else:
        os.environ["BCTCODER_CACHE_DIR"] = old


@pytest.fixture
def shared() -> Path:
    """The read-only ../shared reference folder; skips when a fresh clone has none."""
    if not SHARED.is_dir():
        pytest.skip(f"reference data folder {SHARED} is absent (only in the team's checkout)")
    return SHARED


@pytest.fixture
def project(tmp_path) -> Project:
    """A new empty project (default taxonomy) in a temp dir."""
    p = Project.create(tmp_path / "study.bctcoder", user="tester")
    yield p
    p.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo project, built once per test session."""
    out = tmp_path_factory.mktemp("demo")
    build_demo(out, suggester="lexical.v1")   # deterministic with or without the [suggest] extra
    return out / "demo.bctcoder"


@pytest.fixture
def demo(tmp_path, demo_template) -> Project:
    """A private copy of the demo project."""
    target = tmp_path / "demo.bctcoder"
    shutil.copy(demo_template, target)
    p = Project.open(target, user="tester")
    yield p
    p.close()


@pytest.fixture
def demo_data() -> Path:
    """The bundled demo input files."""
    return demo_data_dir()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a fixture file and return its path."""
    path.write_text(text, encoding=encoding, newline="")
    return path
