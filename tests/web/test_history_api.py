"""The coding editor's history comes from the library (#14)."""

from __future__ import annotations

from tests.web.conftest import csrf, signed_in


def test_history_of_a_coding_made_in_the_browser(app):
    client = signed_in(app)
    token = csrf(client)
    made = client.post("/api/codings", json={"document": "Demo_SP2", "start": 20, "end": 40, "code": "1.1"},
                       headers={"X-CSRF-Token": token})
    assert made.status_code == 201, made.text
    coding_id = made.json()["id"]
    client.patch(f"/api/codings/{coding_id}", json={"memo": "seen twice"}, headers={"X-CSRF-Token": token})
    history = client.get(f"/api/codings/{coding_id}/history").json()["history"]
    assert [h["what"] for h in history] == ["created", "changed"]
    assert "seen twice" in history[1]["details"]
    page = client.get("/documents/Demo_SP2").text
    assert 'id="editor-history"' in page


def test_two_editors_of_one_coding_the_second_save_is_refused_with_both_versions(app):
    owner = signed_in(app)
    token = csrf(owner)
    made = owner.post("/api/codings", json={"document": "Demo_SP2", "start": 20, "end": 40, "code": "1.1"},
                      headers={"X-CSRF-Token": token}).json()
    opened = made["version"]
    olga = signed_in(app, "olga", "olga-password")          # another owner opened the same coding
    first = olga.patch(f"/api/codings/{made['id']}", json={"memo": "olga's memo", "version": opened},
                       headers={"X-CSRF-Token": csrf(olga)})
    assert first.status_code == 200, first.text
    second = owner.patch(f"/api/codings/{made['id']}", json={"memo": "my memo", "version": opened},
                         headers={"X-CSRF-Token": token})
    assert second.status_code == 409
    body = second.json()
    assert body["current"]["memo"] == "olga's memo" and body["yours"]["memo"] == "my memo"
    assert "changed since you opened it" in body["error"]
    again = owner.patch(f"/api/codings/{made['id']}", json={"memo": "my memo", "version": body["current"]["version"]},
                        headers={"X-CSRF-Token": token})
    assert again.status_code == 200 and again.json()["memo"] == "my memo"
