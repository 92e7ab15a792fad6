"""Transcribing one recording (one file, a stereo file's two channels, or one file per speaker) to a
transcript bctcoder imports and WebVTT captions, on this machine."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bctcoder.errors import BctcoderError, InputError
from bctcoder.file_errors import cannot_write
from bctcoder.transcribe.audio_input import AudioTrack, choose_mode, read_tracks, speaker_labels, timeline_seconds
from bctcoder.transcribe.model_folder import load_model, model_description, require_faster_whisper, resolve_model_dir
from bctcoder.transcribe.progress_eta import ProgressClock, TranscribeProgress
from bctcoder.transcribe.transcript_writers import transcript_text, vtt_text, write_files_atomically
from bctcoder.transcribe.turn_assembly import (
    DEFAULT_PAUSE,
    Segment,
    SpokenTurn,
    assemble_turns,
    check_pause,
    speaker_summary,
    split_at_word_gaps,
)

__all__ = ["DEFAULT_PAUSE", "WHISPER_OPTIONS", "recording_name", "transcribe_recording", "transcribe_tracks"]

# vad_filter: silence (in one speaker's track, most of it) is skipped rather than transcribed, where whisper
# would invent words; word_timestamps: each word's time, to split segments where the speaker pauses;
# condition_on_previous_text=False stops one misheard phrase repeating through an hour.
WHISPER_OPTIONS: dict[str, Any] = {"beam_size": 5, "vad_filter": True, "word_timestamps": True,
                                   "condition_on_previous_text": False}
MIN_VAD_SILENCE_MS = 250


def vad_parameters(pause: float) -> dict[str, int]:
    """The VAD cuts every silence as long as the pause that ends a turn. With faster-whisper's default (2 s),
    a 1.6 s pause stayed in the audio and whisper stretched the word before it over most of the pause, so a
    mono mix lost turn boundaries (benchmark: 33 of 44 turns found; with this, 37, and a lower WER)."""
    return {"min_silence_duration_ms": max(MIN_VAD_SILENCE_MS, int(round(pause * 1000)))}
MAX_NAME_CHARS = 200


def recording_name(files: Sequence[Path]) -> str:
    """The transcript's name: the file's stem, or for several tracks the stems' common start
    (``P04_interviewer``, ``P04_participant`` → ``P04``), else the stems joined with ``+``."""
    stems = [path.stem for path in files]
    if len(stems) == 1:
        return stems[0]
    common = os.path.commonprefix(stems).rstrip(" _-.+")
    return common or "+".join(stems)[:MAX_NAME_CHARS]


def check_name(name: str) -> str:
    """``name`` usable as a file name and a document name (a one-line :class:`InputError` if not)."""
    clean = name.strip()
    if not clean or clean in (".", "..") or any(ch in clean for ch in "/\\") \
            or any(not ch.isprintable() for ch in clean):
        raise InputError(f"{name!r} cannot be a transcript name: use letters, digits, spaces, - or _",
                         source="--name")
    if len(clean) > MAX_NAME_CHARS:
        raise InputError(f"the name is longer than {MAX_NAME_CHARS} characters", source="--name")
    return clean


def output_paths(out_dir: str | Path, name: str, overwrite: bool) -> tuple[Path, Path]:
    """``out_dir/name.txt`` and ``.vtt``; refuses to replace existing files unless ``overwrite``."""
    folder = Path(out_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InputError("this is a file, not a folder: give a folder for the transcript", source=str(folder))
    paths = (folder / f"{name}.txt", folder / f"{name}.vtt")
    if not overwrite:
        for path in paths:
            if path.exists():
                raise InputError("already exists: choose another folder or name, or replace it (--force)",
                                 source=str(path))
    return paths


def transcribe_tracks(whisper: Any, tracks: Sequence[AudioTrack], *, pause: float = DEFAULT_PAUSE,
                      language: str | None = None,
                      progress: TranscribeProgress | None = None) -> tuple[list[SpokenTurn], str | None]:
    """Run ``whisper`` (a ``faster_whisper.WhisperModel``) over each track in turn and merge the segments of
    all tracks into turns: ``(turns, language)``. ``progress`` hears of each segment as whisper yields it."""
    clock = ProgressClock(sum(track.duration for track in tracks), progress)
    clock.begin()
    segments: list[Segment] = []
    detected: str | None = None
    for track in tracks:
        clock.start_track(track.duration)
        try:
            pieces, info = whisper.transcribe(track.samples, language=language, **WHISPER_OPTIONS,
                                               vad_parameters=vad_parameters(pause))
            detected = detected or getattr(info, "language", None)
            for piece in pieces:        # a generator: whisper decodes as the loop asks for the next segment
                segments.extend(split_at_word_gaps(track.speaker, float(piece.start), float(piece.end),
                                                   piece.text, getattr(piece, "words", None), pause))
                clock.reached(float(piece.end))
        except MemoryError:
            raise BctcoderError("not enough memory to transcribe this recording: close other programs, split "
                                "the recording, or use a smaller model") from None
        except RuntimeError as exc:     # CTranslate2 reports its failures as RuntimeError
            detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise BctcoderError(f"{track.source}: transcription failed ({detail})") from None
        clock.finish_track()
    return assemble_turns(segments, pause), detected


def _check_language(whisper: Any, language: str | None) -> str | None:
    if language is None or not language.strip():
        return None
    code = language.strip().lower()
    supported = list(getattr(whisper, "supported_languages", []) or [])
    if supported and code not in supported:
        shown = ", ".join(supported[:12]) + (", ..." if len(supported) > 12 else "")
        raise InputError(f"the model does not know the language {language!r} (it knows {shown})",
                         source="--language")
    return code


def transcribe_recording(paths: str | Path | Sequence[str | Path], *, out_dir: str | Path,
                         model: str | Path | None = None, speakers: Sequence[str] | None = None,
                         channels: bool = False, pause: float = DEFAULT_PAUSE, language: str | None = None,
                         name: str | None = None, overwrite: bool = False,
                         progress: TranscribeProgress | None = None) -> dict[str, Any]:
    """Transcribe a recording on this machine into ``out_dir/NAME.txt`` and ``out_dir/NAME.vtt``.

    ``paths``: one file per speaker (all starting at t=0 of one timeline), or one stereo file with
    ``channels=True`` (left and right are two speakers), or one file whose turns are split at pauses of
    ``pause`` seconds or more (speaker ``Unassigned``, or the one name in ``speakers``). ``speakers`` names
    the tracks in order (default: file stems, or ``Channel 1``/``Channel 2``). ``model`` is a local
    CTranslate2 Whisper folder (default: ``$BCTCODER_WHISPER_MODEL``, else the packaged tiny.en); ``language``
    a Whisper language code for multilingual models (default: detected). ``name`` names the files (default:
    from the audio files' names); existing files are replaced only with ``overwrite``. ``progress`` is
    called as ``progress(done_seconds, total_seconds, eta_seconds)``.

    Returns plain data: the files written, the recording's duration, each speaker's turns, words and seconds
    spoken, the number of turns, the seconds taken and the real-time factor (seconds taken per second of
    recording). Every user error (a file that is not audio, a recording over 4 hours, a folder that is not a
    model, faster-whisper not installed) is a one-line :class:`InputError`; nothing is written then.
    """
    started = time.perf_counter()
    files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    pause = check_pause(pause)
    mode = choose_mode(files, channels)
    labels = speaker_labels(files, mode, speakers)
    require_faster_whisper()
    model_dir = resolve_model_dir(model)
    name = check_name(name) if name is not None else recording_name(files)
    txt_path, vtt_path = output_paths(out_dir, name, overwrite)
    try:
        mode, tracks = read_tracks(files, speakers=speakers, channels=channels)
    except MemoryError:
        raise BctcoderError("not enough memory to read this recording: close other programs or split the "
                            "recording") from None
    whisper = load_model(model_dir)
    language = _check_language(whisper, language)
    loaded = time.perf_counter()
    turns, detected = transcribe_tracks(whisper, tracks, pause=pause, language=language, progress=progress)
    if not turns:
        raise InputError("no speech was recognised in the recording (silent, or not speech?)",
                         source=", ".join(map(str, files)))
    try:
        txt_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(exc, txt_path.parent, "create folder") from exc
    write_files_atomically({txt_path: transcript_text(turns), vtt_path: vtt_text(turns)})
    duration = timeline_seconds(tracks)
    seconds = time.perf_counter() - started
    return {
        "transcript": str(txt_path),
        "captions": str(vtt_path),
        "files": [str(txt_path), str(vtt_path)],
        "name": name,
        "audio": [str(f) for f in files],
        "mode": mode,
        "model": model_description(model_dir),
        "language": detected,
        "pause": pause,
        "duration": round(duration, 2),
        "audio_seconds": round(sum(track.duration for track in tracks), 2),
        "speakers": speaker_summary(turns, labels),
        "turns": len(turns),
        "words": sum(len(turn.text.split()) for turn in turns),
        "seconds": round(seconds, 2),
        "transcribing_seconds": round(time.perf_counter() - loaded, 2),
        "real_time_factor": round(seconds / duration, 3) if duration else None,
        "minutes_per_audio_hour": round(60 * seconds / duration, 1) if duration else None,
    }
