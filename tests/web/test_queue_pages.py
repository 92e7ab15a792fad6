"""The suggestions page is paginated and fast; ranking uncoded passages happens only when asked (#15)."""

from __future__ import annotations

import pytest

from tests.web.conftest import csrf, signed_in


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
def test_pending_suggestions_come_a_page_at_a_time(app):
    client = signed_in(app)
    first = client.get("/queue")
    assert first.status_code == 200
    assert 'id="rank"' in first.text and 'id="queue"' not in first.text     # no model fitted for the page
    assert "Page 1 of" in first.text and 'rel="next"' in first.text
    assert first.text.count("<tr><td><a href=\"/documents/") == 50
    second = client.get("/queue", params={"page": 2})
    assert "Page 2 of" in second.text and 'rel="prev"' in second.text
    ranked = client.get("/queue", params={"rank": 1})
    assert 'id="queue"' in ranked.text and "finds its errors soonest" in ranked.text


def test_suggestion_page_counts_and_clamps(demo):
    total = len(demo.suggestions())
    page = demo.suggestion_page(1, per_page=50)
    assert page["total"] == total and page["pages"] == -(-total // 50) and len(page["rows"]) == min(50, total)
    last = demo.suggestion_page(999, per_page=50)
    assert last["page"] == page["pages"] and len(last["rows"]) == total - 50 * (page["pages"] - 1)
    quotes = {r["id"]: r["quote"] for r in demo.suggestions().to_dict("records")}
    assert all(quotes[r["id"]] == r["quote"] for r in page["rows"])       # quotes cut in the database


def test_the_documents_page_marks_a_transcript_fully_coded(app):
    client = signed_in(app)
    page = client.get("/")
    assert 'aria-label="Mark Demo_SP2 as fully coded"' in page.text
    r = client.post("/documents/Demo_SP2/fully-coded", data={"on": "true", "csrf_token": csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 303
    assert 'aria-label="Unmark Demo_SP2 as fully coded"' in client.get("/").text
