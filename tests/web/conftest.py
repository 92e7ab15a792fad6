"""Fixtures for the web workspace: an app over a copy of the demo project, clients signed in by role."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("fastapi", reason="the [web] extra is not installed")
from fastapi.testclient import TestClient  # noqa: E402

from bctcoder.project import Project  # noqa: E402
from bctcoder.web.app import create_app  # noqa: E402

TOKEN = "test-token-123"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 at its cheapest parameters in tests (the product keeps argon2-cffi's defaults): the web tests
    create and sign in dozens of accounts."""
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    from bctcoder.access import accounts

    monkeypatch.setattr(accounts, "_hasher", lambda: PasswordHasher.from_parameters(CHEAPEST))


@pytest.fixture
def web_project(tmp_path, demo_template):
    path = tmp_path / "web.bctcoder"
    shutil.copy(demo_template, path)
    with Project.open(path, user="owner") as p:
        p.access.add_user("ann", "ann-password", "coder")
        p.access.add_user("vic", "vic-password", "viewer")
        p.access.add_user("olga", "olga-password", "owner")
    return path


@pytest.fixture
def app(web_project):
    return create_app(web_project, token=TOKEN)


def signed_in(app, name=None, password=None) -> TestClient:
    client = TestClient(app)
    if name is None:
        r = token_login(client)
        assert r.status_code == 303, r.text
    else:
        r = login(client, name, password)
        assert r.status_code == 303, r.text
    return client


def token_login(client: TestClient, name: str = "owner", next: str = "/", **kwargs):
    """Open the access-token address, then give the coder name the page asks for."""
    page = client.get("/", params={"token": TOKEN, "next": next}).text
    assert "Who is coding?" in page
    marker = 'name="csrf_token" value="'
    csrf_value = page[page.index(marker) + len(marker):].split('"', 1)[0]
    return client.post("/login/token", data={"token": TOKEN, "name": name, "next": next, "csrf_token": csrf_value},
                       follow_redirects=False, **kwargs)


def login_csrf(client: TestClient) -> str:
    """The sign-in form's CSRF token (login CSRF protection)."""
    html = client.get("/login").text
    marker = 'name="csrf_token" value="'
    return html[html.index(marker) + len(marker):].split('"', 1)[0]


def login(client: TestClient, name: str, password: str, next: str = "/", **kwargs):
    return client.post("/login", data={"name": name, "password": password, "next": next,
                                       "csrf_token": login_csrf(client)}, follow_redirects=False, **kwargs)


def csrf(client: TestClient) -> str:
    html = client.get("/").text
    marker = 'name="csrf-token" content="'
    return html[html.index(marker) + len(marker):].split('"', 1)[0]
