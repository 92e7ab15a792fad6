"""Hostile and malformed .docx, .odt and text transcripts: one clean error naming the file, nothing stored."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.corpus.hostile_files import (
    ZIP_CASES,
    assert_refused,
    docx_members,
    external_entity_zip,
    hostile_zip,
    odt_members,
    project_state,
    write_zip,
)
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.corpus import safe_archive
from bctcoder.corpus.readers import read_transcript
from bctcoder.errors import BctcoderError, InputError, LimitError
from bctcoder.project import Project

runner = CliRunner()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One empty project for the module: every test checks a refused import leaves it as it was."""
    p = Project.create(tmp_path_factory.mktemp("hostile") / "study.bctcoder", user="tester")
    yield p
    p.close()

PACKAGES = {".docx": (docx_members, "word/document.xml"), ".odt": (odt_members, "content.xml")}
LIMIT_CASES = {"bomb declaring its size", "compression ratio over the limit", "too many members"}


def refused(project, path, error=InputError):
    """Import ``path``: it must fail with one line naming it, leaving the project unchanged; the error."""
    return assert_refused(project, path, lambda: project.import_transcripts([path], allow_unlinked=True), error)


@pytest.mark.parametrize("suffix", sorted(PACKAGES))
@pytest.mark.parametrize("case", sorted(ZIP_CASES))
def test_hostile_packages_are_refused_cleanly(project, tmp_path, suffix, case):
    members, main = PACKAGES[suffix]
    path = hostile_zip(tmp_path / f"P04{suffix}", case, members(), main)
    error = refused(project, path)
    if case in LIMIT_CASES:
        assert isinstance(error, LimitError)


@pytest.mark.parametrize("suffix", sorted(PACKAGES))
def test_external_entities_are_never_read(project, tmp_path, suffix):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    members, main = PACKAGES[suffix]
    error = refused(project, external_entity_zip(tmp_path / f"P04{suffix}", members(), main, secret))
    assert "TOP SECRET" not in str(error) and "entities" in str(error)


def test_entities_in_any_docx_part_are_refused(project, tmp_path):
    members = docx_members()
    members["word/styles.xml"] = b'<!DOCTYPE s [<!ENTITY a "aaaa">]>' + members["word/styles.xml"].split(b"?>", 1)[1]
    assert "entities" in str(refused(project, write_zip(tmp_path / "P04.docx", members)))


@pytest.mark.parametrize("value, message", [
    ("4000000000", "at most 1,000"),
    ("1001", "at most 1,000"),
    ("9" * 5000, "at most 1,000"),
    ("abc", "text:c='abc'"),
    ("-1", "text:c='-1'"),
    ("1e9", "text:c='1e9'"),
])
def test_odt_space_counts_are_validated(project, tmp_path, value, message):
    path = write_zip(tmp_path / "P04.odt", odt_members(f'<text:p>P04: a<text:s text:c="{value}"/>b</text:p>'))
    error = refused(project, path)
    assert message in str(error) and "content.xml line" in str(error)


def test_odt_reasonable_space_counts_still_work(tmp_path):
    path = write_zip(tmp_path / "P04.odt", odt_members('<text:p>P04: a<text:s text:c="3"/>b<text:s/>c</text:p>'))
    assert read_transcript(path).text == "P04: a   b c"


@pytest.mark.parametrize("case, body", [
    ("no office:body", '<?xml version="1.0"?><office:document-content '
                       'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
    ("wrong root only", "<html><body><p>P04: hi</p></body></html>"),
])
def test_odt_without_a_body(project, tmp_path, case, body):
    refused(project, write_zip(tmp_path / "P04.odt", {**odt_members(), "content.xml": body.encode()}))


def test_docx_that_is_an_odt_and_odt_that_is_a_docx(project, tmp_path):
    refused(project, write_zip(tmp_path / "P04.docx", odt_members()))
    refused(project, write_zip(tmp_path / "P04.odt", docx_members()))


@pytest.mark.parametrize("data, message", [
    (b"P04: \x00\x01\x02 binary", "binary"),
    (b"P04: undefined \x81\x8d\x8f\x90 bytes\n", "cannot decode"),
    (b"", "empty"),
])
def test_hostile_text_files(project, tmp_path, data, message):
    path = tmp_path / "P04.txt"
    path.write_bytes(data)
    assert message in str(refused(project, path))


def test_text_file_larger_than_the_limit(project, tmp_path, monkeypatch):
    monkeypatch.setattr("bctcoder.corpus.readers.read_bounded_file",
                        lambda path: safe_archive.read_bounded_file(path, limit=100))
    path = tmp_path / "P04.txt"
    path.write_text("P04: " + "words " * 100, encoding="utf-8")
    refused(project, path, LimitError)


def test_total_of_an_archive_is_bounded_while_reading(tmp_path, monkeypatch):
    """Members within their own bound, together over the archive's: counted while decompressing."""
    monkeypatch.setattr(safe_archive, "DEFAULT_LIMITS", safe_archive.ArchiveLimits(total_bytes=64 * 1024))
    members = docx_members()
    path = write_zip(tmp_path / "P04.docx", members)
    with pytest.raises(LimitError, match="together"):
        read_transcript(path)
    with safe_archive.SafeArchive(path, what=".docx file") as archive:  # read() counts too
        with pytest.raises(LimitError, match="together"):
            for name in archive.names:
                archive.read(name)


@pytest.mark.parametrize("limits, message", [
    (safe_archive.ArchiveLimits(ratio=2, ratio_floor=4096), "zip bomb"),
    (safe_archive.ArchiveLimits(member_bytes=50_000), "accepted for one file"),
])
def test_member_past_a_bound_is_stopped_while_reading(tmp_path, monkeypatch, limits, message):
    """A member whose headers passed (as if they had lied) is still cut off while it is decompressed."""
    monkeypatch.setattr(safe_archive.SafeArchive, "_check_declared", lambda self, info: None)
    path = write_zip(tmp_path / "p.odt", {"content.xml": b"<a>" + b" " * 300_000 + b"</a>"})
    with safe_archive.SafeArchive(path, what=".odt file", limits=limits) as archive:
        with pytest.raises(LimitError, match=message):
            archive.read("content.xml")


@pytest.mark.parametrize("suffix, case", [(".docx", "bomb declaring its size"), (".odt", "billion laughs"),
                                          (".docx", "truncated zip"), (".odt", "member name with ..")])
def test_cli_reports_one_line_and_no_traceback(project, tmp_path, suffix, case):
    members, main = PACKAGES[suffix]
    path = hostile_zip(tmp_path / f"P04{suffix}", case, members(), main)
    before = project_state(project)
    result = runner.invoke(app, ["import", "transcripts", project.url.removeprefix("sqlite:///"), str(path),
                                 "--unlinked"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and str(path) in result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert project_state(project) == before


def test_every_refusal_is_a_bctcoder_error(tmp_path):
    """read_transcript alone: each case raises our error class, never zipfile's, lxml's or zlib's."""
    for suffix, (members, main) in PACKAGES.items():
        for case in ("bad checksum", "unknown compression method", "encrypted member"):
            path = hostile_zip(tmp_path / f"{case}{suffix}", case, members(), main)
            with pytest.raises(BctcoderError):
                read_transcript(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(sorted(PACKAGES)),
       changes=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
       keep=st.one_of(st.none(), st.floats(0, 1)))
def test_damaged_packages_never_escape_as_tracebacks(tmp_path, suffix, changes, keep):
    """Bytes changed at random (and the file maybe cut short): read, or refused with our error naming it."""
    members, _ = PACKAGES[suffix]
    data = bytearray(write_zip(tmp_path / f"base{suffix}", members()).read_bytes())
    for where, value in changes:
        data[int(where * len(data))] = value
    path = tmp_path / f"damaged{suffix}"
    path.write_bytes(bytes(data[: int(keep * len(data))] if keep is not None else data))
    try:
        read_transcript(path)
    except BctcoderError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
