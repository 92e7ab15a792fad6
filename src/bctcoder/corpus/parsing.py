"""Parsing canonical plain text into speaker turns, detecting the layout."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bctcoder.corpus.patterns import LabelMatch, match_bracket_label, match_colon_label, match_otter_header
from bctcoder.corpus.speakers import guess_interviewer, interviewer_label_set, is_interviewer
from bctcoder.corpus.textnorm import normalize_text
from bctcoder.corpus.transcript import Transcript, Turn
from bctcoder.errors import TranscriptError

Matcher = Callable[[str], LabelMatch | None]

_LABELLED_LAYOUTS: dict[str, Matcher] = {
    "speaker_colon": match_colon_label,
    "bracket_id": match_bracket_label,
    "otter": match_otter_header,
}
# Formats whose lines are the document's paragraphs (never hard-wrapped).
_PARAGRAPH_PER_LINE_FORMATS = frozenset({"docx", "odt"})


def _dominates(count: int, distinct: int, total: int, headers: bool) -> bool:
    """Whether ``count`` labelled lines out of ``total`` non-blank ones decide the layout.

    Either most lines are labelled (at least a third for ``headers`` layouts,
    whose labels sit on lines of their own), or (for transcripts with long
    multi-paragraph answers) at least a quarter are, with four or more labels
    drawn from at least two recurring speakers.
    """
    if count == 0:
        return False
    if (count * 3 >= total) if headers else (count * 2 > total):
        return True
    return count >= 4 and count * 4 >= total and 2 <= distinct and distinct * 2 <= count


def detect_layout(text: str) -> str:
    """Return the layout of canonical ``text``.

    ``"speaker_colon"`` or ``"bracket_id"`` when most non-blank lines carry such
    a label (the one with more matches wins), else ``"otter"`` when at least a
    third of the lines are Otter.ai headers (``Name  MM:SS``), else ``"plain"``.
    A quarter of labelled lines suffices when there are four or more labels
    from at least two speakers who each speak twice on average (long answers
    split over several paragraphs).
    """
    lines = [line for line in text.split("\n") if line]

    def score(layout: str) -> int:
        matches = [m for m in map(_LABELLED_LAYOUTS[layout], lines) if m is not None]
        distinct = len({m.speaker for m in matches})
        return len(matches) if _dominates(len(matches), distinct, len(lines), layout == "otter") else 0

    colon, bracket = score("speaker_colon"), score("bracket_id")
    if colon or bracket:
        return "speaker_colon" if colon >= bracket else "bracket_id"
    return "otter" if score("otter") else "plain"


@dataclass
class _OpenTurn:
    """A turn being assembled while lines are scanned."""

    speaker: str
    timestamp: float | None
    labelled: bool
    start: int | None = None
    end: int = 0

    def extend(self, start: int, end: int) -> None:
        if self.start is None:
            self.start = start
        self.end = end


def _first_non_space(line: str) -> int:
    return len(line) - len(line.lstrip())


_CLOCK_ONLY = re.compile(r"[\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])]?")


def split_turns(
    text: str, matcher: Matcher | None, one_per_line: bool = False
) -> list[tuple[int, int, str, float | None]]:
    """Split canonical ``text`` into ``(start, end, speaker, timestamp)`` spans.

    A line that ``matcher`` accepts opens a turn; following lines without a
    label (blank lines included) continue it.  Lines before the first label,
    and every line when ``matcher`` is None, form unattributed turns (speaker
    ``""``) that end at a blank line, or at each line when ``one_per_line``.
    Labels with no utterance text yield no turn; a line holding only a time (``00:12:03``) starts no turn.
    """
    spans: list[tuple[int, int, str, float | None]] = []
    current: _OpenTurn | None = None

    def close() -> None:
        if current is not None and current.start is not None:
            spans.append((current.start, current.end, current.speaker, current.timestamp))

    offset = 0
    for line in text.split("\n"):
        found = matcher(line) if matcher is not None and line else None
        if found is not None:
            close()
            current = _OpenTurn(found.speaker, found.timestamp, labelled=True)
            if found.utterance_start < len(line):
                current.extend(offset + found.utterance_start, offset + len(line))
        elif not line:
            if current is not None and not current.labelled:
                close()
                current = None
        elif current is None and _CLOCK_ONLY.fullmatch(line.strip()):
            pass  # a timestamp on its own line is not speech
        else:
            if current is None:
                current = _OpenTurn("", None, labelled=False)
            current.extend(offset + _first_non_space(line), offset + len(line))
            if one_per_line and not current.labelled:
                close()
                current = None
        offset += len(line) + 1
    close()
    return spans


def parse_text(
    text: str,
    *,
    source: str = "<text>",
    source_format: str = "txt",
    interviewer_labels: Iterable[str] | None = None,
    participant: str | None = None,
) -> Transcript:
    """Normalise ``text`` and parse it into a :class:`Transcript`.

    The layout is detected with :func:`detect_layout`; speaker labels stay in
    the canonical text and turns point at the utterances.  In the ``plain``
    layout each paragraph is one turn with speaker ``""``: a paragraph is a
    line for docx/odt, and for txt a block of lines separated by blank lines
    (or each line when the text has no blank lines between paragraphs).

    ``interviewer_labels`` replaces the default interviewer labels (matching
    is case-insensitive and ignores punctuation; labels starting with
    "interviewer" always count).  With the default labels and no speaker
    recognised as the interviewer, the interviewer is guessed
    (:func:`~bctcoder.corpus.speakers.guess_interviewer`: most questions, not
    named like the ``participant`` case).  In a labelled layout, lines before
    the first speaker label (a tool's header block such as Otter's "SUMMARY
    KEYWORDS") are not turns.  Raises :class:`TranscriptError` when the text
    is empty.
    """
    canonical = normalize_text(text)
    if not canonical.strip():
        raise TranscriptError("transcript is empty", source=source)
    layout = detect_layout(canonical)
    matcher = _LABELLED_LAYOUTS.get(layout)
    one_per_line = source_format in _PARAGRAPH_PER_LINE_FORMATS or (
        matcher is None and "\n\n" not in canonical.strip("\n")
    )
    labels = interviewer_label_set(interviewer_labels)
    spans = split_turns(canonical, matcher, one_per_line)
    if matcher is not None:
        spans = [span for span in spans if span[2]]  # a header block before the first label is not speech
    guessed = None
    if interviewer_labels is None and not any(is_interviewer(sp[2], labels) for sp in spans):
        guessed = guess_interviewer([(sp[2], canonical[sp[0]:sp[1]]) for sp in spans], participant)
    turns = [
        Turn(start, end, speaker, not (is_interviewer(speaker, labels) or (guessed is not None and speaker == guessed)),
             timestamp)
        for start, end, speaker, timestamp in spans
    ]
    return Transcript.build(canonical, turns, source_format, layout, guessed)
