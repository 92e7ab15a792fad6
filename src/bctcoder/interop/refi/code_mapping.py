"""Mapping the codes of an imported REFI-QDA codebook onto the project's taxonomy and inductive codes.

Each ``<Code>`` is resolved, in this order (``taxonomy_match=True``):

1. a technique, when its name starts with a technique number of the project ("3.1 Social support
   (unspecified)", "3.1") or equals a technique's label (case, accents, spacing and US/UK spelling
   ignored: :func:`bctcoder.taxonomy.service.find_code`);
2. a taxonomy group, when its name is a group's number and label ("3 Social support") or it is a
   non-codable code named by a group number: such codes need no code of their own (bctcoder writes
   groups that way); if something is coded with one anyway, an inductive code is created on demand;
3. an existing inductive code with the same label;
4. otherwise a new inductive code (a label starting with an unknown technique number, "18.1 Foo",
   becomes "Foo (18.1)", since inductive codes may not look like technique numbers). Non-codable codes
   become inductive codes only when an inductive child needs them as parent; the nesting of inductive
   codes is kept (their parent may be a technique).

With ``taxonomy_match=False`` steps 1–2 are skipped: every code becomes an inductive code (labels that
clash with a technique get " (imported)" appended).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.interop.refi.project_model import RefiCode, RefiProject
from bctcoder.store.models import Code, CodeGroup
from bctcoder.taxonomy.code_index import code_index
from bctcoder.taxonomy.numbers import NUMBER_RE, is_technique_number
from bctcoder.taxonomy.service import add_inductive_code, find_code, normalise_label

__all__ = ["CodeMapper"]

_GROUP_RE = re.compile(r"^\s*(\d{1,3})\.?\s*(.*)$")
_COLOUR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


class CodeMapper:
    """Resolves REFI code GUIDs to project codes, creating inductive codes as needed."""

    def __init__(self, session: Session, refi: RefiProject, notes: dict[str, str], *, taxonomy_match: bool):
        self.s = session
        self.refi = refi
        self.notes = notes
        self.used_notes: set[str] = set()
        self.match = taxonomy_match
        self.codes: dict[str, RefiCode] = {}
        self.parent: dict[str, str | None] = {}
        self.resolved: dict[str, int | None] = {}
        self.entries: dict[str, dict[str, Any]] = {}
        self.created = 0
        self.techniques = 0
        self.by_number: dict[str, Code] = {}
        self.by_label: dict[str, Code] = {}
        self.index = code_index(session)  # find_code and add_inductive_code answer from it (no scans)
        for tech in session.scalars(select(Code).where(Code.kind == "technique").order_by(Code.taxonomy_id, Code.id)):
            if tech.number:
                self.by_number.setdefault(tech.number, tech)
        for tech in session.scalars(select(Code).where(Code.kind == "technique").order_by(Code.id)):
            self.by_label.setdefault(normalise_label(tech.label), tech)
        for top in refi.codes:
            for code, parent in top.walk():
                if code.guid in self.codes:
                    refi.warn(f"code {code.name!r}", "its GUID appears twice in the codebook; the first is used")
                    continue
                self.codes[code.guid] = code
                self.parent[code.guid] = parent.guid if parent else None

    # -- resolution ----------------------------------------------------------------------------------
    def _group(self, code: RefiCode) -> CodeGroup | None:
        """The taxonomy group a code names ("3 Social support"; a bare "3" when not codable)."""
        match = _GROUP_RE.match(code.name)
        if not match:
            return None
        number, rest = match.group(1), match.group(2).strip()
        for group in self.index.groups_numbered(number):
            if (rest and normalise_label(rest) == normalise_label(group.label)) or (not rest and not code.codable):
                return group
        return None

    def _technique(self, name: str) -> Code | None:
        """The technique a code name refers to (as :func:`find_code` resolves it, from an index)."""
        if not name:
            return None
        head = name.split(None, 1)[0]
        if is_technique_number(head):
            match = NUMBER_RE.match(head)
            assert match is not None  # is_technique_number(head) checked the same pattern
            number = ".".join(str(int(p)) for p in match.groups())
            found = self.by_number.get(number)
            if found is not None or is_technique_number(name):
                return found
        return self.by_number.get(name) or self.by_label.get(normalise_label(name))

    def _entry(self, code: RefiCode, how: str, target: Code | None) -> None:
        self.entries[code.guid] = {
            "code": code.name, "guid": code.guid, "how": how,
            "mapped_to": (target.number or target.label) if target is not None else None,
        }

    def resolve_all(self) -> None:
        """Resolve every code; creates inductive codes for codable codes that match nothing."""
        for guid, code in self.codes.items():
            if guid in self.resolved:
                continue
            if self.match:
                technique = self._technique(code.name)
                if technique is not None:
                    head = code.name.split(None, 1)[0]
                    how = "technique number" if is_technique_number(head) else "technique label"
                    self.resolved[guid] = technique.id
                    self.techniques += 1
                    self._entry(code, how, technique)
                    continue
                if self._group(code) is not None:
                    self.resolved[guid] = None
                    self._entry(code, "taxonomy group", None)
                    continue
            if code.codable:
                self.ensure(guid)
            else:
                self.entries.setdefault(guid, {"code": code.name, "guid": guid, "how": "not needed (not codable)",
                                               "mapped_to": None})

    def _label(self, code: RefiCode) -> str:
        name = " ".join(code.name.split()) or f"code {code.guid[:8]}"
        head, _, rest = name.partition(" ")
        if is_technique_number(head):
            label = f"{rest} ({head})" if rest else f"code {head}"
            self.refi.warn(f"code {code.name!r}", f"no technique {head} in the project's taxonomy: "
                                                  f"imported as inductive code {label!r}")
            return label
        if not self.match:
            clash = self._technique(name)
            if clash is not None:
                label = f"{name} (imported)"
                self.refi.warn(f"code {code.name!r}", f"its name is the label of technique {clash.number}: "
                                                      f"imported as inductive code {label!r}")
                return label
        return name

    def _description(self, code: RefiCode) -> str | None:
        parts = [code.description] if code.description else []
        for guid in code.note_guids:
            if guid in self.notes:
                parts.append(self.notes[guid])
                self.used_notes.add(guid)
        return "\n\n".join(parts) if parts else None

    def ensure(self, guid: str) -> int | None:
        """The project code id for a REFI code GUID, creating its inductive code (and parents) on demand."""
        if guid in self.resolved and self.resolved[guid] is not None:
            return self.resolved[guid]
        code = self.codes.get(guid)
        if code is None:
            return None
        was_group = guid in self.resolved
        self.resolved[guid] = None  # guards against cycles while the parent is resolved
        parent_guid = self.parent.get(guid)
        parent_id = None
        if parent_guid is not None and (self.resolved.get(parent_guid) is not None
                                        or parent_guid not in self.resolved):
            parent_id = self.ensure(parent_guid)
        label = self._label(code)
        existing = find_code(self.s, label, kinds=("inductive",))
        if existing is None and self.match:
            existing = find_code(self.s, label)
        if existing is not None:
            self.resolved[guid] = existing.id
            self._entry(code, "existing code", existing)
            return existing.id
        colour = code.colour if code.colour and _COLOUR_RE.match(code.colour.strip()) else None
        created = add_inductive_code(self.s, label, self._description(code), colour=colour, parent_id=parent_id)
        self.created += 1
        self.resolved[guid] = created.id
        how = "new inductive code (coded at a taxonomy group)" if was_group else "new inductive code"
        if was_group:
            self.refi.warn(f"code {code.name!r}", "a taxonomy group was used for codings: imported as an "
                                                  "inductive code")
        self._entry(code, how, created)
        return created.id

    def code_id(self, guid: str | None) -> int | None:
        """The code to use for a coding's CodeRef (None when the GUID is not in the codebook)."""
        if guid is None or guid not in self.codes:
            return None
        return self.ensure(guid)

    def mapping(self) -> list[dict[str, Any]]:
        """One entry per REFI code, in codebook order: its name, GUID, how it was mapped and to what."""
        return [self.entries[g] for g in self.codes if g in self.entries]
