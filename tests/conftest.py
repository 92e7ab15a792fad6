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


# Store-touching tests run on SQLite and on PostgreSQL: the `project` and `demo` fixtures take a backend
# parameter. The PostgreSQL runs are marked slow (CI runs them; the README's quick command does not), each in
# a database of its own cloned from a template made once per session (tests/postgres_databases.py).
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]


@pytest.fixture(params=BACKENDS)
def project(request, tmp_path) -> Project:
    """A new empty project (default taxonomy), in a temp dir (SQLite) or a fresh PostgreSQL database."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_databases").clone("empty")
        p = Project.open(url, user="tester")
    else:
        p = Project.create(tmp_path / "study.bctcoder", user="tester")
    yield p
    p.close()


@pytest.fixture(scope="session")
def postgres_databases(tmp_path_factory, demo_template):
    """Template databases on the test PostgreSQL server (an empty project and the demo) and fresh clones."""
    from tests.postgres_databases import PostgresDatabases

    databases = PostgresDatabases.connect()
    databases.template("empty", lambda url: Project.create(url, user="tester").close())

    def demo(url: str) -> None:
        with Project.open(demo_template, user="tester") as source:
            source.copy_to(url)

    databases.template("demo", demo)
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def blank(tmp_path_factory) -> Path:
    """An empty project file to copy: a copy opens ten times faster than a new project is created."""
    path = tmp_path_factory.mktemp("blank") / "blank.bctcoder"
    Project.create(path, user="tester").close()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo project, built once per test session."""
    out = tmp_path_factory.mktemp("demo")
    build_demo(out, suggester="lexical.v1")   # deterministic with or without the [suggest] extra
    return out / "demo.bctcoder"


@pytest.fixture(params=BACKENDS)
def demo(request, tmp_path, demo_template) -> Project:
    """A private copy of the demo project (a SQLite file, or a PostgreSQL database)."""
    if request.param == "postgresql":
        p = Project.open(request.getfixturevalue("postgres_databases").clone("demo"), user="tester")
    else:
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
