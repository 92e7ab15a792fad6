"""Property tests: offsets survive arbitrary Unicode and line endings."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bctcoder.corpus.readers import parse_text, read_transcript
from bctcoder.corpus.transcript import text_sha256

# Speaker labels: one or two words, starting with a letter, no colon.
_WORD = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Nd"]), min_size=1, max_size=8
)
_FIRST = st.characters(categories=["Lu", "Ll", "Lo"])
SPEAKERS = st.builds(
    lambda first, words: " ".join([first + words[0], *words[1:]]),
    _FIRST,
    st.lists(_WORD, min_size=1, max_size=2),
).filter(lambda label: len(label) <= 40)

# Utterances: arbitrary Unicode (emoji, combining marks, RTL) without CR/LF, non-blank.
_SAMPLES = ["😀👍🏽", "e\u0301", "مرحبا بالعالم", "שלום", "\u200fRTL\u200e", "\u2028", "a: b", "10:30"]
UTTERANCES = st.one_of(
    st.text(st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), max_size=40),
    st.lists(st.sampled_from(_SAMPLES), min_size=1, max_size=4).map(" ".join),
).filter(lambda utterance: utterance.strip() != "")

DIALOGUES = st.lists(st.tuples(SPEAKERS, UTTERANCES), min_size=1, max_size=8)


def render(dialogue: list[tuple[str, str]], newline: str) -> str:
    return newline.join(f"{speaker}: {utterance}" for speaker, utterance in dialogue)


@settings(max_examples=200, deadline=None)
@given(dialogue=DIALOGUES, newline=st.sampled_from(["\n", "\r\n"]))
def test_speaker_lines_round_trip(dialogue, newline):
    transcript = parse_text(render(dialogue, newline))
    assert transcript.layout == "speaker_colon"
    assert [t.speaker for t in transcript.turns] == [speaker for speaker, _ in dialogue]
    for turn, (_, utterance) in zip(transcript.turns, dialogue):
        assert transcript.text[turn.start : turn.end] == utterance.strip()
    assert "\r" not in transcript.text
    assert transcript.sha256 == text_sha256(transcript.text)
    # Stable: the same dialogue with either line ending, and re-parsing, hash the same.
    assert parse_text(render(dialogue, "\r\n")).sha256 == transcript.sha256
    assert parse_text(transcript.text) == transcript


_SAFE_UTTERANCES = UTTERANCES.filter(lambda u: "\x00" not in u)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    dialogue=st.lists(st.tuples(SPEAKERS, _SAFE_UTTERANCES), min_size=1, max_size=5),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
def test_file_round_trip(tmp_path, dialogue, newline, bom):
    path = tmp_path / "t.txt"
    path.write_bytes(render(dialogue, newline).encode("utf-8-sig" if bom else "utf-8"))
    transcript = read_transcript(path)
    for turn, (_, utterance) in zip(transcript.turns, dialogue, strict=True):
        assert transcript.turn_text(turn) == utterance.strip()
    assert transcript.sha256 == parse_text(render(dialogue, "\n")).sha256
