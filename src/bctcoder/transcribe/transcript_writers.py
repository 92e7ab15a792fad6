"""Writing turns as bctcoder's own transcript layout and as WebVTT captions.

The ``.txt`` has one turn a line, ``[HH:MM:SS] Speaker: utterance``, which bctcoder's transcript reader
parses back into the same turns with their start times (the ``speaker_colon`` layout). The ``.vtt`` has one
cue per recognised segment with a ``<v Speaker>`` voice tag, so caption players show who speaks and
bctcoder's caption reader finds the speakers again.

Files are written next to their final names as ``NAME.part`` and renamed only when every file is complete,
so an error (a full disk, an unwritable folder) leaves no half-written transcript behind.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

from bctcoder.file_errors import cannot_write
from bctcoder.transcribe.turn_assembly import SpokenTurn


def clock(seconds: float) -> str:
    """``HH:MM:SS`` (whole seconds, rounded down) for a transcript line."""
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def vtt_clock(seconds: float) -> str:
    """``HH:MM:SS.mmm`` for a WebVTT cue."""
    millis = max(0, int(round(seconds * 1000)))
    return f"{millis // 3_600_000:02d}:{millis % 3_600_000 // 60_000:02d}:{millis % 60_000 // 1000:02d}." \
           f"{millis % 1000:03d}"


def transcript_text(turns: Sequence[SpokenTurn]) -> str:
    """One ``[HH:MM:SS] Speaker: utterance`` line per turn, ending with a newline."""
    return "".join(f"[{clock(turn.start)}] {turn.speaker}: {turn.text}\n" for turn in turns)


def vtt_text(turns: Sequence[SpokenTurn]) -> str:
    """WebVTT with one cue per segment, each tagged ``<v Speaker>``; text escaped as WebVTT requires."""
    lines = ["WEBVTT", ""]
    number = 0
    for turn in turns:
        for segment in turn.segments:
            text = " ".join(segment.text.split())
            if not text:
                continue
            number += 1
            end = max(segment.end, segment.start + 0.01)
            lines += [str(number), f"{vtt_clock(segment.start)} --> {vtt_clock(end)}",
                      f"<v {turn.speaker}>{html.escape(text, quote=False)}", ""]
    return "\n".join(lines)


def write_files_atomically(contents: Mapping[Path, str]) -> list[Path]:
    """Write every file as UTF-8 via ``NAME.part`` and rename them only when all are written.

    An :class:`OSError` becomes a one-line :class:`InputError` naming the file; no ``.part`` file remains.
    """
    parts = {path: path.with_name(path.name + ".part") for path in contents}
    current = next(iter(contents), Path("."))
    try:
        for path, text in contents.items():
            current = path
            parts[path].write_text(text, encoding="utf-8", newline="\n")
        for path, part in parts.items():
            current = path
            part.replace(path)
    except OSError as exc:
        for part in parts.values():
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
        raise cannot_write(exc, current) from exc
    return list(contents)
