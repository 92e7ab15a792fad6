"""The store: migrations match the models, foreign keys are on, old projects are backed up then migrated."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from bctcoder.errors import ProjectError
from bctcoder.project import Project
from bctcoder.store import database
from bctcoder.store.models import Base


def test_migrations_produce_exactly_the_models(project):
    with project.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_foreign_keys_are_enforced(project):
    if project.engine.dialect.name == "sqlite":
        with project.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(Exception):
        with project.transaction() as s:
            s.execute(text("INSERT INTO turn (document_id, start, \"end\", speaker, is_interviewee) "
                           "VALUES (999, 0, 1, 'x', true)"))


def test_project_records_schema_and_taxonomy(project):
    info = project.info()
    assert info["schema"] == database.head_revision()
    assert info["taxonomy"] == "bcttv1+relational"
    assert {t["name"] for t in info["taxonomies"]} == {"bcttv1", "relational"}
    assert info["techniques"] == 98


def test_open_backs_up_and_migrates_an_older_project(tmp_path):
    """A project at the first schema revision, with data, is backed up and upgraded on open."""
    from alembic import command

    path = tmp_path / "old.bctcoder"
    engine = database.make_engine(database.to_url(path))
    command.upgrade(database.alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO \"case\" (key, role, created_at) VALUES ('PW1', 'PW', '2020-01-01')"))
    engine.dispose()
    project = Project.open(path)
    try:
        assert project.last_backup is not None and project.last_backup.exists()
        assert ".0001." in project.last_backup.name
        assert database.current_revision(project.engine) == database.head_revision()
        assert list(project.cases()["case"]) == ["PW1"]
        with sqlite3.connect(project.last_backup) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
            assert conn.execute("SELECT key FROM \"case\"").fetchall() == [("PW1",)]
    finally:
        project.close()


def test_opening_a_current_project_makes_no_backup(tmp_path):
    Project.create(tmp_path / "a.bctcoder").close()
    with Project.open(tmp_path / "a.bctcoder") as p:
        assert p.last_backup is None
    assert not list(tmp_path.glob("*.bak"))


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.bctcoder"
    Project.create(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999'")
    with pytest.raises(ProjectError, match="newer"):
        Project.open(path)


def test_not_a_project(tmp_path):
    junk = tmp_path / "junk.bctcoder"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ProjectError, match="not a bctcoder project"):
        Project.open(junk)
    with pytest.raises(ProjectError, match="no such project"):
        Project.open(tmp_path / "missing.bctcoder")


def test_create_refuses_existing_file_and_bad_taxonomy(tmp_path):
    Project.create(tmp_path / "a.bctcoder").close()
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(tmp_path / "a.bctcoder")
    from bctcoder.errors import TaxonomyError

    with pytest.raises(TaxonomyError, match="unknown taxonomy"):
        Project.create(tmp_path / "b.bctcoder", taxonomy="nope")
    assert not (tmp_path / "b.bctcoder").exists()


def test_bcttv1_only_project(tmp_path):
    with Project.create(tmp_path / "a.bctcoder", taxonomy="bcttv1") as p:
        rows = p.techniques()
        assert len(rows) == 93
        assert not any(r["extension"] for r in rows)
