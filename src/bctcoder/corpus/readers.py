"""Public entry point: read a transcript file into a :class:`Transcript`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bctcoder.corpus.captions import cues_to_transcript, srt_cues, vtt_cues
from bctcoder.corpus.documents import docx_text, odt_text
from bctcoder.corpus.parsing import parse_text
from bctcoder.corpus.safe_archive import read_bounded_file
from bctcoder.corpus.textnorm import decode_bytes, normalize_text
from bctcoder.corpus.transcript import Transcript
from bctcoder.errors import TranscriptError

__all__ = ["SUPPORTED_SUFFIXES", "parse_text", "read_transcript"]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".odt", ".vtt", ".srt")


def _read_bytes(path: Path) -> bytes:
    try:
        return read_bounded_file(path)
    except FileNotFoundError as exc:
        raise TranscriptError("file not found", source=str(path)) from exc
    except OSError as exc:
        raise TranscriptError(f"cannot read file ({exc.strerror or exc})", source=str(path)) from exc


def read_transcript(
    path: str | Path,
    *,
    interviewer_labels: Iterable[str] | None = None,
    encoding: str | None = None,
    notes: list[str] | None = None,
    participant: str | None = None,
) -> Transcript:
    """Read the transcript at ``path``, choosing the reader by file suffix.

    ``.txt``/``.md`` are decoded (``encoding``, else UTF-8 then cp1252) and
    parsed with :func:`parse_text`; ``.docx``/``.odt`` paragraphs are joined
    with LF and parsed likewise; ``.vtt``/``.srt`` cues become one line each.
    ``interviewer_labels`` replaces the default interviewer labels.  Warnings
    about what was read (lines repaired from Windows-1252, tracked changes
    read as accepted) are appended to ``notes`` when it is given.
    ``participant`` (the case key) helps guess the interviewer (never a speaker named like the case).

    Raises :class:`TranscriptError` naming the file for an unknown suffix, a
    missing, empty, binary, undecodable or corrupt file, and
    :class:`bctcoder.errors.LimitError` for a file or archive past the bounds of
    :mod:`bctcoder.corpus.safe_archive`.
    """
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise TranscriptError(
            f"unsupported transcript format {path.suffix or '(no suffix)'!r}; "
            f"expected one of {', '.join(SUPPORTED_SUFFIXES)}",
            source=source,
        )
    if suffix in (".docx", ".odt"):
        if not path.is_file():
            _read_bytes(path)  # raises the appropriate error
        text = docx_text(path, notes=notes) if suffix == ".docx" else odt_text(path)
        if not text.strip():
            raise TranscriptError("file is empty (document has no text)", source=source)
        return parse_text(
            text, source=source, source_format=suffix[1:], interviewer_labels=interviewer_labels,
            participant=participant,
        )
    text = decode_bytes(_read_bytes(path), source, encoding, notes=notes)
    if suffix in (".vtt", ".srt"):
        normalized = normalize_text(text)
        cues = vtt_cues(normalized, source) if suffix == ".vtt" else srt_cues(normalized, source)
        return cues_to_transcript(cues, suffix[1:], source, interviewer_labels)
    return parse_text(text, source=source, source_format="txt", interviewer_labels=interviewer_labels,
                      participant=participant)
