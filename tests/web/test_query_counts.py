"""The document list and the reading view cost a bounded number of SQL statements, whatever the project's size
(issue #11: a 500-transcript project's reading view stays under 40 statements)."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event
from tests.web.conftest import TOKEN, signed_in

from bctcoder.project import Project
from bctcoder.web.app import create_app

READING_VIEW_LIMIT = 40


def build(folder: Path, n: int) -> Path:
    """A project of ``n`` one-case transcripts (PW/SP alternating), each with three codings by two coders."""
    folder.mkdir(exist_ok=True)
    keys = [f"PW{i}" if i % 2 else f"SP{i}" for i in range(1, n + 1)]
    (folder / "cases.csv").write_text("case,role\n" + "".join(f"{k},{k[:2]}\n" for k in keys), encoding="utf-8")
    paths = []
    for k in keys:
        path = folder / f"{k}.txt"
        path.write_text(f"Interviewer: How did the week go?\n{k}: We walked together and felt better.\n"
                        f"Interviewer: Anything else?\n{k}: I kept a diary of my sleep.\n", encoding="utf-8")
        paths.append(path)
    project = folder / "study.bctcoder"
    with Project.create(project, user="owner") as p:
        p.import_cases(folder / "cases.csv")
        p.import_transcripts(paths)
        rows = ["document,code,coder,start,end"]
        for k in keys:
            turns = [t for t in p.turns(k) if t["is_interviewee"]]
            for turn, code, coder in zip(turns + turns, ("1.1", "3.1", "1.4"), "aba"):
                rows.append(f"{k},{code},{coder},{turn['start']},{turn['end']}")
        (folder / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        p.import_codings(folder / "codings.csv")
    return project


@contextmanager
def counting(app):
    """Collect every SQL statement sent through the app's project engine while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    engine = app.state.project.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_for(client, app, url: str, expect: str) -> list[str]:
    with counting(app) as statements:
        r = client.get(url)
    assert r.status_code == 200 and expect in r.text, (url, r.text[:300])
    return statements


@pytest.fixture(scope="module")
def counts(tmp_path_factory):
    """Statements per request (sign-in excluded; each request's session lookup included) at 5 and 40 documents."""
    result = {}
    for n in (5, 40):
        app = create_app(build(tmp_path_factory.mktemp(f"docs{n}"), n), token=TOKEN)
        try:
            client = signed_in(app)
            last = f"PW{n if n % 2 else n - 1}"   # the last PW transcript
            result[n] = {"view": statements_for(client, app, "/documents/PW1", "kept a diary"),
                         "view_last": statements_for(client, app, f"/documents/{last}", "kept a diary"),
                         "list": statements_for(client, app, "/", last)}
        finally:
            app.state.project.close()
    return result


def _repeats(statements: list[str]) -> str:
    return "\n".join(f"{k} × {s[:160]}" for s, k in Counter(statements).most_common(8))


def test_reading_view_statements_do_not_grow_with_documents(counts):
    small, large = counts[5]["view"], counts[40]["view"]
    assert len(small) == len(large), f"5 documents: {len(small)}, 40: {len(large)}\n{_repeats(large)}"
    assert len(large) == len(counts[40]["view_last"])
    assert len(large) < READING_VIEW_LIMIT, _repeats(large)


def test_document_list_statements_do_not_grow_with_documents(counts):
    small, large = counts[5]["list"], counts[40]["list"]
    assert len(small) == len(large), f"5 documents: {len(small)}, 40: {len(large)}\n{_repeats(large)}"
