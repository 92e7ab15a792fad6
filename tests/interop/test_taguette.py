"""Importing Taguette databases: HTML documents, UTF-8 byte offsets, tags, and who highlighted what."""

from __future__ import annotations

import json
import sqlite3

import lxml.html
import pytest
from sqlalchemy import func, select

from bctcoder.coding.events import event_rows
from bctcoder.coding.service import coding_rows
from bctcoder.errors import InputError
from bctcoder.interop.taguette import ByteMap, HtmlText, html_to_text, import_taguette
from bctcoder.store.models import Case, Code, Coding, Document, Event

# The SQLite DDL that Taguette's models (taguette/database/models.py, remram44/taguette, Taguette 1.x) give
# through Base.metadata.create_all, as SQLAlchemy emits it; the users/commands indexes are left out.
TAGUETTE_DDL = [
    """CREATE TABLE users (login VARCHAR(30) NOT NULL, created DATETIME NOT NULL, hashed_password VARCHAR(192),
    password_set_date DATETIME, language VARCHAR(10), email VARCHAR(256), email_sent DATETIME,
    CONSTRAINT pk_users PRIMARY KEY (login))""",
    """CREATE TABLE projects (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL, created DATETIME NOT NULL)""",
    """CREATE TABLE project_members (project_id INTEGER NOT NULL, user_login VARCHAR(30) NOT NULL,
    privileges VARCHAR(11) NOT NULL, CONSTRAINT pk_project_members PRIMARY KEY (project_id, user_login),
    CONSTRAINT fk_project_members_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id)
    ON DELETE CASCADE, CONSTRAINT fk_project_members_user_login_users FOREIGN KEY(user_login)
    REFERENCES users (login) ON DELETE CASCADE ON UPDATE CASCADE)""",
    """CREATE TABLE documents (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL, filename VARCHAR(200) NOT NULL, created DATETIME NOT NULL,
    project_id INTEGER NOT NULL, text_direction VARCHAR(13) NOT NULL, contents TEXT NOT NULL,
    CONSTRAINT fk_documents_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id)
    ON DELETE CASCADE)""",
    """CREATE TABLE commands (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, date DATETIME NOT NULL,
    user_login VARCHAR(30) NOT NULL, project_id INTEGER NOT NULL, document_id INTEGER, payload TEXT NOT NULL,
    CONSTRAINT fk_commands_user_login_users FOREIGN KEY(user_login) REFERENCES users (login) ON UPDATE CASCADE,
    CONSTRAINT fk_commands_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id)
    ON DELETE CASCADE)""",
    """CREATE TABLE tags (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL,
    path VARCHAR(200) NOT NULL, description TEXT NOT NULL, CONSTRAINT uq_tags_project_id UNIQUE (project_id, path),
    CONSTRAINT fk_tags_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE)""",
    """CREATE TABLE highlights (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, document_id INTEGER NOT NULL,
    start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, snippet TEXT NOT NULL,
    CONSTRAINT fk_highlights_document_id_documents FOREIGN KEY(document_id) REFERENCES documents (id)
    ON DELETE CASCADE)""",
    """CREATE TABLE highlight_tags (highlight_id INTEGER NOT NULL, tag_id INTEGER NOT NULL,
    CONSTRAINT pk_highlight_tags PRIMARY KEY (highlight_id, tag_id),
    CONSTRAINT fk_highlight_tags_highlight_id_highlights FOREIGN KEY(highlight_id) REFERENCES highlights (id)
    ON DELETE CASCADE, CONSTRAINT fk_highlight_tags_tag_id_tags FOREIGN KEY(tag_id) REFERENCES tags (id)
    ON DELETE CASCADE)""",
]

PW2 = ("<h1>Interview — PW2</h1>\r\n"
       "<p>Interviewer: What did the group give you?</p>\r\n"
       "<p>PW2: Honestly? <b>Company</b> &amp; a bit of <i>hope</i> 😀. "
       "The café was where Ze\u0301phyr said “you’re not alone”.</p>\n"
       "<ul>\n<li>We walked   together\tevery Friday.</li>\n<li>She listened 👂 without judging.</li>\n</ul>\n"
       "<p>Interviewer: Anything else?<br>PW2: Naïve maybe, but I trust them.</p>")
OTHER = "<p>Just a line with ümlaut and <em>nothing</em> else.</p>"
NOW = "2024-04-02 09:30:00.000000"


def text_content(markup: str) -> str:
    """The DOM textContent Taguette counts bytes over (tags out, entities decoded, CRLF read as LF)."""
    return lxml.html.document_fromstring(markup.replace("\r\n", "\n")).text_content()


def byte_span(markup: str, quote: str, start_shift: int = 0) -> tuple[int, int]:
    content = text_content(markup)
    i = content.index(quote)
    return len(content[:i].encode("utf-8")) + start_shift, len(content[:i + len(quote)].encode("utf-8"))


def build_taguette(path) -> None:
    conn = sqlite3.connect(path)
    for ddl in TAGUETTE_DDL:
        conn.execute(ddl)
    conn.executemany("INSERT INTO users (login, created) VALUES (?, ?)", [("admin", NOW), ("ns", NOW)])
    conn.executemany("INSERT INTO projects (id, name, description, created) VALUES (?,?,?,?)",
                     [(1, "Peer study", "", NOW), (2, "Other study", "", NOW)])
    conn.executemany("INSERT INTO project_members VALUES (?,?,?)",
                     [(1, "admin", "ADMIN"), (2, "admin", "ADMIN"), (2, "ns", "TAG")])
    conn.executemany("INSERT INTO documents (id, name, description, filename, created, project_id, text_direction, "
                     "contents) VALUES (?,?,?,?,?,?,?,?)",
                     [(1, "Interviewee_PW2.docx", "second PW interview", "pw2.docx", NOW, 1, "LEFT_TO_RIGHT", PW2),
                      (2, "Other doc", "", "other.txt", NOW, 2, "LEFT_TO_RIGHT", OTHER)])
    conn.executemany("INSERT INTO tags (id, project_id, path, description) VALUES (?,?,?,?)", [
        (1, 1, "BCT/3.1 social support", ""), (2, 1, "hope", "Looking forward"),
        (3, 1, "Emotions/Feeling heard 👂", ""), (4, 1, "Goal setting (behavior)", ""),
        (5, 1, "17.9 Unknown technique", ""), (6, 2, "hope", "")])
    highlights = [  # (id, document, quote, snippet, tags, start shift)
        (1, PW2, "Company & a bit of hope 😀", "<b>Company</b> &amp; a bit of <i>hope</i> 😀", [1], 0),
        (2, PW2, "Ze\u0301phyr said “you’re not alone”", "Ze\u0301phyr said “you’re not alone”", [2, 3], 0),
        (3, PW2, "We walked   together\tevery Friday.", "<li>We walked   together\tevery Friday.</li>", [4], 0),
        # BeautifulSoup >= 4.12 makes Taguette's extract keep the text left of the start in the snippet
        (4, PW2, "She listened 👂 without judging.", "<ul>\n<li>We walked   together\tevery Friday.</li>\n"
         "<li>She listened 👂 without judging.</li></ul>", [2], 0),
        (5, PW2, "I trust them", "<p>something else entirely</p>", [2], 0),  # mismatch: skipped
        (6, PW2, "Naïve maybe", "Naïve maybe", [], 0),  # no tags: skipped
        (7, PW2, "Honestly?", "Honestly?", [5], 0),  # only an unknown technique: skipped
        (8, PW2, "😀. The café", ". The café", [2], 2),  # starts inside the emoji's bytes
        (9, PW2, "Anything else?PW2: Naïve", "<p>Anything else?<br>PW2: Naïve</p>", [3], 0),
        (10, OTHER, "ümlaut and nothing", "ümlaut and <em>nothing</em>", [6], 0),
    ]
    for hid, markup, quote, snippet, tags, shift in highlights:
        start, end = byte_span(markup, quote, shift)
        conn.execute("INSERT INTO highlights VALUES (?,?,?,?,?)", (hid, 1 if markup is PW2 else 2, start, end, snippet))
        conn.executemany("INSERT INTO highlight_tags VALUES (?, ?)", [(hid, t) for t in tags])
    for cid, (login, hid) in enumerate([("admin", 2), ("ns", 2), ("admin", 3)], start=1):
        payload = {"type": "highlight_add", "highlight_id": hid, "start_offset": 0, "end_offset": 1, "tags": []}
        conn.execute("INSERT INTO commands VALUES (?,?,?,?,?,?)", (cid, NOW, login, 1, 1, json.dumps(payload)))
    conn.commit()
    conn.close()


def test_import_one_taguette_project(project, tmp_path):
    db = tmp_path / "taguette.sqlite3"
    build_taguette(db)
    with project.transaction() as s:
        s.add(Case(key="Interviewee_PW2", role="PW"))
    with project.transaction() as s:
        report = import_taguette(s, db, user="tester", project_id=1)
    assert report["projects"] == ["Peer study"]
    assert (report["documents"], report["documents_linked"], report["codings"]) == (1, 1, 7)
    assert report["codes_mapped"] == 2  # 3.1 and Goal setting (behavior) → 1.1
    assert report["codes_created"] == 3  # hope, Emotions and Feeling heard 👂
    assert report["coders"] == ["admin", "ns"]
    reasons = {e["item"]: e["reason"] for e in report["skipped"]}
    assert reasons["highlight 5 in 'Interviewee_PW2'"] == "its snippet does not match the text at its offsets"
    assert reasons["highlight 6 in 'Interviewee_PW2'"] == "it has no tags"
    assert reasons["highlight 7 in 'Interviewee_PW2'"] == "none of its tags was imported"
    assert "not in the project's taxonomies" in reasons["tag '17.9 Unknown technique'"]
    with project.reading() as s:
        doc = s.scalar(select(Document).where(Document.name == "Interviewee_PW2"))
        assert doc.case.key == "Interviewee_PW2" and doc.memo == "second PW interview"
        assert doc.text.splitlines()[:3] == ["Interview — PW2", "Interviewer: What did the group give you?",
                                             "PW2: Honestly? Company & a bit of hope 😀. The café was where "
                                             "Ze\u0301phyr said “you’re not alone”."]
        assert "We walked together every Friday." in doc.text.splitlines()
        got = sorted((r["code"], r["quote"], r["coder"]) for r in coding_rows(s))
        assert got == sorted([
            ("3.1", "Company & a bit of hope 😀", "admin"),
            ("hope", "Ze\u0301phyr said “you’re not alone”", "ns"),
            ("Feeling heard 👂", "Ze\u0301phyr said “you’re not alone”", "ns"),
            ("1.1", "We walked together every Friday.", "admin"),
            ("hope", "She listened 👂 without judging.", "admin"),
            ("hope", ". The café", "admin"),
            ("Feeling heard 👂", "Anything else?\nPW2: Naïve", "admin"),
        ])
        heard = s.scalar(select(Code).where(Code.label == "Feeling heard 👂"))
        assert s.get(Code, heard.parent_id).label == "Emotions"
        assert s.scalar(select(Code.description).where(Code.label == "hope")) == "Looking forward"
        assert s.scalar(select(func.count()).select_from(Document)) == 1
        assert len(event_rows(s, action="taguette.import")) == 1


def test_import_all_projects(project, tmp_path):
    db = tmp_path / "taguette.sqlite3"
    build_taguette(db)
    with project.transaction() as s:
        report = import_taguette(s, db, user="tester")
    assert report["projects"] == ["Peer study", "Other study"] and report["documents"] == 2
    with project.reading() as s:
        other = [r for r in coding_rows(s) if r["document"] == "Other doc"]
        assert [(r["quote"], r["coder"], r["code"]) for r in other] == [("ümlaut and nothing", "taguette", "hope")]
    with project.transaction() as s:
        again = import_taguette(s, db, user="tester")
    assert again["documents"] == again["codings"] == 0
    assert len(again["documents_matched"]) == 2
    assert any("duplicate of another coding" in e["reason"] for e in again["skipped"])


def test_byte_offsets_map_to_code_points():
    converted = HtmlText("<p>é😀x</p><p>a&amp;b<!-- note -->c</p>")
    bytemap = ByteMap(converted)
    assert bytemap.text == "é😀x\na&bc"
    assert bytemap.text[slice(*bytemap.span(1, 7))] == "😀x"  # a start inside "é" moves to the next character
    assert bytemap.text[slice(*bytemap.span(0, 3))] == "é😀"  # an end inside the emoji keeps it
    assert bytemap.text[slice(*bytemap.span(7, 10))] == "a&b"  # "&amp;" is one byte of text
    assert html_to_text("<pre>\n  two  spaces\nkept</pre>") == "  two  spaces\nkept\n"


def _counts(project) -> tuple[int, ...]:
    with project.reading() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Document, Code, Coding, Event))


def test_bad_files_are_clean_input_errors(project, tmp_path):
    garbage = tmp_path / "taguette.sqlite3"
    garbage.write_bytes(b"\x00\x01 definitely not sqlite " * 100)
    plain = tmp_path / "plain.sqlite3"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    good = tmp_path / "good.sqlite3"
    build_taguette(good)
    before = _counts(project)
    for path, kwargs, message in [(garbage, {}, r"taguette\.sqlite3: not a Taguette database"),
                                  (plain, {}, r"plain\.sqlite3: not a Taguette database: no table documents"),
                                  (good, {"project_id": 99}, r"good\.sqlite3: no Taguette project with id 99")]:
        with pytest.raises(InputError, match=message):
            with project.transaction() as s:
                import_taguette(s, path, user="tester", **kwargs)
    assert _counts(project) == before
