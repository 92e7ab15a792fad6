"""The whole path without a model: tracks → whisper (a stand-in) → turns → files → project (#16).

The stand-in yields scripted segments the way faster-whisper does (a generator), so these tests run with the
core install only; tests/transcribe/test_speech_slow.py runs the real model on synthesised speech.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.corpus.readers import read_transcript
from bctcoder.errors import InputError, PermissionDenied
from bctcoder.project import Project
from bctcoder.transcribe import recording
from bctcoder.transcribe.audio_input import SAMPLE_RATE, AudioTrack
from bctcoder.transcribe.recording import transcribe_recording
from tests.conftest import write

runner = CliRunner()

SCRIPT = {
    0: [(0.5, 3.0, " How have the walking sessions been for you?"), (9.0, 11.0, " What made the difference?")],
    1: [(3.6, 6.0, " Good. I go every Tuesday now."), (6.2, 8.4, " My neighbour comes too."),
        (11.8, 15.0, " Knowing she had been through it.")],
}


class StandInWhisper:
    """Answers ``transcribe`` like faster-whisper: a lazy generator of segments and an info object."""

    supported_languages = ["en"]

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def transcribe(self, samples, language=None, **options):
        self.calls.append({"language": language, **options})
        script = SCRIPT[int(samples[0])] if len(samples) else []
        pieces = (SimpleNamespace(start=s, end=e, text=t) for s, e, t in script)
        return pieces, SimpleNamespace(language="en")


def track(speaker: str, marker: int, seconds: float) -> AudioTrack:
    return AudioTrack(speaker, np.full(int(seconds * SAMPLE_RATE), marker, dtype=np.float32), f"{speaker}.wav")


@pytest.fixture
def stand_in(monkeypatch, tmp_path):
    """Replace the model and the decoder: two tracks (20 s and 16 s) and a scripted whisper."""
    whisper = StandInWhisper()
    state = {"decoded": 0}

    def read_tracks(files, speakers=None, channels=False):
        state["decoded"] += 1
        names = list(speakers or [f.stem for f in files])
        return "tracks", [track(names[0], 0, 20.0), track(names[1], 1, 16.0)]

    monkeypatch.setattr(recording, "require_faster_whisper", lambda: None)
    monkeypatch.setattr(recording, "resolve_model_dir", lambda model: tmp_path / "model")
    monkeypatch.setattr(recording, "read_tracks", read_tracks)
    monkeypatch.setattr(recording, "load_model", lambda folder: whisper)
    whisper.state = state
    return whisper


def test_transcribe_recording_writes_turns_both_ways_and_reports(stand_in, tmp_path):
    progress: list[tuple] = []
    result = transcribe_recording(["P04_interviewer.wav", "P04_participant.wav"], out_dir=tmp_path / "out",
                                  speakers=["Interviewer", "P04"], progress=lambda *a: progress.append(a))
    assert stand_in.calls[0]["vad_filter"] is True and len(stand_in.calls) == 2
    # the VAD cuts every silence as long as the pause that ends a turn (1 s by default), so whisper cannot
    # stretch the last word of a turn over the pause (a mono mix lost turns with faster-whisper's 2 s)
    assert stand_in.calls[0]["vad_parameters"] == {"min_silence_duration_ms": 1000}
    assert result["name"] == "P04" and result["mode"] == "tracks" and result["turns"] == 4
    assert result["duration"] == 20.0 and result["audio_seconds"] == 36.0
    assert result["speakers"] == [{"speaker": "Interviewer", "turns": 2, "words": 12, "seconds": 4.5},
                                  {"speaker": "P04", "turns": 2, "words": 16, "seconds": 7.8}]
    assert result["real_time_factor"] is not None and result["seconds"] >= 0
    text = (tmp_path / "out" / "P04.txt").read_text()
    assert text == ("[00:00:00] Interviewer: How have the walking sessions been for you?\n"
                    "[00:00:03] P04: Good. I go every Tuesday now. My neighbour comes too.\n"
                    "[00:00:09] Interviewer: What made the difference?\n"
                    "[00:00:11] P04: Knowing she had been through it.\n")
    transcript = read_transcript(result["captions"])
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "P04", "Interviewer", "P04"]
    # progress: starts unknown, never goes back, ends at the total (both tracks) with nothing left
    assert progress[0] == (0.0, 36.0, None) and progress[-1][:2] == (36.0, 36.0) and progress[-1][2] == 0
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)


def test_nothing_recognised_writes_nothing(stand_in, tmp_path, monkeypatch):
    monkeypatch.setitem(SCRIPT, 0, [])
    monkeypatch.setitem(SCRIPT, 1, [(1.0, 2.0, "   ")])
    with pytest.raises(InputError, match="no speech was recognised"):
        transcribe_recording(["a.wav", "b.wav"], out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_existing_transcript_is_kept_unless_replaced(stand_in, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "P04.txt").write_text("corrected by hand\n")
    with pytest.raises(InputError, match="already exists"):
        transcribe_recording(["P04_a.wav", "P04_b.wav"], out_dir=out)
    assert stand_in.state["decoded"] == 0                  # refused before any audio was read
    transcribe_recording(["P04_a.wav", "P04_b.wav"], out_dir=out, overwrite=True)
    assert "corrected" not in (out / "P04.txt").read_text()


@pytest.fixture
def study(tmp_path):
    path = tmp_path / "study.bctcoder"
    Project.create(path, user="tester").close()
    with Project.open(path, user="tester") as p:
        p.import_cases(write(tmp_path / "cases.csv", "case,role\nP04,SP\n"))
    return path


def test_import_audio_links_the_case_and_records_the_recording(stand_in, study, tmp_path):
    with Project.open(study, user="tester") as p:
        result = p.import_audio(["P04_interviewer.wav", "P04_participant.wav"], speakers=["Interviewer", "P04"])
        assert [(r["document"], r["case"], r["format"], r["turns"]) for r in result["imported"]] == \
            [("P04", "P04", "audio", 4)]
        assert result["transcription"]["files"] == [] and result["transcription"]["turns"] == 4
        turns = p.turns("P04")
        assert [(t["speaker"], t["is_interviewee"], t["timestamp"]) for t in turns] == [
            ("Interviewer", False, 0.0), ("P04", True, 3.0), ("Interviewer", False, 9.0), ("P04", True, 11.0)]
        docs = p.documents().to_dict("records")
        assert [(d["document"], d["format"]) for d in docs] == [("P04", "audio")]
        imported = p.events(action="document.import")
        assert [e["payload"]["file"] for e in imported] == \
            ["P04_interviewer.wav; P04_participant.wav"]          # the recordings, not a temporary .txt


def test_import_audio_checks_case_and_name_before_transcribing(stand_in, study, tmp_path):
    with Project.open(study, user="tester") as p:
        with pytest.raises(InputError, match="no case named 'host\\+guest'"):
            p.import_audio(["host.wav", "guest.wav"])
        with pytest.raises(InputError, match="no case 'P99'"):
            p.import_audio(["host.wav", "guest.wav"], case="P99")
        assert stand_in.state["decoded"] == 0
        p.import_audio(["host.wav", "guest.wav"], case="P04", name="P04 first", keep=tmp_path / "kept")
        assert (tmp_path / "kept" / "P04 first.txt").is_file()
        with pytest.raises(InputError, match="'P04 first' is already in the project"):
            p.import_audio(["host.wav", "guest.wav"], case="P04", name="P04 first")
        assert stand_in.state["decoded"] == 1


def test_import_audio_needs_the_import_right(stand_in, study):
    with Project.open(study, user="viewer", role="viewer") as p, pytest.raises(PermissionDenied):
        p.import_audio(["P04_a.wav", "P04_b.wav"])
    assert stand_in.state["decoded"] == 0


def test_cli_transcribe_and_import_audio(stand_in, study, tmp_path):
    out = runner.invoke(app, ["transcribe", "P04_a.wav", "P04_b.wav", "--out", str(tmp_path / "t"),
                              "--speaker", "Interviewer", "--speaker", "P04", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["turns"] == 4 and result["transcript"].endswith("P04.txt")
    plain = runner.invoke(app, ["transcribe", "P04_a.wav", "P04_b.wav", "--out", str(tmp_path / "t"), "--force"])
    assert plain.exit_code == 0 and "4 turns" in plain.stdout and "real time" in plain.stdout
    imported = runner.invoke(app, ["import", "audio", str(study), "P04_a.wav", "P04_b.wav",
                                   "--speaker", "Interviewer", "--speaker", "P04"])
    assert imported.exit_code == 0, imported.output
    assert "P04: speakers Interviewer (2 turns, interviewer), P04 (2 turns)" in imported.stdout
    assert "Transcribed: 4 turns" in imported.output


def test_cli_errors_are_one_line(stand_in, tmp_path):
    for args, message in [
        (["a.wav", "b.wav", "--out", str(tmp_path), "--pause", "-1"], "--pause: the pause must be 0 seconds"),
        (["a.wav", "b.wav", "--channels", "--out", str(tmp_path)], "--channels: reads the two channels"),
        (["a.wav", "b.wav", "--speaker", "X", "--out", str(tmp_path)],
         "--speaker: 1 name given; expected one per file (2)"),
    ]:
        out = runner.invoke(app, ["transcribe", *args])
        assert out.exit_code == 1, out.output
        lines = out.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {message}"), out.output


def test_a_failure_inside_whisper_is_one_line_naming_the_track(stand_in, tmp_path, monkeypatch):
    def broken(samples, language=None, **options):
        def pieces():
            yield SimpleNamespace(start=0.0, end=1.0, text="Hello", words=None)
            raise RuntimeError("out of memory in the encoder\nmore detail")
        return pieces(), SimpleNamespace(language="en")

    monkeypatch.setattr(stand_in, "transcribe", broken)
    out = runner.invoke(app, ["transcribe", "P04_a.wav", "P04_b.wav", "--out", str(tmp_path / "t")])
    assert out.exit_code == 1
    assert out.output.strip() == "Error: P04_a.wav: transcription failed (out of memory in the encoder)"
    assert not (tmp_path / "t").exists()


def test_the_vad_silence_follows_the_pause_setting():
    assert recording.vad_parameters(1.0) == {"min_silence_duration_ms": 1000}
    assert recording.vad_parameters(2.5) == {"min_silence_duration_ms": 2500}
    assert recording.vad_parameters(0.0) == {"min_silence_duration_ms": recording.MIN_VAD_SILENCE_MS}
