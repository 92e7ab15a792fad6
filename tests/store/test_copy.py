"""Moving a study between databases (#14): `bctcoder copy SRC DEST`, verified, SQLite ↔ PostgreSQL."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.errors import ProjectError
from bctcoder.project import Project
from bctcoder.report.builders import REPORT_NAMES
from bctcoder.report.render import render
from bctcoder.store import copy as project_copy

runner = CliRunner()


def _reports(project: Project) -> dict[str, str]:
    return {name: str(render(project.report(name), "csv")) for name in REPORT_NAMES}


@pytest.fixture
def demo_file(tmp_path, demo_template):
    path = tmp_path / "demo.bctcoder"
    shutil.copy(demo_template, path)
    with Project.open(path, user="owner") as p:   # a deleted coding: its id must never come back
        doomed = p.add_coding("Demo_SP2", 20, 40, "1.1", coder="ann")
        p.delete_coding(doomed["id"])
        p.access.add_user("ann", "a-long-password", "coder")
    return path, doomed["id"]


def test_sqlite_to_postgresql_and_back_gives_the_same_study(demo_file, pg_url, tmp_path):
    path, doomed = demo_file
    with Project.open(path, user="owner") as src:
        result = src.copy_to(pg_url)
        expected = _reports(src)
        fingerprint = project_copy.fingerprint(src.engine)
    assert result["verified"] and result["destination_backend"] == "PostgreSQL"
    with Project.open(pg_url, user="owner") as pg:
        assert pg.info()["backend"] == "PostgreSQL"
        assert _reports(pg) == expected                      # every table of the study, identical
        assert project_copy.fingerprint(pg.engine) == fingerprint
        assert [u["name"] for u in pg.access.users()] == ["ann"]
        fresh = pg.add_coding("Demo_SP2", 50, 60, "1.2")
        assert fresh["id"] > doomed                          # ids are never handed out twice
        pg.delete_coding(fresh["id"])
        back = pg.copy_to(tmp_path / "back.bctcoder")
    assert back["destination_backend"] == "SQLite"
    with Project.open(tmp_path / "back.bctcoder", user="owner") as again:
        assert _reports(again) == expected
        assert again.add_coding("Demo_SP2", 50, 60, "1.2")["id"] > fresh["id"]


def test_cli_copy_refuses_a_database_that_is_not_empty(demo_file, tmp_path):
    path, _ = demo_file
    out = runner.invoke(app, ["copy", str(path), str(tmp_path / "copy.bctcoder")])
    assert out.exit_code == 0, out.output
    assert "row counts of every table and the checksum of every text and coding match" in out.output
    again = runner.invoke(app, ["copy", str(path), str(tmp_path / "copy.bctcoder")])
    assert again.exit_code == 1 and "already holds tables" in again.output and "Traceback" not in again.output
    assert "backend: SQLite" in runner.invoke(app, ["info", str(tmp_path / "copy.bctcoder")]).output


def test_a_copy_that_does_not_verify_leaves_nothing(demo_file, tmp_path, monkeypatch):
    path, _ = demo_file
    real = project_copy.fingerprint
    calls = []

    def tampered(engine):
        calls.append(engine)
        found = real(engine)
        return found if len(calls) == 1 else {**found, "sha256": "0" * 64}

    monkeypatch.setattr(project_copy, "fingerprint", tampered)
    with Project.open(path, user="owner") as src, pytest.raises(ProjectError, match="does not match the source"):
        src.copy_to(tmp_path / "bad.bctcoder")
    assert not (tmp_path / "bad.bctcoder").exists()


def test_only_the_owner_copies(demo_file, tmp_path):
    from bctcoder.access.roles import Actor, Role
    from bctcoder.errors import PermissionDenied

    path, _ = demo_file
    with Project.open(path, user="owner") as p, pytest.raises(PermissionDenied):
        p.acting_as(Actor("ann", Role.CODER)).copy_to(tmp_path / "x.bctcoder")
