"""Read the Behaviour Change Technique Ontology (BCTO) and map it onto BCTTv1.

The BCTO is published by the Human Behaviour-Change Project both as a
spreadsheet (``bcto.xlsx``: columns ``ID``, ``Label``, ``Definition``,
``Cross-reference`` ...) and as RDF/XML OWL (``bcto.owl``: ``rdfs:label``,
definition in ``obo:IAO_0000115``). A class whose cross-reference names a
BCTTv1 technique (``"BCT1.4 Action planning"``, ``"BCTTv1: 1.1, 1.3"``) is
listed under that technique number; one technique may map to several classes
and one class to several techniques.

Technique numbers are taken as the file states them: the 2026 spreadsheet, for
instance, also cross-references ``4.5`` ("Advise to change behaviour"), which is
not one of the 93 BCTTv1 techniques.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bctcoder.errors import InputError

__all__ = ["BctoEntry", "BctoSource", "parse_bcttv1_xref", "read_bcto", "read_bcto_classes"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_OBO = "http://purl.obolibrary.org/obo/"
_OBOINOWL = "http://www.geneontology.org/formats/oboInOwl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"

_DEFINITION_TAG = f"{{{_OBO}}}IAO_0000115"
#: OWL annotation properties that may carry a BCTTv1 cross-reference.
_XREF_TAGS = frozenset(
    [f"{{{_OBOINOWL}}}hasDbXref", f"{{{_RDFS}}}seeAlso"]
    + [f"{{{_SKOS}}}{m}Match" for m in ("exact", "close", "broad", "narrow", "related")]
)

_ID_HEADERS = ("id", "iri", "class id")
_LABEL_HEADERS = ("label", "rdfs:label", "name")
_DEFINITION_HEADERS = ("definition", "iao_0000115")
_XREF_HEADERS = ("cross-reference", "cross reference", "crossreference", "cross-references",
                 "xref", "xrefs", "dbxref", "hasdbxref")

# One cross-reference segment: optional "BCTTv1"/"BCTT"/"BCT" prefix, then numbers.
_SEGMENT_SPLIT = re.compile(r"[;|\n\r]+")
_PREFIX = re.compile(r"^\s*(?:bct(?:tv1|t|v1)?)?(?=[\s:#\-]|\d)[\s:#\-]*(?=\d)", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?![\d.])")


@dataclass(frozen=True)
class BctoEntry:
    """One BCTO class: its CURIE (``"BCIO:007003"``), label and definition."""

    id: str
    label: str
    definition: str


@dataclass(frozen=True)
class BctoSource:
    """The BCTTv1 mapping read from one BCTO file, with provenance."""

    path: str
    format: str
    version: str | None
    sha256: str
    n_classes: int
    by_technique: dict[str, list[BctoEntry]]


def parse_bcttv1_xref(text: str | None) -> list[str]:
    """Return the BCTTv1 technique numbers named in one cross-reference cell.

    Segments are separated by ``;``, ``|`` or line breaks; each segment that
    starts with a ``BCT``/``BCTT``/``BCTTv1`` prefix or with a bare number
    contributes every ``N.M`` number it holds (``"BCTTv1: 1.1, 1.3"``).
    Segments naming another scheme (``"BCTTv2 1.1"``, ``"MeSH:D01"``) are
    ignored, as are numbers outside groups 1-16. Order is kept, duplicates dropped.
    """
    if not text:
        return []
    found: list[str] = []
    for segment in _SEGMENT_SPLIT.split(str(text)):
        prefix = _PREFIX.match(segment)
        if prefix is None:
            continue
        for group, item in _NUMBER.findall(segment[prefix.end():]):
            g, i = int(group), int(item)
            number = f"{g}.{i}"
            if 1 <= g <= 16 and i >= 1 and number not in found:
                found.append(number)
    return found


def _load(path: str | Path) -> tuple[Path, str, bytes, str | None, list[tuple[BctoEntry, str]]]:
    """Read and parse a BCTO file: (path, format, bytes, version, [(entry, xref text)])."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        fmt = "xlsx"
    elif suffix in (".owl", ".rdf"):
        fmt = "owl"
    else:
        raise InputError(f"unknown BCTO file type {p.suffix or '(none)'!r}; expected .xlsx or .owl",
                         source=str(p))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=str(p)) from exc
    if not data.strip():
        raise InputError("file is empty", source=str(p))
    reader = _read_xlsx if fmt == "xlsx" else _read_owl
    version, records = reader(data, str(p))
    return p, fmt, data, version, records


def read_bcto_classes(path: str | Path) -> list[BctoEntry]:
    """Return every labelled class of a BCTO ``.xlsx`` or ``.owl`` file, in file order.

    Unlike :func:`read_bcto` this does not require any BCTTv1 cross-reference
    (the published ``bcto.owl`` carries none); errors are as for :func:`read_bcto`.
    """
    return [entry for entry, _ in _load(path)[4]]


def read_bcto(path: str | Path) -> BctoSource:
    """Read a BCTO ``.xlsx`` or ``.owl`` file and group its classes by BCTTv1 number.

    Raises :class:`InputError` naming the file when the suffix is unknown, the
    file cannot be read or parsed, or no class carries a BCTTv1 cross-reference.
    """
    p, fmt, data, version, records = _load(path)
    by_technique: dict[str, dict[str, BctoEntry]] = {}
    for entry, xref in records:
        for number in parse_bcttv1_xref(xref):
            by_technique.setdefault(number, {})[entry.id] = entry
    if not by_technique:
        raise InputError(f"no BCTTv1 cross-reference found among {len(records)} classes",
                         source=str(p))
    ordered = {
        number: [entries[k] for k in sorted(entries)]
        for number, entries in sorted(by_technique.items(), key=lambda kv: _number_key(kv[0]))
    }
    return BctoSource(path=str(p), format=fmt, version=version,
                      sha256=hashlib.sha256(data).hexdigest(), n_classes=len(records),
                      by_technique=ordered)


def _number_key(number: str) -> tuple[int, int]:
    group, item = number.split(".")
    return int(group), int(item)


def _clean(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _find_column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _cell(row: tuple, col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _read_xlsx(data: bytes, source: str) -> tuple[str | None, list[tuple[BctoEntry, str]]]:
    """Return (version, [(entry, cross-reference text)]) from a BCTO workbook."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from bctcoder.corpus.safe_archive import SafeArchive

    # bounded before openpyxl reads it
    with SafeArchive(data, what=".xlsx workbook", source=source, invalid="not a readable .xlsx workbook") as archive:
        archive.verify_all()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputError(f"not a readable .xlsx workbook ({exc})", source=source) from exc
    try:
        records: list[tuple[BctoEntry, str]] = []
        seen: dict[str, int] = {}
        used_sheet = False
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [_clean(v).lower() for v in next(rows, ())]
            id_col = _find_column(header, _ID_HEADERS)
            label_col = _find_column(header, _LABEL_HEADERS)
            if id_col is None or label_col is None:
                continue
            used_sheet = True
            def_col = _find_column(header, _DEFINITION_HEADERS)
            xref_col = _find_column(header, _XREF_HEADERS)
            for line, row in enumerate(rows, start=2):
                class_id = _clean(_cell(row, id_col))
                if not class_id:
                    continue
                label = _clean(_cell(row, label_col))
                if not label:
                    raise InputError(f"class {class_id} has no label (sheet {sheet.title!r})",
                                     source=source, line=line)
                if class_id in seen:
                    raise InputError(f"duplicate class id {class_id} (first on line {seen[class_id]})",
                                     source=source, line=line)
                seen[class_id] = line
                xref = _cell(row, xref_col)
                records.append((BctoEntry(class_id, label, _clean(_cell(row, def_col))),
                                 "" if xref is None else str(xref)))
        if not used_sheet:
            raise InputError("no sheet has both an ID and a Label column", source=source, line=1)
    finally:
        workbook.close()
    return None, records


def _curie(iri: str) -> str:
    """``http://.../BCIO_007003`` -> ``BCIO:007003`` (other IRIs are kept whole)."""
    local = re.split(r"[/#]", iri)[-1]
    match = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)_(\w+)", local)
    return f"{match.group(1)}:{match.group(2)}" if match else iri


def _literal(element) -> str:
    """Text of an annotation element: its literal, or its ``rdf:resource`` IRI."""
    if element.text and element.text.strip():
        return element.text
    return element.get(f"{{{_RDF}}}resource", "")


def _pick(elements: list) -> str:
    """Prefer an English (or untagged) literal among repeated annotations."""
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for element in elements:
        if element.get(lang, "en").lower().startswith("en") and _literal(element).strip():
            return _clean(_literal(element))
    return _clean(_literal(elements[0])) if elements else ""


def _read_owl(data: bytes, source: str) -> tuple[str | None, list[tuple[BctoEntry, str]]]:
    """Return (version, [(entry, cross-reference text)]) from RDF/XML OWL."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        raise InputError(f"not well-formed RDF/XML ({exc.msg})", source=source, line=line) from exc

    version = None
    for ontology in root.iter(f"{{{_OWL}}}Ontology"):
        info = [e for e in ontology if e.tag == f"{{{_OWL}}}versionInfo"]
        iri = ontology.find(f"{{{_OWL}}}versionIRI")
        if info:
            version = _pick(info) or None
        elif iri is not None and _literal(iri).strip():
            stated = _literal(iri).strip()
            last = stated.rstrip("/").rsplit("/", 1)[-1]
            version = last if re.search(r"\d", last) else stated
        break

    records: list[tuple[BctoEntry, str]] = []
    seen: set[str] = set()
    about = f"{{{_RDF}}}about"
    for element in root.iter(f"{{{_OWL}}}Class"):
        iri = element.get(about)
        labels = [e for e in element if e.tag == f"{{{_RDFS}}}label"]
        if not iri or not labels:
            continue
        explicit = [e for e in element if e.tag == f"{{{_OBOINOWL}}}id"]
        class_id = _pick(explicit) if explicit else _curie(iri)
        if class_id in seen:
            continue
        seen.add(class_id)
        definitions = [e for e in element if e.tag == _DEFINITION_TAG]
        xrefs = [_literal(e) for e in element if e.tag in _XREF_TAGS]
        entry = BctoEntry(class_id, _pick(labels), _pick(definitions))
        records.append((entry, "\n".join(xrefs)))
    if not records:
        raise InputError("no labelled owl:Class found; is this an OWL (RDF/XML) file?",
                         source=source)
    return version, records
