"""Hostile and malformed caption files (.vtt, .srt): one clean error naming the file, nothing stored (#13)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.corpus.hostile_files import assert_refused, project_state
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.corpus import safe_archive
from bctcoder.corpus.captions import cues_to_transcript, srt_cues, vtt_cues
from bctcoder.errors import InputError, LimitError, TranscriptError
from bctcoder.project import Project

runner = CliRunner()
CUE_VTT = "00:00:01.000 --> 00:00:02.500\nP04: I set a goal.\n"
CUE_SRT = "1\n00:00:01,000 --> 00:00:02,500\nP04: I set a goal.\n"
HOURS = "9" * 30

HOSTILE = {
    ".vtt": {
        "empty file": b"",
        "binary junk": bytes(range(256)) * 32,
        "NUL inside a cue": ("WEBVTT\n\n" + CUE_VTT.replace("goal", "go\x00al")).encode(),
        "undecodable bytes": b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nP04: \x81\x8d\x8f\x90\n",
        "no WEBVTT header": CUE_VTT.encode(),
        "header only": b"WEBVTT\n",
        "letters in a timestamp": b"WEBVTT\n\n00:00:xx.000 --> 00:00:02.000\nP04: hi\n",
        "timestamp hours past any clock": f"WEBVTT\n\n{HOURS}:00:00.000 --> {HOURS}:00:01.000\nP04: hi\n".encode(),
        "arrow without times": b"WEBVTT\n\n --> \nP04: hi\n",
        "cues of tags only": b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v P04><c.loud></c>\n",
        "5,000 empty cues": ("WEBVTT\n\n" + "".join(f"00:00:{i % 60:02d}.000 --> 00:00:{i % 60:02d}.500\n<b></b>\n\n"
                                                   for i in range(5_000))).encode(),
        "UTF-16 without BOM": ("WEBVTT\n\n" + CUE_VTT).encode("utf-16-le"),
    },
    ".srt": {
        "empty file": b"",
        "binary junk": bytes(range(256)) * 32,
        "NUL inside a cue": CUE_SRT.replace("goal", "go\x00al").encode(),
        "undecodable bytes": b"1\n00:00:01,000 --> 00:00:02,000\nP04: \x81\x8d\x8f\x90\n",
        "letters in a timestamp": b"1\n00:00:xx,000 --> 00:00:02,000\nP04: hi\n",
        "hours past timedelta's range": f"1\n{HOURS}:00:01,000 --> {HOURS}:00:02,000\nP04: hi\n".encode(),
        "milliseconds past range": f"1\n00:00:01,{HOURS} --> 00:00:02,000\nP04: hi\n".encode(),
        "negative timestamp": b"1\n-00:00:01,000 --> 00:00:02,000\nP04: hi\n",
        "prose, not captions": b"hello world\nthis is not a subtitle file\n",
        "index lines only": b"1\n\n2\n\n3\n",
        "5,000 empty cues": "".join(f"{i + 1}\n00:00:{i % 60:02d},000 --> 00:00:{i % 60:02d},500\n<i></i>\n\n"
                                     for i in range(5_000)).encode(),
    },
}
CASES = [(suffix, case) for suffix, cases in HOSTILE.items() for case in cases]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One empty project for the module: every test checks a refused import leaves it as it was."""
    p = Project.create(tmp_path_factory.mktemp("hostile-captions") / "study.bctcoder", user="tester")
    yield p
    p.close()


def refused(project, path, error=TranscriptError):
    return assert_refused(project, path, lambda: project.import_transcripts([path], allow_unlinked=True), error)


@pytest.mark.parametrize("suffix, case", CASES)
def test_hostile_captions_are_refused(project, tmp_path, suffix, case):
    path = tmp_path / f"P04{suffix}"
    path.write_bytes(HOSTILE[suffix][case])
    refused(project, path)


@pytest.mark.parametrize("suffix, cue", [(".vtt", "WEBVTT\n\n" + CUE_VTT), (".srt", CUE_SRT)])
def test_the_valid_cue_imports(tmp_path, suffix, cue):
    """The hostile files are variations of this one, which imports."""
    fresh = Project.create(tmp_path / "fresh.bctcoder", user="tester")
    try:
        (tmp_path / f"P04{suffix}").write_text(cue, encoding="utf-8")
        fresh.import_transcripts([tmp_path / f"P04{suffix}"], allow_unlinked=True)
        assert fresh.document_text("P04") == "P04: I set a goal."
    finally:
        fresh.close()


def test_caption_file_past_the_size_bound(project, tmp_path, monkeypatch):
    monkeypatch.setattr("bctcoder.corpus.readers.read_bounded_file",
                        lambda path: safe_archive.read_bounded_file(path, limit=1000))
    path = tmp_path / "P04.vtt"
    path.write_text("WEBVTT\n\n" + CUE_VTT * 100, encoding="utf-8")
    refused(project, path, LimitError)


def test_many_cues_are_parsed_in_linear_time():
    """5,000 cues: read in well under a few seconds, every one kept, turns inside the text."""
    text = "WEBVTT\n\n" + "".join(f"00:{i // 60 % 60:02d}:{i % 60:02d}.000 --> 00:{i // 60 % 60:02d}:{i % 60:02d}.500\n"
                                  f"{'Interviewer' if i % 2 else 'P04'}: line {i}\n\n" for i in range(5_000))
    started = time.perf_counter()
    cues = vtt_cues(text, "many.vtt")
    transcript = cues_to_transcript(cues, "vtt", "many.vtt")
    assert time.perf_counter() - started < 5
    assert len(cues) == 5_000 and len(transcript.turns) == 5_000


@pytest.mark.parametrize("suffix", sorted(HOSTILE))
def test_cli_reports_one_line_and_no_traceback(project, tmp_path, suffix):
    path = tmp_path / f"P04{suffix}"
    path.write_bytes(HOSTILE[suffix]["letters in a timestamp"])
    before = project_state(project)
    result = runner.invoke(app, ["import", "transcripts", project.url.removeprefix("sqlite:///"), str(path),
                                 "--unlinked"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and str(path) in result.output
    assert project_state(project) == before


# -- fuzzing the parsers -----------------------------------------------------------------------------------

_STAMP = st.one_of(
    st.builds(lambda h, m, s, ms, sep: f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}", st.integers(0, 10**12),
              st.integers(0, 99), st.integers(0, 99), st.integers(0, 99999), st.sampled_from([".", ","])),
    st.text(st.sampled_from(list("0123456789:.,-> x")), max_size=16),
)
_LINE = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r"), max_size=30)
_CUE = st.builds(lambda n, a, b, lines: f"{n}\n{a} --> {b}\n" + "\n".join(lines),
                 st.one_of(st.integers(-5, 10**30), st.text(max_size=3)), _STAMP, _STAMP,
                 st.lists(_LINE, max_size=3))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cues=st.lists(_CUE, max_size=6), header=st.sampled_from(["WEBVTT\n\n", "", "WEBVTT - x\nNOTE y\n\n"]),
       parser=st.sampled_from(["vtt", "srt"]))
def test_caption_parsers_raise_only_transcript_errors(cues, header, parser):
    """Any cue-like text: cues, laid out with every turn inside the text; or a TranscriptError naming it."""
    text = (header if parser == "vtt" else "") + "\n\n".join(cues)
    try:
        parsed = (vtt_cues if parser == "vtt" else srt_cues)(text, "fuzz." + parser)
        transcript = cues_to_transcript(parsed, parser, "fuzz." + parser)
    except InputError as exc:
        assert isinstance(exc, TranscriptError) and str(exc).startswith("fuzz." + parser)
        assert "\n" not in str(exc)
        return
    assert len(transcript.turns) <= len(parsed)
    for turn in transcript.turns:
        assert 0 <= turn.start <= turn.end <= len(transcript.text)
