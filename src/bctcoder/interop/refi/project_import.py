"""Storing a read REFI-QDA project (:class:`RefiProject`) in a bctcoder project, inside the caller's transaction.

Mapping and the decisions it takes (each reported, never an exception):

* users → coders (by name); a coding whose user is not among the users gets the coder ``unknown``
  (no user given) or ``unknown (GUID)``;
* codes → techniques or inductive codes (:mod:`bctcoder.interop.refi.code_mapping`);
* variables → typed attributes (Text → text, Integer → integer, Float → number, Boolean → boolean,
  Date → date, DateTime and others → text); a variable named ``role`` gives the case's role instead: a
  known role (code, description or alias) is used, an unknown one is added to the project's roles (with
  the description bctcoder wrote in the variable's ``bctcoder roles {...}`` line, if any), and
  cases without a role get the role ``unknown`` (added to the roles too); ``declined``/``N/A`` values
  are recorded as declined, absent values as missing;
* cases → cases (a case whose key exists already is reused: its role and differing values are kept);
  variables on *sources* (as some tools write them) go to the source's case, or to a new case named
  after the source;
* text sources → documents with canonical text and speaker turns; line ends and trailing spaces are
  normalised and every selection offset re-based (``offsets.canonical_with_offsets``); a source already in
  the project (same canonical text, else same name: :mod:`bctcoder.interop.placement`) is matched and gets
  the codings it lacks; the interviewer is recognised or guessed as for transcripts;
* selections × codings → codings (origin, confidence, model and exemplar from a ``bctcoder {...}``
  description line; any other description text and the notes of the selection and coding → memo);
  codings on a whole source → document presence records; case code references → case presence records;
* notes → memos (of codings, documents, codes); descriptions of sources and cases → their memos;
* links between two cases → partnerships; sets of sources → sets of those documents (and their cases), usable
  with ``--set`` like a case set.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bctcoder.coding.service import get_coder
from bctcoder.corpus.importer import match_case
from bctcoder.corpus.parsing import parse_text
from bctcoder.errors import InputError, TranscriptError
from bctcoder.interop.placement import Placement, coding_keys, find_existing
from bctcoder.interop.refi.code_mapping import CodeMapper
from bctcoder.interop.refi.offsets import canonical_with_offsets
from bctcoder.interop.refi.project_model import RefiCoding, RefiProject, RefiSelection, RefiSource, RefiValue
from bctcoder.interop.refi.project_writer import METADATA_PREFIX, ROLE_VARIABLE, ROLES_PREFIX
from bctcoder.participants.cases import DECLINED_MARKERS, DEFAULT_ROLES, normalise_role, set_value
from bctcoder.store.models import (
    ORIGINS,
    Attribute,
    Case,
    CaseSet,
    CaseSetDocument,
    CaseSetMember,
    CaseValue,
    Coder,
    Coding,
    Document,
    Partnership,
    Presence,
    Turn,
    utcnow,
)
from bctcoder.taxonomy.service import get_meta, set_meta

__all__ = ["store_project", "UNKNOWN_ROLE", "UNKNOWN_CODER"]

UNKNOWN_ROLE = "unknown"
UNKNOWN_CODER = "unknown"
_TYPES = {"text": "text", "integer": "integer", "float": "number", "boolean": "boolean", "date": "date"}
_SUFFIXES = (".txt", ".docx", ".doc", ".odt", ".rtf", ".pdf", ".md", ".vtt", ".srt", ".html", ".htm")


def _join(*parts: str | None) -> str | None:
    kept = [p for p in parts if p is not None and p.strip()]
    return "\n\n".join(kept) if kept else None


def split_description(text: str | None) -> tuple[dict[str, Any], str | None]:
    """A selection description's ``bctcoder {...}`` metadata and the remaining (memo) text."""
    if not text:
        return {}, None
    meta: dict[str, Any] = {}
    rest = []
    for line in text.splitlines():
        if line.startswith(METADATA_PREFIX + "{"):
            try:
                data = json.loads(line[len(METADATA_PREFIX):])
                if isinstance(data, dict):
                    meta.update(data)
                    continue
            except ValueError:
                pass
        rest.append(line)
    remaining = "\n".join(rest)
    return meta, (remaining if remaining.strip() else None)


class _Importer:
    def __init__(self, session: Session, refi: RefiProject, user: str, taxonomy_match: bool):
        self.s = session
        self.refi = refi
        self.user = user
        self.notes = {n.guid: n.text for n in refi.notes}
        self.codes = CodeMapper(session, refi, self.notes, taxonomy_match=taxonomy_match)
        self.roles = dict(get_meta(session, "roles", DEFAULT_ROLES) or DEFAULT_ROLES)
        self.roles_changed = False
        self.coders: dict[str | None, Coder] = {}
        self.users = {u.guid: u.name for u in refi.users}
        self.attrs: dict[str, Attribute] = {}
        self.role_vars: set[str] = set()
        self.role_descriptions: dict[str, str] = {}
        self.cases: dict[str, Case] = {}  # REFI case guid → case
        self.new_cases: set[int] = set()
        self.source_case: dict[str, Case] = {}
        self.source_doc: dict[str, Document] = {}
        self.counts: dict[str, int] = {k: 0 for k in (
            "users", "coders_created", "attributes_created", "cases_created", "cases_merged", "documents",
            "turns", "codings", "memos", "presence_records", "partnerships", "sets", "documents_matched")}
        self.matched: list[dict[str, Any]] = []
        self.speakers: dict[str, list[dict[str, Any]]] = {}
        self.seen: set[tuple] = set()
        self.interviewer_labels: list[str] | None = None

    def note_text(self, guids: list[str]) -> str | None:
        found = [self.notes[g] for g in guids if g in self.notes]
        self.codes.used_notes.update(g for g in guids if g in self.notes)
        return _join(*found)

    # -- people -------------------------------------------------------------------------------------
    def coders_from_users(self) -> None:
        for guid, name in self.users.items():
            existed = self.s.scalar(select(Coder.id).where(Coder.name == name.strip())) is not None
            self.coders[guid] = get_coder(self.s, name)
            self.counts["users"] += 1
            self.counts["coders_created"] += 0 if existed else 1

    def coder_for(self, guid: str | None, item: str) -> Coder:
        if guid in self.coders:
            return self.coders[guid]
        name = UNKNOWN_CODER if guid is None else f"{UNKNOWN_CODER} ({guid})"
        self.refi.warn(item, f"coded by {'no user' if guid is None else f'unknown user {guid}'}: coder {name!r}")
        self.coders[guid] = get_coder(self.s, name)
        return self.coders[guid]

    def attributes(self) -> None:
        position = self.s.scalar(select(func.count()).select_from(Attribute)) or 0
        for var in self.refi.variables:
            if var.name.strip().casefold() == ROLE_VARIABLE:
                self.role_vars.add(var.guid)
                for line in (var.description or "").splitlines():
                    if line.startswith(ROLES_PREFIX):
                        try:
                            found = json.loads(line[len(ROLES_PREFIX):])
                        except ValueError:
                            continue
                        if isinstance(found, dict):
                            self.role_descriptions.update({str(k): str(v) for k, v in found.items()})
                continue
            type_ = _TYPES.get(var.type.strip().lower(), "text")
            attr = self.s.scalar(select(Attribute).where(Attribute.name == var.name))
            if attr is None:
                attr = Attribute(name=var.name, type=type_, position=position)
                position += 1
                self.s.add(attr)
                self.s.flush()
                self.counts["attributes_created"] += 1
            elif attr.type != type_:
                self.refi.warn(f"variable {var.name!r}", f"the project's attribute is of type {attr.type}, "
                                                         f"not {type_}; values are read as {attr.type}")
            self.attrs[var.guid] = attr

    def role_of(self, values: list[RefiValue], item: str) -> str:
        texts = [(v.text or "").strip() for v in values if v.variable_guid in self.role_vars]
        text = texts[0] if texts else ""
        role = normalise_role(text, self.roles) if text else None
        if role is None:
            if not text or text.casefold() in DECLINED_MARKERS:
                role = UNKNOWN_ROLE
                description = "Role not recorded (imported from REFI-QDA)"
            else:
                role = text[:50]
                description = self.role_descriptions.get(role, text)
            if role not in self.roles:
                self.roles[role] = description
                self.roles_changed = True
                self.refi.warn(item, f"role {role!r} was not a role of the project; added")
        return role

    def apply_values(self, case: Case, values: list[RefiValue], item: str, *, fill_missing: bool) -> None:
        seen = set()
        current = {v.attribute_id: v for v in self.s.scalars(select(CaseValue).where(CaseValue.case_id == case.id))}
        for value in values:
            attr = self.attrs.get(value.variable_guid) if value.variable_guid is not None else None
            if attr is None:
                if value.variable_guid not in self.role_vars:
                    self.refi.skip(f"{item}: value {value.text!r}", "its variable is not in the file")
                continue
            seen.add(attr.id)
            old = current.get(attr.id)
            if case.id not in self.new_cases and old is not None and old.status != "missing":
                if (old.value or old.status) != (value.text or "").strip():
                    self.refi.warn(f"{item}: {attr.name}", f"kept the project's value {old.value or old.status!r}"
                                                           f" instead of {value.text!r}")
                continue
            try:
                current[attr.id] = set_value(self.s, case, attr, value.text, source=item)
            except InputError as exc:
                self.refi.skip(f"{item}: {attr.name} = {value.text!r}", exc.reason)
        if fill_missing:
            for attr in self.attrs.values():
                if attr.id not in seen and attr.id not in current:
                    current[attr.id] = set_value(self.s, case, attr, None)

    def case_named(self, key: str, values: list[RefiValue], memo: str | None, item: str) -> Case:
        case = self.s.scalar(select(Case).where(Case.key == key))
        if case is None:
            case = Case(key=key, role=self.role_of(values, item), memo=memo)
            self.s.add(case)
            self.s.flush()
            self.new_cases.add(case.id)
            self.counts["cases_created"] += 1
        elif case.id not in self.new_cases:
            self.counts["cases_merged"] += 1
            self.refi.warn(item, f"case {key!r} is already in the project: reused (its role and values kept)")
            if memo and not case.memo:
                case.memo = memo
        self.apply_values(case, values, item, fill_missing=case.id in self.new_cases)
        return case

    def import_cases(self) -> None:
        taken: set[str] = set()
        for rc in self.refi.cases:
            key = " ".join((rc.name or "").split()) or f"case {rc.guid[:8]}"
            item = f"case {key!r}"
            if key in taken:
                n = 2
                while f"{key} ({n})" in taken:
                    n += 1
                self.refi.warn(item, f"two cases with this name in the file; the second is {key} ({n})")
                key = f"{key} ({n})"
            taken.add(key)
            case = self.case_named(key, rc.values, rc.description, item)
            self.cases[rc.guid] = case
            for guid in rc.source_guids:
                if guid in self.source_case and self.source_case[guid].id != case.id:
                    self.refi.warn(f"source {guid}", f"linked to several cases; kept {self.source_case[guid].key!r}")
                else:
                    self.source_case[guid] = case
            for guid in rc.code_guids:
                self.presence(guid, "case", case.key, None, item)

    def presence(self, code_guid: str | None, scope: str, target: str, coder: Coder | None, item: str,
                 created=None) -> None:
        code_id = self.codes.code_id(code_guid)
        if code_id is None:
            self.refi.skip(f"{item}: code {code_guid}", "the code is not in the codebook")
            return
        coder_id = coder.id if coder else None
        exists = self.s.scalar(select(Presence.id).where(
            Presence.code_id == code_id, Presence.scope == scope, Presence.target == target,
            Presence.attribute.is_(None),
            Presence.coder_id.is_(None) if coder_id is None else Presence.coder_id == coder_id))
        if exists is None:
            self.s.add(Presence(code_id=code_id, scope=scope, target=target, coder_id=coder_id, present=True,
                                source=f"REFI-QDA: {self.refi.file}", created_at=created or utcnow()))
            self.counts["presence_records"] += 1

    # -- documents and codings ----------------------------------------------------------------------
    def document_name(self, source: RefiSource) -> str:
        name = " ".join((source.name or "").split()) or f"source {source.guid[:8]}"
        if name.lower().endswith(_SUFFIXES):
            name = name.rsplit(".", 1)[0] or name
        return name

    def unique_name(self, name: str, source: RefiSource) -> str:
        base, n = name, 1
        while self.s.scalar(select(Document.id).where(Document.name == name)) is not None:
            n += 1
            name = f"{base} ({n})"
        if n > 1:
            self.refi.warn(f"source {source.name!r}", f"a document named {base!r} exists; imported as {name!r}")
        return name

    def import_source(self, source: RefiSource) -> None:
        item = f"source {source.name or source.guid!r}"
        n_sel = sum(len(s.codings) for s in source.selections)
        if source.raw_text is None:
            self.refi.skip(item, f"{source.unavailable or 'no text'} ({n_sel} coding(s) not imported)")
            return
        mapped = canonical_with_offsets(source.raw_text)
        try:
            case_hint = self.source_case.get(source.guid)
            transcript = parse_text(source.raw_text, source=item, source_format="txt",
                                    interviewer_labels=self.interviewer_labels,
                                    participant=case_hint.key if case_hint is not None else None)
        except TranscriptError as exc:
            self.refi.skip(item, f"{exc.reason} ({n_sel} coding(s) not imported)")
            return
        if transcript.text != mapped.text:  # both follow normalize_text; never expected
            self.refi.skip(item, "its text could not be normalised consistently")
            return
        name = self.document_name(source)
        same, how = find_existing(self.s, transcript.sha256, name)
        if same is not None:
            self.match_source(source, same, Placement(same, how, transcript.text), mapped, item)
            return
        name = self.unique_name(name, source)
        case = self.source_case.get(source.guid)
        if source.values:
            if case is None:
                case = self.case_named(name, source.values, None, item)
                self.source_case[source.guid] = case
            else:
                self.apply_values(case, source.values, item, fill_missing=False)
        if case is None:
            case = match_case(self.s, name)
        memo = _join(source.description, self.note_text(source.note_guids))
        doc = Document(name=name, case_id=case.id if case else None, text=transcript.text, sha256=transcript.sha256,
                       source_format="refi-qda", source_path=f"{self.refi.file}#{source.location}",
                       layout=transcript.layout, memo=memo, imported_at=source.created or utcnow())
        self.s.add(doc)
        self.s.flush()
        self.s.add_all(Turn(document_id=doc.id, start=t.start, end=t.end, speaker=t.speaker,
                            is_interviewee=t.is_interviewee, timestamp=t.timestamp) for t in transcript.turns)
        self.source_doc[source.guid] = doc
        self.speakers[name] = transcript.speaker_summary()
        self.counts["documents"] += 1
        self.counts["turns"] += len(transcript.turns)
        self.counts["memos"] += 1 if memo else 0
        if mapped.changed:
            self.refi.warn(item, "line ends or trailing spaces normalised: selection offsets re-based")
        for selection in source.selections:
            self.import_selection(doc, selection, mapped, item, len(source.raw_text))
        for coding in source.codings:
            self.presence(coding.code_guid, "document", doc.name, self.coder_for(coding.user_guid, item), item,
                          coding.created)

    def match_source(self, source: RefiSource, doc: Document, placed: Placement, mapped, item: str) -> None:
        """A source the project already holds: link its case if the document has none, add the codings."""
        self.source_doc[source.guid] = doc
        self.counts["documents_matched"] += 1
        self.matched.append({"document": doc.name, "imported_as": source.name, "matched_by": placed.how})
        case = self.source_case.get(source.guid)
        if case is not None and doc.case_id is None:
            doc.case_id = case.id
        self.seen.update(coding_keys(self.s, doc.id, with_origin=True))
        for selection in source.selections:
            self.import_selection(doc, selection, mapped, item, len(source.raw_text or ""), placed)
        for coding in source.codings:
            self.presence(coding.code_guid, "document", doc.name, self.coder_for(coding.user_guid, item), item,
                          coding.created)

    def import_selection(self, doc: Document, sel: RefiSelection, mapped, item: str, raw_length: int,
                         placed: Placement | None = None) -> None:
        where = f"{item}, selection {sel.start}-{sel.end}"
        span = mapped.span(sel.start, sel.end)
        if span is not None and placed is not None:
            moved = placed.span(*span)
            if not isinstance(moved, tuple):
                self.refi.skip(where, f"{moved} ({len(sel.codings)} coding(s) not imported)")
                return
            span = moved
        if span is None:
            if sel.start >= sel.end:
                reason = "an empty or reversed selection"
            elif not 0 <= sel.start < sel.end <= raw_length:
                reason = f"outside the text (0-{raw_length})"
            else:
                reason = "it covers only line ends or trailing spaces"
            self.refi.skip(where, f"{reason} ({len(sel.codings)} coding(s) not imported)")
            return
        if not sel.codings:
            if sel.note_guids or sel.description:
                self.refi.skip(where, "a selection with a memo but no code")
            return
        meta, text = split_description(sel.description)
        origin = meta.get("origin", "manual")
        if origin not in ORIGINS:
            self.refi.warn(where, f"unknown origin {origin!r}: imported as manual")
            origin = "manual"
        confidence = meta.get("confidence")
        if confidence is not None and not (isinstance(confidence, (int, float)) and 0 <= confidence <= 1):
            self.refi.warn(where, f"confidence {confidence!r} is not between 0 and 1: left out")
            confidence = None
        model = meta.get("model") if isinstance(meta.get("model"), str) else None
        for coding in sel.codings:
            self.import_coding(doc, sel, coding, span, where, origin=origin, confidence=confidence, model=model,
                               exemplar=bool(meta.get("exemplar")), memo=_join(text, self.note_text(sel.note_guids)))

    def import_coding(self, doc: Document, sel: RefiSelection, coding: RefiCoding, span: tuple[int, int],
                      where: str, *, memo: str | None, **fields: Any) -> None:
        code_id = self.codes.code_id(coding.code_guid)
        if code_id is None:
            self.refi.skip(where, f"its code {coding.code_guid} is not in the codebook")
            return
        coder = self.coder_for(coding.user_guid or sel.user_guid, where)
        key = (doc.id, span[0], span[1], code_id, coder.name, fields.get("origin", "manual"))
        if key in self.seen:
            self.refi.skip(where, "duplicate of a coding already in the project (same span, code, coder, origin)")
            return
        created = coding.created or sel.created or utcnow()
        memo = _join(memo, self.note_text(coding.note_guids))
        self.s.add(Coding(document_id=doc.id, start=span[0], end=span[1], code_id=code_id, coder_id=coder.id,
                          memo=memo, created_at=created, updated_at=sel.modified or created, **fields))
        self.counts["codings"] += 1
        self.counts["memos"] += 1 if memo else 0

    # -- links, sets, leftovers ---------------------------------------------------------------------
    def import_links(self) -> None:
        for link in self.refi.links:
            first = self.cases.get(link.origin_guid) if link.origin_guid is not None else None
            second = self.cases.get(link.target_guid) if link.target_guid is not None else None
            item = f"link {link.name or link.guid!r}"
            if first is None or second is None:
                self.refi.skip(item, "only links between two cases (partnerships) are imported")
                continue
            if first.id == second.id:
                self.refi.skip(item, "a case cannot partner itself")
                continue
            exists = self.s.scalar(select(Partnership.id).where(
                ((Partnership.first_case_id == first.id) & (Partnership.second_case_id == second.id))
                | ((Partnership.first_case_id == second.id) & (Partnership.second_case_id == first.id))))
            if exists is not None:
                continue
            label = None if (link.name or "partnership") == "partnership" else link.name
            self.s.add(Partnership(first_case_id=first.id, second_case_id=second.id, label=label))
            self.counts["partnerships"] += 1

    def import_sets(self) -> None:
        for refi_set in self.refi.sets:
            item = f"set {refi_set.name!r}"
            if not refi_set.name:
                self.refi.skip(item, "a set without a name")
                continue
            if not refi_set.source_guids and (refi_set.code_guids or refi_set.note_guids):
                self.refi.skip(item, "sets of codes or notes are not supported (only sets of sources)")
                continue
            if self.s.scalar(select(CaseSet.id).where(CaseSet.name == refi_set.name)) is not None:
                self.refi.skip(item, "a case set with this name is already in the project")
                continue
            cases: dict[int, None] = {}
            documents: dict[int, None] = {}
            for guid in refi_set.source_guids:
                doc = self.source_doc.get(guid)
                if doc is None:
                    self.refi.warn(item, f"member source {guid} was not imported: left out")
                    continue
                documents[doc.id] = None
                if doc.case_id is not None:
                    cases[doc.case_id] = None
            case_set = CaseSet(name=refi_set.name, description=refi_set.description)
            self.s.add(case_set)
            self.s.flush()
            self.s.add_all(CaseSetMember(set_id=case_set.id, case_id=cid) for cid in cases)
            self.s.add_all(CaseSetDocument(set_id=case_set.id, document_id=did) for did in documents)
            self.counts["sets"] += 1

    def run(self) -> None:
        self.coders_from_users()
        self.codes.resolve_all()
        self.attributes()
        self.import_cases()
        for source in self.refi.sources:
            self.import_source(source)
        self.import_links()
        self.import_sets()
        for note in self.refi.notes:
            if note.guid not in self.codes.used_notes:
                self.refi.skip(f"note {note.name or note.guid!r}", "not attached to a coding, source or code")
        if self.roles_changed:
            set_meta(self.s, "roles", self.roles)
        self.s.flush()


def store_project(session: Session, refi: RefiProject, *, user: str, taxonomy_match: bool = True,
                  interviewer_labels: list[str] | None = None) -> dict[str, Any]:
    """Store ``refi`` in the project open in ``session`` (never commits); returns the import report."""
    importer = _Importer(session, refi, user, taxonomy_match)
    importer.interviewer_labels = interviewer_labels
    importer.run()
    counts = dict(importer.counts)
    counts["codes_mapped_to_techniques"] = importer.codes.techniques
    counts["inductive_codes_created"] = importer.codes.created
    return {"file": refi.file, "project_name": refi.name, "origin": refi.origin, "counts": counts,
            "code_mapping": importer.codes.mapping(), "documents_matched": importer.matched,
            "speakers": importer.speakers,
            "skipped": list(refi.skipped),
            "warnings": list(refi.warnings)}
