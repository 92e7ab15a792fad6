"""The transcript and captions a transcription writes read back into the same turns (#16)."""

from __future__ import annotations

import os

import pytest

from bctcoder.corpus.readers import read_transcript
from bctcoder.errors import InputError
from bctcoder.transcribe.transcript_writers import clock, transcript_text, vtt_clock, vtt_text, write_files_atomically
from bctcoder.transcribe.turn_assembly import UNASSIGNED, Segment, assemble_turns

SEGMENTS = [
    Segment("Interviewer", 0.4, 3.2, " How have the sessions been for you?"),
    Segment("P04", 4.0, 6.5, " Good. I go every week now & I <really> like it."),
    Segment("P04", 6.7, 9.0, " My neighbour comes too: she drives."),
    Segment("Interviewer", 3725.9, 3728.0, " What made the difference?"),
    Segment("P04", 3729.0, 3731.0, " Knowing [she] had been through it -- > all of it."),
]


def test_clocks():
    assert clock(0) == "00:00:00" and clock(59.99) == "00:00:59" and clock(3725.9) == "01:02:05"
    assert vtt_clock(3725.9) == "01:02:05.900" and vtt_clock(0.0004) == "00:00:00.000"


def test_transcript_round_trips_through_bctcoders_reader(tmp_path):
    turns = assemble_turns(SEGMENTS, pause=1.0)
    text = transcript_text(turns)
    assert text.splitlines()[1] == \
        "[00:00:04] P04: Good. I go every week now & I <really> like it. My neighbour comes too: she drives."
    path = tmp_path / "P04.txt"
    path.write_text(text, encoding="utf-8")
    transcript = read_transcript(path)
    assert transcript.layout == "speaker_colon"
    assert [(t.speaker, transcript.turn_text(t), t.timestamp) for t in transcript.turns] == [
        (turn.speaker, turn.text, float(int(turn.start))) for turn in turns]
    # the interviewer is recognised as such; the participant is the interviewee
    assert [t.is_interviewee for t in transcript.turns] == [False, True, False, True]


def test_unassigned_turns_read_back_one_per_line(tmp_path):
    turns = assemble_turns([Segment(UNASSIGNED, 0, 1, "Hello?"), Segment(UNASSIGNED, 3, 4, "Hi."),
                            Segment(UNASSIGNED, 6, 7, "How are you?")])
    path = tmp_path / "mono.txt"
    path.write_text(transcript_text(turns), encoding="utf-8")
    transcript = read_transcript(path)
    assert [(t.speaker, transcript.turn_text(t)) for t in transcript.turns] == \
        [(UNASSIGNED, "Hello?"), (UNASSIGNED, "Hi."), (UNASSIGNED, "How are you?")]


def test_vtt_reads_back_with_voices_times_and_unescaped_text(tmp_path):
    turns = assemble_turns(SEGMENTS, pause=1.0)
    vtt = vtt_text(turns)
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.400 --> 00:00:03.200\n<v Interviewer>How have")
    assert "&amp; I &lt;really&gt; like it." in vtt and "-- &gt; all" in vtt
    path = tmp_path / "P04.vtt"
    path.write_text(vtt, encoding="utf-8")
    transcript = read_transcript(path)
    assert [(t.speaker, t.timestamp) for t in transcript.turns] == [(t.speaker, t.start) for t in turns]
    assert [" ".join(transcript.turn_text(t).split()) for t in transcript.turns] == [t.text for t in turns]


def test_atomic_write_leaves_nothing_half_written(tmp_path, monkeypatch):
    first, second = tmp_path / "a.txt", tmp_path / "a.vtt"
    assert write_files_atomically({first: "one\n", second: "two\n"}) == [first, second]
    assert first.read_text() == "one\n" and sorted(os.listdir(tmp_path)) == ["a.txt", "a.vtt"]
    # the second file cannot be written: neither changes, no .part file remains, one line names the file
    blocked = tmp_path / "b.vtt"
    blocked.with_name("b.vtt.part").mkdir()
    with pytest.raises(InputError, match=r"b\.vtt: cannot write file"):
        write_files_atomically({tmp_path / "b.txt": "new\n", blocked: "new\n"})
    assert not (tmp_path / "b.txt").exists() and not (tmp_path / "b.txt.part").exists()
