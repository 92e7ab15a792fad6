"""The defects a team found (issue #11), each reproduced through HTTP: undo across coders, blind downloads,
revoked sessions, open redirects, body limits, the atomic "change suggestion", lock contention, sign-in
throttling, Secure cookies, login CSRF, and "not yours" answered like "does not exist"."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import TOKEN, csrf, login, signed_in, token_login

from bctcoder.project import Project
from bctcoder.web.app import create_app

SECRET = "MEMO-OF-COMPETING-CODER-7731"


def _span(web_project, document="Demo_SP1", offset=10, length=20):
    with Project.open(web_project) as p:
        text = p.document_text(document)
    start = text.index(f"{document}:") + offset
    return start, start + length


def _add(client, token, start, end, code="3.3", document="Demo_SP1", **extra):
    body = {"document": document, "start": start, "end": end, "code": code, **extra}
    return client.post("/api/codings", json=body, headers={"X-CSRF-Token": token})


def test_undo_never_touches_a_coding_that_reuses_a_deleted_id(app, web_project):
    ann, olga = signed_in(app, "ann", "ann-password"), signed_in(app, "olga", "olga-password")
    ta, to = csrf(ann), csrf(olga)
    start, end = _span(web_project)
    x = _add(ann, ta, start, end).json()
    assert olga.delete(f"/api/codings/{x['id']}", headers={"X-CSRF-Token": to}).status_code == 200
    y = _add(olga, to, start, end, code="1.1").json()
    assert y["id"] != x["id"]                       # ids are never reused
    r = ann.post("/api/undo", headers={"X-CSRF-Token": ta})
    assert r.status_code == 409 and "someone else has deleted" in r.json()["error"]
    with Project.open(web_project) as p:
        assert y["id"] in set(p.codings(coders=["olga"])["id"])      # olga's coding is untouched
    assert ann.post("/api/undo", headers={"X-CSRF-Token": ta}).status_code == 409   # still a sentence, not 500


def test_undo_after_own_delete_restores_without_clobbering_anyone(app, web_project):
    ann, olga = signed_in(app, "ann", "ann-password"), signed_in(app, "olga", "olga-password")
    ta, to = csrf(ann), csrf(olga)
    start, end = _span(web_project)
    x = _add(ann, ta, start, end).json()
    assert ann.delete(f"/api/codings/{x['id']}", headers={"X-CSRF-Token": ta}).status_code == 200
    y = _add(olga, to, start, end, code="1.1").json()
    r = ann.post("/api/undo", headers={"X-CSRF-Token": ta})
    assert r.status_code == 200 and r.json()["undone"] == "coding.delete"
    with Project.open(web_project) as p:
        frame = p.codings(unblind=True).set_index("id")
    assert frame.loc[x["id"], "coder"] == "ann" and frame.loc[y["id"], "coder"] == "olga"
    assert frame.loc[y["id"], "code"] == "1.1"
    # the undo chain goes on: the add itself is undone next, then nothing is left
    assert ann.post("/api/undo", headers={"X-CSRF-Token": ta}).json()["undone"] == "coding.add"
    assert ann.post("/api/undo", headers={"X-CSRF-Token": ta}).status_code == 404


def test_undo_of_an_edited_suggestion_refused_once_another_coder_accepted_it(app, web_project):
    with Project.open(web_project) as p:
        suggestion = int(p.suggestions(["Demo_PW1"]).iloc[0]["id"])
    ann, olga = signed_in(app, "ann", "ann-password"), signed_in(app, "olga", "olga-password")
    ta, to = csrf(ann), csrf(olga)
    assert ann.patch(f"/api/codings/{suggestion}", json={"memo": "ann's note"},
                     headers={"X-CSRF-Token": ta}).status_code == 200
    assert olga.post(f"/api/suggestions/{suggestion}/accept", headers={"X-CSRF-Token": to}).status_code == 200
    r = ann.post("/api/undo", headers={"X-CSRF-Token": ta})
    assert r.status_code == 409 and "nothing was undone" in r.json()["error"]
    with Project.open(web_project) as p:
        row = p.codings(unblind=True).set_index("id").loc[suggestion]
    assert row["coder"] == "olga" and row["origin"] == "accepted" and row["memo"] == "ann's note"


def _blind_setup(web_project):
    with Project.open(web_project, user="olga") as p:
        text = p.document_text("Demo_SP2")
        start = text.index("Demo_SP2:") + 10
        p.add_coding("Demo_SP2", start, start + 30, "3.1", memo=SECRET, exemplar=True)
        p.set_blind(True)


BLIND_PATHS = ["/results/quotes", "/results/table2", "/results/matrix", "/results/coverage", "/download/quotes.csv",
               "/download/quotes.json", "/download/table2.csv", "/download/matrix.json", "/download/coverage.csv",
               "/results"]


def test_blind_coder_sees_nobody_elses_evidence_in_results_and_downloads(app, web_project):
    _blind_setup(web_project)
    ann = signed_in(app, "ann", "ann-password")
    owner = signed_in(app)                          # the owner (reconciling) still sees everything
    assert SECRET in owner.get("/api/documents/Demo_SP2/codings").text
    for path in BLIND_PATHS:
        r = ann.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert SECRET not in r.text and "olga" not in r.text and "coder_a" not in r.text, path
        assert owner.get(path).status_code == 200


def test_blind_coder_cannot_compute_agreement(app, web_project):
    _blind_setup(web_project)
    ann = signed_in(app, "ann", "ann-password")
    assert ann.get("/results/agreement").status_code == 403
    assert ann.get("/download/agreement.csv").status_code == 403


def test_removed_demoted_and_signed_out_sessions_end_at_once(app, web_project):
    ann, olga = signed_in(app, "ann", "ann-password"), signed_in(app, "olga", "olga-password")
    ta, to = csrf(ann), csrf(olga)
    start, end = _span(web_project)
    assert _add(ann, ta, start, end).status_code == 201
    with Project.open(web_project) as p:
        p.access.remove_user("ann")
        p.access.set_role("olga", "coder")
    assert _add(ann, ta, start, end).status_code == 401
    r = olga.post("/codes/promote", data={"codes": "Hope", "group": "X", "csrf_token": to})
    assert r.status_code in (401, 403)
    olga = signed_in(app, "olga", "olga-password")
    r = olga.post("/codes/promote", data={"codes": "Hope", "group": "X", "csrf_token": csrf(olga)})
    assert r.status_code == 403                     # signed in again: a coder now
    # a cookie copied before sign-out stops working
    vic = signed_in(app, "vic", "vic-password")
    copied = TestClient(app)
    copied.cookies.update(dict(vic.cookies))
    assert copied.get("/", follow_redirects=False).status_code == 200
    vic.post("/logout", data={"csrf_token": csrf(vic)}, follow_redirects=False)
    assert copied.get("/", follow_redirects=False).status_code == 303
    assert copied.get("/api/documents/Demo_PW1/codings").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example/x", "https://evil.example/",
                                    "javascript:alert(1)", "/%0d%0aSet-Cookie:x"])
def test_sign_in_never_redirects_off_site(app, target):
    client = TestClient(app)
    r = token_login(client, next=target)
    assert r.status_code == 303 and r.headers["location"] in ("/", target) and not r.headers["location"].startswith(
        ("//", "/\\", "http", "javascript"))
    r = login(TestClient(app), "ann", "ann-password", next=target)
    assert r.status_code == 303 and not r.headers["location"].startswith(("//", "/\\", "http", "javascript"))
    r = login(TestClient(app), "ann", "ann-password", next="/documents/Demo_PW1")
    assert r.headers["location"] == "/documents/Demo_PW1"


def test_bodies_are_bounded_before_parsing_and_memos_are_limited(app, web_project):
    anonymous = TestClient(app)
    big = b'{"document": "' + b"x" * 2_000_000 + b'"}'
    r = anonymous.post("/api/codings", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    ann = signed_in(app, "ann", "ann-password")
    start, end = _span(web_project)
    r = _add(ann, csrf(ann), start, end, memo="m" * 20_000)
    assert r.status_code == 422 and "memo" in r.json()["error"]
    with Project.open(web_project) as p:
        assert p.codings(coders=["ann"]).empty


def test_change_suggestion_is_one_transaction(app, web_project):
    with Project.open(web_project) as p:
        suggestion = int(p.suggestions(["Demo_PW1"]).iloc[0]["id"])
    ann = signed_in(app, "ann", "ann-password")
    r = ann.post(f"/api/suggestions/{suggestion}/change?code=99.99", headers={"X-CSRF-Token": csrf(ann)})
    assert r.status_code == 404
    with Project.open(web_project) as p:
        assert suggestion in set(p.suggestions()["id"])            # still pending: nothing was half-done
    r = ann.post(f"/api/suggestions/{suggestion}/change?code=1.1", headers={"X-CSRF-Token": csrf(ann)})
    assert r.status_code == 200 and r.json()["code"] == "1.1" and r.json()["origin"] == "accepted"


def test_a_busy_database_answers_503_with_retry_after_not_500(web_project, monkeypatch):
    monkeypatch.setenv("BCTCODER_BUSY_TIMEOUT", "0.3")
    app = create_app(web_project, token=TOKEN)
    ann = signed_in(app, "ann", "ann-password")
    token = csrf(ann)
    start, end = _span(web_project)
    blocker = sqlite3.connect(web_project, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")          # what a long CLI import does
    try:
        r = _add(ann, token, start, end)
        assert r.status_code == 503 and r.headers["retry-after"].isdigit()
        assert "busy" in r.json()["error"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert _add(ann, token, start, end).status_code == 201       # the browser's retry then goes through


def test_sign_in_is_throttled_per_account(app):
    client = TestClient(app)
    for _ in range(60):
        r = login(client, "ann", "wrong-password")
        assert r.status_code in (401, 429)
    r = login(client, "ann", "ann-password")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "wait" in r.text


def test_login_needs_its_csrf_token(app):
    client = TestClient(app)
    r = client.post("/login", data={"name": "ann", "password": "ann-password", "next": "/"}, follow_redirects=False)
    assert r.status_code == 403


def test_cookies_are_secure_beyond_loopback(web_project):
    remote = create_app(web_project, token=None, accounts=True, loopback_only=False)
    client = TestClient(remote, base_url="https://testserver")
    assert "secure" in client.get("/login").headers["set-cookie"].lower()
    local = create_app(web_project, token=TOKEN)
    assert "secure" not in TestClient(local).get(f"/?token={TOKEN}", follow_redirects=False).headers[
        "set-cookie"].lower()


def test_not_yours_and_missing_get_the_same_answer(app, web_project):
    with Project.open(web_project) as p:
        other = int(p.codings(coders=["coder_a"]).iloc[0]["id"])
    ann = signed_in(app, "ann", "ann-password")
    token = csrf(ann)
    theirs = ann.patch(f"/api/codings/{other}", json={"memo": "x"}, headers={"X-CSRF-Token": token})
    missing = ann.patch("/api/codings/999999", json={"memo": "x"}, headers={"X-CSRF-Token": token})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"].replace(str(other), "N") == missing.json()["error"].replace("999999", "N")
