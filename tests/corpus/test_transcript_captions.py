"""Caption transcripts: WebVTT and SubRip."""

from __future__ import annotations

import pytest

from bctcoder.corpus.readers import parse_text, read_transcript
from bctcoder.errors import TranscriptError

VTT = """WEBVTT

NOTE a comment

1
00:00:01.000 --> 00:00:04.000
<v Interviewer>How are you <i>finding</i> it?

2
00:00:04.500 --> 00:00:07.000
<v.loud Jane Smith>It's hard &amp; slow,
but fine.

3
00:00:07.250 --> 00:00:09.000
<v Jane Smith>Mostly fine.

00:01:10.000 --> 00:01:12.000
Interviewer: Thanks.

00:01:13.000 --> 00:01:14.000
[music]
"""

SRT = """1
00:00:00,500 --> 00:00:02,000
Interviewer: Hello.

2
00:00:02,000 --> 00:00:04,000
PW6: <i>Hi</i> there,
how are you?

3
00:00:04,100 --> 00:00:05,000
PW6: Fine.

4
00:00:05,000 --> 00:00:06,000
{\\an8}Unlabelled line.
"""


def spans(transcript):
    return [(turn.speaker, transcript.turn_text(turn)) for turn in transcript.turns]


def test_vtt(tmp_path):
    path = tmp_path / "t.vtt"
    path.write_text(VTT, encoding="utf-8", newline="\r\n")
    transcript = read_transcript(path)
    assert transcript.source_format == "vtt"
    assert transcript.layout == "cues"
    assert transcript.text == (
        "Interviewer: How are you finding it?\n"
        "Jane Smith: It's hard & slow, but fine.\n"
        "Mostly fine.\n"
        "Interviewer: Thanks.\n"
        "[music]"
    )
    assert spans(transcript) == [
        ("Interviewer", "How are you finding it?"),
        ("Jane Smith", "It's hard & slow, but fine.\nMostly fine."),
        ("Interviewer", "Thanks."),
        ("", "[music]"),
    ]
    assert [t.timestamp for t in transcript.turns] == [1.0, 4.5, 70.0, 73.0]
    assert [t.is_interviewee for t in transcript.turns] == [False, True, False, True]
    # Re-parsing the canonical text finds the same labelled speaker spans.
    assert spans(parse_text(transcript.text))[:2] == spans(transcript)[:2]


def test_srt(tmp_path):
    path = tmp_path / "t.srt"
    path.write_text(SRT, encoding="utf-8")
    transcript = read_transcript(path)
    assert transcript.source_format == "srt"
    assert transcript.text == (
        "Interviewer: Hello.\nPW6: Hi there, how are you?\nFine.\nUnlabelled line."
    )
    assert spans(transcript) == [
        ("Interviewer", "Hello."),
        ("PW6", "Hi there, how are you?\nFine."),
        ("", "Unlabelled line."),
    ]
    assert [t.timestamp for t in transcript.turns] == [0.5, 2.0, 5.0]


def test_unlabelled_cues_merge(tmp_path):
    path = tmp_path / "t.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nfirst part\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nsecond part\n",
        encoding="utf-8",
    )
    transcript = read_transcript(path)
    assert spans(transcript) == [("", "first part\nsecond part")]
    assert transcript.turns[0].timestamp == 1.0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.vtt", "not a caption file\n", "not a valid WebVTT file"),
        ("bad.srt", "1\nnonsense --> more\ntext\n", "not a valid SRT file"),
        ("blank.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i></i>\n", "no captions"),
    ],
)
def test_bad_caption_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError, match=message) as info:
        read_transcript(path)
    assert str(path) in str(info.value)
