"""Every route has a rule, and every rule holds: tried anonymously, with a role that lacks the right, and as a
blind coder. A new route that is not in ``ROUTE_RULES`` (or has no sample request here) fails these tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.web.conftest import csrf, signed_in

from bctcoder.access.roles import PERMISSIONS, Action, Role, permissions_table
from bctcoder.project import Project
from bctcoder.web.rules import PUBLIC, ROUTE_RULES

SECRET = "MEMO-ONLY-OLGA-MAY-SEE-4417"
ROOT = Path(__file__).resolve().parents[2]

# One valid request per route: path parameters filled in, a body where the route needs one.
SAMPLES: dict[tuple[str, str], dict] = {
    ("GET", "/login"): {}, ("POST", "/login"): {}, ("POST", "/login/token"): {}, ("GET", "/healthz"): {},
    ("POST", "/logout"): {"form": {}},
    ("GET", "/"): {}, ("GET", "/documents/{name}"): {"path": {"name": "Demo_SP2"}},
    ("GET", "/taxonomy"): {}, ("POST", "/codes"): {"form": {"label": "Rule test code"}},
    ("POST", "/codes/promote"): {"form": {"codes": "Hope", "group": "X"}},
    ("GET", "/cases"): {}, ("POST", "/cases/{key}"): {"path": {"key": "Demo_PW1"}, "form": {"attr:setting": "x"}},
    ("POST", "/partnerships"): {"form": {"first": "Demo_PW3", "second": "Demo_SP1"}},
    ("POST", "/documents/{name}/case"): {"path": {"name": "Demo_SP2"}, "form": {"case": "Demo_SP2"}},
    ("POST", "/documents/audio"): {"files": {"audio": ("x.wav", b"RIFF")}, "form": {"unlinked": "on"}},
    ("GET", "/transcriptions"): {},
    ("POST", "/documents/{name}/fully-coded"): {"path": {"name": "Demo_SP2"}, "form": {"on": "true"}},
    ("POST", "/documents/{name}/turns/{start}/speaker"): {"path": {"name": "Demo_SP2", "start": "0"},
                                                         "form": {"role": "participant"}},
    ("GET", "/queue"): {}, ("GET", "/adjudicate"): {}, ("GET", "/pseudonymise"): {},
    ("POST", "/pseudonymise/detect"): {"form": {"dates": "month"}},
    ("POST", "/pseudonymise/decide"): {"form": {"id": "1", "decision": "accept"}},
    ("POST", "/pseudonymise/accept-all"): {"form": {}},
    ("POST", "/pseudonymise/apply"): {"form": {"name": "copy.bctcoder", "key": "key.csv"}},
    ("POST", "/api/decisions"): {"json": {"first": "coder_a", "second": "coder_b", "document": "Demo_SP3",
                                          "code": "10.4", "decision": "none"}}, ("GET", "/results"): {},
    ("GET", "/results/{name}"): {"path": {"name": "quotes"}},
    ("GET", "/download/{name}.{fmt}"): {"path": {"name": "quotes", "fmt": "json"}},
    ("GET", "/api/documents/{name}/codings"): {"path": {"name": "Demo_SP2"}},
    ("GET", "/api/codings/{coding_id}/history"): {"path": {"coding_id": "SUGGESTION"}},
    ("POST", "/api/codings"): {"json": {"document": "Demo_SP2", "start": 20, "end": 40, "code": "1.1"}},
    ("PATCH", "/api/codings/{coding_id}"): {"path": {"coding_id": "SUGGESTION"}, "json": {"memo": "x"}},
    ("DELETE", "/api/codings/{coding_id}"): {"path": {"coding_id": "SUGGESTION"}},
    ("POST", "/api/undo"): {},
    ("POST", "/api/suggestions/{coding_id}/{decision}"): {"path": {"coding_id": "SUGGESTION", "decision": "accept"}},
}


def _walk(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):     # FastAPI >= 0.165 keeps included routers whole
            yield from _walk(route.original_router.routes)


def _routes(app) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in _walk(app.routes):
        found |= {(method, route.path) for method in route.methods}
    assert len(found) > 10      # the walk found the included routers
    return found


def _request(client: TestClient, method: str, path: str, sample: dict, token: str | None, suggestion: int):
    url = path
    for key, value in sample.get("path", {}).items():
        url = url.replace("{" + key + "}", str(suggestion if value == "SUGGESTION" else value))
    headers = {"X-CSRF-Token": token} if token else {}
    if "form" in sample:
        data = dict(sample["form"], **({"csrf_token": token} if token else {}))
        return client.request(method, url, data=data, files=sample.get("files"), follow_redirects=False)
    return client.request(method, url, json=sample.get("json"), headers=headers, follow_redirects=False)


@pytest.fixture
def prepared(web_project):
    with Project.open(web_project, user="olga") as p:
        text = p.document_text("Demo_SP2")
        start = text.index("Demo_SP2:") + 10
        p.add_coding("Demo_SP2", start, start + 30, "3.1", memo=SECRET, exemplar=True)
        suggestion = int(p.suggestions(["Demo_PW1"]).iloc[0]["id"])
    return suggestion


def test_every_route_has_a_rule_and_a_sample(app):
    routes = _routes(app)
    assert routes == set(ROUTE_RULES), f"routes without a rule: {routes - set(ROUTE_RULES)}; " \
                                       f"rules without a route: {set(ROUTE_RULES) - routes}"
    assert set(SAMPLES) == set(ROUTE_RULES)


def test_no_route_answers_anyone_not_signed_in(app, prepared):
    client = TestClient(app)
    for (method, path), rule in ROUTE_RULES.items():
        if rule == PUBLIC:
            continue
        r = _request(client, method, path, SAMPLES[(method, path)], None, prepared)
        if method == "GET" and not path.startswith("/api/"):
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path)
        else:
            assert r.status_code == 401, (method, path, r.status_code)


@pytest.mark.parametrize("who", ["vic", "ann"])
def test_every_write_refuses_a_role_without_the_right(app, prepared, who):
    role = {"vic": Role.VIEWER, "ann": Role.CODER}[who]
    client = signed_in(app, who, f"{who}-password")
    token = csrf(client)
    tried = 0
    for (method, path), rule in ROUTE_RULES.items():
        if rule == PUBLIC or Action(rule) in PERMISSIONS[role]:
            continue
        r = _request(client, method, path, SAMPLES[(method, path)], token, prepared)
        assert r.status_code == 403, (who, method, path, r.status_code, r.text[:200])
        tried += 1
    assert tried >= (6 if role is Role.VIEWER else 3)


def test_every_page_and_download_shows_a_blind_coder_only_their_own(app, web_project, prepared):
    with Project.open(web_project) as p:
        p.set_blind(True)
    ann = signed_in(app, "ann", "ann-password")
    for (method, path), rule in ROUTE_RULES.items():
        if method != "GET" or rule != Action.READ:
            continue
        r = _request(ann, method, path, SAMPLES[(method, path)], None, prepared)
        assert r.status_code in (200, 403), (path, r.status_code)
        assert SECRET not in r.text and "olga" not in r.text, path
    from bctcoder.report.builders import BUILDERS

    for name in BUILDERS:
        r = ann.get(f"/download/{name}.json")
        assert r.status_code in (200, 403, 404), (name, r.status_code)
        assert SECRET not in r.text and "olga" not in r.text, name


def test_every_public_project_method_declares_its_right():
    exempt = {"create", "open", "close", "acting_as", "ratings_agreement", "transaction", "reading"}
    missing = []
    for name in dir(Project):
        if name.startswith("_") or name in exempt:
            continue
        member = getattr(Project, name)
        if isinstance(member, property) or not callable(member):
            continue
        if not hasattr(member, "__requires__"):
            missing.append(name)
    assert missing == []


def test_architecture_carries_the_current_who_may_do_what_table():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert permissions_table() in text
