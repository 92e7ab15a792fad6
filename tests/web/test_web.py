"""The web workspace through its HTTP interface: sign-in, roles, CSRF, coding, undo, suggestions, pages."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from tests.web.conftest import TOKEN, csrf, login, signed_in, token_login

from bctcoder.project import Project


def test_no_token_no_access(app):
    client = TestClient(app)
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/documents/Demo_PW1/codings").status_code == 401
    bad = client.get("/?token=wrong")
    assert "not valid" in bad.text
    assert client.post("/api/codings", json={}).status_code in (401, 403)


def test_token_signs_in_as_owner_and_pages_render(app):
    client = signed_in(app)
    for path in ["/", "/documents/Demo_PW1", "/taxonomy", "/cases", "/results", "/results/table2",
                 "/results/agreement", "/results/summary", "/queue"]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
    page = client.get("/documents/Demo_PW1").text
    assert 'class="seg coded"' in page and "data-start=" in page
    assert client.get("/download/table2.docx").headers["content-type"].startswith("application/vnd.openxml")
    cookie = client.cookies.jar
    assert any(c.name == "bctcoder_session" for c in cookie)


def test_token_asks_for_the_coder_name_and_never_uses_the_os_user(app, web_project):
    client = TestClient(app)
    assert "Who is coding?" in client.get(f"/?token={TOKEN}").text
    assert client.get("/api/documents/Demo_PW1/codings").status_code == 401    # not signed in yet
    assert token_login(client, name="  ").status_code == 422
    assert token_login(client, name="jm").status_code == 303
    with Project.open(web_project) as p:
        suggestion = int(p.suggestions(["Demo_PW1"]).iloc[0]["id"])
    r = client.post(f"/api/suggestions/{suggestion}/accept", headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 200
    with Project.open(web_project) as p:
        assert p.codings(unblind=True).set_index("id").loc[suggestion, "coder"] == "jm"


def test_session_cookie_flags(app):
    client = TestClient(app)
    r = client.get(f"/?token={TOKEN}", follow_redirects=False)
    header = r.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header


def test_coding_through_the_api_with_csrf(app, web_project):
    client = signed_in(app, "ann", "ann-password")
    token = csrf(client)
    with Project.open(web_project) as p:
        text = p.document_text("Demo_SP1")
    start = text.index("Demo_SP1:") + 10
    body = {"document": "Demo_SP1", "start": start, "end": start + 25, "code": "3.3"}
    assert client.post("/api/codings", json=body).status_code == 403           # no CSRF token
    assert client.post("/api/codings", json=body, headers={"X-CSRF-Token": "nope"}).status_code == 403
    r = client.post("/api/codings", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text
    coding = r.json()
    assert coding["coder"] == "ann" and coding["quote"] == text[start:start + 25]
    r = client.patch(f"/api/codings/{coding['id']}", json={"memo": "warm", "exemplar": True},
                     headers={"X-CSRF-Token": token})
    assert r.json()["memo"] == "warm"
    assert client.post("/api/undo", headers={"X-CSRF-Token": token}).json()["undone"] == "coding.update"
    assert client.post("/api/undo", headers={"X-CSRF-Token": token}).json()["undone"] == "coding.add"
    with Project.open(web_project) as p:
        assert p.codings(coders=["ann"]).empty
        events = p.events(limit=5)
    assert {e["user"] for e in events} == {"ann"}


def test_viewer_cannot_write_and_coder_cannot_touch_others(app, web_project):
    viewer = signed_in(app, "vic", "vic-password")
    token = csrf(viewer)
    r = viewer.post("/api/codings", json={"document": "Demo_PW1", "start": 0, "end": 5, "code": "3.1"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    with Project.open(web_project) as p:
        other = int(p.codings(coders=["coder_a"]).iloc[0]["id"])
    coder = signed_in(app, "ann", "ann-password")
    r = coder.delete(f"/api/codings/{other}", headers={"X-CSRF-Token": csrf(coder)})
    assert r.status_code == 404   # the same answer as for a coding that does not exist
    r = coder.post("/codes", data={"label": "Hope2", "csrf_token": "bad"})
    assert r.status_code == 403
    r = coder.post("/codes/promote", data={"codes": "Hope", "group": "X", "csrf_token": csrf(coder)})
    assert r.status_code == 403  # only owners promote


def test_wrong_password_and_logout(app):
    client = TestClient(app)
    r = login(client, "ann", "wrong-pass")
    assert r.status_code == 401 and "Wrong name or password" in r.text
    client = signed_in(app, "ann", "ann-password")
    token = csrf(client)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_blind_coder_sees_only_own_codings(app, web_project):
    with Project.open(web_project) as p:
        p.set_blind(True)
    client = signed_in(app, "ann", "ann-password")
    codings = client.get("/api/documents/Demo_PW1/codings").json()["codings"]
    assert codings and {c["origin"] for c in codings} == {"suggested"}   # pending suggestions only
    page = client.get("/documents/Demo_PW1").text
    assert "blind coding" in page and "coder_a" not in page
    owner = signed_in(app)
    assert len(owner.get("/api/documents/Demo_PW1/codings").json()["codings"]) > 0


def test_accept_and_reject_suggestions(app, web_project):
    with Project.open(web_project) as p:
        pending = p.suggestions(["Demo_PW1"])
    first, second = int(pending.iloc[0]["id"]), int(pending.iloc[1]["id"])
    client = signed_in(app, "ann", "ann-password")
    token = csrf(client)
    assert client.post(f"/api/suggestions/{first}/accept", headers={"X-CSRF-Token": token}).status_code == 200
    assert client.post(f"/api/suggestions/{second}/reject", headers={"X-CSRF-Token": token}).status_code == 200
    with Project.open(web_project) as p:
        frame = p.codings().set_index("id")
    assert frame.loc[first, "origin"] == "accepted" and frame.loc[first, "coder"] == "ann"
    assert frame.loc[second, "origin"] == "rejected"


def test_two_coders_writing_at_once_lose_nothing(app, web_project):
    clients = [signed_in(app, "ann", "ann-password"), signed_in(app, "olga", "olga-password")]
    tokens = [csrf(c) for c in clients]
    with Project.open(web_project) as p:
        text = p.document_text("Demo_SP2")
    base = text.index("Demo_SP2:") + 10
    errors = []

    def work(k: int) -> None:
        for i in range(15):
            r = clients[k].post("/api/codings", json={"document": "Demo_SP2", "start": base + i,
                                                      "end": base + i + 10, "code": "17.5"},
                                headers={"X-CSRF-Token": tokens[k]})
            if r.status_code != 201:
                errors.append(r.text)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Project.open(web_project) as p:
        mine = p.codings(coders=["ann", "olga"], documents=["Demo_SP2"])
        assert len(mine) == 30
        adds = [e for e in p.events(limit=40) if e["action"] == "coding.add"]
    assert {e["user"] for e in adds} == {"ann", "olga"}


def test_serve_refuses_remote_binding_without_flag_and_accounts(tmp_path):
    from typer.testing import CliRunner

    from bctcoder.cli.main import app as cli

    path = tmp_path / "s.bctcoder"
    Project.create(path).close()
    runner = CliRunner()
    out = runner.invoke(cli, ["serve", str(path), "--host", "0.0.0.0"])
    assert out.exit_code == 1 and "--allow-remote" in out.output
    out = runner.invoke(cli, ["serve", str(path), "--host", "0.0.0.0", "--allow-remote"])
    assert out.exit_code == 1 and "accounts are required" in out.output
    out = runner.invoke(cli, ["users", "add", str(path), "ann", "--role", "coder", "--password", "short"])
    assert out.exit_code == 1 and "at least 8 characters" in out.output
    ok = runner.invoke(cli, ["users", "add", str(path), "ann", "--role", "owner", "--password", "long-enough-pw"])
    assert ok.exit_code == 0
    listed = runner.invoke(cli, ["users", "list", str(path), "--format", "json"])
    assert '"ann"' in listed.output and "hash" not in listed.output
