"""Reading zip archives and XML that a user hands us, within fixed bounds.

Every zip bctcoder reads (``.docx``, ``.odt``, ``.qdpx``, the BCTO ``.xlsx``) goes through
:class:`SafeArchive`, and every XML document from a user's file through :func:`xml_root`. A hostile or
broken file ends in one :class:`bctcoder.errors.InputError` (a :class:`LimitError` when a bound is
passed) naming the file, never in a traceback, gigabytes of memory or minutes of work:

* member names must stay inside the archive (no absolute names, drive letters or ``..``);
* at most :data:`MAX_MEMBERS` members;
* a member may expand to at most :data:`MAX_MEMBER_BYTES`, and all members read from one archive to
  :data:`MAX_TOTAL_BYTES` together;
* above :data:`RATIO_FLOOR_BYTES`, a member may expand to at most :data:`MAX_COMPRESSION_RATIO` times
  its compressed size.

The sizes a zip declares are checked first (a bomb that says what it is fails at once), then members
are decompressed in chunks of :data:`CHUNK_BYTES` and the real sizes counted, so a member that lies
about its size is stopped at the bound too.

XML is parsed by lxml without entity substitution, network access or the huge-tree option, so libxml2
keeps its own bounds (element depth at most :data:`MAX_XML_DEPTH`, text nodes at most 10 MB, entity
amplification); a document whose DOCTYPE declares entities is refused.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from lxml import etree

from bctcoder.errors import InputError, LimitError

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_LIMITS",
    "MAX_COMPRESSION_RATIO",
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "MAX_TEXT_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_XML_DEPTH",
    "RATIO_FLOOR_BYTES",
    "ArchiveLimits",
    "SafeArchive",
    "read_bounded_file",
    "xml_root",
]

MiB = 1024 * 1024

MAX_MEMBERS = 10_000
"""Members (files and folders) one archive may hold."""
MAX_MEMBER_BYTES = 256 * MiB
"""Uncompressed size of one member."""
MAX_TOTAL_BYTES = 1024 * MiB
"""Uncompressed bytes read from one archive, all members together."""
MAX_COMPRESSION_RATIO = 200
"""Uncompressed size / compressed size of a member larger than :data:`RATIO_FLOOR_BYTES`."""
RATIO_FLOOR_BYTES = 4 * MiB
"""A member may expand to this size whatever its compression ratio."""
CHUNK_BYTES = 64 * 1024
"""Members are decompressed this many bytes at a time."""
MAX_TEXT_FILE_BYTES = 64 * MiB
"""A plain-text file (a transcript, a bare ``.qde``, a source text on disk)."""
MAX_XML_DEPTH = 256
"""Element nesting libxml2 accepts without the huge-tree option (documented here, enforced by libxml2)."""

# What zipfile and zlib raise for a damaged, truncated, encrypted or exotic archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
               RuntimeError, NotImplementedError, struct.error, IndexError, OverflowError)
_ENTITY_MARK = b"<!ENTITY"
_XML_SUFFIXES = (".xml", ".rels", ".qde", ".qdc")


@dataclass(frozen=True)
class ArchiveLimits:
    """The bounds one archive is read under (the module's constants unless a caller narrows them)."""

    members: int = MAX_MEMBERS
    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_COMPRESSION_RATIO
    ratio_floor: int = RATIO_FLOOR_BYTES


DEFAULT_LIMITS = ArchiveLimits()


def _size(n: int) -> str:
    return f"{n / MiB:,.0f} MB" if n >= MiB else f"{n:,} bytes"


def _unsafe_name(name: str) -> bool:
    """True for a member name that would leave the archive (absolute, a drive, ``..``), empty or with a NUL."""
    flat = name.replace("\\", "/")
    if not flat or "\x00" in flat or flat.startswith("/") or (len(flat) > 1 and flat[1] == ":"):
        return True
    return ".." in PurePosixPath(flat).parts


class SafeArchive:
    """A zip opened for bounded reading; use as a context manager.

    ``what`` names the kind of file in messages (``".docx file"``); damage is reported as ``error``
    (an :class:`InputError` subclass) with ``{invalid} (...)`` (default ``not a valid {what}``),
    passed bounds as :class:`LimitError`. Both name ``source`` (default: the path).
    """

    def __init__(self, file: str | Path | bytes, *, what: str, source: str | None = None,
                 error: type[InputError] = InputError, limits: ArchiveLimits | None = None,
                 invalid: str | None = None):
        self.what = what
        self.invalid = invalid or f"not a valid {what}"
        self.source = source if source is not None else str(file)
        self.error = error
        self.limits = limits or DEFAULT_LIMITS
        self.total = 0
        handle: str | Path | BinaryIO = io.BytesIO(file) if isinstance(file, bytes) else file
        try:
            self.zip = zipfile.ZipFile(handle)
        except _ZIP_ERRORS as exc:
            raise self.damaged(exc) from None
        try:
            self._check_directory()
        except BaseException:
            self.zip.close()
            raise

    def damaged(self, exc: BaseException | str) -> InputError:
        """The error for a file that cannot be read as a zip."""
        if isinstance(exc, zipfile.BadZipFile) and str(exc) == "File is not a zip file":
            detail = "not a zip archive"
        elif isinstance(exc, RuntimeError) and "encrypted" in str(exc):
            detail = "the archive is encrypted"
        else:
            detail = f"damaged zip archive: {exc}" if str(exc) else f"damaged zip archive ({type(exc).__name__})"
        return self.error(f"{self.invalid} ({detail})", source=self.source)

    def _limit(self, message: str) -> LimitError:
        return LimitError(f"{self.what} refused: {message}", source=self.source)

    def _check_directory(self) -> None:
        infos = self.zip.infolist()
        if len(infos) > self.limits.members:
            raise self._limit(f"it holds {len(infos):,} files, more than the {self.limits.members:,} accepted")
        for info in infos:
            if _unsafe_name(info.filename):
                raise self.error(f"{self.invalid} (member name {info.filename!r} is empty or points "
                                 "outside the archive)", source=self.source)
        self.infos = {info.filename: info for info in infos}
        self.names = [info.filename for info in infos if not info.is_dir()]

    def _check_declared(self, info: zipfile.ZipInfo) -> None:
        if info.file_size > self.limits.member_bytes:
            raise self._limit(f"{info.filename!r} expands to {_size(info.file_size)}, more than the "
                              f"{_size(self.limits.member_bytes)} accepted for one file")
        if info.file_size > self.limits.ratio_floor and info.file_size > self.limits.ratio * max(info.compress_size, 1):
            raise self._limit(f"{info.filename!r} expands {info.file_size // max(info.compress_size, 1):,} times "
                              f"(more than {self.limits.ratio}); it looks like a zip bomb")

    def _stream(self, name: str, keep: bool) -> bytes:
        """Decompress member ``name`` chunk by chunk within the bounds; its bytes when ``keep``."""
        info = self.infos.get(name)
        if info is None:
            raise self.error(f"{self.invalid} (no {name!r} inside)", source=self.source)
        self._check_declared(info)
        ratio_cap = max(self.limits.ratio_floor, self.limits.ratio * max(info.compress_size, 1))
        cap = min(self.limits.member_bytes, ratio_cap)
        parts: list[bytes] = []
        size = 0
        tail = b""
        try:
            with self.zip.open(info) as member:
                while chunk := member.read(CHUNK_BYTES):
                    size += len(chunk)
                    self.total += len(chunk)
                    if size > cap:
                        why = ("more than the " + _size(self.limits.member_bytes) + " accepted for one file"
                               if cap == self.limits.member_bytes else
                               f"more than {self.limits.ratio} times its compressed size; it looks like a zip bomb")
                        raise self._limit(f"{name!r} expands to {why}")
                    if self.total > self.limits.total_bytes:
                        raise self._limit(f"its files expand to more than {_size(self.limits.total_bytes)} together")
                    if name.lower().endswith(_XML_SUFFIXES) and _ENTITY_MARK in tail + chunk:
                        raise self.error(f"{self.invalid} ({name!r} declares XML entities, which are "
                                         "refused)", source=self.source)
                    tail = chunk[-len(_ENTITY_MARK):]
                    if keep:
                        parts.append(chunk)
        except _ZIP_ERRORS as exc:
            raise self.damaged(exc) from None
        return b"".join(parts)

    def read(self, name: str) -> bytes:
        """The bytes of member ``name`` (exact name, as in :attr:`names`)."""
        return self._stream(name, keep=True)

    def verify_all(self) -> None:
        """Decompress every member (discarding the bytes) to prove the archive stays within the bounds.

        For archives handed whole to another library (python-docx, openpyxl) that reads them itself.
        """
        declared = sum(info.file_size for info in self.infos.values())
        if declared > self.limits.total_bytes:
            raise self._limit(f"its files expand to {_size(declared)} together, more than the "
                              f"{_size(self.limits.total_bytes)} accepted")
        for name in self.names:
            self._stream(name, keep=False)

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_bounded_file(path: Path, *, source: str | None = None, limit: int = MAX_TEXT_FILE_BYTES) -> bytes:
    """The bytes of a plain file, refused with :class:`LimitError` when it is larger than ``limit``.

    ``OSError`` (missing, unreadable) is left to the caller, who knows how to word it.
    """
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise LimitError(f"the file is larger than the {_size(limit)} accepted", source=source or str(path))
    return data


def xml_root(data: bytes, *, what: str, source: str, error: type[InputError] = InputError,
             remove_comments: bool = False) -> etree._Element:
    """Parse ``data`` safely and return its root element.

    Raises ``error`` naming ``source`` (``"{what}: {problem}"``, with the XML line when known) for XML
    that is not well-formed, passes libxml2's bounds (depth, text size, entity amplification) or whose
    DOCTYPE declares entities.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             remove_comments=remove_comments, remove_pis=remove_comments)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise error(f"{what}: {' '.join(str(exc.msg).split())}", source=source, line=exc.lineno or None) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise error(f"{what}: cannot parse ({' '.join(str(exc).split())})", source=source) from None
    if root is None:
        raise error(f"{what}: no XML document", source=source)
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise error(f"{what}: the document declares XML entities (<!ENTITY>), which are refused", source=source)
    return root
