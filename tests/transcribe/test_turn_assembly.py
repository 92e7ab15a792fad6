"""Segments of several tracks become turns on one timeline; one mono file's turns split at pauses (#16)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bctcoder.corpus.patterns import match_colon_label
from bctcoder.errors import InputError
from bctcoder.transcribe.turn_assembly import (
    UNASSIGNED,
    Segment,
    assemble_turns,
    check_pause,
    speaker_label,
    speaker_summary,
    split_at_word_gaps,
)


def seg(speaker: str, start: float, end: float, text: str) -> Segment:
    return Segment(speaker, start, end, text)


def test_tracks_merge_by_start_time_into_alternating_turns():
    interviewer = [seg("Interviewer", 0.0, 2.5, " How was the week?"),
                   seg("Interviewer", 9.0, 11.0, " And the walking group?")]
    participant = [seg("P04", 3.0, 5.0, " Good, mostly."), seg("P04", 5.2, 8.0, " I slept better."),
                   seg("P04", 11.5, 14.0, " I go every Tuesday.")]
    turns = assemble_turns(participant + interviewer, pause=1.0)   # track order does not matter
    assert [(t.speaker, t.text) for t in turns] == [
        ("Interviewer", "How was the week?"),
        ("P04", "Good, mostly. I slept better."),                    # 0.2 s gap: one turn
        ("Interviewer", "And the walking group?"),
        ("P04", "I go every Tuesday."),
    ]
    assert [(t.start, t.end) for t in turns] == [(0.0, 2.5), (3.0, 8.0), (9.0, 11.0), (11.5, 14.0)]
    assert len(turns[1].segments) == 2


def test_same_speaker_after_a_long_pause_starts_a_new_turn():
    turns = assemble_turns([seg("A", 0, 2, "one"), seg("A", 3.5, 4, "two"), seg("A", 4.5, 5, "three")], pause=1.0)
    assert [t.text for t in turns] == ["one", "two three"]
    # the threshold is configurable: with 2 s all three are one turn, with 0.4 s none join
    assert [t.text for t in assemble_turns([seg("A", 0, 2, "one"), seg("A", 3.5, 4, "two")], pause=2.0)] == \
        ["one two"]
    assert len(assemble_turns([seg("A", 0, 2, "a"), seg("A", 2.5, 3, "b")], pause=0.4)) == 2


def test_mono_segments_split_at_pauses_with_the_speaker_unassigned():
    segments = [seg(UNASSIGNED, 0, 2.0, "How are you?"), seg(UNASSIGNED, 3.4, 5.0, "Fine, thanks."),
                seg(UNASSIGNED, 5.3, 6.0, "Really."), seg(UNASSIGNED, 7.5, 9.0, "Good to hear.")]
    turns = assemble_turns(segments, pause=1.0)
    assert [(t.speaker, t.text) for t in turns] == [
        (UNASSIGNED, "How are you?"), (UNASSIGNED, "Fine, thanks. Really."), (UNASSIGNED, "Good to hear.")]


def test_empty_segments_are_dropped_and_whitespace_collapsed():
    turns = assemble_turns([seg("A", 0, 1, "  "), seg("A", 1, 2, " two\nlines  here ")])
    assert [(t.text, t.start) for t in turns] == [("two lines here", 1)]
    assert assemble_turns([]) == []


def test_overlapping_speech_keeps_time_order():
    turns = assemble_turns([seg("A", 0, 10, "long answer"), seg("B", 4, 5, "mm-hm"), seg("A", 10.2, 12, "more")])
    assert [t.speaker for t in turns] == ["A", "B", "A"]


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "soon"])
def test_pause_must_be_a_number_of_seconds(bad):
    with pytest.raises(InputError, match="--pause"):
        check_pause(bad)
    assert check_pause(0) == 0.0


@pytest.mark.parametrize("raw, label", [
    ("Interviewer", "Interviewer"), ("P04_participant", "P04_participant"), ("Dr. Jane Smith", "Dr. Jane Smith"),
    ("10:30", "10 30"), ("3", "Speaker 3"), ("_track", "track"), ("<b>Ann</b>", "b Ann /b"),
    ("one two three four five", "one two three four"), ("x" * 60, "x" * 40), ("", "Speaker"), ("::", "Speaker"),
    ("Ann [host]", "Ann host"), ("Zoë Ødegård", "Zoë Ødegård"),
])
def test_speaker_labels_read_back_unchanged(raw, label):
    assert speaker_label(raw) == label
    found = match_colon_label(f"[00:00:01] {label}: hello")
    assert found is not None and found.speaker == label


def test_speaker_summary_counts_turns_words_seconds_and_lists_silent_speakers():
    turns = assemble_turns([seg("A", 0, 2, "one two"), seg("A", 5, 6, "three")])
    assert speaker_summary(turns, ["A", "B"]) == [
        {"speaker": "A", "turns": 2, "words": 3, "seconds": 3.0},
        {"speaker": "B", "turns": 0, "words": 0, "seconds": 0.0}]


def word(start: float, end: float, text: str) -> SimpleNamespace:
    return SimpleNamespace(start=start, end=end, word=text)


def test_a_segment_running_across_the_other_speakers_turn_is_split_at_the_word_gap():
    # with silence skipped, whisper joined two answers; the words keep the times they were said at
    words = [word(3.6, 4.0, " I"), word(4.0, 4.5, " go"), word(4.5, 5.2, " weekly."),
             word(11.8, 12.3, " Knowing"), word(12.3, 12.8, " her.")]
    parts = split_at_word_gaps("P04", 3.6, 12.8, " I go weekly. Knowing her.", words, pause=1.0)
    assert [(p.start, p.end, p.text) for p in parts] == [(3.6, 5.2, "I go weekly."), (11.8, 12.8, "Knowing her.")]
    interviewer = Segment("Interviewer", 9.0, 11.0, "Why?")
    assert [t.speaker for t in assemble_turns(parts + [interviewer])] == ["P04", "Interviewer", "P04"]
    # without word times the segment stays whole
    assert split_at_word_gaps("P04", 3.6, 12.8, "text", None) == [Segment("P04", 3.6, 12.8, "text")]
