"""Decoding transcript bytes and normalising text to the canonical form."""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from bctcoder.errors import TranscriptError

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def normalize_text(text: str) -> str:
    """Return ``text`` in canonical form.

    The BOM is removed, CRLF and lone CR become LF, trailing whitespace is
    stripped from every line and trailing blank lines are dropped.  Leading
    blank lines and leading indentation are kept.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


class MixedDecoding(NamedTuple):
    """Text decoded line by line, and the 1-based numbers of the lines read as Windows-1252."""

    text: str
    cp1252_lines: list[int]


class UndecodableLine(ValueError):
    """A line that is neither UTF-8 nor Windows-1252 (it holds a byte cp1252 leaves undefined)."""

    def __init__(self, line: int):
        super().__init__(f"line {line} is neither UTF-8 nor Windows-1252")
        self.line = line


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Windows-1252 (strictly)."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start:error.end].decode("cp1252"), error.end


def _cp1252_bytes_or_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start:error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error("bctcoder-cp1252", _cp1252_bytes)
codecs.register_error("bctcoder-cp1252-replace", _cp1252_bytes_or_replace)


_LONG_UTF8 = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _has_long_utf8_character(line: bytes) -> bool:
    """True when ``line`` holds a valid UTF-8 character of three or four bytes."""
    for match in _LONG_UTF8.finditer(line):
        try:
            match.group().decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def decode_utf8_or_cp1252_lines(data: bytes, *, strict: bool = True) -> MixedDecoding:
    """Decode ``data`` as UTF-8 line by line, reading the lines that are not UTF-8 as Windows-1252.

    A file saved as UTF-8 with one pasted Word apostrophe (byte 0x92) or a Latin-1 ``caf\\xe9`` is
    read as the participant wrote it rather than as mojibake, and a file entirely in cp1252 reads as
    before. The UTF-8 characters of a repaired line are kept, and only its stray bytes read as cp1252,
    when the file shows it is UTF-8: another line holds non-ASCII UTF-8, or the line itself holds a
    UTF-8 character of three or four bytes (``–``, ``’``, ``€``, emoji, which cp1252 text would only
    hold as mojibake such as ``â€“``). Otherwise a repaired line is read wholly as cp1252. A leading
    UTF-8 BOM is dropped. With ``strict`` a byte undefined in cp1252 raises :class:`UndecodableLine`;
    otherwise it becomes U+FFFD.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return MixedDecoding(data.decode("utf-8"), [])
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    decoded: list[str | None] = []
    utf8_evidence = False
    for line in lines:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            decoded.append(None)
            continue
        utf8_evidence = utf8_evidence or not line.isascii()
        decoded.append(text)
    handler = "bctcoder-cp1252" if strict else "bctcoder-cp1252-replace"
    repaired = []
    for index, line in enumerate(lines):
        if decoded[index] is not None:
            continue
        repaired.append(index + 1)
        try:
            if utf8_evidence or _has_long_utf8_character(line):
                decoded[index] = line.decode("utf-8", errors=handler)
            else:
                decoded[index] = line.decode("cp1252", errors="strict" if strict else "replace")
        except UnicodeDecodeError:
            raise UndecodableLine(index + 1) from None
    return MixedDecoding("\n".join(t or "" for t in decoded), repaired)


def describe_lines(numbers: list[int], most: int = 12) -> str:
    """``"line 3"``, ``"lines 3-5, 9"``; past ``most`` ranges, ``"... and N more"``."""
    ranges: list[list[int]] = []
    for n in numbers:
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    shown = [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges[:most]]
    more = f" and {len(ranges) - most} more" if len(ranges) > most else ""
    word = "line" if len(numbers) == 1 else "lines"
    return f"{word} {', '.join(shown)}{more}"


def repaired_lines_note(numbers: list[int]) -> str:
    """The warning for lines read as Windows-1252."""
    verb = "is" if len(numbers) == 1 else "are"
    return f"{describe_lines(numbers)} {verb} not valid UTF-8 and {'was' if len(numbers) == 1 else 'were'} " \
           "read as Windows-1252 (cp1252)"


def decode_bytes(data: bytes, source: str, encoding: str | None = None, *,
                 notes: list[str] | None = None) -> str:
    """Decode the raw bytes of a text transcript (not yet normalised).

    With ``encoding`` the bytes are decoded with it.  Otherwise a UTF-16 BOM
    selects UTF-16; bytes containing NUL are rejected as binary; the rest is
    read as UTF-8 line by line, lines that are not UTF-8 as cp1252
    (:func:`decode_utf8_or_cp1252_lines`), and a warning naming those lines is
    appended to ``notes``.

    Raises :class:`TranscriptError` naming ``source`` when the file is empty or
    whitespace-only, binary, or cannot be decoded.
    """
    if not data:
        raise TranscriptError("file is empty", source=source)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError as exc:
            raise TranscriptError(f"unknown encoding {encoding!r}", source=source) from exc
        except UnicodeDecodeError as exc:
            raise TranscriptError(
                f"cannot decode as {encoding}", source=source, line=_line_of(data, exc.start)
            ) from exc
    elif data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TranscriptError("cannot decode as UTF-16", source=source) from exc
    else:
        if b"\x00" in data:
            raise TranscriptError("not a text file (binary content)", source=source)
        try:
            text, repaired = decode_utf8_or_cp1252_lines(data)
        except UndecodableLine as exc:
            raise TranscriptError("cannot decode as UTF-8 or cp1252", source=source, line=exc.line) from None
        if repaired and notes is not None:
            notes.append(repaired_lines_note(repaired))
    if "\x00" in text:
        raise TranscriptError("not a text file (binary content)", source=source)
    if not text.strip():
        raise TranscriptError("file is empty", source=source)
    return text
