"""Copying a whole project between two database URLs (SQLite ↔ PostgreSQL), verified.

The destination must be empty. Its schema is created by the same Alembic migrations as any project, then
every row of every table is copied in one transaction (ids kept, so the event log still names the right
codings); id sequences are moved past every id the source has used or its event log names, so no id is
ever handed out twice. Afterwards both databases are compared: the row count of every table and a SHA-256
over every document text and every coding. If anything fails, the destination is left empty.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Engine, Integer, Table, func, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from bctcoder.errors import ProjectError
from bctcoder.store import database
from bctcoder.store.models import Base, Code, Coder, Coding, Document

NOT_COPIED = frozenset({"web_session"})   # sign-ins belong to one server; people sign in again
BATCH = 2_000


def backend(engine: Engine) -> str:
    """The database kind behind an engine, as people name it (SQLite, PostgreSQL, ...)."""
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(engine.dialect.name, engine.dialect.name)


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _copy_table(src: Connection, dst: Connection, table: Table) -> int:
    """Rows of ``table`` from ``src`` into ``dst``; self-references (a code's parent) are set afterwards."""
    later = _self_references(table)
    key = list(table.primary_key.columns)
    pending: list[dict[str, Any]] = []
    n = 0
    result = src.execution_options(yield_per=BATCH).execute(select(table).order_by(*key))
    for partition in result.mappings().partitions(BATCH):
        rows = [dict(r) for r in partition]
        if later:
            pending += [{"_id": r["id"], **{c: r[c] for c in later}} for r in rows if any(r[c] for c in later)]
            rows = [{**r, **{c: None for c in later}} for r in rows]
        dst.execute(table.insert(), rows)
        n += len(rows)
    for row in pending:
        dst.execute(update(table).where(table.c.id == row["_id"]).values({c: row[c] for c in later}))
    return n


def _highest_coding_id(conn: Connection) -> int:
    """The largest coding id in use or named by the event log (deleted codings' ids are never reused)."""
    highest = conn.scalar(select(func.max(Coding.id))) or 0
    rows = conn.execute(text("SELECT payload FROM event WHERE action LIKE 'coding.%' OR action = 'undo'"))
    for (payload,) in rows:
        try:
            value = json.loads(payload).get("coding")
        except (TypeError, ValueError, AttributeError):
            continue
        if isinstance(value, int) and value > highest:
            highest = value
    return highest


def _advance_sequences(src: Connection, dst: Connection) -> None:
    coding_next = _highest_coding_id(src)
    for table in _tables():
        if "id" not in table.c or not isinstance(table.c.id.type, Integer):
            continue
        top = dst.scalar(select(func.max(table.c.id))) or 0
        if table.name == "coding":
            top = max(top, coding_next)
        if dst.dialect.name == "postgresql":
            dst.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, :called)"),
                        {"t": f'"{table.name}"', "v": max(top, 1), "called": top > 0})
        elif dst.dialect.name == "sqlite" and table.name == "coding" and top:
            dst.execute(text("DELETE FROM sqlite_sequence WHERE name = 'coding'"))
            dst.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES ('coding', :v)"), {"v": top})


def fingerprint(engine: Engine) -> dict[str, Any]:
    """Row counts of every copied table and a SHA-256 over every document text and coding."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) for t in _tables()}
        for name, body in conn.execute(select(Document.name, Document.text).order_by(Document.name)):
            digest.update(f"D\x1f{name}\x1f{body}\x1e".encode())
        codings = select(Document.name, Coding.id, Coding.start, Coding.end, Code.kind, Code.number, Code.label,
                         Coder.name, Coding.origin, Coding.memo, Coding.confidence, Coding.exemplar).join(
            Document, Coding.document_id == Document.id).join(Code, Coding.code_id == Code.id).join(
            Coder, Coding.coder_id == Coder.id).order_by(Coding.id)
        for row in conn.execute(codings):
            digest.update(("C\x1f" + "\x1f".join("" if v is None else str(v) for v in row) + "\x1e").encode())
    return {"counts": counts, "sha256": digest.hexdigest()}


def _empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def drop_everything(engine: Engine) -> None:
    """Empty a database that a failed copy (or a failed step after it) leaves behind."""
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def copy_project(source: Engine, dest_url: str) -> dict[str, Any]:
    """Copy the project at ``source`` (already at the newest schema) into the empty database ``dest_url``."""
    dest = database.make_engine(dest_url)
    try:
        try:
            if not _empty(dest):
                raise ProjectError(f"{dest_url}: the destination already holds tables; copy into a new, empty "
                                   "database (or a SQLite file that does not exist yet)")
        except SQLAlchemyError as exc:
            raise ProjectError(f"{dest_url}: cannot open the destination ({exc.__class__.__name__}: "
                               f"{str(exc).splitlines()[0]})") from None
        database.upgrade(dest)
        try:
            copied: dict[str, int] = {}
            with source.connect() as src, dest.begin() as dst:
                for table in _tables():
                    copied[table.name] = _copy_table(src, dst, table)
                _advance_sequences(src, dst)
            before, after = fingerprint(source), fingerprint(dest)
            if before != after:
                differ = [k for k in before["counts"] if before["counts"][k] != after["counts"].get(k)]
                raise ProjectError(f"{dest_url}: the copy does not match the source ("
                                   + (f"row counts differ in {', '.join(differ)}" if differ else
                                      "the checksum of texts and codings differs") + "); nothing was kept")
        except BaseException:
            drop_everything(dest)
            raise
    finally:
        dest.dispose()
    return {"source_backend": backend(source), "destination": dest_url, "destination_backend": backend(dest),
            "rows": copied, "sha256": after["sha256"], "verified": True}
