"""Engines, sessions and migrations for a project database.

A project lives in one SQLite file by default, or behind any SQLAlchemy URL
(PostgreSQL included). Migrations are Alembic's; before upgrading an existing
SQLite file we copy it next to itself so a failed migration loses nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from bctcoder.errors import ProjectError
from bctcoder.file_errors import os_error_reason

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def to_url(path_or_url: str | Path) -> str:
    """Turn a file path or a SQLAlchemy URL into a URL string."""
    text = str(path_or_url)
    if "://" in text:
        try:
            make_url(text)
        except ArgumentError as exc:
            raise ProjectError(f"{text}: not a valid database URL ({exc})") from None
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def busy_timeout_ms() -> int:
    """How long a writer waits for another writer's lock before giving up (``BCTCODER_BUSY_TIMEOUT``, in
    seconds; 10 by default)."""
    try:
        return max(0, int(float(os.environ.get("BCTCODER_BUSY_TIMEOUT", "10")) * 1000))
    except ValueError:
        return 10_000


def _enable_sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin,
    # so SAVEPOINTs and transactional DDL work (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.close()


WRITE_FLAG = "bctcoder_write"


def _begin_sqlite(conn) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE), so two writers queue on the busy timeout
    # instead of deadlocking when both try to upgrade a read lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(WRITE_FLAG) else "BEGIN")


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite connections get foreign keys and a busy timeout."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, future=True)
    else:   # a team server: enough pooled connections for a room of coders, and none handed out dead
        engine = create_engine(url, future=True, pool_size=20, max_overflow=20, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
    return engine


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the packaged migrations and at ``engine``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest migration revision shipped with this version of bctcoder."""
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema."""
    command.upgrade(alembic_config(engine), "head")


def backup_file(path: Path, revision: str | None) -> Path:
    """Copy a SQLite project file aside before a migration; returns the copy's path.

    If the copy cannot be made (a folder that is not writable, a full disk), nothing is migrated: a
    :class:`ProjectError` names the project and says what to do, and no partial copy is left behind."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{revision or 'empty'}.{stamp}.bak")
    try:
        shutil.copy2(path, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            target.unlink(missing_ok=True)
        raise ProjectError(
            f"{path}: this project was made by an older bctcoder and must be upgraded, but the backup copy made "
            f"first cannot be written next to it in {path.parent} ({os_error_reason(exc)}); nothing was changed. "
            "Copy the project file to a folder you can write to and open the copy") from exc
    return target


def migrate_if_needed(engine: Engine, url: str) -> Path | None:
    """Upgrade an existing project to the current schema, backing the file up first.

    Returns the backup's path when a migration ran on a SQLite file.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    script = ScriptDirectory.from_config(alembic_config(engine))
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise ProjectError(
            f"{url}: the project's schema ({current}) is newer than this bctcoder knows; upgrade bctcoder"
        )
    backup = None
    path = sqlite_path(url)
    if path is not None and path.exists():
        backup = backup_file(path, current)
    upgrade(engine)
    return backup
