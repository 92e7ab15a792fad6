"""Fresh PostgreSQL databases for tests: templates made once, cloned per test (CREATE DATABASE ... TEMPLATE).

The server is ``BCTCODER_TEST_POSTGRES`` (default: the machines' ``postgresql://postgres@127.0.0.1:5432``).
In CI an unreachable server fails the test; elsewhere it skips."""

from __future__ import annotations

import os
import uuid
from typing import Callable

import pytest

SERVER = os.environ.get("BCTCODER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


class PostgresDatabases:
    def __init__(self, psycopg) -> None:
        self.psycopg = psycopg
        self.prefix = "bct_" + uuid.uuid4().hex[:8]
        self.templates: dict[str, str] = {}
        self.made: list[str] = []

    @classmethod
    def connect(cls) -> PostgresDatabases:
        psycopg = pytest.importorskip("psycopg", reason="the [test] extra installs psycopg")
        try:
            psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5).close()
        except psycopg.OperationalError as exc:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is not reachable at {SERVER}: {exc}")
            pytest.skip(f"PostgreSQL is not reachable at {SERVER}")
        return cls(psycopg)

    def _admin(self, sql: str) -> None:
        with self.psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(sql)

    def url(self, name: str) -> str:
        return f"{SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"

    def template(self, key: str, fill: Callable[[str], None]) -> None:
        name = f"{self.prefix}_tpl_{key}"
        self._admin(f"CREATE DATABASE {name}")
        self.made.append(name)
        fill(self.url(name))
        self.templates[key] = name

    def empty(self) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        self._admin(f"CREATE DATABASE {name}")
        self.made.append(name)
        return self.url(name)

    def clone(self, key: str) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {self.templates[key]}")
        self.made.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        for name in reversed(self.made):
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
