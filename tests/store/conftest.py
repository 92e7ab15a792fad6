"""A fresh, empty PostgreSQL database per test (see tests/postgres_databases.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def pg_url(postgres_server):
    """The URL of a new empty database: nothing in it, not even a schema."""
    return postgres_server.empty()


@pytest.fixture(scope="session")
def postgres_server():
    from tests.postgres_databases import PostgresDatabases

    databases = PostgresDatabases.connect()
    yield databases
    databases.drop_all()
