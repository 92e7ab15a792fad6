"""Plain-text transcripts: decoding, normalisation and layout detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from bctcoder.corpus.readers import parse_text, read_transcript
from bctcoder.corpus.textnorm import normalize_text
from bctcoder.corpus.transcript import Transcript, Turn, text_sha256
from bctcoder.errors import TranscriptError


def spans(transcript: Transcript) -> list[tuple[str, str]]:
    return [(turn.speaker, transcript.turn_text(turn)) for turn in transcript.turns]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- normalisation and decoding -------------------------------------------------


def test_normalize_text_rules():
    raw = "\ufeffA: one  \r\nB: two\t\rC: three\n\n  \n"
    assert normalize_text(raw) == "A: one\nB: two\nC: three"


def test_crlf_input_gives_lf_text_and_correct_offsets(tmp_path):
    path = write(tmp_path, "t.txt", b"Interviewer: How are you?  \r\nPW6: Fine, thanks.\r\n\r\n")
    transcript = read_transcript(path)
    assert transcript.text == "Interviewer: How are you?\nPW6: Fine, thanks."
    assert "\r" not in transcript.text
    assert spans(transcript) == [("Interviewer", "How are you?"), ("PW6", "Fine, thanks.")]
    assert transcript.turns[1].start == transcript.text.index("Fine")
    assert transcript.sha256 == text_sha256(transcript.text)


def test_bom_is_stripped(tmp_path):
    path = write(tmp_path, "t.txt", "\ufeffI: Hello\nP1: Héllo".encode())
    transcript = read_transcript(path)
    assert transcript.text == "I: Hello\nP1: Héllo"
    assert spans(transcript) == [("I", "Hello"), ("P1", "Héllo")]


def test_cp1252_fallback(tmp_path):
    path = write(tmp_path, "t.txt", "Interviewer: It cost \u20ac200 \u2013 caf\u00e9\n".encode("cp1252"))
    transcript = read_transcript(path)
    assert transcript.text == "Interviewer: It cost \u20ac200 \u2013 caf\u00e9"


def test_explicit_encoding(tmp_path):
    path = write(tmp_path, "t.txt", "I: \u00e9t\u00e9".encode("latin-1"))
    assert read_transcript(path, encoding="latin-1").text == "I: \u00e9t\u00e9"
    with pytest.raises(TranscriptError, match="cannot decode as ascii"):
        read_transcript(path, encoding="ascii")


def test_utf16_with_bom(tmp_path):
    path = write(tmp_path, "t.txt", "I: hi\r\nP: yo".encode("utf-16"))
    assert read_transcript(path).text == "I: hi\nP: yo"


def test_undecodable_bytes(tmp_path):
    path = write(tmp_path, "t.txt", b"I: ok\nP: \x81\x8d bad")
    with pytest.raises(TranscriptError, match="cannot decode as UTF-8 or cp1252") as info:
        read_transcript(path)
    assert info.value.source == str(path)
    assert info.value.line == 2


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n"])
def test_empty_file(tmp_path, data):
    path = write(tmp_path, "empty.txt", data)
    with pytest.raises(TranscriptError, match="file is empty") as info:
        read_transcript(path)
    assert str(path) in str(info.value)


def test_binary_file(tmp_path):
    path = write(tmp_path, "blob.txt", b"PK\x03\x04\x00\x00binary\x00stuff")
    with pytest.raises(TranscriptError, match=r"not a text file \(binary content\)") as info:
        read_transcript(path)
    assert str(path) in str(info.value)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(TranscriptError, match="file not found"):
        read_transcript(tmp_path / "nope.txt")
    path = write(tmp_path, "t.pdf", b"%PDF")
    with pytest.raises(TranscriptError, match="unsupported transcript format") as info:
        read_transcript(path)
    assert str(path) in str(info.value)


def test_markdown_and_upper_case_suffix(tmp_path):
    assert read_transcript(write(tmp_path, "a.MD", b"I: q\nP: a")).source_format == "txt"
    assert read_transcript(write(tmp_path, "b.TXT", b"I: q\nP: a")).layout == "speaker_colon"


def test_parse_text_empty_raises():
    with pytest.raises(TranscriptError, match="transcript is empty"):
        parse_text(" \n\r\n")


# --- layouts ----------------------------------------------------------------------


def test_speaker_colon_layout_with_continuations():
    text = (
        "Interviewer: So tell me.\n"
        "Jane Smith: Well, first\n"
        "it was hard.\n"
        "\n"
        "Later it got easier.\n"
        "I: Thanks."
    )
    transcript = parse_text(text)
    assert transcript.layout == "speaker_colon"
    assert spans(transcript) == [
        ("Interviewer", "So tell me."),
        ("Jane Smith", "Well, first\nit was hard.\n\nLater it got easier."),
        ("I", "Thanks."),
    ]
    assert [t.is_interviewee for t in transcript.turns] == [False, True, False]


def test_label_alone_on_its_line_and_empty_label():
    transcript = parse_text("Interviewer:\n  How was it?\nPW6:\nPW6: Good.")
    assert spans(transcript) == [("Interviewer", "How was it?"), ("PW6", "Good.")]


def test_preamble_before_first_label():
    text = "Interview 3, 12 May\nSite B\n\nI: Hello.\nP1: Hi.\nI: Bye.\nP1: Bye."
    transcript = parse_text(text)
    # a header block before the first speaker label stays in the text but is nobody's speech (#13)
    assert transcript.text.startswith("Interview 3, 12 May\nSite B")
    assert spans(transcript) == [("I", "Hello."), ("P1", "Hi."), ("I", "Bye."), ("P1", "Bye.")]


OTTER = """SUMMARY KEYWORDS
peer support, group, walking

SPEAKERS
Sarah Jones, Tom Baker

Sarah Jones  0:02
How have the sessions been for you?

Tom Baker  0:09
Good. I go every week now.

Sarah Jones  0:15
What made the difference?

Tom Baker  0:20
Knowing she had been through it.

0:31

Sarah Jones  0:35
And would you recommend it?

Tom Baker  0:40
Yes."""


def test_otter_header_is_not_a_turn_and_the_interviewer_is_guessed():
    transcript = parse_text(OTTER)
    assert transcript.layout == "otter"
    assert [t.speaker for t in transcript.turns] == ["Sarah Jones", "Tom Baker"] * 3
    assert transcript.interviewer_guessed == "Sarah Jones"
    assert [t.is_interviewee for t in transcript.turns] == [False, True] * 3
    summary = {r["speaker"]: r for r in transcript.speaker_summary()}
    assert summary["Sarah Jones"] == {"speaker": "Sarah Jones", "turns": 3, "interviewer": True, "guessed": True}
    assert summary["Tom Baker"]["interviewer"] is False
    # told who the interviewer is, nothing is guessed
    told = parse_text(OTTER, interviewer_labels=["Tom Baker"])
    assert told.interviewer_guessed is None and not told.turns[1].is_interviewee
    # a speaker named like the case is the participant even if they ask more
    assert parse_text(OTTER, participant="Sarah").interviewer_guessed is None


def test_no_guess_without_a_clear_questioner():
    text = "Ann: Hello.\nBob: Hi.\nAnn: Fine.\nBob: Good."
    assert parse_text(text).interviewer_guessed is None
    assert all(t.is_interviewee for t in parse_text(text).turns)


def test_timestamp_prefixed_speaker_lines():
    transcript = parse_text("[00:01:05] Interviewer: Hi.\n[00:01:09] P2: Hello there.")
    assert transcript.layout == "speaker_colon"
    assert spans(transcript) == [("Interviewer", "Hi."), ("P2", "Hello there.")]
    assert [t.timestamp for t in transcript.turns] == [65.0, 69.0]


def test_full_width_colon():
    transcript = parse_text("访谈者：你好\n受访者：你好")
    assert spans(transcript) == [("访谈者", "你好"), ("受访者", "你好")]


def test_prose_with_note_and_times_is_plain():
    text = (
        "We met at 10:30 in the library.\n"
        "Note: the recorder failed briefly.\n"
        "She said the course was useful, and the slides clear.\n"
        "Ratio 3:1 of positive comments."
    )
    transcript = parse_text(text)
    assert transcript.layout == "plain"
    assert [t.speaker for t in transcript.turns] == ["", "", "", ""]
    assert all(t.is_interviewee for t in transcript.turns)
    assert transcript.turn_text(transcript.turns[1]) == "Note: the recorder failed briefly."


def test_plain_blocks_when_blank_lines_separate_paragraphs():
    text = "First paragraph\nwrapped here.\n\nSecond paragraph."
    transcript = parse_text(text)
    assert spans(transcript) == [("", "First paragraph\nwrapped here."), ("", "Second paragraph.")]
    one_per_line = parse_text("One.\nTwo.\n  Three.")
    assert spans(one_per_line) == [("", "One."), ("", "Two."), ("", "Three.")]


def test_long_answers_still_speaker_colon():
    answer = "More of the answer.\n" * 3
    text = ("I: Question?\nP1: Answer.\n" + answer) * 2
    transcript = parse_text(text)
    assert transcript.layout == "speaker_colon"
    assert [t.speaker for t in transcript.turns] == ["I", "P1", "I", "P1"]


def test_bracket_layout_and_continuation():
    text = "[id1] hello there\nmore from id1\n[id2]  I agree.\n[id1]: yes"
    transcript = parse_text(text)
    assert transcript.layout == "bracket_id"
    assert spans(transcript) == [("id1", "hello there\nmore from id1"), ("id2", "I agree."), ("id1", "yes")]


def test_otter_layout():
    text = (
        "Speaker 1  0:00\n"
        "Hi, thanks for joining.\n"
        "\n"
        "Jane Smith  0:05\n"
        "Glad to be here.\n"
        "It was a long trip.\n"
        "\n"
        "Speaker 1  1:02:03\n"
        "Great."
    )
    transcript = parse_text(text)
    assert transcript.layout == "otter"
    assert spans(transcript) == [
        ("Speaker 1", "Hi, thanks for joining."),
        ("Jane Smith", "Glad to be here.\nIt was a long trip."),
        ("Speaker 1", "Great."),
    ]
    assert [t.timestamp for t in transcript.turns] == [0.0, 5.0, 3723.0]


def test_interviewer_labels():
    text = "Q. Smith: hi\nINT.: hello\nInterviewer 3: x\nsur: y\nPW6: z\nModerator: w"
    transcript = parse_text(text)
    flags = {t.speaker: t.is_interviewee for t in transcript.turns}
    assert flags == {
        "Q. Smith": True,
        "INT.": False,
        "Interviewer 3": False,
        "sur": False,
        "PW6": True,
        "Moderator": False,
    }
    custom = parse_text(text, interviewer_labels=["pw6"])
    flags = {t.speaker: t.is_interviewee for t in custom.turns}
    assert flags["PW6"] is False and flags["INT."] is True and flags["Interviewer 3"] is False


def test_transcript_invariants_are_checked():
    with pytest.raises(ValueError, match="sha256"):
        Transcript("abc", (), "txt", "plain", "0" * 64)
    with pytest.raises(ValueError, match="whitespace"):
        Transcript.build("a b", [Turn(0, 2, "", True)], "txt", "plain")
    with pytest.raises(ValueError, match="out of order"):
        Transcript.build("ab", [Turn(1, 2, "", True), Turn(0, 1, "", True)], "txt", "plain")


def test_shared_bracket_transcript(shared_formats):
    transcript = read_transcript(shared_formats / "transcript.txt")
    assert transcript.layout == "bracket_id"
    assert [t.speaker for t in transcript.turns] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]
    first = transcript.turn_text(transcript.turns[0])
    assert first.startswith("hello, I like the course.")
    assert transcript.turn_text(transcript.turns[-1]).endswith("really struggling.")
