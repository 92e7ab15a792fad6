"""Taxonomies inside a project: install, list, resolve codes, inductive codes, promotion.

Every function takes an open SQLAlchemy session inside the caller's transaction
and never commits; :class:`bctcoder.project.Project` owns transactions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bctcoder.errors import NotFoundError, TaxonomyError
from bctcoder.store.models import Code, CodeGroup, Coding, Meta, Taxonomy
from bctcoder.taxonomy.builtin import load_part, parts_of
from bctcoder.taxonomy.numbers import NUMBER_RE, is_technique_number, number_key

CODE_INDEX_KEY = "bctcoder.code_index"
"""Where a session keeps its :class:`bctcoder.taxonomy.code_index.CodeIndex` (``session.info``)."""

_SPELLING = {"behavior": "behaviour", "behavioral": "behavioural", "generalization": "generalisation",
             "saliency": "salience", "identify": "identity"}


def normalise_label(text: str) -> str:
    """A forgiving key for label matching: case, accents, spacing, US/UK spelling."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    words = [_SPELLING.get(w, w) for w in text.split()]
    return " ".join(words)


def set_meta(session: Session, key: str, value: Any) -> None:
    """Store a project setting (JSON-encoded unless a string)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=text))
    else:
        row.value = text


def get_meta(session: Session, key: str, default: Any = None) -> Any:
    """Read a project setting (JSON-decoded when it parses)."""
    row = session.get(Meta, key)
    if row is None:
        return default
    try:
        return json.loads(row.value)
    except ValueError:
        return row.value


def install_part(session: Session, data: dict[str, Any], source: str) -> Taxonomy:
    """Install one taxonomy part (the shape of the built-in YAML files) with its codes."""
    if session.scalar(select(Taxonomy).where(Taxonomy.name == data["name"])) is not None:
        raise TaxonomyError(f"taxonomy {data['name']!r} is already installed in this project")
    drop_code_index(session)
    tax = Taxonomy(
        name=data["name"],
        version=str(data.get("version", "1")),
        title=data.get("title") or data["name"],
        source=source,
        citation=data.get("citation"),
        is_extension=bool(data.get("extension", False)),
        extends=data.get("extends"),
    )
    session.add(tax)
    session.flush()
    for gpos, group in enumerate(data.get("groups", [])):
        grp = CodeGroup(taxonomy_id=tax.id, number=str(group["number"]), label=group["label"], position=gpos)
        session.add(grp)
        session.flush()
        for tpos, tech in enumerate(group.get("techniques", [])):
            session.add(
                Code(
                    kind="technique",
                    taxonomy_id=tax.id,
                    group_id=grp.id,
                    number=str(tech["number"]),
                    label=tech["label"],
                    description=tech.get("description"),
                    cues=json.dumps(list(tech.get("cues") or []), ensure_ascii=False),
                    colour=tech.get("colour"),
                    position=tpos,
                )
            )
    session.flush()
    return tax


def install_builtin(session: Session, name: str) -> None:
    """Install a built-in taxonomy (``bcttv1`` or ``bcttv1+relational``) and record the choice."""
    parts = parts_of(name)
    versions = {}
    for part in parts:
        data = load_part(part)
        install_part(session, data, source="built-in")
        versions[data["name"]] = str(data["version"])
    set_meta(session, "taxonomy", name)
    set_meta(session, "taxonomy_versions", versions)


def _row(code: Code) -> dict[str, Any]:
    group = code.group
    tax = code.taxonomy
    return {
        "id": code.number if code.number else code.label,
        "label": code.label,
        "group_id": group.number if group else None,
        "group_label": group.label if group else None,
        "extension": bool(tax.is_extension) if tax else False,
        "taxonomy": tax.name if tax else None,
        "version": tax.version if tax else None,
        "description": code.description,
        "cues": json.loads(code.cues) if code.cues else [],
        "official_definition": code.official_definition,
        "kind": code.kind,
    }


def code_rows(session: Session, *, include_inductive: bool = False, taxonomy: str | None = None) -> list[dict]:
    """All techniques of the project's taxonomies (and optionally inductive codes), sorted."""
    stmt = select(Code)
    if not include_inductive:
        stmt = stmt.where(Code.kind == "technique")
    codes = list(session.scalars(stmt))
    if taxonomy is not None:
        names = {taxonomy}
        if taxonomy not in {c.taxonomy.name for c in codes if c.taxonomy}:
            try:
                names = set(parts_of(taxonomy))
            except TaxonomyError:
                raise NotFoundError(f"taxonomy {taxonomy!r} is not installed in this project") from None
        codes = [c for c in codes if c.taxonomy and c.taxonomy.name in names]
    codes.sort(key=lambda c: (c.kind != "technique", number_key(c.number), normalise_label(c.label)))
    return [_row(c) for c in codes]


def find_code(session: Session, ref: str, *, kinds: Iterable[str] = ("technique", "inductive")) -> Code | None:
    """Resolve a code reference: a number ("3.1"), "3.1 Label", a label, or an inductive code's label."""
    ref = (ref or "").strip()
    if not ref:
        return None
    kinds = tuple(kinds)
    index = session.info.get(CODE_INDEX_KEY)
    if index is not None:  # an import's index (see bctcoder.taxonomy.code_index): the same answer, no scan
        return index.find(ref, kinds)
    head = ref.split(None, 1)[0]
    if is_technique_number(head):
        match = NUMBER_RE.match(head)
        assert match is not None  # is_technique_number(head) checked the same pattern
        number = ".".join(str(int(p)) for p in match.groups())
        stmt = select(Code).where(Code.number == number, Code.kind.in_(kinds)).order_by(Code.taxonomy_id)
        found = session.scalars(stmt).first()
        if found is not None or is_technique_number(ref):
            return found
    exact_stmt = select(Code).where(Code.number == ref, Code.kind.in_(kinds)).order_by(Code.taxonomy_id)
    exact = session.scalars(exact_stmt).first()
    if exact is not None:
        return exact
    key = normalise_label(ref)
    for code in session.scalars(select(Code).where(Code.kind.in_(kinds)).order_by(Code.id)):
        if normalise_label(code.label) == key:
            return code
    return None


def require_code(session: Session, ref: str) -> Code:
    """Like :func:`find_code` but raising NotFoundError for unknown references."""
    code = find_code(session, ref)
    if code is None:
        raise NotFoundError(f"unknown code {ref!r}: not a technique of the project's taxonomy nor an inductive code")
    return code


def add_inductive_code(session: Session, label: str, description: str | None = None,
                       parent: str | None = None, colour: str | None = None, *,
                       parent_id: int | None = None) -> Code:
    """Create an inductive code (a code outside the taxonomy); returns the existing one if present.

    A new code goes under the code named ``parent`` (created when missing) or, without one, under the code
    with id ``parent_id``."""
    label = (label or "").strip()
    if not label:
        raise TaxonomyError("an inductive code needs a non-empty label")
    if is_technique_number(label.split(None, 1)[0]):
        raise TaxonomyError(f"{label!r} looks like a technique number, which the taxonomy does not have")
    existing = find_code(session, label)
    if existing is not None:
        return existing
    if parent:
        parent_code = find_code(session, parent, kinds=("inductive",))
        if parent_code is None:
            parent_code = add_inductive_code(session, parent)
        parent_id = parent_code.id
    code = Code(kind="inductive", label=label, description=description, colour=colour, parent_id=parent_id)
    session.add(code)
    session.flush()
    index = session.info.get(CODE_INDEX_KEY)
    if index is not None:
        index.add(code)
    return code


def drop_code_index(session: Session) -> None:
    """Forget the session's code index (before codes change in bulk); lookups scan again until rebuilt."""
    session.info.pop(CODE_INDEX_KEY, None)


def promote(session: Session, codes: list[str], *, group_label: str, extension: str,
            version: str = "1", citation: str | None = None, descriptions: dict[str, str] | None = None) -> list[dict]:
    """Promote inductive codes into a new group of a named taxonomy extension.

    The group takes the next free group number after every installed group
    (e.g. 18 after the relational group 17); techniques are numbered in the
    order given. The codes keep their ids, so their codings follow them.
    """
    if not codes:
        raise TaxonomyError("name at least one inductive code to promote")
    drop_code_index(session)
    resolved = []
    for ref in codes:
        code = find_code(session, ref, kinds=("inductive",))
        if code is None:
            raise NotFoundError(f"{ref!r} is not an inductive code of this project")
        resolved.append(code)
    tax = session.scalar(select(Taxonomy).where(Taxonomy.name == extension))
    if tax is None:
        tax = Taxonomy(name=extension, version=version, title=extension, source="promoted from inductive codes",
                       citation=citation, is_extension=True, extends=get_meta(session, "taxonomy"))
        session.add(tax)
        session.flush()
    numbers = [int(n) for n in session.scalars(select(CodeGroup.number)) if str(n).isdigit()]
    group_no = str(max(numbers, default=0) + 1)
    position = session.scalar(select(func.count()).select_from(CodeGroup).where(CodeGroup.taxonomy_id == tax.id))
    group = CodeGroup(taxonomy_id=tax.id, number=group_no, label=group_label, position=position or 0)
    session.add(group)
    session.flush()
    for i, code in enumerate(resolved, start=1):
        code.kind = "technique"
        code.taxonomy_id = tax.id
        code.group_id = group.id
        code.number = f"{group_no}.{i}"
        code.position = i
        if descriptions and code.label in descriptions:
            code.description = descriptions[code.label]
    session.flush()
    return [_row(c) for c in resolved]


def import_bcto(session: Session, path: str | Path) -> dict[str, Any]:
    """Attach official BCT Ontology definitions to the matching BCTTv1 techniques."""
    from bctcoder.taxonomy.bcto import read_bcto

    source = read_bcto(path)
    base = session.scalar(select(Taxonomy).where(Taxonomy.name == "bcttv1"))
    if base is None:
        raise TaxonomyError("the project has no BCTTv1 taxonomy to attach BCTO definitions to")
    matched, unmatched = 0, []
    for code in session.scalars(select(Code).where(Code.taxonomy_id == base.id)):
        entries = source.by_technique.get(code.number or "")
        if not entries:
            unmatched.append(code.number)
            continue
        code.official_definition = " | ".join(f"{e.label}: {e.definition}" for e in entries)
        code.definition_source = "BCTO " + ", ".join(e.id for e in entries)
        matched += 1
    record = {"path": str(source.path), "format": source.format, "version": source.version,
              "sha256": source.sha256, "classes": source.n_classes, "matched": matched,
              "unmatched": sorted(unmatched, key=number_key)}
    set_meta(session, "bcto_source", record)
    return record


def import_codebook(session: Session, path: str | Path, name: str | None = None) -> dict[str, Any]:
    """Install a user codebook (CSV or YAML) as a taxonomy of its own."""
    from bctcoder.taxonomy.codebook import read_codebook

    entries = read_codebook(path)
    name = name or Path(path).stem
    groups: dict[str, dict] = {}
    for entry in entries:
        glabel = entry.group or "Ungrouped"
        gnum, _, rest = glabel.partition(" ")
        if not (gnum.isdigit() and rest):
            gnum, rest = str(len(groups) + 1), glabel
        grp = groups.setdefault(glabel, {"number": gnum, "label": rest, "techniques": []})
        grp["techniques"].append({"number": entry.id, "label": entry.label, "description": entry.description})
    data = {"name": name, "version": "1", "title": name, "groups": list(groups.values())}
    install_part(session, data, source=str(path))
    return {"taxonomy": name, "codes": len(entries), "groups": len(groups)}


def codings_count(session: Session, code: Code) -> int:
    """How many codings use a code (any origin)."""
    return session.scalar(select(func.count()).select_from(Coding).where(Coding.code_id == code.id)) or 0
