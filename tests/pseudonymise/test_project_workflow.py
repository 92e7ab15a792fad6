"""Detect → review → apply, through the Project: the copy keeps every coding on its words, Table 2 and
every quote are unchanged apart from the replacements, the key undoes it, the original is untouched.

These tests store proposals directly (no Presidio needed), so they run in the quick suite; the slow tests in
this folder run real detection.
"""

from __future__ import annotations

import csv
import re
import shutil

import pytest

from bctcoder.access.roles import Actor, Role
from bctcoder.errors import InputError, PermissionDenied, ProjectError
from bctcoder.project import Project
from bctcoder.pseudonymise import proposal_store
from bctcoder.pseudonymise.findings import Proposal

TEXT = ("Interviewer: How did you meet your peer worker?\n"
        "SP4: Sarah came round to my flat in Leeds on 3 March 2019. Sarah's brilliant, honestly.\n"
        "Interviewer: What did she do?\n"
        "SP4: She rang St James's Hospital for me and set me a goal to walk to Roundhay Park.\n")
NAMES = [("Sarah", "PERSON", "[Peer worker 1]", "person:sarah"), ("Leeds", "PLACE", "[Town A]", "place:leeds"),
         ("3 March 2019", "DATE", "[March 2019]", "date:2019-03"),
         ("Sarah", "PERSON", "[Peer worker 1]", "person:sarah"),
         ("St James's Hospital", "ORGANISATION", "[Hospital A]", "organisation:st james's hospital"),
         ("Roundhay Park", "PLACE", "[Place A]", "place:roundhay park")]


def _proposals(document: str, text: str) -> list[Proposal]:
    out, at = [], 0
    for original, category, replacement, entity in NAMES:
        start = text.index(original, at)
        at = start + len(original)
        out.append(Proposal(document, start, at, original, category, 0.9, "test", replacement, entity))
    return out


@pytest.fixture
def study(demo, tmp_path) -> Project:
    """The demo project plus one transcript full of identifiers, coded across and inside the names."""
    path = tmp_path / "Demo_SP4x.txt"
    path.write_text(TEXT, encoding="utf-8")
    demo.import_transcripts([path], allow_unlinked=True)
    text = demo.document_text("Demo_SP4x")
    first = text.index("Sarah came")
    demo.add_coding("Demo_SP4x", first, text.index("Sarah's brilliant") + 5, "3.1", memo="Sarah helped a lot")
    goal = text.index("set me a goal")
    demo.add_coding("Demo_SP4x", goal, text.index("Park.") + 4, "1.1")
    demo.add_coding("Demo_SP4x", text.index("Hosp") , text.index("Hosp") + 4, "3.2")   # inside a name
    with demo.transaction() as s:
        proposal_store.replace_proposals(s, _proposals("Demo_SP4x", text), user="tester")
    return demo


def _substituted(quote: str) -> str:
    for original, _, replacement, _ in sorted(NAMES, key=lambda n: -len(n[0])):
        quote = re.sub(rf"(?<!\w){re.escape(original)}(?!\w)", replacement, quote)
    return quote


def test_applying_keeps_table2_and_every_quote_and_writes_the_key(study: Project, tmp_path):
    before_text = study.document_text("Demo_SP4x")
    table2 = study.report("table2").tables[0].records()
    quotes = study.report("quotes", limit=None).tables[0].records()
    with pytest.raises(InputError, match="6 proposed replacements are still pending"):
        study.apply_pseudonyms(tmp_path / "copy.bctcoder", key=tmp_path / "key.csv")
    first = study.pseudonym_proposals()["rows"][0]
    study.review_pseudonyms([(first["id"], "edit", "[Peer worker 2]")])   # renames the whole entity
    study.decide_all_pseudonyms("accept")
    result = study.apply_pseudonyms(tmp_path / "copy.bctcoder", key=tmp_path / "key.csv")
    assert result["replacements"] == 6 and result["documents"] == 1
    assert study.document_text("Demo_SP4x") == before_text and study.pseudonymised() is None
    NAMES[0] = NAMES[3] = ("Sarah", "PERSON", "[Peer worker 2]", "person:sarah")
    try:
        with Project.open(tmp_path / "copy.bctcoder", pseudonymised=True) as copy:
            text = copy.document_text("Demo_SP4x")
            assert text == _substituted(before_text)
            assert "Sarah" not in text and "Leeds" not in text and "[Peer worker 2]'s brilliant" in text
            assert copy.report("table2").tables[0].records() == table2
            after = copy.report("quotes", limit=None).tables[0].records()
            assert len(after) == len(quotes)
            for old, new in zip(quotes, after):
                assert {k: v for k, v in new.items() if k != "quote"} == {k: v for k, v in old.items() if k != "quote"}
                widened = "St James's Hospital" if old["quote"] == "Hosp" else old["quote"]   # inside a name
                assert new["quote"] == _substituted(widened)
            inside = [c for c in copy.codings().to_dict("records") if c["code"] == "3.2"
                      and c["document"] == "Demo_SP4x"][0]
            assert text[inside["start"]:inside["end"]] == "[Hospital A]"        # widened to the replacement
            assert "Sarah" not in " ".join(str(m) for m in copy.codings()["memo"].dropna())
            assert copy.pseudonym_proposals()["total"] == 0 and copy.events(action="document.import") == []
            assert copy.pseudonymised()["replacements"] == 6
    finally:
        NAMES[0] = NAMES[3] = ("Sarah", "PERSON", "[Peer worker 1]", "person:sarah")
    with open(tmp_path / "key.csv", encoding="utf-8", newline="") as handle:
        key = list(csv.DictReader(handle))
    assert len(key) == 6 and {r["original"] for r in key} >= {"Sarah", "Leeds", "St James's Hospital"}
    for row in key:
        assert text[int(row["new_start"]):int(row["new_end"])] == row["replacement"]
        assert before_text[int(row["start"]):int(row["end"])] == row["original"]


def test_refusals_leave_nothing_behind(study: Project, tmp_path):
    (tmp_path / "key.csv").write_text("kept", encoding="utf-8")
    with pytest.raises(InputError, match="never overwritten"):
        study.apply_pseudonyms(tmp_path / "copy.bctcoder", key=tmp_path / "key.csv", accept_pending=True)
    assert not (tmp_path / "copy.bctcoder").exists() and (tmp_path / "key.csv").read_text() == "kept"
    with pytest.raises(ProjectError, match="not a pseudonymised copy"):
        Project.open(study.url, pseudonymised=True)
    coder = study.acting_as(Actor("cora", Role.CODER))
    with pytest.raises(PermissionDenied):
        coder.pseudonym_proposals()
    with pytest.raises(InputError, match="database server" if study.url.startswith("postgresql") else
                       "plain file name"):
        study.apply_pseudonyms_beside("../elsewhere.bctcoder", "key2.csv")


def test_detecting_again_keeps_decisions_and_drops_what_is_gone(study: Project):
    rows = study.pseudonym_proposals()["rows"]
    study.review_pseudonyms([(rows[1]["id"], "reject")])
    text = study.document_text("Demo_SP4x")
    with study.transaction() as s:
        result = proposal_store.replace_proposals(s, _proposals("Demo_SP4x", text)[:4], user="tester")
    assert result["dropped"] == 2 and result["decisions"]["rejected"] == 1 and result["decisions"]["pending"] == 3


def test_web_review_page_lists_and_decides(tmp_path, demo_template):
    from fastapi.testclient import TestClient

    from bctcoder.web.app import create_app
    from tests.web.conftest import TOKEN, csrf, token_login

    path = tmp_path / "web.bctcoder"
    shutil.copy(demo_template, path)
    with Project.open(path, user="owner") as p:
        t = tmp_path / "Demo_SP4x.txt"
        t.write_text(TEXT, encoding="utf-8")
        p.import_transcripts([t], allow_unlinked=True)
        with p.transaction() as s:
            proposal_store.replace_proposals(s, _proposals("Demo_SP4x", p.document_text("Demo_SP4x")), user="o")
        first = p.pseudonym_proposals()["rows"][0]["id"]
    client = TestClient(create_app(path, token=TOKEN))
    assert token_login(client).status_code == 303
    page = client.get("/pseudonymise").text
    assert "<mark>St James&#39;s Hospital</mark>" in page and "6 pending" in page
    token = csrf(client)
    r = client.post("/pseudonymise/decide", data={"id": first, "decision": "reject", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    client.post("/pseudonymise/accept-all", data={"csrf_token": token})
    done = client.post("/pseudonymise/apply", data={"name": "shared.bctcoder", "key": "key.csv",
                                                   "csrf_token": token})
    assert done.status_code == 200 and "keep the key apart" in done.text
    assert (tmp_path / "shared.bctcoder").exists() and (tmp_path / "key.csv").exists()
