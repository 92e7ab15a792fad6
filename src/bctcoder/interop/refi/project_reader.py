"""Reading REFI-QDA project files (``.qdpx`` zips and bare ``.qde`` XML) into plain data.

Pure: reads files, never touches a database. Strictly valid files are read as
the schema says; what real tools write is tolerated too: an inner ``.qde`` of
any name, any (or no) XML namespace, braced or unbraced GUIDs in any case,
source texts embedded or at ``internal://``, ``relative://``, ``absolute://``
or plain paths (outside the zip, only inside a sources folder the caller names), UTF-8 with
or without BOM (lines that are not UTF-8 read as cp1252; UTF-16),
missing optional attributes. A file that cannot be read at all (not a zip,
not XML, not a REFI project, a source text that is missing) raises
:class:`bctcoder.errors.InputError` naming the file; smaller problems are
recorded on the returned :class:`RefiProject` (``skipped``/``warnings``).
"""

from __future__ import annotations

import codecs
import posixpath
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from lxml import etree

from bctcoder.corpus.safe_archive import MAX_MEMBER_BYTES, MAX_TEXT_FILE_BYTES, SafeArchive, read_bounded_file, xml_root
from bctcoder.corpus.textnorm import decode_utf8_or_cp1252_lines, repaired_lines_note
from bctcoder.errors import InputError
from bctcoder.interop.refi.guids import normalise_guid
from bctcoder.interop.refi.project_model import (
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiLink,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSet,
    RefiSource,
    RefiUser,
    RefiValue,
    RefiVariable,
)

__all__ = ["read_refi_project", "parse_guid"]

_SOURCE_KINDS = ("TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource")
_VALUE_KINDS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


def parse_guid(text: str | None) -> str | None:
    """A GUID in canonical form (lower case, no braces); a malformed but non-empty id is kept, lower-cased."""
    if text is None or not text.strip():
        return None
    return normalise_guid(text) or text.strip().strip("{}").lower()


def _local(element) -> str | None:
    return etree.QName(element).localname if isinstance(element.tag, str) else None


def _kids(element, name: str) -> list:
    return [child for child in element if _local(child) == name]


def _kid(element, name: str):
    found = _kids(element, name)
    return found[0] if found else None


def _attr(element, name: str) -> str | None:
    value = element.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in element.attrib.items():
            if etree.QName(key).localname.lower() == lowered:
                return candidate
    return value


def _child_text(element, name: str) -> str | None:
    child = _kid(element, name)
    if child is None:
        return None
    text = "".join(child.itertext())
    return text if text.strip() else None


def _refs(element, name: str) -> list[str]:
    return [g for g in (parse_guid(_attr(ref, "targetGUID")) for ref in _kids(element, name)) if g]


def _datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _decode(data: bytes, item: str, project: RefiProject) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    text, repaired = decode_utf8_or_cp1252_lines(data, strict=False)
    if repaired:
        project.warn(item, f"text: {repaired_lines_note(repaired)}")
    return text


def _inside(path: str) -> str | None:
    """``path`` as a normalised name inside an archive (``/`` separators), or None when it would leave it."""
    flat = path.replace("\\", "/")
    if not flat or flat.startswith("/") or (len(flat) > 1 and flat[1] == ":"):
        return None
    name = posixpath.normpath(flat)
    if name == ".." or name.startswith("../") or name == ".":
        return None
    return name


def _within(candidate: Path, folder: Path) -> bool:
    """True when ``candidate``, symbolic links resolved, lies inside ``folder`` (resolved too)."""
    try:
        return candidate.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


class _Files:
    """Finds the files a project refers to, never outside the places the user chose.

    ``internal://`` names a file inside the ``.qdpx`` zip (for a bare ``.qde``: inside its folder);
    ``relative://``, ``absolute://`` and plain paths are looked up in the zip by name and otherwise read
    from disk only inside ``sources_dir`` (for a bare ``.qde`` by default its folder), symbolic links
    resolved. A path that leaves those places raises :class:`InputError` naming the item.
    """

    def __init__(self, archive: SafeArchive | None, folder: Path, base_path: str | None, sources_dir: Path | None,
                 source: str):
        self.archive = archive
        self.folder = folder
        self.source = source
        self.sources_dir = sources_dir if sources_dir is not None or archive is not None else folder
        self.base = Path(base_path.split("://", 1)[-1]) if base_path else None
        self.members: dict[str, str] = {}
        if archive is not None:
            for name in archive.names:
                self.members.setdefault(name.replace("\\", "/").lower(), name)

    def _member(self, name: str) -> bytes | None:
        if self.archive is None:
            return None
        key = name.lower()
        real = self.members.get(key)
        if real is None:  # the same file name anywhere in the zip, when unambiguous
            base = PurePosixPath(key).name
            matches = [v for k, v in self.members.items() if PurePosixPath(k).name == base]
            real = matches[0] if len(matches) == 1 else None
        return self.archive.read(real) if real is not None else None

    def _disk(self, candidates: list[Path], folder: Path, item: str, ref: str) -> bytes | None:
        """The first existing candidate inside ``folder``; refuses one that exists outside it."""
        outside = False
        for candidate in candidates:
            try:
                exists = candidate.is_file()
            except (OSError, ValueError):
                continue
            if not exists:
                continue
            if not _within(candidate, folder):
                outside = True
                continue
            try:
                return read_bounded_file(candidate, source=self.source, limit=MAX_TEXT_FILE_BYTES)
            except (OSError, ValueError):
                continue
        if outside:
            raise InputError(f"{item}: its text file {ref!r} lies outside {folder}; refused (copy it into the "
                             "sources folder)", source=self.source)
        return None

    def read(self, ref: str, item: str) -> bytes | None:
        """The bytes of a referenced file, or None when it cannot be found where we may look."""
        scheme, sep, rest = ref.partition("://")
        if not sep:
            scheme, rest = "", ref
        scheme = scheme.lower()
        if scheme == "internal":
            name = _inside(rest)
            if name is None:
                raise InputError(f"{item}: its text path {ref!r} points outside the project file; refused",
                                 source=self.source)
            if self.archive is not None:
                for candidate in (f"sources/{name}", name):
                    data = self._member(candidate)
                    if data is not None:
                        return data
                return None
            return self._disk([self.folder / "sources" / name, self.folder / name], self.folder, item, ref)
        if scheme in ("absolute", "file"):
            rest = rest.lstrip("/") if len(rest) > 2 and rest[2:3] == ":" else rest
            file_name = PurePosixPath(rest.replace("\\", "/")).name
            data = self._member(f"sources/{file_name}") if file_name else None
            disk = [Path(rest)] + ([self.sources_dir / file_name] if self.sources_dir and file_name else [])
        else:  # relative:// or no scheme
            name = _inside(rest)
            data = None
            if name is not None:
                data = self._member(name) or self._member(f"sources/{name}")
            disk = []
            if self.sources_dir is not None:
                disk = [self.sources_dir / rest, self.sources_dir / "sources" / rest]
                if self.base is not None:
                    disk.append(self.base / rest)
        if data is not None:
            return data
        if self.sources_dir is None:
            raise _NeedsSourcesDir(ref)
        return self._disk(disk, self.sources_dir, item, ref)


class _NeedsSourcesDir(Exception):
    """A source outside the archive, with no sources folder to look in."""

    def __init__(self, ref: str):
        super().__init__(ref)
        self.ref = ref


def _open_xml(path: Path, sources_dir: Path | None) -> tuple[bytes, str, SafeArchive | None]:
    """The project XML bytes, a label for messages, and the open zip (or None for a bare .qde)."""
    source = str(path)
    if not path.is_file():
        raise InputError("no such file", source=source)
    if sources_dir is not None and not sources_dir.is_dir():
        raise InputError("the sources folder does not exist", source=str(sources_dir))
    with path.open("rb") as handle:
        head = handle.read(4)
    if not head.startswith(b"PK"):
        return read_bounded_file(path, limit=MAX_MEMBER_BYTES), source, None
    archive = SafeArchive(path, what=".qdpx file")
    try:
        names = [n for n in archive.names if n.lower().endswith(".qde") and not n.startswith("__MACOSX")]
        if not names:
            raise InputError("no .qde project file inside this .qdpx zip", source=source)
        if len(names) > 1:
            preferred = [n for n in names if PurePosixPath(n).name.lower() == "project.qde"]
            if len(preferred) != 1:
                raise InputError(f"several .qde files inside the zip ({', '.join(sorted(names))})", source=source)
            names = preferred
        return archive.read(names[0]), f"{source} ({names[0]})", archive
    except BaseException:
        archive.close()
        raise


def _parse(data: bytes, label: str, source: str):
    root = xml_root(data, what=f"not a REFI-QDA project: XML error in {label}", source=source, remove_comments=True)
    if _local(root) != "Project":
        raise InputError(f"not a REFI-QDA project: the root element of {label} is not <Project>", source=source)
    return root


def _code(element) -> RefiCode | None:
    guid = parse_guid(_attr(element, "guid"))
    name = (_attr(element, "name") or "").strip()
    if guid is None:
        return None
    codable = (_attr(element, "isCodable") or "true").strip().lower() not in ("false", "0")
    code = RefiCode(guid=guid, name=name, codable=codable, colour=_attr(element, "color"),
                    description=_child_text(element, "Description"), note_guids=_refs(element, "NoteRef"))
    code.children = [c for c in (_code(child) for child in _kids(element, "Code")) if c is not None]
    return code


def _values(element) -> list[RefiValue]:
    values = []
    for node in _kids(element, "VariableValue"):
        ref = _kid(node, "VariableRef")
        variable = parse_guid(_attr(ref, "targetGUID")) if ref is not None else None
        kind = text = None
        for child in node:
            if _local(child) in _VALUE_KINDS:
                kind, text = _local(child), "".join(child.itertext())
                break
        values.append(RefiValue(variable, kind, text))
    return values


def _coding(element) -> RefiCoding:
    ref = _kid(element, "CodeRef")
    code = parse_guid(_attr(ref, "targetGUID")) if ref is not None else None
    return RefiCoding(guid=parse_guid(_attr(element, "guid")), code_guid=code,
                      user_guid=parse_guid(_attr(element, "creatingUser")),
                      created=_datetime(_attr(element, "creationDateTime")), note_guids=_refs(element, "NoteRef"))


def _selection(element, project: RefiProject, where: str) -> RefiSelection | None:
    start_text, end_text = _attr(element, "startPosition"), _attr(element, "endPosition")
    try:
        if start_text is None or end_text is None:
            raise TypeError("missing position")
        start, end = int(start_text), int(end_text)
    except (TypeError, ValueError):
        project.skip(where, "selection without whole-number startPosition/endPosition")
        return None
    return RefiSelection(
        guid=parse_guid(_attr(element, "guid")), start=start, end=end,
        user_guid=parse_guid(_attr(element, "creatingUser")),
        created=_datetime(_attr(element, "creationDateTime")),
        modified=_datetime(_attr(element, "modifiedDateTime")),
        description=_child_text(element, "Description"), note_guids=_refs(element, "NoteRef"),
        codings=[_coding(c) for c in _kids(element, "Coding")],
    )


def _text_of(element, files: _Files, project: RefiProject, item: str, *, required: bool, source: str):
    """(text, location) of a TextSource-like element; raises for a missing file when ``required``."""
    content = _kid(element, "PlainTextContent")
    if content is not None:
        return "".join(content.itertext()), "embedded"
    ref = _attr(element, "plainTextPath")
    if not ref:
        return None, None
    try:
        data = files.read(ref, item)
    except _NeedsSourcesDir:
        if not required:
            project.skip(item, f"text file {ref!r} is outside the project file (pass --sources-dir to read it)")
            return None, None
        raise InputError(f"{item}: its text {ref!r} is not inside the project file; to read it from disk, "
                         "pass --sources-dir DIR naming the folder that holds it", source=source) from None
    if data is None:
        if required:
            raise InputError(f"{item}: its text file {ref!r} is missing", source=source)
        project.skip(item, f"text file {ref!r} is missing")
        return None, None
    return _decode(data, item, project), ref


def _source(element, files: _Files, project: RefiProject, source: str) -> RefiSource | None:
    kind = _local(element)
    assert kind is not None  # callers pass only elements whose local name is in _SOURCE_KINDS
    guid = parse_guid(_attr(element, "guid"))
    name = _attr(element, "name")
    item = f"source {name or guid!r}"
    if guid is None:
        project.skip(item, "source without a guid")
        return None
    result = RefiSource(guid=guid, name=name, kind=kind, description=_child_text(element, "Description"),
                        note_guids=_refs(element, "NoteRef"), values=_values(element),
                        user_guid=parse_guid(_attr(element, "creatingUser")),
                        created=_datetime(_attr(element, "creationDateTime")))
    result.codings = [_coding(c) for c in _kids(element, "Coding")]
    if kind != "TextSource":
        result.unavailable = f"{kind} sources are not supported (only plain text)"
        return result
    result.raw_text, result.location = _text_of(element, files, project, item, required=True, source=source)
    if result.raw_text is None:
        result.unavailable = "no plain text (neither PlainTextContent nor plainTextPath)"
    result.selections = [s for s in (_selection(e, project, item) for e in _kids(element, "PlainTextSelection"))
                         if s is not None]
    return result


def _read_root(root, files: _Files, project: RefiProject, source: str) -> None:
    users = _kid(root, "Users")
    for node in _kids(users, "User") if users is not None else []:
        guid = parse_guid(_attr(node, "guid"))
        if guid is not None:
            name = (_attr(node, "name") or _attr(node, "id") or "").strip() or f"user {guid}"
            project.users.append(RefiUser(guid, name))
    book = _kid(root, "CodeBook")
    codes = _kid(book, "Codes") if book is not None else _kid(root, "Codes")
    if codes is not None:
        project.codes = [c for c in (_code(node) for node in _kids(codes, "Code")) if c is not None]
    variables = _kid(root, "Variables")
    for node in _kids(variables, "Variable") if variables is not None else []:
        guid = parse_guid(_attr(node, "guid"))
        if guid is not None:
            project.variables.append(RefiVariable(guid, (_attr(node, "name") or "").strip() or f"variable {guid}",
                                                  (_attr(node, "typeOfVariable") or "Text").strip(),
                                                  _child_text(node, "Description")))
    cases = _kid(root, "Cases")
    for node in _kids(cases, "Case") if cases is not None else []:
        guid = parse_guid(_attr(node, "guid"))
        if guid is None:
            project.skip(f"case {_attr(node, 'name')!r}", "case without a guid")
            continue
        project.cases.append(RefiCase(guid, _attr(node, "name"), _child_text(node, "Description"), _values(node),
                                      _refs(node, "SourceRef"), _refs(node, "CodeRef")))
    sources = _kid(root, "Sources")
    for node in sources if sources is not None else []:
        if _local(node) in _SOURCE_KINDS:
            found = _source(node, files, project, source)
            if found is not None:
                project.sources.append(found)
    notes = _kid(root, "Notes")
    for node in _kids(notes, "Note") if notes is not None else []:
        guid = parse_guid(_attr(node, "guid"))
        item = f"note {_attr(node, 'name') or guid!r}"
        text, _ = _text_of(node, files, project, item, required=False, source=source)
        if guid is not None and text is not None:
            project.notes.append(RefiNote(guid, _attr(node, "name"), text, parse_guid(_attr(node, "creatingUser"))))
    links = _kid(root, "Links")
    for node in _kids(links, "Link") if links is not None else []:
        project.links.append(RefiLink(parse_guid(_attr(node, "guid")), _attr(node, "name"),
                                      parse_guid(_attr(node, "originGUID")), parse_guid(_attr(node, "targetGUID"))))
    sets = _kid(root, "Sets")
    for node in _kids(sets, "Set") if sets is not None else []:
        project.sets.append(RefiSet(parse_guid(_attr(node, "guid")), (_attr(node, "name") or "").strip(),
                                    _child_text(node, "Description"), _refs(node, "MemberSource"),
                                    _refs(node, "MemberCode"), _refs(node, "MemberNote")))


def read_refi_project(path: str | Path, *, sources_dir: str | Path | None = None) -> RefiProject:
    """Read a ``.qdpx`` (zip with a ``.qde`` of any name) or a bare ``.qde`` file, with every source text.

    Source texts come from inside the zip; texts stored elsewhere (``absolute://``, ``relative://``) are
    read from disk only inside ``sources_dir`` (for a bare ``.qde``, by default its own folder). The zip
    and the XML are read within the bounds of :mod:`bctcoder.corpus.safe_archive`.

    Raises :class:`InputError` naming the file when it is not a readable REFI-QDA project, a referenced
    source text is missing or lies outside the places we may read, and :class:`LimitError` past a bound.
    """
    path = Path(path)
    source = str(path)
    folder = Path(sources_dir) if sources_dir is not None else None
    data, label, archive = _open_xml(path, folder)
    try:
        root = _parse(data, label, source)
        project = RefiProject(file=source, name=_attr(root, "name"), origin=_attr(root, "origin"))
        files = _Files(archive, path.parent, _attr(root, "basePath"), folder, source)
        _read_root(root, files, project, source)
        return project
    finally:
        if archive is not None:
            archive.close()
