"""REFI-QDA codebooks (``.qdc``, QDA-XML Codebook 1.0) in and out.

Export writes the project's taxonomy as a tree: each group is a non-codable
parent code ``"<number> <label>"``; each technique a codable child
``"<number> <label>"`` with our description (and the official BCTO definition,
when imported, marked as such) and a colour from its group's palette; inductive
codes are codable codes at the top level, nested as their ``parent_id`` says.
GUIDs come from :func:`bctcoder.interop.refi.guids.codebook_guid`, so they are
the same in every export.

Import reads any ``.qdc`` (NVivo, ATLAS.ti, MAXQDA, QualCoder, ...) and maps
each codable code to a technique by GUID (our own exports), leading technique
number or label, else creates it as an inductive code, keeping its parent code
as parent; see :func:`import_qdc`. Both take an open session and never commit.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder import __version__
from bctcoder.coding.events import EventType, log_event
from bctcoder.corpus.safe_archive import read_bounded_file, xml_root
from bctcoder.errors import BctcoderError, InputError
from bctcoder.interop.codebook_files import (
    code_name,
    ensure_inductive,
    inductive_label,
    match_group,
    match_technique,
    ordered_codes,
    write_atomic,
)
from bctcoder.interop.refi.guids import codebook_guid, normalise_guid
from bctcoder.store.models import Code, CodeGroup, Taxonomy

__all__ = ["CODEBOOK_NS", "QdcCode", "export_qdc", "import_qdc", "read_qdc"]

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
"""The QDA-XML codebook namespace."""

_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = f"{CODEBOOK_NS} http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RGB = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_GOLDEN = 0.618033988749895


# -- export ------------------------------------------------------------------------------------
def export_qdc(session: Session, path: str | Path) -> dict[str, Any]:
    """Write the project's codebook as a REFI ``.qdc`` file, atomically.

    Returns ``{"path", "groups", "techniques", "inductive"}`` (counts of codes written).
    """
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA_LOCATION)
    root.set("origin", f"bctcoder {__version__}")
    codes_el = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    techniques, inductive = ordered_codes(session)
    children: dict[int | None, list[Code]] = {}
    inductive_ids = {code.id for code, _depth in inductive}
    for code, depth in inductive:
        parent = code.parent_id if depth > 0 or code.parent_id not in inductive_ids else None
        children.setdefault(parent, []).append(code)
    technique_ids = {code.id for code in techniques}
    counts = {"groups": 0, "techniques": 0, "inductive": 0}
    group_elements: dict[int, etree._Element] = {}
    by_group: dict[int | None, list[Code]] = {}
    for code in techniques:
        by_group.setdefault(code.group_id, []).append(code)
    for code in techniques:
        group = code.group
        if group is None:
            parent_el = codes_el
        elif group.id in group_elements:
            parent_el = group_elements[group.id]
        else:
            parent_el = group_elements[group.id] = _group_element(codes_el, group)
            counts["groups"] += 1
        members = by_group[code.group_id]
        colour = _valid_colour(code.colour) or _technique_colour(group, code.taxonomy, members.index(code),
                                                                 len(members))
        tech_el = _code_element(parent_el, codebook_guid("code", _tax_name(code), code.number or code.label),
                                code_name(code), True, colour, _technique_description(code))
        counts["techniques"] += 1
        _inductive_elements(tech_el, children.get(code.id, []), children, counts)
    roots = [c for c in children.get(None, [])] + [c for pid, kids in children.items()
                                                    if pid is not None and pid not in inductive_ids
                                                    and pid not in technique_ids for c in kids]
    _inductive_elements(codes_el, roots, children, counts)
    if len(codes_el) == 0:
        raise BctcoderError("the project has no codes to export")
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True, standalone=True)
    write_atomic(path, data)
    return {"path": str(path), **counts}


def _tax_name(code: Code) -> str:
    """The name of a code's taxonomy ("" for none)."""
    return code.taxonomy.name if code.taxonomy is not None else ""


def _xml(text: str | None) -> str:
    """Text without characters XML 1.0 cannot carry."""
    return _NOT_XML_CHAR.sub("", text or "")


def _code_element(parent: etree._Element, guid: str, name: str, codable: bool, colour: str | None,
                  description: str | None) -> etree._Element:
    """Append one ``<Code>`` (attributes in the usual REFI order, ``<Description>`` first)."""
    element = etree.SubElement(parent, f"{{{CODEBOOK_NS}}}Code")
    element.set("guid", guid)
    element.set("name", _xml(name))
    element.set("isCodable", "true" if codable else "false")
    if colour:
        element.set("color", colour)
    description = _xml(description).strip()
    if description:
        etree.SubElement(element, f"{{{CODEBOOK_NS}}}Description").text = description
    return element


def _group_element(parent: etree._Element, group: CodeGroup) -> etree._Element:
    """Append a taxonomy group as a non-codable parent code."""
    tax = group.taxonomy
    about = f"Group {group.number} of {tax.title} (version {tax.version})" if tax is not None else None
    return _code_element(parent, codebook_guid("group", tax.name if tax else "", group.number),
                         f"{group.number} {group.label}", False, _group_colour(group, tax), about)


def _inductive_elements(parent: etree._Element, codes: list[Code], children: dict[int | None, list[Code]],
                        counts: dict[str, int]) -> None:
    """Append inductive codes and, recursively, their inductive children."""
    for code in codes:
        element = _code_element(parent, codebook_guid("inductive", code.label), code.label, True,
                                _valid_colour(code.colour) or _hashed_colour(code.label), code.description)
        counts["inductive"] += 1
        _inductive_elements(element, children.get(code.id, []), children, counts)


def _technique_description(code: Code) -> str:
    """Our description, then the official definition (when imported), marked as such."""
    parts = [code.description or ""]
    if code.official_definition:
        source = f" ({code.definition_source})" if code.definition_source else ""
        parts.append(f"Official definition{source}: {code.official_definition}")
    return "\n\n".join(p for p in parts if p)


def _valid_colour(text: str | None) -> str | None:
    """``#RRGGBB`` (upper case) from ``#RGB``, ``#RRGGBB`` or ``RRGGBB``; None when not a colour."""
    match = _RGB.match((text or "").strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits.upper()


def _hls(hue: float, light: float, sat: float) -> str:
    """``#RRGGBB`` from hue, lightness and saturation (0..1)."""
    red, green, blue = colorsys.hls_to_rgb(hue % 1.0, light, sat)
    return "#{:02X}{:02X}{:02X}".format(*(round(v * 255) for v in (red, green, blue)))


def _group_hue(group: CodeGroup | None, tax: Taxonomy | None) -> float:
    """A group's hue: golden-ratio steps by group number (hashed for non-numeric groups)."""
    number = group.number if group is not None else ""
    if number.isdigit():
        return int(number) * _GOLDEN
    key = f"{tax.name if tax else ''}:{number}".encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") / 2**32


def _group_colour(group: CodeGroup, tax: Taxonomy | None) -> str:
    """A group's own (darkest) colour."""
    return _hls(_group_hue(group, tax), 0.35, 0.65)


def _technique_colour(group: CodeGroup | None, tax: Taxonomy | None, index: int, size: int) -> str:
    """A shade of the group's hue: lighter for later techniques of the group."""
    step = index / (size - 1) if size > 1 else 0.0
    return _hls(_group_hue(group, tax), 0.40 + 0.32 * step, 0.60)


def _hashed_colour(label: str) -> str:
    """A muted colour derived from an inductive code's label."""
    digest = hashlib.sha256(label.encode("utf-8", "surrogatepass")).digest()
    return _hls(int.from_bytes(digest[:4], "big") / 2**32, 0.55, 0.25)


# -- reading -----------------------------------------------------------------------------------
@dataclass
class QdcCode:
    """One ``<Code>`` of a codebook file, as written (GUID normalised, colour ``#RRGGBB`` or None)."""

    name: str
    guid: str | None
    codable: bool
    colour: str | None
    description: str | None
    line: int | None
    children: list[QdcCode] = field(default_factory=list)


def _local(tag: object) -> str:
    """An element's tag without namespace ("" for comments and the like)."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def read_qdc(path: str | Path) -> list[QdcCode]:
    """The top-level codes of a ``.qdc`` file (any namespace prefix, tolerant of missing attributes).

    Raises :class:`InputError` naming the file for an unreadable file, XML that is
    not well-formed, a root other than ``<CodeBook>``, or a codebook without codes.
    """
    source = str(path)
    try:
        data = read_bounded_file(Path(path), source=source)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from exc
    if data[:2] == b"PK":
        raise InputError("this is a zip archive (a .qdpx project?), not a REFI codebook (.qdc)", source=source)
    try:  # the safe parser: no entities (refused when declared), no network, libxml2's depth and size bounds
        root = xml_root(data, what="not well-formed XML", source=source, remove_comments=True)
    except InputError as exc:  # libxml2's messages may hold a newline: ours stay on one line
        raise InputError(" ".join(exc.reason.split()), source=source, line=exc.line) from None
    name = _local(root.tag)
    if name == "Project":
        raise InputError("this is a REFI project (root <Project>), not a codebook (.qdc)", source=source)
    if name != "CodeBook":
        raise InputError(f"root element is <{name}>, expected <CodeBook> ({CODEBOOK_NS})", source=source,
                         line=root.sourceline)
    codes_el = next((child for child in root if _local(child.tag) == "Codes"), None)
    codes = [_read_code(el) for el in codes_el if _local(el.tag) == "Code"] if codes_el is not None else []
    if not codes:
        raise InputError("the codebook has no codes", source=source)
    return codes


def _read_code(element: etree._Element) -> QdcCode:
    """One ``<Code>`` and its children; a missing ``isCodable`` counts as codable."""
    codable = (element.get("isCodable") or "true").strip().lower() not in ("false", "0", "no")
    description = None
    children = []
    for child in element:
        local = _local(child.tag)
        if local == "Description" and description is None:
            description = ("".join(child.itertext()).strip() or None)
        elif local == "Code":
            children.append(_read_code(child))
    return QdcCode(name=(element.get("name") or "").strip(), guid=normalise_guid(element.get("guid")),
                   codable=codable, colour=_valid_colour(element.get("color")), description=description,
                   line=element.sourceline, children=children)


# -- import ------------------------------------------------------------------------------------
def import_qdc(session: Session, path: str | Path, *, user: str, create_inductive: bool = True) -> dict[str, Any]:
    """Map a REFI codebook onto the project's taxonomy, creating inductive codes for the rest.

    Each codable code maps to a technique when its GUID is one of ours, its name
    starts with a technique number ("3.1", "3.1 Social support (unspecified)",
    "BCT 3.1: ...") or its name matches a technique label (case, spacing,
    punctuation, US/UK spelling, small typos); otherwise it becomes an inductive
    code (unless ``create_inductive`` is false) under the code it was nested in
    ("18.1 Foo", with a number the taxonomy lacks, becomes "Foo (18.1)").
    Codes naming a taxonomy group are structure only; other non-codable folders
    become inductive parent codes when inductive codes are created beneath them.
    Techniques are never changed. Returns ``{"mapped": [{"name", "code", "how"}],
    "created_inductive": n, "skipped": [{"item", "reason"}]}``; writes one event.
    """
    codes = read_qdc(path)
    importer = _Importer(session, create_inductive)
    for code in codes:
        importer.apply(code, None)
    log_event(session, user, EventType.CODEBOOK_IMPORT, file=str(path), format="qdc", mapped=len(importer.mapped),
              created_inductive=importer.created, skipped=len(importer.skipped))
    return {"mapped": importer.mapped, "created_inductive": importer.created, "skipped": importer.skipped}


class _Importer:
    """The state of one import: our GUIDs, decisions per code, and the report."""

    def __init__(self, session: Session, create_inductive: bool):
        self.session = session
        self.create_inductive = create_inductive
        self.mapped: list[dict[str, str | None]] = []
        self.skipped: list[dict[str, str]] = []
        self.created = 0
        self.decisions: dict[int, tuple] = {}
        self.our_codes: dict[str, Code] = {}
        self.our_groups: dict[str, CodeGroup] = {}
        for code in session.scalars(select(Code).where(Code.kind == "technique")):
            if code.taxonomy is not None and code.number:
                self.our_codes[codebook_guid("code", code.taxonomy.name, code.number)] = code
        for group in session.scalars(select(CodeGroup)):
            self.our_groups[codebook_guid("group", group.taxonomy.name, group.number)] = group

    def decide(self, node: QdcCode) -> tuple:
        """What to do with a code: ``("technique", code, how)``, ``("group", group)``,
        ``("inductive", label)``, ``("folder",)`` or ``("skip", reason)``."""
        key = id(node)
        if key not in self.decisions:
            self.decisions[key] = self._decide(node)
        return self.decisions[key]

    def _decide(self, node: QdcCode) -> tuple:
        if node.guid in self.our_groups:
            return ("group", self.our_groups[node.guid])
        if not node.codable:
            group = match_group(self.session, node.name)
            return ("group", group) if group is not None else ("folder",)
        if node.guid in self.our_codes:
            return ("technique", self.our_codes[node.guid], "number")
        ours_inductive = node.name and node.guid == codebook_guid("inductive", node.name)
        if not ours_inductive:
            code, how = match_technique(self.session, node.name)
            if code is not None:
                return ("technique", code, how)
            if node.children:
                group = match_group(self.session, node.name)
                if group is not None:
                    return ("group", group)
        label, problem = inductive_label(node.name)
        if problem is None and not self.create_inductive:
            problem = "no matching technique (creating inductive codes is turned off)"
        return ("skip", problem) if problem else ("inductive", label)

    def has_inductive(self, node: QdcCode) -> bool:
        """Whether any code below ``node`` will become an inductive code."""
        return any(self.decide(child)[0] == "inductive" or self.has_inductive(child) for child in node.children)

    def apply(self, node: QdcCode, parent_id: int | None) -> None:
        """Carry out the decision for ``node`` and its children; ``parent_id`` is the enclosing code's id."""
        decision = self.decide(node)
        kind = decision[0]
        below = parent_id
        item = node.name or f"(unnamed code, line {node.line})"
        if kind == "technique":
            self.mapped.append({"name": node.name, "code": decision[1].number, "how": decision[2]})
            below = decision[1].id
        elif kind == "group":
            below = None
            if node.codable and node.guid not in self.our_groups:
                group = decision[1]
                self.skipped.append({"item": item, "reason": f"it names taxonomy group {group.number} "
                                     f"{group.label}; groups cannot be coded, kept as structure only"})
        elif kind == "inductive" or (kind == "folder" and self.create_inductive
                                     and inductive_label(node.name)[0] and self.has_inductive(node)):
            label = decision[1] if kind == "inductive" else inductive_label(node.name)[0]
            assert label is not None  # decide() and the condition above only let named codes through
            code, new = ensure_inductive(self.session, label, description=node.description,
                                         colour=node.colour, parent_id=parent_id)
            self.created += int(new)
            how = "inductive" if code.kind == "inductive" else "label"
            self.mapped.append({"name": node.name, "code": code.label if how == "inductive" else code.number,
                                "how": how})
            below = code.id
        elif kind == "folder":
            self.skipped.append({"item": item, "reason": "not codable and not a taxonomy group; "
                                 "kept as structure only"})
        else:
            self.skipped.append({"item": item, "reason": decision[1]})
        for child in node.children:
            self.apply(child, below)
