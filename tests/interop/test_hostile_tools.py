"""Hostile and malformed projects of other tools: QualCoder (data.qda), Taguette (SQLite) and REFI codebooks
(.qdc). A file that cannot be read is refused with one line naming it, quickly, the project left as it was;
a bad item inside a readable file (a coding's offsets, a document's HTML) is skipped and reported (#13)."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.corpus.hostile_files import (
    SECRET,
    assert_refused,
    billion_laughs,
    deep_xml,
    external_entity,
    project_state,
    write_zip,
)
from tests.corpus.hostile_tables import (
    altered_sqlite,
    deep_html,
    html_external_entity,
    html_laughs,
    other_tool_sqlite,
    truncated_copy,
)
from tests.interop.test_qualcoder import build_qualcoder
from tests.interop.test_taguette import build_taguette
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.errors import BctcoderError, InputError, LimitError
from bctcoder.interop import qualcoder
from bctcoder.interop.qualcoder import _qt_positions, locate_selection
from bctcoder.interop.refi.codebook import read_qdc
from bctcoder.interop.taguette import ByteMap, HtmlText, html_to_text
from bctcoder.project import Project

runner = CliRunner()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One empty project for the module: every refusal must leave it as it was."""
    p = Project.create(tmp_path_factory.mktemp("hostile-tools") / "study.bctcoder", user="tester")
    yield p
    p.close()



@pytest.fixture(scope="module")
def valid(tmp_path_factory):
    """A valid QualCoder data.qda and Taguette database, built once; tests alter copies."""
    folder = tmp_path_factory.mktemp("valid")
    build_qualcoder(folder / "qc")
    build_taguette(folder / "taguette.sqlite3")
    return {"qualcoder": folder / "qc" / "data.qda", "taguette": folder / "taguette.sqlite3"}


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "private" / "id_rsa"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def refused(project, path, call, error=InputError):
    """``call(project, path)`` must fail with one line naming ``path``, quickly, changing nothing."""
    return assert_refused(project, path, lambda: call(project, path), error)


def imported(blank, call, path):
    """Import into a copy of the ``blank`` project, checking every stored coding's span and quote; returns the
    report, the documents' texts and the project's counts."""
    copy = path.parent / "fresh.bctcoder"
    shutil.copyfile(blank, copy)
    fresh = Project.open(copy, user="tester")
    try:
        report = call(fresh, path)
        codings = fresh.codings()
        for _i, row in codings.iterrows():
            text = fresh.document_text(row["document"])
            assert 0 <= row["start"] < row["end"] <= len(text) and text[row["start"]:row["end"]] == row["quote"]
        documents = fresh.documents()
        texts = [fresh.document_text(name) for name in documents["document"]] if len(documents) else []
        return report, texts, fresh.info()
    finally:
        fresh.close()


def reasons(report) -> str:
    return " | ".join(f"{e['item']}: {e['reason']}" for e in report["skipped"])


# -- QualCoder ---------------------------------------------------------------------------------------------

QC = lambda p, path: p.import_qualcoder(path)  # noqa: E731


def _qc_file(tmp_path, valid, case):
    target = tmp_path / "qc" / "data.qda"
    if case == "not SQLite":
        target.parent.mkdir()
        target.write_bytes(b"this is not a database at all\n" * 100)
    elif case == "empty file":
        target.parent.mkdir()
        target.write_bytes(b"")
    elif case == "a zip named data.qda":
        target.parent.mkdir()
        write_zip(target, {"project.qde": b"<Project/>"})
    elif case == "truncated SQLite":
        truncated_copy(valid["qualcoder"], target)
    elif case == "SQLite of another tool":
        target.parent.mkdir()
        other_tool_sqlite(target)
    elif case == "folder without data.qda":
        (tmp_path / "qc").mkdir()
        return tmp_path / "qc"
    else:
        altered_sqlite(valid["qualcoder"], target, QC_ALTERATIONS[case])
    return target


QC_ALTERATIONS = {
    "table missing": ["DROP TABLE code_text"],
    "column missing": ["DROP TABLE code_text", "CREATE TABLE code_text (ctid integer primary key, cid integer, "
                       "fid integer, seltext text, pos0 integer, owner text, date text, memo text)"],
    "invalid UTF-8 (a lone surrogate) in a source": [
        "UPDATE source SET fulltext = CAST(x'50313a20eda080' AS TEXT) WHERE id = 1"],
    "binary blob as a source text": ["UPDATE source SET fulltext = x'00ff00fe' WHERE id = 1"],
    "numbers where names belong (no column types)": [
        "DROP TABLE source", "CREATE TABLE source (id, name, fulltext, memo)",
        "INSERT INTO source VALUES (1, 5, 'P1: hello', 7)"],
    "a category table that is a view of nothing": [
        "DROP TABLE code_cat", "CREATE VIEW code_cat AS SELECT 1 AS catid, 2 AS name, 3 AS supercatid "
        "FROM missing_table"],
}
QC_REFUSED = ["not SQLite", "empty file", "a zip named data.qda", "truncated SQLite", "SQLite of another tool",
              "folder without data.qda", *QC_ALTERATIONS]


@pytest.mark.parametrize("case", QC_REFUSED)
def test_unreadable_qualcoder_projects_are_refused(project, tmp_path, valid, case):
    refused(project, _qc_file(tmp_path, valid, case), QC)


def test_qualcoder_source_past_the_size_bound(project, tmp_path, valid, monkeypatch):
    monkeypatch.setattr(qualcoder, "MAX_SOURCE_CHARS", 1000)
    path = altered_sqlite(valid["qualcoder"], tmp_path / "qc" / "data.qda",
                          [("UPDATE source SET fulltext = ? WHERE id = 2", ("P1: " + "word " * 1000,))])
    assert "characters" in str(refused(project, path, QC, LimitError))


BAD_OFFSETS = {  # (pos0, pos1) of the first coding: what the report says
    "out of range": (10, 10**12, "outside the text"),
    "negative": (-40, -2, "outside the text"),
    "not numbers": ("abc", "x1", "are not numbers"),
    "reversed": (60, 20, "outside the text"),
    "infinite": (float("inf"), float("-inf"), "are not numbers"),
    "past 64-bit integers": ("9" * 40, "9" * 41, "outside the text"),
}


def test_qualcoder_codings_with_bad_offsets_are_skipped_and_reported(blank, tmp_path, valid):
    """Each of five codings gets broken offsets: all five are reported, the rest of the project imports."""
    statements = [("UPDATE code_text SET pos0 = ?, pos1 = ? WHERE rowid = ?", (a, b, i))
                  for i, (a, b, _why) in enumerate(BAD_OFFSETS.values(), start=1)]
    path = altered_sqlite(valid["qualcoder"], tmp_path / "qc" / "data.qda", statements)
    report, texts, info = imported(blank, QC, path)
    said = {e["item"]: e["reason"] for e in report["skipped"]}
    for i, (a, b, why) in enumerate(BAD_OFFSETS.values(), start=1):
        assert why in said[f"coding {i} in 'Interviewee_PW1'"], (a, b)
    assert info["documents"] == 2 and 0 < info["codings"] < 6


@pytest.mark.parametrize("case, statements, check", [
    ("NUL bytes in a source text", ["UPDATE source SET fulltext = CAST(x'50313a2000410042' AS TEXT) WHERE id = 2"],
     lambda report, texts, info: "Interviewee_SP1" in reasons(report) and all("\x00" not in t for t in texts)),
    ("categories in a cycle", ["UPDATE code_cat SET supercatid = 3 WHERE catid = 2"],
     lambda report, texts, info: report["codings"] == 6),
    ("a category that is its own parent", ["UPDATE code_cat SET supercatid = catid"],
     lambda report, texts, info: report["codings"] == 6),
    ("a time zone that leaves the calendar", ["UPDATE code_text SET date = '0001-01-01T00:00:00+05:00'"],
     lambda report, texts, info: report["codings"] == 6),
    ("attribute types without a value type", [
        "DROP TABLE attribute_type", "CREATE TABLE attribute_type (name text)",
        "INSERT INTO attribute_type VALUES ('age')"],
     lambda report, texts, info: report["cases"] == 4),
    ("codings of a source that does not exist", ["UPDATE code_text SET fid = 99 WHERE rowid = 1"],
     lambda report, texts, info: "no such source" in reasons(report)),
    ("a huge coder name", [("UPDATE code_text SET owner = ?", ("x" * 100_000,))],
     lambda report, texts, info: report["codings"] > 0),
])
def test_qualcoder_bad_items_are_skipped_or_survived(blank, tmp_path, valid, case, statements, check):
    path = altered_sqlite(valid["qualcoder"], tmp_path / "qc" / "data.qda", statements)
    started = time.perf_counter()
    assert check(*imported(blank, QC, path))
    assert time.perf_counter() - started < 5


@settings(max_examples=100, deadline=None)
@given(text=st.text(st.sampled_from(list("ab é😀\r\n")), max_size=20),
       pos=st.lists(st.one_of(st.integers(-30, 30), st.integers(), st.floats(), st.text(max_size=4), st.none()),
                    min_size=2, max_size=2),
       seltext=st.one_of(st.none(), st.text(st.sampled_from(list("ab é\n\u2029")), max_size=6)))
def test_locate_selection_stays_inside_the_text(text, pos, seltext):
    span, reason = locate_selection(text, _qt_positions(text), pos[0], pos[1], seltext)
    if span is None:
        assert reason and "\n" not in reason
    else:
        assert 0 <= span[0] < span[1] <= len(text)


# -- Taguette ----------------------------------------------------------------------------------------------

TG = lambda p, path: p.import_taguette(path)  # noqa: E731
TG_ALTERATIONS = {
    "table missing": ["DROP TABLE highlight_tags"],
    "column missing": ["ALTER TABLE highlights DROP COLUMN snippet"],
    "invalid UTF-8 in a document": ["UPDATE documents SET contents = CAST(x'3c703eeda0803c2f703e' AS TEXT)"],
    "binary blob as a document": ["UPDATE documents SET contents = x'00ff00fe' WHERE id = 1"],
    "numbers where names belong (no column types)": [
        "DROP TABLE tags", "CREATE TABLE tags (id, project_id, path)", "INSERT INTO tags VALUES (1, 1, 42)"],
}
TG_REFUSED = ["not SQLite", "empty file", "truncated SQLite", "SQLite of another tool", *TG_ALTERATIONS]


@pytest.mark.parametrize("case", TG_REFUSED)
def test_unreadable_taguette_databases_are_refused(project, tmp_path, valid, case):
    target = tmp_path / "taguette.sqlite3"
    if case == "not SQLite":
        target.write_bytes(b"\x00\x01 definitely not sqlite " * 100)
    elif case == "empty file":
        target.write_bytes(b"")
    elif case == "truncated SQLite":
        truncated_copy(valid["taguette"], target)
    elif case == "SQLite of another tool":
        other_tool_sqlite(target)
    else:
        altered_sqlite(valid["taguette"], target, TG_ALTERATIONS[case])
    refused(project, target, TG)


def test_taguette_document_past_the_size_bound(project, tmp_path, valid, monkeypatch):
    monkeypatch.setattr(qualcoder, "MAX_SOURCE_CHARS", 1000)
    path = altered_sqlite(valid["taguette"], tmp_path / "t.sqlite3",
                          [("UPDATE documents SET contents = ? WHERE id = 2", ("<p>" + "word " * 1000 + "</p>",))])
    refused(project, path, TG, LimitError)


def test_taguette_highlights_with_bad_offsets_are_skipped_and_reported(blank, tmp_path, valid):
    bad = [(10**6, 10**6 + 5), (-50, -2), (40, 10), (float("inf"), 5.0), ("abc", "def")]
    statements = [("UPDATE highlights SET start_offset = ?, end_offset = ? WHERE id = ?", (a, b, i))
                  for i, (a, b) in enumerate(bad, start=1)]
    report, _texts, _info = imported(blank, TG, altered_sqlite(valid["taguette"], tmp_path / "t.sqlite3",
                                                                  statements))
    said = {e["item"]: e["reason"] for e in report["skipped"]}
    for i in range(1, len(bad) + 1):
        assert any(word in said[f"highlight {i} in 'Interviewee_PW2'"] for word in ("select no text", "not numbers"))


@pytest.mark.parametrize("case, html, check", [
    ("100,000 nested elements", deep_html(), lambda texts: all("P1: deep down" not in t or len(t) < 100
                                                              for t in texts)),
    ("2,000 nested inline elements", deep_html(2000, "span"), lambda texts: True),
    ("entities that grow exponentially", html_laughs(), lambda texts: all(len(t) < 10_000 for t in texts)),
    ("script, style and template text", "<script>alert('P9: pwned')</script><style>p{}</style>"
     "<template>P9: hidden</template><p>P1: visible</p>", lambda texts: not any("P9" in t for t in texts)),
    ("NUL and control characters", "<p>P1: a\x00b\x01c</p>", lambda texts: all("\x00" not in t for t in texts)),
    ("character references out of Unicode", "<p>P1: &#xD800; &#x110000; &#0; &#99999999999;</p>",
     lambda texts: all(t.encode("utf-8") for t in texts)),
    ("empty HTML", "", lambda texts: True),
])
def test_hostile_taguette_html_is_skipped_or_read_as_text(blank, tmp_path, valid, case, html, check):
    path = altered_sqlite(valid["taguette"], tmp_path / "t.sqlite3",
                          [("UPDATE documents SET contents = ? WHERE id = 1", (html,))])
    started = time.perf_counter()
    _report, texts, _info = imported(blank, TG, path)
    assert check(texts) and time.perf_counter() - started < 5


def test_taguette_external_entity_is_never_read(blank, tmp_path, valid, secret):
    path = altered_sqlite(valid["taguette"], tmp_path / "t.sqlite3",
                          [("UPDATE documents SET contents = ? WHERE id = 1", (html_external_entity(secret),))])
    _report, texts, _info = imported(blank, TG, path)
    assert not any(SECRET in t for t in texts)


@pytest.mark.parametrize("case, statements", [
    ("a highlight id that is a list", [("UPDATE commands SET payload = ?", (json.dumps(
        {"type": "highlight_add", "highlight_id": [1], "tags": []}),))]),
    ("commands that are not JSON", ["UPDATE commands SET payload = '{{{'"]),
    ("tags in a parent cycle", ["ALTER TABLE tags ADD COLUMN parent_id INTEGER",
                                "UPDATE tags SET parent_id = 2 WHERE id = 1",
                                "UPDATE tags SET parent_id = 1 WHERE id = 2"]),
])
def test_taguette_odd_records_are_survived(blank, tmp_path, valid, case, statements):
    report, _texts, info = imported(blank, TG, altered_sqlite(valid["taguette"], tmp_path / "t.sqlite3",
                                                                 statements))
    assert info["documents"] == 2 and report["codings"] > 0


_HTML = st.lists(st.sampled_from(["<p>", "</p>", "<br>", "<pre>", "</pre>", "<script>", "</script>", "<b>", "</b>",
                                  "<li>", "&amp;", "&#x1F600;", "&#0;", "&bogus;", "<!--", "-->", "<![CDATA[", "]]>",
                                  "\r\n", "\n", " ", "\t", "é", "😀", "P1:", "text", "\x00", "<", ">", "&"]),
                 max_size=30).map("".join)


@settings(max_examples=100, deadline=None)
@given(markup=_HTML, offsets=st.lists(st.integers(-5, 200), min_size=2, max_size=2))
def test_taguette_html_conversion_keeps_spans_inside_the_text(markup, offsets):
    assert isinstance(html_to_text(markup), str)
    try:
        bytemap = ByteMap(HtmlText(markup))
    except (etree.ParserError, ValueError, RecursionError):  # the importer skips the document and says why
        return
    start, end = bytemap.span(*sorted(offsets))
    assert 0 <= start <= end <= len(bytemap.text)


# -- REFI codebooks (.qdc) ---------------------------------------------------------------------------------

QDC = lambda p, path: p.import_qdc(path)  # noqa: E731
GUID = "aaaaaaaa-1111-4111-8111-111111111111"


def qdc(codes: str, root: str = "CodeBook", ns: str = "urn:QDA-XML:codebook:1.0") -> bytes:
    return f'<?xml version="1.0" encoding="utf-8"?><{root} xmlns="{ns}"><Codes>{codes}</Codes></{root}>'.encode()


QDC_CASES = {
    "billion laughs": lambda secret: billion_laughs("CodeBook"),
    "entities in an attribute": lambda secret: billion_laughs("CodeBook").replace(
        b"<CodeBook>&lol9;</CodeBook>", b'<CodeBook><Codes><Code name="&lol9;"/></Codes></CodeBook>'),
    "external entity": lambda secret: external_entity(secret, "CodeBook"),
    "external entity in a description": lambda secret: (
        f'<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY e SYSTEM "file://{secret}">]><CodeBook><Codes>'
        f'<Code name="x"><Description>&e;</Description></Code></Codes></CodeBook>').encode(),
    "deep nesting": lambda secret: deep_xml(),
    "not XML": lambda secret: b"\x00\x01\x02 not xml \xff",
    "empty file": lambda secret: b"",
    "truncated": lambda secret: qdc(f'<Code name="Hope" guid="{GUID}"/>')[:60],
    "wrong root element": lambda secret: qdc('<Code name="Hope"/>', root="Codebook"),
    "a project, not a codebook": lambda secret: b'<Project xmlns="urn:QDA-XML:project:1.0"/>',
    "a zip (a .qdpx)": lambda secret: b"PK\x03\x04" + b"\x00" * 40,
    "20 MB name attribute": lambda secret: qdc(f'<Code name="{"x" * 20_000_000}" guid="{GUID}"/>'),
    "NUL character reference": lambda secret: qdc('<Code name="a&#0;b"/>'),
    "declared UTF-8, written cp1252": lambda secret: qdc('<Code name="Café – x"/>').replace(
        "é".encode(), b"\xe9").replace("–".encode(), b"\x96"),
    "no codes": lambda secret: qdc(""),
}


@pytest.mark.parametrize("case", sorted(QDC_CASES))
def test_hostile_codebooks_are_refused(project, tmp_path, secret, case):
    path = tmp_path / "book.qdc"
    path.write_bytes(QDC_CASES[case](secret))
    refused(project, path, QDC)


def test_codebook_past_the_size_bound(project, tmp_path, monkeypatch):
    from bctcoder.corpus import safe_archive

    monkeypatch.setattr("bctcoder.interop.refi.codebook.read_bounded_file",
                        lambda path, source: safe_archive.read_bounded_file(path, source=source, limit=100))
    path = tmp_path / "book.qdc"
    path.write_bytes(qdc("".join(f'<Code name="c{i}"/>' for i in range(50))))
    refused(project, path, QDC, LimitError)


def test_duplicate_guids_and_a_foreign_namespace_are_tolerated(blank, tmp_path):
    """GUIDs are hints, never keys: two codes sharing one (or one of ours) are both read, nothing merged wrongly."""
    path = tmp_path / "book.qdc"
    path.write_bytes(qdc(f'<Code name="Hope" guid="{GUID}"/><Code name="Fear" guid="{GUID}">'
                         f'<Code name="Dread" guid="{GUID}"/></Code>', ns="urn:someone-else"))
    report, _texts, info = imported(blank, QDC, path)
    assert sorted(m["name"] for m in report["mapped"]) == ["Dread", "Fear", "Hope"]
    assert info["inductive_codes"] == 3


_VALID_QDC = qdc(f'<Code name="Hope" guid="{GUID}" color="#00ff00"><Description>d</Description>'
                 '<Code name="3.1 Social support" isCodable="true"/></Code><Code name="Fear"/>')


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(max_size=3)), max_size=6),
       keep=st.one_of(st.none(), st.floats(0, 1)))
def test_damaged_codebooks_never_escape_as_a_traceback(tmp_path, changes, keep):
    data = bytearray(_VALID_QDC)
    for where, value in changes:
        at = int(where * len(data))
        data[at:at + 1] = value
    path = tmp_path / "damaged.qdc"
    path.write_bytes(bytes(data[: int(keep * len(data))] if keep is not None else data))
    try:
        codes = read_qdc(path)
    except BctcoderError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        return
    assert codes and all(isinstance(code.name, str) for code in codes)


# -- the command line --------------------------------------------------------------------------------------

@pytest.mark.parametrize("tool", ["qualcoder", "taguette", "qdc"])
def test_cli_reports_one_line_and_no_traceback(project, tmp_path, valid, tool):
    if tool == "qdc":
        path = tmp_path / "book.qdc"
        path.write_bytes(billion_laughs("CodeBook"))
    else:
        path = truncated_copy(valid[tool], tmp_path / f"{tool}.db")
    before = project_state(project)
    result = runner.invoke(app, ["import", tool, project.url.removeprefix("sqlite:///"), str(path)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and str(path) in result.output
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert project_state(project) == before

