"""Adjudication in the browser (#14): both versions side by side, decided by keyboard, stored with who and when."""

from __future__ import annotations

import pytest

from bctcoder.access.roles import Actor, Role
from bctcoder.errors import PermissionDenied
from bctcoder.project import Project
from bctcoder.web.app import create_app
from tests.web.conftest import TOKEN, csrf, signed_in


def test_adjudicate_a_disagreement_and_see_who_decided(web_project):
    with Project.open(web_project, user="owner") as p:
        text = p.document_text("Demo_SP2")
        start = text.index("\n", 10) + 1
        p.add_coding("Demo_SP2", start, start + 25, "9.1", coder="coder_a", memo="credible [peer]")
        items = p.adjudication("coder_a", "coder_b")["items"]
        target = next(i for i in items if i["document"] == "Demo_SP2" and i["code"] == "9.1")
        assert "credible [peer]" in [x["memo"] for x in target["coder_a"]] and target["coder_b"]
    client = signed_in(create_app(web_project, token=TOKEN))
    page = client.get("/adjudicate", params={"first": "coder_a", "second": "coder_b"})
    assert page.status_code == 200
    assert "credible [peer]" in page.text and 'data-code="9.1"' in page.text and "adjudicate.js" in page.text
    r = client.post("/api/decisions", json={"first": "coder_a", "second": "coder_b", "document": "Demo_SP2",
                                           "code": "9.1", "decision": "first"}, headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 200 and r.json()["consensus_codings"] == len(target["coder_a"])
    again = client.get("/adjudicate", params={"first": "coder_a", "second": "coder_b"}).text
    assert "Decided: <strong>coder_a</strong> by owner" in again
    with Project.open(web_project, user="owner") as p:
        decided = next(i for i in p.adjudication("coder_a", "coder_b")["items"]
                       if i["document"] == "Demo_SP2" and i["code"] == "9.1")
        assert decided["resolved"] and decided["decided"]["by"] == "owner"
        assert [h["what"] for h in p.history() if h["what"].startswith("adjudicated")]
        with pytest.raises(PermissionDenied):
            p.acting_as(Actor("ann", Role.CODER)).adjudication()
