"""Decoding transcript bytes and normalising text to the canonical form."""

from __future__ import annotations

import codecs

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


def decode_bytes(data: bytes, source: str, encoding: str | None = None) -> str:
    """Decode the raw bytes of a text transcript (not yet normalised).

    With ``encoding`` the bytes are decoded with it.  Otherwise a UTF-16 BOM
    selects UTF-16; bytes containing NUL are rejected as binary; UTF-8 (with
    or without BOM) is tried, then cp1252 when every byte is defined there.

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
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise TranscriptError(
                    "cannot decode as UTF-8 or cp1252",
                    source=source,
                    line=_line_of(data, exc.start),
                ) from exc
    if "\x00" in text:
        raise TranscriptError("not a text file (binary content)", source=source)
    if not text.strip():
        raise TranscriptError("file is empty", source=source)
    return text
