"""The packaged Whisper model on a synthesised two-speaker interview: speakers, order, times, words (#16).

Slow: espeak-ng speaks a short dialogue in two voices, sox lays it out as one track per speaker, a stereo
file and a mono mix, and the packaged tiny.en model transcribes each on the CPU. Skipped when espeak-ng, sox
or the [transcribe] extra is missing, except under CI, where that is a failure.
"""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.corpus.readers import read_transcript
from bctcoder.project import Project
from bctcoder.transcribe import model_folder
from bctcoder.transcribe.recording import transcribe_recording
from tests.conftest import write
from tests.transcribe.spoken_dialogue import DIALOGUE, mono_mix, require_tools, stereo, synthesise, word_recall

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory):
    require_tools()
    folder = tmp_path_factory.mktemp("speech")
    tracks, schedule = synthesise(folder)
    return folder, tracks, schedule


def check_transcript(path, schedule, speakers):
    """Turns alternate as spoken, start when scheduled (to the whole second), and most words are right."""
    transcript = read_transcript(path)
    turns = transcript.turns
    assert [t.speaker for t in turns] == [speakers[u.speaker] for u in schedule]
    for turn, utterance in zip(turns, schedule):
        assert -1.5 <= turn.timestamp - utterance.start <= 0.5, (turn, utterance)   # whole seconds in the .txt
        assert word_recall(utterance.text, transcript.turn_text(turn)) >= 0.75, transcript.turn_text(turn)
    return transcript


def test_tracks_offline_with_the_network_forbidden(dialogue, tmp_path, monkeypatch):
    folder, tracks, schedule = dialogue
    model_folder._load.cache_clear()               # the model is loaded afresh while the network is forbidden

    def no_network(*args, **kwargs):
        raise AssertionError("transcription tried to open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")      # no help from the environment: the code itself stays local
    progress = []
    result = transcribe_recording([tracks["Interviewer"], tracks["P04"]], out_dir=tmp_path,
                                  speakers=["Interviewer", "P04"], progress=lambda *a: progress.append(a))
    monkeypatch.undo()
    assert result["mode"] == "tracks" and result["model"]["packaged"]
    assert [s["turns"] for s in result["speakers"]] == [2, 2]
    transcript = check_transcript(result["transcript"], schedule, {"Interviewer": "Interviewer", "P04": "P04"})
    assert [t.is_interviewee for t in transcript.turns] == [False, True, False, True]
    captions = read_transcript(result["captions"])
    assert [t.speaker for t in captions.turns] == ["Interviewer", "P04", "Interviewer", "P04"]
    assert progress[0][2] is None and progress[-1][0] == pytest.approx(progress[-1][1]) and progress[-1][2] == 0
    assert result["real_time_factor"] < 5


def test_stereo_channels_are_the_two_speakers(dialogue, tmp_path):
    folder, tracks, schedule = dialogue
    both = stereo([tracks["Interviewer"], tracks["P04"]], folder / "stereo.wav")
    result = transcribe_recording(both, out_dir=tmp_path, channels=True)
    assert result["mode"] == "channels"
    check_transcript(result["transcript"], schedule, {"Interviewer": "Channel 1", "P04": "Channel 2"})


def test_mono_mix_splits_turns_at_pauses_unassigned(dialogue, tmp_path):
    folder, tracks, schedule = dialogue
    mixed = mono_mix([tracks["Interviewer"], tracks["P04"]], folder / "mono.wav")
    result = transcribe_recording(mixed, out_dir=tmp_path)
    assert result["mode"] == "pauses"
    check_transcript(result["transcript"], schedule, {"Interviewer": "Unassigned", "P04": "Unassigned"})


def test_cli_import_audio_into_a_project(dialogue, tmp_path):
    folder, tracks, schedule = dialogue
    path = tmp_path / "study.bctcoder"
    Project.create(path, user="tester").close()
    write(tmp_path / "cases.csv", "case,role\nP04,SP\n")
    assert runner.invoke(app, ["import", "cases", str(path), str(tmp_path / "cases.csv")]).exit_code == 0
    out = runner.invoke(app, ["import", "audio", str(path), str(tracks["Interviewer"]), str(tracks["P04"]),
                              "--speaker", "Interviewer", "--speaker", "P04", "--case", "P04", "--name", "P04"])
    assert out.exit_code == 0, out.output
    with Project.open(path, user="tester") as p:
        turns = p.turns("P04")
    assert [t["speaker"] for t in turns] == [speaker for speaker, _ in DIALOGUE]
    assert word_recall(" ".join(text for _, text in DIALOGUE), " ".join(t["text"] for t in turns)) >= 0.8
