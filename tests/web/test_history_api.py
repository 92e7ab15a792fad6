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
