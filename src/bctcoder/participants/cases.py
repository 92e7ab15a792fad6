"""Cases (participants), their typed attributes, and partnerships (dyads).

"Declined to answer" and "missing" are different facts: a participant who
declined has ``status='declined'`` (the seed study's "N/A"), a blank cell is
``status='missing'``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.errors import InputError, NotFoundError
from bctcoder.participants.csvfile import find_column, header_note, read_csv_rows
from bctcoder.store.models import ATTRIBUTE_TYPES, Attribute, Case, CaseValue, Document, Partnership

DEFAULT_ROLES = {"PW": "Peer worker", "SP": "Supported peer"}
ROLE_ALIASES = {
    "peer worker": "PW", "peer workers": "PW", "pw": "PW",
    "supported peer": "SP", "supported peers": "SP", "sp": "SP", "service user": "SP",
}
DECLINED_MARKERS = {"declined", "declined to answer", "n/a", "na", "prefer not to say", "not disclosed"}
ID_COLUMNS = ("case", "case_id", "id", "key", "participant", "participant_id")
TYPE_ALIASES = {"int": "integer", "float": "number", "numeric": "number", "bool": "boolean", "str": "text",
                "string": "text"}
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def normalise_role(value: str, roles: dict[str, str]) -> str | None:
    """Map a role cell ("PW", "peer worker", ...) to a role code, or None when unknown."""
    text = (value or "").strip()
    for code in roles:
        if text.casefold() == code.casefold() or text.casefold() == roles[code].casefold():
            return code
    alias = ROLE_ALIASES.get(text.casefold())
    return alias if alias in roles else None


def parse_typed(value: str, type_: str) -> str:
    """Validate ``value`` against an attribute type; returns its canonical text form."""
    text = value.strip()
    if type_ == "text":
        return text
    if type_ == "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError(f"{text!r} is not a whole number")
        return str(int(text))
    if type_ == "number":
        try:
            return repr(float(text))
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
    if type_ == "boolean":
        if text.lower() in _TRUE:
            return "true"
        if text.lower() in _FALSE:
            return "false"
        raise ValueError(f"{text!r} is not yes/no")
    if type_ == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    raise ValueError(f"unknown type {type_!r}")


def _attribute_columns(header: list[str], id_col: str, role_col: str, source: str) -> list[tuple[str, str, str]]:
    """(column, attribute name, type) for each attribute column; ``name:type`` headers set the type."""
    result = []
    for col in header:
        if not col or col in (id_col, role_col):
            continue
        name, _, type_ = col.partition(":")
        name, type_ = name.strip(), (type_.strip().lower() or "text")
        type_ = TYPE_ALIASES.get(type_, type_)
        if type_ not in ATTRIBUTE_TYPES:
            raise InputError(
                f"column {col!r}: unknown type {type_!r} (use one of {', '.join(ATTRIBUTE_TYPES)})",
                source=source, line=1,
            )
        if not name:
            raise InputError(f"column {col!r} has no name", source=source, line=1)
        result.append((col, name, type_))
    return result


def _get_attribute(session: Session, name: str, type_: str, explicit: bool, source: str) -> Attribute:
    attr = session.scalar(select(Attribute).where(Attribute.name == name))
    if attr is None:
        count = len(session.scalars(select(Attribute.id)).all())
        attr = Attribute(name=name, type=type_, position=count)
        session.add(attr)
        session.flush()
    elif explicit and attr.type != type_:
        raise InputError(f"attribute {name!r} is already of type {attr.type}, not {type_}", source=source, line=1)
    return attr


def import_cases(session: Session, path: str | Path, roles: dict[str, str], *, update: bool = False) -> dict[str, Any]:
    """Import cases and attribute values from a CSV (one row per case).

    Required columns: an id column (``case``, ``id``, ...) and ``role``. Every
    other column is an attribute; ``age:integer`` declares a type (text by
    default). Cells saying "declined", "N/A", "prefer not to say" are recorded
    as declined; blank cells as missing.
    """
    source = str(path)
    header, rows = read_csv_rows(path)
    id_col = find_column(header, ID_COLUMNS)
    if id_col is None:
        raise InputError(f"no case id column (expected one of: {', '.join(ID_COLUMNS)}){header_note(header)}",
                         source=source, line=1)
    role_col = find_column(header, ("role",))
    if role_col is None:
        raise InputError(f"no 'role' column{header_note(header)}", source=source, line=1)
    columns = _attribute_columns(header, id_col, role_col, source)
    attrs = {col: _get_attribute(session, name, type_, ":" in col, source) for col, name, type_ in columns}
    seen: dict[str, int] = {}
    created = updated = 0
    for line, row in rows:
        key = row.get(id_col, "").strip()
        if not key:
            raise InputError(f"empty case id in column {id_col!r}", source=source, line=line)
        if key in seen:
            raise InputError(f"duplicate case id {key!r} (first on line {seen[key]})", source=source, line=line)
        seen[key] = line
        role = normalise_role(row.get(role_col, ""), roles)
        if role is None:
            raise InputError(
                f"unknown role {row.get(role_col, '')!r} for case {key!r} (known roles: {', '.join(roles)}; add "
                f"one with 'bctcoder roles add PROJECT {(row.get(role_col, '') or 'ROLE').strip()}')",
                source=source, line=line,
            )
        case = session.scalar(select(Case).where(Case.key == key))
        if case is not None and not update:
            raise InputError(f"case {key!r} already exists in the project (use --update to change it)",
                             source=source, line=line)
        if case is None:
            case = Case(key=key, role=role)
            session.add(case)
            session.flush()
            created += 1
        else:
            case.role = role
            updated += 1
        for col, _name, _ in columns:
            attr = attrs[col]
            cell = row.get(col, "")
            set_value(session, case, attr, cell, source=source, line=line)
    session.flush()
    return {"created": created, "updated": updated, "attributes": [name for _, name, _ in columns]}


def set_value(session: Session, case: Case, attr: Attribute, cell: str | None, *, source: str = "value",
              line: int | None = None) -> CaseValue:
    """Set one attribute value of a case, classifying declined and missing cells."""
    cell = (cell or "").strip()
    if not cell:
        status, value = "missing", None
    elif cell.casefold() in DECLINED_MARKERS:
        status, value = "declined", None
    else:
        try:
            status, value = "value", parse_typed(cell, attr.type)
        except ValueError as exc:
            raise InputError(f"field {attr.name!r}: {exc}", source=source, line=line) from None
    existing = session.get(CaseValue, (case.id, attr.id))
    if existing is None:
        existing = CaseValue(case_id=case.id, attribute_id=attr.id, value=value, status=status)
        session.add(existing)
    else:
        existing.value, existing.status = value, status
    return existing


ROLE_CODE_MAX = 40


def check_role_code(code: str) -> str:
    """A role code as stored: trimmed, non-empty, short, one word (letters, digits, ``-``, ``_``)."""
    code = (code or "").strip()
    if not code or len(code) > ROLE_CODE_MAX or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise InputError(f"role {code!r} must be one word of letters, digits, '-' or '_' (at most "
                         f"{ROLE_CODE_MAX} characters), e.g. BSR or Carer", source="role")
    return code


def link_document(session: Session, document: str, case: str | None) -> dict[str, Any]:
    """Point ``document`` at ``case`` (None: no case); returns {document, case, previous}."""
    doc = session.scalar(select(Document).where(Document.name == document))
    if doc is None:
        raise NotFoundError(f"no document {document!r} (see 'bctcoder documents')")
    previous = doc.case.key if doc.case is not None else None
    target = require_case(session, case) if case is not None else None
    doc.case_id = target.id if target is not None else None
    session.flush()
    return {"document": document, "case": case, "previous": previous}


def require_case(session: Session, key: str) -> Case:
    """The case with this key, or NotFoundError."""
    case = session.scalar(select(Case).where(Case.key == key))
    if case is None:
        raise NotFoundError(f"no case {key!r} in the project")
    return case


def import_partnerships(session: Session, path: str | Path) -> dict[str, Any]:
    """Import dyads from a CSV with two case-id columns (``pw,sp`` or ``first,second``)."""
    source = str(path)
    header, rows = read_csv_rows(path)
    first = find_column(header, ("pw", "first", "case_a", "peer_worker"))
    second = find_column(header, ("sp", "second", "case_b", "supported_peer"))
    if first is None or second is None:
        raise InputError("expected two columns named pw,sp (or first,second)", source=source, line=1)
    label_col = find_column(header, ("label", "dyad", "name"))
    created = 0
    for line, row in rows:
        keys = (row.get(first, "").strip(), row.get(second, "").strip())
        cases = []
        for key in keys:
            case = session.scalar(select(Case).where(Case.key == key))
            if case is None:
                raise InputError(f"unknown case {key!r} (import cases first)", source=source, line=line)
            cases.append(case)
        if cases[0].id == cases[1].id:
            raise InputError(f"a case cannot partner itself ({keys[0]!r})", source=source, line=line)
        exists = session.scalar(
            select(Partnership).where(
                ((Partnership.first_case_id == cases[0].id) & (Partnership.second_case_id == cases[1].id))
                | ((Partnership.first_case_id == cases[1].id) & (Partnership.second_case_id == cases[0].id))
            )
        )
        if exists is not None:
            raise InputError(f"partnership {keys[0]}–{keys[1]} already exists", source=source, line=line)
        label = row.get(label_col, "") if label_col else ""
        session.add(Partnership(first_case_id=cases[0].id, second_case_id=cases[1].id, label=label or None))
        session.flush()
        created += 1
    return {"created": created}


def case_rows(session: Session) -> list[dict[str, Any]]:
    """One dict per case: key, role, then every attribute (declined shown as ``declined``)."""
    attrs = list(session.scalars(select(Attribute).order_by(Attribute.position, Attribute.id)))
    out = []
    for case in session.scalars(select(Case).order_by(Case.id)):
        values = {v.attribute_id: v for v in case.values}
        row: dict[str, Any] = {"case": case.key, "role": case.role}
        for attr in attrs:
            v = values.get(attr.id)
            if v is None or v.status == "missing":
                row[attr.name] = None
            elif v.status == "declined":
                row[attr.name] = "declined"
            else:
                row[attr.name] = v.value
        out.append(row)
    return out


def partnership_rows(session: Session) -> list[dict[str, Any]]:
    """One dict per dyad: first, second, label."""
    out = []
    for p in session.scalars(select(Partnership).order_by(Partnership.id)):
        a, b = session.get(Case, p.first_case_id), session.get(Case, p.second_case_id)
        assert a is not None and b is not None  # foreign keys to existing cases
        out.append({"first": a.key, "second": b.key, "label": p.label})
    return out
