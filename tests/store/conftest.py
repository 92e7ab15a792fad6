"""A fresh PostgreSQL database per test (the machines start a server at 127.0.0.1:5432 with trust auth).

Set ``BCTCODER_TEST_POSTGRES`` to another server URL to use it; in CI an unreachable server fails the test, it
does not skip."""

from __future__ import annotations

import os
import uuid

import pytest

psycopg = pytest.importorskip("psycopg", reason="the [test] extra installs psycopg")
SERVER = os.environ.get("BCTCODER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture
def pg_url():
    name = "bct_" + uuid.uuid4().hex[:10]
    try:
        admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {SERVER}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {SERVER}")
    with admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield f"{SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


