"""Hostile and malformed input files, written on demand into a test's folder (no binary file is committed).

Every writer takes the path to write and returns it. :func:`write_raw_zip` writes a zip by hand, so a
test can make one that lies (declared sizes, flags, methods, names) in ways :mod:`zipfile` refuses to
write. :func:`hostile_zip` turns the members of a valid package (docx, odt, qdpx) into one of
:data:`ZIP_CASES`; each format's own malformations are in its test module.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
BOMB_MIB = 300  # a bomb member expands to this many MiB of zeros (about 300 KB compressed)

_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01


@dataclass(frozen=True)
class RawMember:
    """One member as stored: ``payload`` is written as is; ``size`` and ``crc`` are what the headers say."""

    name: str
    payload: bytes
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def deflated(name: str, data: bytes) -> RawMember:
    """An honest deflated member."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return RawMember(name, compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data))


@lru_cache(maxsize=4)
def zeros_stream(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros, built from one repeated self-contained segment (fast)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return segment * mib + b"\x03\x00"  # an empty final block ends the stream


def zeros_member(name: str, mib: int, declared: int | None = None) -> RawMember:
    """A member of ``mib`` MiB of zeros that declares ``declared`` bytes (default: the truth)."""
    return RawMember(name, zeros_stream(mib), mib * MiB if declared is None else declared, 0)


def write_raw_zip(path: Path, members: list[RawMember]) -> Path:
    """Write ``members`` as a zip archive exactly as described (no checks)."""
    out = io.BytesIO()
    central = []
    for member in members:
        name = member.name.encode("utf-8")
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", 20, member.flags | 0x800, member.method, 0,
                              _DOS_DATE, member.crc, len(member.payload), member.size, len(name), 0))
        out.write(name)
        out.write(member.payload)
        central.append(struct.pack("<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 20, 20, member.flags | 0x800,
                                   member.method, 0, _DOS_DATE, member.crc, len(member.payload), member.size,
                                   len(name), 0, 0, 0, 0, 0o644 << 16, offset) + name)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    path.write_bytes(out.getvalue())
    return path


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """An ordinary zip of ``members`` (name → bytes)."""
    return write_raw_zip(path, [deflated(name, data) for name, data in members.items()])


# -- the valid packages the hostile ones are made from ---------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@lru_cache(maxsize=1)
def _python_docx_members() -> tuple[tuple[str, bytes], ...]:
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: How was it?")
    document.add_paragraph("P04: Fine.")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return tuple((name, archive.read(name)) for name in archive.namelist())


def docx_members(body: str | None = None) -> dict[str, bytes]:
    """A docx made by python-docx; with ``body``, ``word/document.xml`` holds it as the body's content."""
    members = dict(_python_docx_members())
    if body is not None:
        members["word/document.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>').encode("utf-8")
    return members


ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:text>{paragraphs}</office:text></office:body></office:document-content>
"""


def odt_members(paragraphs: str = "<text:p>Interviewer: How was it?</text:p><text:p>P04: Fine.</text:p>"
                ) -> dict[str, bytes]:
    """A minimal .odt: ``mimetype`` and ``content.xml`` with ``paragraphs``."""
    return {"mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": ODT_CONTENT.format(paragraphs=paragraphs).encode("utf-8")}


SOURCE_GUID = "aaaaaaaa-1111-4111-8111-111111111111"
CODE_GUID = "bbbbbbbb-1111-4111-8111-111111111111"
SOURCE_TEXT = "Interviewer: How was it?\nP04: I set a goal to walk daily."


def qde(path_attr: str = f"internal://{SOURCE_GUID}.txt", start: int = 30, end: int = 34,
        extra: str = "") -> bytes:
    """A small REFI-QDA project: one code, one text source at ``path_attr``, one coded selection."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="hostile">{extra}
  <CodeBook><Codes><Code guid="{CODE_GUID}" name="Goal" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{SOURCE_GUID}" name="P04" plainTextPath="{path_attr}">
    <PlainTextSelection guid="cccccccc-1111-4111-8111-111111111111" startPosition="{start}" endPosition="{end}">
      <Coding guid="dddddddd-1111-4111-8111-111111111111"><CodeRef targetGUID="{CODE_GUID}"/></Coding>
    </PlainTextSelection></TextSource></Sources>
</Project>
""".encode("utf-8")


def qdpx_members(path_attr: str = f"internal://{SOURCE_GUID}.txt", **kwargs) -> dict[str, bytes]:
    """A .qdpx with :func:`qde` and its source text under ``sources/``."""
    return {"project.qde": qde(path_attr, **kwargs), f"sources/{SOURCE_GUID}.txt": SOURCE_TEXT.encode("utf-8")}


# -- XML that attacks the parser ---------------------------------------------------------------------------

def billion_laughs(root: str = "lolz") -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]><{root}>&lol9;</{root}>'.encode()


def external_entity(secret: Path, root: str = "x") -> bytes:
    return f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY e SYSTEM "file://{secret}">]><{root}>&e;</{root}>'.encode()


def deep_xml(depth: int = 5000) -> bytes:
    return b"<a>" * depth + b"</a>" * depth


# -- the zip-level cases, for any package ------------------------------------------------------------------

def _with(members: dict[str, bytes], main: str, member: RawMember) -> list[RawMember]:
    return [member if name == main else deflated(name, data) for name, data in members.items()]


def _truncated(path: Path, members: dict[str, bytes], main: str) -> None:
    write_zip(path, members)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


ZIP_CASES: dict[str, Callable[[Path, dict[str, bytes], str], object]] = {
    "empty file": lambda p, m, main: p.write_bytes(b""),
    "binary junk": lambda p, m, main: p.write_bytes(bytes(range(256)) * 64),
    "junk after a zip signature": lambda p, m, main: p.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100),
    "truncated zip": _truncated,
    "bomb declaring its size": lambda p, m, main: write_raw_zip(p, _with(m, main, zeros_member(main, BOMB_MIB))),
    "bomb declaring a small size": lambda p, m, main: write_raw_zip(
        p, _with(m, main, zeros_member(main, BOMB_MIB, declared=MiB))),
    "compression ratio over the limit": lambda p, m, main: write_raw_zip(p, _with(m, main, zeros_member(main, 8))),
    "too many members": lambda p, m, main: write_raw_zip(
        p, [deflated(n, d) for n, d in m.items()]
        + [RawMember(f"pad/{i}.txt", b"", 0, 0, zipfile.ZIP_STORED) for i in range(10_001)]),
    "member name with ..": lambda p, m, main: write_zip(p, {**m, "../../evil.txt": b"x"}),
    "absolute member name": lambda p, m, main: write_zip(p, {**m, "/etc/cron.d/evil": b"x"}),
    "windows drive member name": lambda p, m, main: write_zip(p, {**m, "C:\\Windows\\evil.txt": b"x"}),
    "encrypted member": lambda p, m, main: write_raw_zip(p, _with(m, main, RawMember(
        main, m[main], len(m[main]), zlib.crc32(m[main]), zipfile.ZIP_STORED, flags=1))),
    "unknown compression method": lambda p, m, main: write_raw_zip(p, _with(m, main, RawMember(
        main, m[main], len(m[main]), zlib.crc32(m[main]), method=99))),
    "bad checksum": lambda p, m, main: write_raw_zip(p, _with(m, main, RawMember(
        main, m[main], len(m[main]), zlib.crc32(m[main]) ^ 1, zipfile.ZIP_STORED))),
    "main part missing": lambda p, m, main: write_zip(p, {n: d for n, d in m.items() if n != main}),
    "main part not XML": lambda p, m, main: write_zip(p, {**m, main: b"\x00\x01\x02 not xml \xff"}),
    "billion laughs": lambda p, m, main: write_zip(p, {**m, main: billion_laughs()}),
    "deeply nested XML": lambda p, m, main: write_zip(p, {**m, main: deep_xml()}),
    "XML declared UTF-8 but cp1252": lambda p, m, main: write_zip(
        p, {**m, main: m[main].replace(b"?>", "?><!-- Café – how? -->".encode("cp1252"), 1)}),
}


def hostile_zip(path: Path, case: str, members: dict[str, bytes], main: str) -> Path:
    """Write the zip-level hostile ``case`` (a key of :data:`ZIP_CASES`) built from a valid package."""
    ZIP_CASES[case](path, members, main)
    return path


def external_entity_zip(path: Path, members: dict[str, bytes], main: str, secret: Path) -> Path:
    """The package with its main part replaced by XML that pulls in ``secret`` through an entity."""
    return write_zip(path, {**members, main: external_entity(secret)})


# -- the one check every hostile-input test makes ---------------------------------------------------------

SECRET = "TOP SECRET private key"


def project_state(project: Any) -> tuple:
    """What a refused import must leave as it was: the counts, the event log and every document's text."""
    from sqlalchemy import select

    from bctcoder.store.models import Document

    with project.reading() as s:
        texts = sorted(s.scalars(select(Document.text)))
    return project.info(), len(project.events()), texts


def assert_refused(project: Any, path: Any, call: Callable[[], Any], error: type[BaseException]) -> BaseException:
    """``call()`` must fail with ``error`` quickly, in one line naming ``path`` and never quoting a secret,
    leaving ``project`` exactly as it was; returns the error."""
    import time

    import pytest

    before = project_state(project)
    started = time.perf_counter()
    with pytest.raises(error) as caught:
        call()
    assert time.perf_counter() - started < 5, "a hostile file must be refused quickly"
    message = str(caught.value)
    assert str(path) in message and "\n" not in message and "\r" not in message and SECRET not in message
    assert project_state(project) == before
    return caught.value
