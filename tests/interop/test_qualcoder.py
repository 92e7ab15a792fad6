"""Importing a QualCoder project (data.qda) built with QualCoder's own CREATE TABLE statements."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bctcoder.coding.events import event_rows
from bctcoder.coding.service import coding_rows
from bctcoder.corpus.textnorm import normalize_text
from bctcoder.errors import InputError
from bctcoder.interop.qualcoder import canonical_map, import_qualcoder
from bctcoder.participants.cases import case_rows
from bctcoder.store.models import Attribute, Case, Code, Coding, Document, Event
from bctcoder.taxonomy.service import get_meta

# Database version v14, copied from MainWindow.new_project in src/qualcoder/__main__.py (ccbogel/QualCoder,
# "QualCoder 3.9"); the graph and display tables are left out.
QUALCODER_V14 = [
    "CREATE TABLE project (databaseversion text, date text, memo text,about text, bookmarkfile integer, "
    "bookmarkpos integer, codername text, recently_used_codes text)",
    "CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text, "
    "owner text, date text, av_text_id integer, risid integer, unique(name))",
    "CREATE TABLE code_image (imid integer primary key,id integer,x1 integer, y1 integer, width integer, "
    "height integer, cid integer, memo text, date text, owner text, important integer, pdf_page integer)",
    "CREATE TABLE code_av (avid integer primary key,id integer,pos0 integer, pos1 integer, cid integer, "
    "memo text, date text, owner text, important integer)",
    "CREATE TABLE annotation (anid integer primary key, fid integer,pos0 integer, pos1 integer, memo text, "
    "owner text, date text, unique(fid,pos0,pos1,owner))",
    "CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text, caseOrFile text, "
    "valuetype text)",
    "CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text, id integer, "
    "date text, owner text, unique(name,attr_type,id))",
    "CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer, pos1 integer, "
    "owner text, date text, memo text)",
    "CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text,date text, "
    "constraint ucm unique(name))",
    "CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text, "
    "supercatid integer, unique(name))",
    "CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer,seltext text, pos0 integer, "
    "pos1 integer, owner text, date text, memo text, avid integer, important integer, "
    "unique(cid,fid,pos0,pos1, owner))",
    "CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer, owner text,"
    "date text, color text, unique(name))",
    "CREATE TABLE journal (jid integer primary key, name text, jentry text, date text, owner text, unique(name))",
]

PW1 = ("Interviewer: How did the group help?\r\n"
       "PW1: Honestly 😀 it was the café — people who'd been there.\r\n"
       "PW1: We set a goal together: walk to the shop by Friday.\r\n"
       "Interviewer: And the hard days?\r\n"
       "PW1: Hope, mostly. Ze\u0301phyr said “you’re not alone” 🧑‍🤝‍🧑 and I believed her.  \r\n"
       "\r\n")
SP1 = ("Interviewer: What helped?\n"
       "SP1: Knowing my peer worker had been through it.\n"
       "SP1: She never judged me — naïve as I was.\n")
DATE = "2024-03-05 14:22:10"


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def qt_position(text: str, index: int) -> int:
    """Where Qt's text cursor puts code point ``index``: UTF-16 units, a CRLF pair counted once."""
    return len(text[:index].encode("utf-16-le")) // 2 - text[:index].count("\r\n")


def build_qualcoder(folder) -> dict[str, str]:
    """A QualCoder project folder; returns the expected (code name → normalised quotes) of good codings."""
    folder.mkdir()
    conn = sqlite3.connect(folder / "data.qda")
    for ddl in QUALCODER_V14:
        conn.execute(ddl)
    conn.execute("INSERT INTO project VALUES(?,?,?,?,?,?,?,?)", ("v14", DATE, "", "QualCoder 3.9", 0, 0, "jm", ""))
    conn.executemany("INSERT INTO code_cat (catid, name, owner, date, memo, supercatid) VALUES (?,?,?,?,?,?)", [
        (1, "BCT", "jm", DATE, "", None), (2, "Emergent", "jm", DATE, "", None),
        (3, "Feelings", "jm", DATE, "", 2)])
    conn.executemany("INSERT INTO code_name (cid, name, memo, catid, owner, date, color) VALUES (?,?,?,?,?,?,?)", [
        (1, "3.1 Social support (unspecified)", "", 1, "jm", DATE, "#EB7333"),
        (2, "Goal setting (behavior)", "", 1, "jm", DATE, "#FFFF00"),
        (3, "Hope", "Looking forward", 3, "jm", DATE, "#00FF00"),
        (4, "Café culture ☕", "", None, "ns", DATE, "#AAAAAA"),
        (5, "99.9 Bogus technique", "", 1, "jm", DATE, "#000000"),
        (6, "17.1", "", 1, "ns", DATE, "#123456")])
    conn.executemany("INSERT INTO source (id, name, fulltext, mediapath, memo, owner, date) VALUES (?,?,?,?,?,?,?)", [
        (1, "Interviewee_PW1.docx", PW1, None, "first interview", "jm", DATE),
        (2, "Interviewee_SP1.txt", SP1, None, "", "jm", DATE),
        (3, "photo.png", None, "/images/photo.png", "", "jm", DATE)])
    rows = []

    def code(cid, fid, text, quote, owner, *, seltext=None, qt=False, important=None, pos=None):
        s, e = pos or span(text, quote)
        if qt:
            s, e = qt_position(text, s), qt_position(text, e)
        rows.append((cid, fid, text[slice(*span(text, quote))] if seltext is None else seltext, s, e, owner, DATE,
                     "", important))

    code(1, 1, PW1, "people who'd been there.", "jm", important=1)
    code(2, 1, PW1, "We set a goal together: walk to the shop by Friday.", "jm")
    crossing = "walk to the shop by Friday.\r\nInterviewer: And the hard days?"
    code(4, 1, PW1, crossing, "ns", seltext=crossing.replace("\r\n", "\u2029"))  # Qt's selectedText()
    code(3, 1, PW1, "Ze\u0301phyr said “you’re not alone” 🧑‍🤝‍🧑", "")  # empty owner
    code(3, 1, PW1, "and I believed her.", "visiting_coder", qt=True)  # Qt positions after CRLFs and emoji
    code(1, 1, PW1, "Honestly", "jm", seltext="Something else entirely")  # mismatch: skipped
    code(5, 1, PW1, "Hope, mostly.", "jm")  # code not in the taxonomy: skipped
    code(6, 2, SP1, "Knowing my peer worker had been through it.", "ns")
    code(1, 2, SP1, "She never judged me", "ns", pos=(10_000, 10_010))  # outside the text: skipped
    conn.executemany("INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner, date, memo, important) "
                     "VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO cases (caseid, name, memo, owner, date) VALUES (?,?,?,?,?)", [
        (1, "Interviewee_PW1", "peer worker", "jm", DATE), (2, "Interviewee_SP1", "", "jm", DATE),
        (3, "Carer_1", "", "jm", DATE), (4, "Mystery", "", "jm", DATE)])
    conn.executemany("INSERT INTO attribute_type (name, date, owner, memo, caseOrFile, valuetype) "
                     "VALUES (?,?,?,?,?,?)", [("role", DATE, "jm", "", "case", "character"),
                                              ("age", DATE, "jm", "", "case", "numeric"),
                                              ("setting", DATE, "jm", "", "case", "character"),
                                              ("language", DATE, "jm", "", "file", "character")])
    conn.executemany("INSERT INTO attribute (name, attr_type, value, id, date, owner) VALUES (?,?,?,?,?,?)", [
        ("role", "case", "peer worker", 1, DATE, "jm"), ("role", "case", "SP", 2, DATE, "jm"),
        ("role", "case", "Carer", 3, DATE, "jm"), ("age", "case", "34", 1, DATE, "jm"),
        ("age", "case", "51", 2, DATE, "jm"), ("age", "case", "declined", 3, DATE, "jm"),
        ("setting", "case", "Café du Nord", 1, DATE, "jm"), ("language", "file", "English", 1, DATE, "jm")])
    conn.executemany("INSERT INTO case_text (caseid, fid, pos0, pos1, owner, date, memo) VALUES (?,?,?,?,?,?,?)",
                     [(1, 1, 0, len(PW1), "jm", DATE, ""), (2, 2, 0, len(SP1), "jm", DATE, "")])
    conn.commit()
    conn.close()
    return {
        "3.1": ["people who'd been there."],
        "1.1": ["We set a goal together: walk to the shop by Friday."],
        "Café culture ☕": ["walk to the shop by Friday.\nInterviewer: And the hard days?"],
        "Hope": ["Ze\u0301phyr said “you’re not alone” 🧑‍🤝‍🧑", "and I believed her."],
        "17.1": ["Knowing my peer worker had been through it."],
    }


def test_import_qualcoder_project(project, tmp_path):
    expected = build_qualcoder(tmp_path / "study.qda")
    with project.transaction() as s:
        report = import_qualcoder(s, tmp_path / "study.qda", user="tester")
    assert report["database_version"] == "v14"
    assert (report["documents"], report["cases"], report["codings"]) == (2, 4, 6)
    assert report["codes_mapped"] == 3  # 3.1, Goal setting (behavior) → 1.1, 17.1
    assert report["codes_created"] == 4  # Hope, Café culture ☕ and the categories Emergent > Feelings
    assert report["coders"] == ["jm", "ns", "qualcoder", "visiting_coder"]
    assert sorted(report["roles_added"]) == ["Carer", "unknown"]
    reasons = {entry["item"]: entry["reason"] for entry in report["skipped"]}
    assert "not a text source" in reasons["source 'photo.png'"]
    assert any("seltext does not match" in r for r in reasons.values())
    assert any("outside the text" in r for r in reasons.values())
    assert any("not in the project's taxonomies" in r for i, r in reasons.items() if i.startswith("code "))
    assert any("file attributes" in r for r in reasons.values())

    with project.reading() as s:
        got: dict[str, list[str]] = {}
        for row in coding_rows(s):
            got.setdefault(row["code"], []).append(row["quote"])
            doc = s.scalar(select(Document).where(Document.name == row["document"]))
            assert doc.text[row["start"]:row["end"]] == row["quote"]
        assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in expected.items()}
        pw1 = s.scalar(select(Document).where(Document.name == "Interviewee_PW1"))
        assert pw1.text == normalize_text(PW1) and "\r" not in pw1.text
        assert pw1.case.key == "Interviewee_PW1" and pw1.memo == "first interview" and pw1.turns
        first = s.scalar(select(Coding).where(Coding.document_id == pw1.id).order_by(Coding.start))
        assert first.created_at == datetime(2024, 3, 5, 14, 22, 10) and first.exemplar
        assert first.code.number == "3.1" and first.origin == "manual"
        hope = s.scalar(select(Code).where(Code.label == "Hope"))
        parent = s.get(Code, hope.parent_id)
        assert (parent.label, s.get(Code, parent.parent_id).label) == ("Feelings", "Emergent")
        assert hope.kind == "inductive" and hope.description == "Looking forward" and hope.colour == "#00FF00"
        cases = {row["case"]: row for row in case_rows(s)}
        assert {k: v["role"] for k, v in cases.items()} == {
            "Interviewee_PW1": "PW", "Interviewee_SP1": "SP", "Carer_1": "Carer", "Mystery": "unknown"}
        assert cases["Interviewee_PW1"]["age"] == "34" and cases["Carer_1"]["age"] == "declined"
        assert cases["Interviewee_PW1"]["setting"] == "Café du Nord" and cases["Mystery"]["age"] is None
        assert s.scalar(select(Attribute.type).where(Attribute.name == "age")) == "integer"
        assert s.scalar(select(Attribute).where(Attribute.name == "role")) is None  # the role is not an attribute
        assert {"Carer", "unknown", "PW", "SP"} <= set(get_meta(s, "roles"))
        assert len(event_rows(s, action="qualcoder.import")) == 1
        assert len(event_rows(s, action="document.import")) == 2


def test_reimport_matches_documents_and_adds_no_duplicate(project, tmp_path):
    build_qualcoder(tmp_path / "study.qda")
    with project.transaction() as s:
        import_qualcoder(s, tmp_path / "study.qda" / "data.qda", user="tester")
    with project.transaction() as s:
        again = import_qualcoder(s, tmp_path / "study.qda", user="tester")
    assert again["documents"] == again["codings"] == again["cases"] == 0
    assert again["cases_existing"] == 4
    assert {m["matched_by"] for m in again["documents_matched"]} == {"same text"}
    assert "Interviewee_PW1" in {m["document"] for m in again["documents_matched"]}
    assert any("duplicate of another coding" in e["reason"] for e in again["skipped"])
    with project.reading() as s:
        assert s.scalar(select(func.count()).select_from(Coding)) == 6


def _counts(project) -> tuple[int, ...]:
    with project.reading() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Document, Case, Code, Coding, Event))


@pytest.mark.parametrize("content", [b"this is not a database at all, just text" * 50, b"SQLite format 3\x00junk"])
def test_corrupt_file_is_a_clean_input_error(project, tmp_path, content):
    bad = tmp_path / "data.qda"
    bad.write_bytes(content)
    before = _counts(project)
    with pytest.raises(InputError, match="data.qda") as info:
        with project.transaction() as s:
            import_qualcoder(s, bad, user="tester")
    assert "not a QualCoder database" in str(info.value)
    assert _counts(project) == before


def test_sqlite_without_qualcoder_tables(project, tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE source (id integer primary key, name text)")
    conn.commit()
    conn.close()
    before = _counts(project)
    with pytest.raises(InputError, match=r"other\.db.*not a QualCoder database: no table project"):
        with project.transaction() as s:
            import_qualcoder(s, other, user="tester")
    with pytest.raises(InputError, match="no such file"):
        with project.transaction() as s:
            import_qualcoder(s, tmp_path / "missing.qda", user="tester")
    assert _counts(project) == before


@given(st.text(alphabet=st.sampled_from(list("ab é😀\u0301\r\n\t\ufeff\u2028 ")), max_size=40))
def test_canonical_map_matches_normalize_text(raw):
    text, mapping = canonical_map(raw)
    assert text == normalize_text(raw)
    assert len(mapping) == len(raw) + 1 and mapping[0] == 0 and mapping[-1] == len(text)
    assert all(a <= b for a, b in zip(mapping, mapping[1:]))
    kept = ["" if (i == 0 and c == "\ufeff") or c.isspace() else c for i, c in enumerate(raw)]
    for s in range(len(raw) + 1):
        for e in range(s, len(raw) + 1):  # a span keeps every visible character it covered, in order
            assert "".join(text[mapping[s]:mapping[e]].split()) == "".join(kept[s:e])


def test_transcripts_first_then_qualcoder_attaches_the_codings(project, tmp_path):
    """#13: importing the transcripts, then the QualCoder project of the same study, keeps every coding."""
    build_qualcoder(tmp_path / "study.qda")
    (tmp_path / "Interviewee_PW1.txt").write_text(PW1.replace("\r\n", "\n"), encoding="utf-8")
    # the same interview as a differently prepared file: a header line the QualCoder copy lacks
    (tmp_path / "Interviewee_SP1.txt").write_text("Interview 2, March\n" + SP1, encoding="utf-8")
    project.import_transcripts([tmp_path / "Interviewee_PW1.txt", tmp_path / "Interviewee_SP1.txt"],
                               allow_unlinked=True)
    with project.transaction() as s:
        report = import_qualcoder(s, tmp_path / "study.qda", user="tester")
    assert report["documents"] == 0
    how = {m["document"]: m["matched_by"] for m in report["documents_matched"]}
    assert how == {"Interviewee_PW1": "same text", "Interviewee_SP1": "same name"}
    assert report["codings"] == 6
    codings = project.codings()
    sp1 = codings[codings["document"] == "Interviewee_SP1"]
    assert list(sp1["quote"]) == ["Knowing my peer worker had been through it."]
    text = project.document_text("Interviewee_SP1")
    assert text[int(sp1["start"].iloc[0]):int(sp1["end"].iloc[0])] == sp1["quote"].iloc[0]
    # the import linked the matched transcripts to the cases it created
    assert project.documents().set_index("document").loc["Interviewee_PW1", "case"] == "Interviewee_PW1"
