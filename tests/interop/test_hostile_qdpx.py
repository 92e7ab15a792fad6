"""Hostile and malformed REFI-QDA projects: source texts only from inside the file (or a folder the user
names), bounded zips and XML, one clean error naming the file, and an untouched project."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.corpus.hostile_files import (
    SECRET,
    SOURCE_GUID,
    SOURCE_TEXT,
    ZIP_CASES,
    assert_refused,
    billion_laughs,
    deep_xml,
    deflated,
    external_entity,
    hostile_zip,
    project_state,
    qde,
    qdpx_members,
    write_raw_zip,
    write_zip,
    zeros_member,
)
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.errors import BctcoderError, InputError, LimitError
from bctcoder.interop.refi.project_reader import read_refi_project
from bctcoder.project import Project

runner = CliRunner()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One empty project for the module: every test checks a refused import leaves it as it was."""
    p = Project.create(tmp_path_factory.mktemp("hostile") / "study.bctcoder", user="tester")
    yield p
    p.close()


@pytest.fixture
def secret(tmp_path):
    """A private file outside the project file and outside any sources folder."""
    folder = tmp_path / "private"
    folder.mkdir()
    path = folder / "id_rsa"
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.fixture
def inside(tmp_path):
    """The sources folder a user names with --sources-dir."""
    folder = tmp_path / "sources_dir"
    folder.mkdir()
    return folder


def refused(project, path, error=InputError, **kwargs):
    """Import ``path``: one line naming it, nothing stored, never a secret's text; returns the error."""
    return assert_refused(project, path, lambda: project.import_qdpx(path, **kwargs), error)


@pytest.mark.parametrize("case", sorted(ZIP_CASES))
def test_hostile_zips_are_refused_cleanly(project, tmp_path, case):
    path = hostile_zip(tmp_path / "field.qdpx", case, qdpx_members(), "project.qde")
    error = refused(project, path)
    if case in ("bomb declaring its size", "compression ratio over the limit", "too many members"):
        assert isinstance(error, LimitError)


def test_bomb_as_a_source_text(project, tmp_path):
    path = write_raw_zip(tmp_path / "field.qdpx", [deflated("project.qde", qde()),
                                                   zeros_member(f"sources/{SOURCE_GUID}.txt", 300)])
    refused(project, path, LimitError)


@pytest.mark.parametrize("ref", [
    "absolute://{secret}",
    "absolute://~/.ssh/id_rsa",
    "file://{secret}",
    "relative://../..",
    "relative://../../../../../../../..{secret}",
    "{secret}",
])
def test_sources_outside_the_file_need_a_sources_folder(project, tmp_path, secret, ref):
    path = write_zip(tmp_path / "field.qdpx", {"project.qde": qde(ref.format(secret=secret))})
    assert "--sources-dir" in str(refused(project, path))


@pytest.mark.parametrize("ref", [
    "internal://../../../../../../../..{secret}",
    "internal://sources/../../id_rsa",
    "internal:///etc/passwd",
    "internal://{secret}",
    "internal://C:/Windows/win.ini",
    "internal://..\\..\\id_rsa",
])
def test_internal_paths_stay_inside_the_archive(project, tmp_path, secret, inside, ref):
    path = write_zip(tmp_path / "field.qdpx", {"project.qde": qde(ref.format(secret=secret))})
    assert "outside the project file" in str(refused(project, path, sources_dir=inside))


@pytest.mark.parametrize("ref", ["relative://../private/id_rsa", "absolute://{secret}", "relative://{secret}"])
def test_sources_folder_confines_disk_reads(project, tmp_path, secret, inside, ref):
    path = write_zip(tmp_path / "field.qdpx", {"project.qde": qde(ref.format(secret=secret))})
    error = refused(project, path, sources_dir=inside)
    assert "outside" in str(error)


def test_symbolic_link_out_of_the_sources_folder_is_refused(project, tmp_path, secret, inside):
    os.symlink(secret, inside / "talk.txt")
    path = write_zip(tmp_path / "field.qdpx", {"project.qde": qde("relative://talk.txt")})
    assert "outside" in str(refused(project, path, sources_dir=inside))


def test_missing_sources_folder(project, tmp_path):
    path = write_zip(tmp_path / "field.qdpx", qdpx_members())
    with pytest.raises(InputError, match="sources folder does not exist"):
        project.import_qdpx(path, sources_dir=tmp_path / "nowhere")


@pytest.mark.parametrize("xml", ["billion laughs", "external entity", "deep nesting"])
def test_bare_qde_with_hostile_xml(project, tmp_path, secret, xml):
    path = tmp_path / "field.qde"
    data = {"billion laughs": billion_laughs("Project"), "external entity": external_entity(secret, "Project"),
            "deep nesting": deep_xml()}[xml]
    path.write_bytes(data)
    refused(project, path)


def test_bare_qde_reads_only_inside_its_folder(project, tmp_path, secret):
    folder = tmp_path / "export"
    folder.mkdir()
    path = folder / "field.qde"
    path.write_bytes(qde("internal://../private/id_rsa"))
    refused(project, path)
    path.write_bytes(qde("relative://../private/id_rsa"))
    refused(project, path)


def test_sources_inside_the_sources_folder_are_read(project, tmp_path, inside):
    """What --sources-dir is for: a project whose texts stayed on disk, even on another machine."""
    (inside / "P04.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (inside / "texts").mkdir()
    (inside / "texts" / "P05.txt").write_text(SOURCE_TEXT.replace("P04", "P05"), encoding="utf-8")
    other = Project.create(tmp_path / "other.bctcoder", user="tester")
    try:
        first = write_zip(tmp_path / "a.qdpx", {"project.qde": qde("absolute://C:\\Users\\ana\\study\\P04.txt")})
        assert other.import_qdpx(first, sources_dir=inside)["counts"]["documents"] == 1
        second = write_zip(tmp_path / "b.qdpx", {"project.qde": qde("relative://texts/P05.txt")})
        # read from texts/P05.txt; both sources are named P04, so the second matches the first by name (#13)
        again = other.import_qdpx(second, sources_dir=inside)
        assert again["documents_matched"] == [{"document": "P04", "imported_as": "P04", "matched_by": "same name"}]
        assert other.document_text("P04").startswith("Interviewer:")
    finally:
        other.close()


@pytest.mark.parametrize("start, end", [(-5, 4), (30, 10**30), (40, 30), (10**6, 10**6 + 4)])
def test_offsets_out_of_range_are_skipped_and_reported(tmp_path, start, end):
    """Out-of-range selections are reported, never stored, never a crash; the rest imports."""
    fresh = Project.create(tmp_path / "fresh.bctcoder", user="tester")
    try:
        path = write_zip(tmp_path / "field.qdpx", qdpx_members(start=start, end=end))
        report = fresh.import_qdpx(path)
        assert report["counts"]["documents"] == 1 and report["counts"]["codings"] == 0
        assert any(f"selection {start}-{end}" in entry["item"] for entry in report["skipped"])
        assert fresh.info()["codings"] == 0
    finally:
        fresh.close()


def test_source_text_with_stray_cp1252_bytes_is_repaired_and_reported(tmp_path):
    fresh = Project.create(tmp_path / "fresh.bctcoder", user="tester")
    try:
        text = "Intro: naïve\n".encode() + b"Interviewer: How was it?\nP04: I set a goal \x92caf\xe9\x92 daily."
        members = {**qdpx_members(), f"sources/{SOURCE_GUID}.txt": text}
        report = fresh.import_qdpx(write_zip(tmp_path / "field.qdpx", members))
        assert "\u2019café\u2019" in fresh.document_text("P04")
        assert any("line 3" in entry["reason"] and "Windows-1252" in entry["reason"] for entry in report["warnings"])
    finally:
        fresh.close()


@pytest.mark.parametrize("case", ["bomb declaring its size", "truncated zip", "billion laughs"])
def test_cli_reports_one_line_and_no_traceback(project, tmp_path, case):
    path = hostile_zip(tmp_path / "field.qdpx", case, qdpx_members(), "project.qde")
    before = project_state(project)
    result = runner.invoke(app, ["import", "qdpx", project.url.removeprefix("sqlite:///"), str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and str(path) in result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert project_state(project) == before


def test_cli_sources_dir_option(tmp_path, secret, inside):
    target = tmp_path / "t.bctcoder"
    Project.create(target).close()
    path = write_zip(tmp_path / "field.qdpx", {"project.qde": qde("relative://P04.txt")})
    refused_run = runner.invoke(app, ["import", "qdpx", str(target), str(path)])
    assert refused_run.exit_code == 1 and "--sources-dir" in refused_run.output
    assert "Traceback" not in refused_run.output
    (inside / "P04.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    result = runner.invoke(app, ["import", "qdpx", str(target), str(path), "--sources-dir", str(inside)])
    assert result.exit_code == 0, result.output
    with Project.open(target) as opened:
        assert opened.info()["documents"] == 1


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
       keep=st.one_of(st.none(), st.floats(0, 1)))
def test_damaged_qdpx_never_escapes_as_a_traceback(tmp_path, changes, keep):
    """Bytes changed at random (and the file maybe cut short): read, or refused with our error naming it."""
    data = bytearray(write_zip(tmp_path / "base.qdpx", qdpx_members()).read_bytes())
    for where, value in changes:
        data[int(where * len(data))] = value
    path = tmp_path / "damaged.qdpx"
    path.write_bytes(bytes(data[: int(keep * len(data))] if keep is not None else data))
    try:
        read_refi_project(path)
    except BctcoderError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
