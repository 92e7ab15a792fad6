"""Building a REFI-QDA project (``project.qde`` + source texts) from a bctcoder project.

Mapping (every element validates against QDA-XML Project 1.0):

* coders → ``<User>``s;
* taxonomy groups → non-codable parent ``<Code>``s ("3 Social support", each given a colour),
  techniques → codable children "3.1 Social support (unspecified)" with their description, inductive
  codes → codable codes at the top level (or nested under their parent code);
* attributes → ``<Variable>``s (text → Text, integer → Integer, number → Float, boolean → Boolean,
  date → Date) plus a Text variable ``role`` holding each case's role (its description lists the
  project's roles as ``bctcoder roles {JSON}``); a *declined* value is written as
  ``<TextValue>declined</TextValue>`` whatever the variable's type, a *missing* value is left out;
* cases → ``<Case>``s (memo as ``<Description>``, since cases have no note references in the schema)
  with their ``<VariableValue>``s, ``<SourceRef>``s to their documents, and ``<CodeRef>``s for case-level
  presence records;
* documents → ``<TextSource plainTextPath="internal://GUID.txt">`` (the canonical text, UTF-8, LF);
  each coding → one ``<PlainTextSelection>`` (code-point offsets, coder, times) holding one ``<Coding>``;
  document-level presence records → ``<Coding>``s directly on the source;
* a coding's origin, confidence, model and exemplar flag (when not the defaults manual/none/none/no)
  → the selection's ``<Description>`` as one line ``bctcoder {"origin": "consensus", ...}`` (JSON);
* memos of codings and documents → ``<Note>``s (``NoteRef`` from the coding or source);
* partnerships → ``<Link>``s between the two cases (name = label or "partnership");
* case sets → ``<Set>``s whose ``<MemberSource>``s are the members' documents (QDA-XML 1.0 sets cannot
  hold cases; members without documents are reported as not exported).

GUIDs are uuid5 over stable keys (:func:`bctcoder.interop.refi.guids.codebook_guid`), so exporting the
same project twice gives identical files apart from the export time.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, cast

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder import __version__
from bctcoder.interop.refi.guids import codebook_guid
from bctcoder.store.models import (
    Attribute,
    Case,
    CaseSet,
    CaseSetDocument,
    CaseSetMember,
    Code,
    Coder,
    Coding,
    Document,
    Partnership,
    Presence,
    Taxonomy,
)
from bctcoder.taxonomy.numbers import number_key
from bctcoder.taxonomy.service import get_meta

__all__ = ["NAMESPACE", "METADATA_PREFIX", "GROUP_COLOURS", "ROLE_VARIABLE", "ROLES_PREFIX", "build_project",
           "coding_metadata"]

NAMESPACE = "urn:QDA-XML:project:1.0"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = f"{NAMESPACE} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"

METADATA_PREFIX = "bctcoder "
"""A selection ``<Description>`` line starting with this holds a coding's origin/confidence/model/exemplar."""

ROLE_VARIABLE = "role"
"""The name of the Text variable that carries each case's role."""

ROLES_PREFIX = "bctcoder roles "
"""A line of the role variable's ``<Description>``: the project's roles (code → description) as JSON."""

GROUP_COLOURS = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22",
    "#17BECF", "#393B79", "#637939", "#8C6D31", "#843C39", "#7B4173", "#3182BD", "#E6550D", "#31A354",
)
"""Colours given, in order, to taxonomy groups (and their techniques) that have none."""

_VARIABLE_TYPES = {"text": "Text", "integer": "Integer", "number": "Float", "boolean": "Boolean", "date": "Date"}
_VALUE_ELEMENTS = {"Text": "TextValue", "Integer": "IntegerValue", "Float": "FloatValue",
                   "Boolean": "BooleanValue", "Date": "DateValue"}
_COLOUR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _safe(text: Any) -> str:
    """Text as XML 1.0 allows it (characters XML cannot carry are dropped)."""
    return _XML_INVALID.sub("", str(text))


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _el(parent, tag: str, text: str | None = None, **attrs: Any):
    element = etree.SubElement(parent, _q(tag), {k: _safe(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = _safe(text)
    return element


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def coding_metadata(coding: Coding) -> str | None:
    """The ``bctcoder {...}`` description line of a coding, or None when every field has its default."""
    data: dict[str, Any] = {}
    if coding.origin and coding.origin != "manual":
        data["origin"] = coding.origin
    if coding.confidence is not None:
        data["confidence"] = coding.confidence
    if coding.model:
        data["model"] = coding.model
    if coding.exemplar:
        data["exemplar"] = True
    return METADATA_PREFIX + json.dumps(data, sort_keys=True, ensure_ascii=False) if data else None


class _Writer:
    """Builds the XML tree; holds the GUID maps and the export summary while it does."""

    def __init__(self, session: Session, origins: Iterable[str] | None):
        self.s = session
        self.origins = set(origins) if origins is not None else None
        self.code_guid: dict[int, str] = {}
        self.coder_guid: dict[int, str] = {}
        self.case_guid: dict[int, str] = {}
        self.doc_guid: dict[int, str] = {}
        self.notes: list[dict[str, Any]] = []
        self.texts: dict[str, str] = {}
        self.counts: Counter = Counter()
        self.not_exported: list[dict[str, str]] = []
        self.children: dict[int, list[Code]] = defaultdict(list)
        self.used_guids: set[str] = set()

    # -- users and codes ---------------------------------------------------------------------------
    def users(self, root) -> None:
        coders = list(self.s.scalars(select(Coder).order_by(Coder.name)))
        if not coders:
            return
        users = _el(root, "Users")
        for coder in coders:
            self.coder_guid[coder.id] = codebook_guid("coder", coder.name)
            _el(users, "User", guid=self.coder_guid[coder.id], name=coder.name)
            self.counts["users"] += 1

    def codebook(self, root) -> None:
        codes = list(self.s.scalars(select(Code)))
        if not codes:
            return
        ids = {c.id for c in codes}
        for code in codes:
            if code.parent_id in ids and code.kind == "inductive":
                self.children[code.parent_id].append(code)
        container = _el(_el(root, "CodeBook"), "Codes")
        colour_index = 0
        for tax in self.s.scalars(select(Taxonomy).order_by(Taxonomy.id)):
            for group in tax.groups:
                colour = GROUP_COLOURS[colour_index % len(GROUP_COLOURS)]
                colour_index += 1
                element = _el(container, "Code", guid=codebook_guid("group", tax.name, group.number),
                              name=f"{group.number} {group.label}", isCodable="false", color=colour)
                self.counts["groups"] += 1
                members = [c for c in codes if c.group_id == group.id]
                for code in sorted(members, key=lambda c: (number_key(c.number), c.position, c.id)):
                    self._code(element, code, colour)
        rest = [c for c in codes if c.id not in self.code_guid and (c.kind == "inductive" or c.group_id is None)]
        while rest:  # top-level codes first; codes whose parents never got written (cycles) after them
            top = [c for c in rest if c.kind != "inductive" or c.parent_id not in ids] or rest[:1]
            for code in sorted(top, key=lambda c: (c.kind != "technique", number_key(c.number), c.label, c.id)):
                if code.id not in self.code_guid:
                    self._code(container, code, None)
            rest = [c for c in rest if c.id not in self.code_guid]

    def _guid_of(self, code: Code) -> str:
        if code.kind == "technique" and code.taxonomy is not None and code.number:
            guid = codebook_guid("code", code.taxonomy.name, code.number)
        else:
            guid = codebook_guid("inductive", code.label)
            n = 1
            while guid in self.used_guids:
                n += 1
                guid = codebook_guid("inductive", code.label, str(n))
        self.used_guids.add(guid)
        return guid

    def _code(self, parent, code: Code, inherited: str | None) -> None:
        guid = self._guid_of(code)
        self.code_guid[code.id] = guid
        colour = code.colour if code.colour and _COLOUR_RE.match(code.colour) else inherited
        name = f"{code.number} {code.label}" if code.kind == "technique" and code.number else code.label
        element = _el(parent, "Code", guid=guid, name=name, isCodable="true", color=colour)
        if code.description:
            _el(element, "Description", code.description)
        self.counts["techniques" if code.kind == "technique" else "inductive_codes"] += 1
        for child in sorted(self.children.get(code.id, []), key=lambda c: (c.label, c.id)):
            if child.id not in self.code_guid:
                self._code(element, child, None)

    # -- variables and cases -----------------------------------------------------------------------
    def variables(self, root) -> list[tuple[Attribute, str]]:
        attributes = list(self.s.scalars(select(Attribute).order_by(Attribute.position, Attribute.id)))
        exported = []
        for attr in attributes:
            if attr.name.strip().casefold() == ROLE_VARIABLE:
                self.not_exported.append({"item": f"attribute {attr.name!r}",
                                          "reason": f"its name clashes with the case role variable {ROLE_VARIABLE!r}"})
            else:
                exported.append((attr, _VARIABLE_TYPES.get(attr.type, "Text")))
        has_cases = self.s.scalar(select(Case.id).limit(1)) is not None
        if not exported and not has_cases:
            return exported
        variables = _el(root, "Variables")
        role = _el(variables, "Variable", guid=codebook_guid("variable-role"), name=ROLE_VARIABLE,
                   typeOfVariable="Text")
        roles = get_meta(self.s, "roles", {}) or {}
        _el(role, "Description", "The case's role in the study (bctcoder)\n" + ROLES_PREFIX
            + json.dumps(roles, sort_keys=True, ensure_ascii=False))
        for attr, refi_type in exported:
            _el(variables, "Variable", guid=codebook_guid("variable", attr.name), name=attr.name,
                typeOfVariable=refi_type)
        self.counts["variables"] = len(exported) + 1
        return exported

    def _value(self, parent, variable_guid: str, refi_type: str, value: str | None, status: str, item: str):
        if status == "missing" or (status == "value" and value is None):
            return
        node = _el(parent, "VariableValue")
        _el(node, "VariableRef", targetGUID=variable_guid)
        if status == "declined":
            _el(node, "TextValue", "declined")
            return
        if refi_type == "Float":
            try:
                number = Decimal(cast(str, value))  # None only for statuses handled above
                if number.is_finite():
                    _el(node, "FloatValue", format(number, "f"))
                    return
            except InvalidOperation:
                pass
            self.not_exported.append({"item": item, "reason": f"{value!r} is not a decimal; written as text"})
            _el(node, "TextValue", value)
            return
        _el(node, _VALUE_ELEMENTS.get(refi_type, "TextValue"), value)

    def cases(self, root, exported: list[tuple[Attribute, str]]) -> None:
        cases = list(self.s.scalars(select(Case).order_by(Case.key)))
        if not cases:
            return
        docs_of: dict[int, list[Document]] = defaultdict(list)
        for doc in self.s.scalars(select(Document).order_by(Document.name)):
            if doc.case_id is not None:
                docs_of[doc.case_id].append(doc)
        presence = defaultdict(list)
        for record in self.s.scalars(select(Presence).where(Presence.scope == "case", Presence.present.is_(True))):
            presence[record.target].append(record)
        container = _el(root, "Cases")
        for case in cases:
            self.case_guid[case.id] = codebook_guid("case", case.key)
            element = _el(container, "Case", guid=self.case_guid[case.id], name=case.key)
            if case.memo:
                _el(element, "Description", case.memo)
            for code_guid in sorted({self.code_guid[r.code_id] for r in presence.pop(case.key, [])
                                     if r.code_id in self.code_guid}):
                _el(element, "CodeRef", targetGUID=code_guid)
                self.counts["case_presence"] += 1
            self._value(element, codebook_guid("variable-role"), "Text", case.role, "value", f"case {case.key}")
            values = {v.attribute_id: v for v in case.values}
            for attr, refi_type in exported:
                value = values.get(attr.id)
                if value is not None:
                    self._value(element, codebook_guid("variable", attr.name), refi_type, value.value,
                                value.status, f"case {case.key}, {attr.name}")
            for doc in docs_of.get(case.id, []):
                _el(element, "SourceRef", targetGUID=codebook_guid("document", doc.sha256))
            self.counts["cases"] += 1
        for target in presence:
            self.not_exported.append({"item": f"presence records for case {target!r}", "reason": "no such case"})

    # -- sources, codings, notes -------------------------------------------------------------------
    def _coding_order(self, coding: Coding) -> tuple:
        return (coding.start, coding.end, self.code_guid.get(coding.code_id, ""), coding.coder.name, coding.origin,
                -1.0 if coding.confidence is None else coding.confidence, coding.model or "", coding.memo or "",
                bool(coding.exemplar), _time(coding.created_at) or "", coding.id)

    def sources(self, root) -> None:
        docs = list(self.s.scalars(select(Document).order_by(Document.name)))
        if not docs:
            return
        presence = defaultdict(list)
        for record in self.s.scalars(select(Presence).where(Presence.scope == "document",
                                                            Presence.present.is_(True))):
            presence[record.target].append(record)
        container = _el(root, "Sources")
        for doc in docs:
            guid = codebook_guid("document", doc.sha256)
            self.doc_guid[doc.id] = guid
            self.texts[f"{guid}.txt"] = doc.text
            element = _el(container, "TextSource", guid=guid, name=doc.name, plainTextPath=f"internal://{guid}.txt",
                          creationDateTime=_time(doc.imported_at))
            stmt = select(Coding).where(Coding.document_id == doc.id)
            if self.origins is not None:
                stmt = stmt.where(Coding.origin.in_(sorted(self.origins)))
            seen: Counter = Counter()
            for coding in sorted(self.s.scalars(stmt), key=self._coding_order):
                key = (doc.sha256, coding.start, coding.end, self.code_guid[coding.code_id], coding.coder.name,
                       coding.origin)
                seen[key] += 1
                self._selection(element, coding, [str(k) for k in key] + [str(seen[key])])
            records = sorted(presence.pop(doc.name, []), key=lambda r: (self.code_guid.get(r.code_id, ""),
                                                                         r.coder.name if r.coder else ""))
            for record in records:
                user = self.coder_guid.get(record.coder_id) if record.coder_id else None
                coding = _el(element, "Coding", guid=codebook_guid("presence", doc.sha256,
                                                                   self.code_guid[record.code_id], user or ""),
                             creatingUser=user, creationDateTime=_time(record.created_at))
                _el(coding, "CodeRef", targetGUID=self.code_guid[record.code_id])
                self.counts["document_presence"] += 1
            if doc.memo:
                note = codebook_guid("note", "document", doc.sha256)
                _el(element, "NoteRef", targetGUID=note)
                self.notes.append({"guid": note, "name": f"Memo: {doc.name}", "text": doc.memo, "user": None,
                                   "created": doc.imported_at})
            self.counts["sources"] += 1
        for target in presence:
            self.not_exported.append({"item": f"presence records for document {target!r}",
                                      "reason": "no such document"})

    def _selection(self, parent, coding: Coding, key: list[str]) -> None:
        user = self.coder_guid[coding.coder_id]
        selection = _el(parent, "PlainTextSelection", guid=codebook_guid("selection", *key),
                        startPosition=coding.start, endPosition=coding.end, creatingUser=user,
                        creationDateTime=_time(coding.created_at), modifyingUser=user,
                        modifiedDateTime=_time(coding.updated_at))
        metadata = coding_metadata(coding)
        if metadata:
            _el(selection, "Description", metadata)
        element = _el(selection, "Coding", guid=codebook_guid("coding", *key), creatingUser=user,
                      creationDateTime=_time(coding.created_at))
        _el(element, "CodeRef", targetGUID=self.code_guid[coding.code_id])
        if coding.memo:
            note = codebook_guid("note", "coding", *key)
            _el(element, "NoteRef", targetGUID=note)
            self.notes.append({"guid": note, "name": f"Memo: {coding.code.number or coding.code.label}",
                               "text": coding.memo, "user": user, "created": coding.updated_at})
        self.counts["codings"] += 1

    def write_notes(self, root) -> None:
        if not self.notes:
            return
        container = _el(root, "Notes")
        for note in self.notes:
            element = _el(container, "Note", guid=note["guid"], name=note["name"], creatingUser=note["user"],
                          creationDateTime=_time(note["created"]))
            _el(element, "PlainTextContent", note["text"])
            self.counts["notes"] += 1

    def links(self, root) -> None:
        rows = []
        for p in self.s.scalars(select(Partnership)):
            first_case, second_case = self.s.get(Case, p.first_case_id), self.s.get(Case, p.second_case_id)
            assert first_case is not None and second_case is not None  # foreign keys to existing cases
            rows.append((first_case.key, second_case.key, p.label))
        if not rows:
            return
        container = _el(root, "Links")
        for first, second, label in sorted(rows, key=lambda r: (r[0], r[1])):
            _el(container, "Link", guid=codebook_guid("partnership", first, second), name=label or "partnership",
                direction="Associative", originGUID=codebook_guid("case", first),
                targetGUID=codebook_guid("case", second))
            self.counts["partnerships"] += 1

    def sets(self, root) -> None:
        sets = list(self.s.scalars(select(CaseSet).order_by(CaseSet.name)))
        if not sets:
            return
        container = _el(root, "Sets")
        for case_set in sets:
            element = _el(container, "Set", guid=codebook_guid("set", case_set.name), name=case_set.name)
            if case_set.description:
                _el(element, "Description", case_set.description)
            members = self.s.scalars(select(Case).join(CaseSetMember, CaseSetMember.case_id == Case.id)
                                     .where(CaseSetMember.set_id == case_set.id).order_by(Case.key))
            written: set[int] = set()
            for case in members:
                docs = list(self.s.scalars(select(Document).where(Document.case_id == case.id)
                                           .order_by(Document.name)))
                if not docs:
                    self.not_exported.append({"item": f"case {case.key!r} in set {case_set.name!r}",
                                              "reason": "QDA-XML sets hold sources, and this case has no document"})
                for doc in docs:
                    _el(element, "MemberSource", targetGUID=self.doc_guid[doc.id])
                    written.add(doc.id)
            for doc in self.s.scalars(select(Document).join(CaseSetDocument, CaseSetDocument.document_id
                                                            == Document.id)
                                      .where(CaseSetDocument.set_id == case_set.id).order_by(Document.name)):
                if doc.id not in written:
                    _el(element, "MemberSource", targetGUID=self.doc_guid[doc.id])
            self.counts["sets"] += 1

    def count_unexported_presence(self) -> None:
        others = self.s.scalars(select(Presence).where(
            (Presence.scope == "attribute") | Presence.present.is_(False)))
        n = len(list(others))
        if n:
            self.not_exported.append({"item": f"{n} presence record(s)",
                                      "reason": "attribute-level and absence records have no REFI-QDA form"})


def build_project(session: Session, *, name: str, user: str | None = None,
                  origins: Iterable[str] | None = None) -> tuple[Any, dict[str, str], dict[str, Any]]:
    """The ``<Project>`` element, the source texts (file name under ``sources/`` → text) and a summary.

    ``origins`` limits the exported codings (default: every origin, so suggestions
    and rejected suggestions round-trip too). ``user`` becomes the project's
    ``creatingUserGUID`` when that person is one of the project's coders.
    """
    writer = _Writer(session, origins)
    root = etree.Element(_q("Project"), nsmap={None: NAMESPACE, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA_LOCATION)
    root.set("name", _safe(name))
    root.set("origin", f"bctcoder {__version__}")
    writer.users(root)
    if user and session.scalar(select(Coder.id).where(Coder.name == user)) is not None:
        root.set("creatingUserGUID", codebook_guid("coder", user))
    root.set("creationDateTime", _time(datetime.now(timezone.utc)))
    writer.codebook(root)
    exported = writer.variables(root)
    writer.cases(root, exported)
    writer.sources(root)
    writer.write_notes(root)
    writer.links(root)
    writer.sets(root)
    writer.count_unexported_presence()
    versions = get_meta(session, "taxonomy_versions", {}) or {}
    description = f"Exported by bctcoder {__version__}; taxonomy {get_meta(session, 'taxonomy', '?')}"
    if isinstance(versions, dict) and versions:
        description += " (" + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + ")"
    _el(root, "Description", description)
    summary: dict[str, Any] = {key: writer.counts.get(key, 0) for key in (
        "users", "groups", "techniques", "inductive_codes", "variables", "cases", "sources", "codings", "notes",
        "partnerships", "sets", "document_presence", "case_presence")}
    summary["not_exported"] = writer.not_exported
    return root, writer.texts, summary
