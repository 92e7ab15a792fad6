"""The canonical transcript data model: plain text plus speaker turns.

Offsets are Unicode code points from 0 into :attr:`Transcript.text`, i.e. plain
Python ``str`` indices, so ``transcript.text[turn.start:turn.end]`` is the
utterance of ``turn``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """One speaker turn: a span of the canonical text attributed to a speaker.

    ``start``/``end`` delimit the utterance (the speaker label is not part of
    it); ``end`` is exclusive.  ``speaker`` is the label as written in the file
    (``""`` when the format has none) and ``timestamp`` the start in seconds when
    the format records one.
    """

    start: int
    end: int
    speaker: str
    is_interviewee: bool
    timestamp: float | None = None


def text_sha256(text: str) -> str:
    """Return the hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Transcript:
    """A transcript in canonical form.

    ``text`` has LF line endings only, no BOM, no trailing whitespace on any
    line and no trailing blank lines.  ``turns`` are in order, non-overlapping,
    and each covers a non-empty utterance with no leading or trailing
    whitespace.  ``sha256`` is the hex digest of ``text`` in UTF-8.  The
    invariants are checked on construction (:class:`ValueError` if broken).
    """

    text: str
    turns: tuple[Turn, ...]
    source_format: str
    layout: str
    sha256: str
    interviewer_guessed: str | None = None

    def __post_init__(self) -> None:
        if self.sha256 != text_sha256(self.text):
            raise ValueError("sha256 does not match the text")
        previous_end = 0
        for turn in self.turns:
            if not previous_end <= turn.start < turn.end <= len(self.text):
                raise ValueError(f"turn {turn} is out of order or out of bounds")
            span = self.text[turn.start:turn.end]
            if span != span.strip():
                raise ValueError(f"turn {turn} has leading or trailing whitespace")
            previous_end = turn.end

    @classmethod
    def build(
        cls, text: str, turns: tuple[Turn, ...] | list[Turn], source_format: str, layout: str,
        interviewer_guessed: str | None = None,
    ) -> Transcript:
        """Create a transcript, computing ``sha256`` from ``text``."""
        return cls(text, tuple(turns), source_format, layout, text_sha256(text), interviewer_guessed)

    def turn_text(self, turn: Turn) -> str:
        """Return the utterance text of ``turn``."""
        return self.text[turn.start:turn.end]

    @property
    def speakers(self) -> tuple[str, ...]:
        """The distinct speaker labels, in order of first appearance."""
        return tuple(dict.fromkeys(turn.speaker for turn in self.turns))

    def speaker_summary(self) -> list[dict]:
        """Each speaker with its number of turns and whether it counts as the interviewer (and if guessed)."""
        out: dict[str, dict] = {}
        for turn in self.turns:
            row = out.setdefault(turn.speaker, {"speaker": turn.speaker or "(no label)", "turns": 0,
                                                "interviewer": not turn.is_interviewee,
                                                "guessed": bool(turn.speaker)
                                                and turn.speaker == self.interviewer_guessed})
            row["turns"] += 1
        return list(out.values())
