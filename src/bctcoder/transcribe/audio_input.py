"""Reading recordings into speaker tracks on one timeline.

Three ways a recording says who speaks:

- ``tracks``: several files, one per speaker, all starting at t=0 of one timeline (as Zoom records
  separate audio per participant);
- ``channels``: one stereo file whose left and right channels are two speakers;
- ``pauses``: one file with everyone in it; turns are split at pauses and the speaker is left unassigned
  (or, given one name, it is a one-speaker recording).

Audio is decoded with faster-whisper's PyAV decoder to 16 kHz mono float32 arrays. Every file is probed first
(so a file that is not audio, or is too long, is refused before anything slow happens), with a one-line
:class:`InputError` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bctcoder.errors import InputError, LimitError
from bctcoder.file_errors import os_error_reason
from bctcoder.transcribe.model_folder import EXTRA_HINT
from bctcoder.transcribe.turn_assembly import UNASSIGNED, speaker_label

SAMPLE_RATE = 16_000
MAX_AUDIO_SECONDS = 4 * 3600
MAX_FILE_BYTES = 2 * 1024**3
MODES = ("tracks", "channels", "pauses")


@dataclass(frozen=True, eq=False)
class AudioTrack:
    """One speaker's audio (16 kHz mono float32) from t=0 of the recording; ``source`` names where it came from."""

    speaker: str
    samples: np.ndarray
    source: str

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / SAMPLE_RATE


@dataclass(frozen=True)
class AudioProbe:
    """What a file's header says: duration in seconds (None when it does not say) and channels."""

    duration: float | None
    channels: int


def _av() -> Any:
    try:
        import av
    except ImportError:
        raise InputError(f"reading audio needs faster-whisper (and PyAV), which is not installed: {EXTRA_HINT}",
                         source="transcribe") from None
    return av


def hours_minutes(seconds: float) -> str:
    """``2 h 05 min`` or ``12 min 30 s``, for messages."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def _too_long(path: Path, seconds: float, max_seconds: float) -> LimitError:
    return LimitError(f"the recording is {hours_minutes(seconds)} long; bctcoder transcribes at most "
                      f"{hours_minutes(max_seconds)} at a time: split it into parts (e.g. with sox or ffmpeg)",
                      source=str(path))


def check_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse a path that is missing, a folder, unreadable or larger than ``max_bytes``."""
    try:
        if path.is_dir():
            raise InputError("this is a folder, not an audio file", source=str(path))
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("no such file", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({os_error_reason(exc, writing=False)})", source=str(path)) from None
    if size == 0:
        raise InputError("the file is empty", source=str(path))
    if size > max_bytes:
        raise LimitError(f"the file is {size / 1024**3:.1f} GB; bctcoder reads audio files up to "
                         f"{max_bytes / 1024**3:.0f} GB: split the recording or convert it to a compressed format",
                         source=str(path))


def probe_audio(path: Path, max_seconds: float = MAX_AUDIO_SECONDS, max_bytes: int = MAX_FILE_BYTES) -> AudioProbe:
    """Open ``path`` without decoding it: its duration and channels, or a one-line error naming it."""
    check_file(path, max_bytes)
    av = _av()
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            streams = container.streams.audio
            if not streams:
                raise InputError("no audio in this file (not a recording?)", source=str(path))
            duration = container.duration / 1_000_000 if container.duration else None
            stream = streams[0]
            if duration is None and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            channels = int(getattr(stream, "channels", 0) or getattr(stream.codec_context, "channels", 0) or 1)
    except InputError:
        raise
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise InputError(f"not an audio file bctcoder can read ({_reason(exc)})", source=str(path)) from None
    if duration is not None and duration > max_seconds:
        raise _too_long(path, duration, max_seconds)
    return AudioProbe(duration, channels)


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
    return str(text).splitlines()[0]


def decode(path: Path, *, split_stereo: bool = False,
           max_seconds: float = MAX_AUDIO_SECONDS) -> list[np.ndarray]:
    """The audio of ``path`` at 16 kHz: one mono array, or the left and right channels with ``split_stereo``."""
    from bctcoder.transcribe.model_folder import require_faster_whisper

    faster_whisper = require_faster_whisper()
    av = _av()
    try:
        decoded = faster_whisper.decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=split_stereo)
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise InputError(f"cannot decode the audio ({_reason(exc)})", source=str(path)) from None
    arrays = list(decoded) if split_stereo else [decoded]
    length = max(len(a) for a in arrays) / SAMPLE_RATE
    if length == 0:
        raise InputError("no audio in this file (nothing could be decoded)", source=str(path))
    if length > max_seconds:
        raise _too_long(path, length, max_seconds)
    return [np.ascontiguousarray(a, dtype=np.float32) for a in arrays]


def choose_mode(files: Sequence[Path], channels: bool) -> str:
    """``tracks`` for several files, ``channels`` for one file split by channel, else ``pauses``."""
    if not files:
        raise InputError("no audio files given", source="transcribe")
    if channels:
        if len(files) != 1:
            raise InputError("reads the two channels of one stereo file; give one file, or drop --channels to "
                             "read one file per speaker", source="--channels")
        return "channels"
    return "tracks" if len(files) > 1 else "pauses"


def speaker_labels(files: Sequence[Path], mode: str, speakers: Sequence[str] | None) -> list[str]:
    """The speaker of each track: ``speakers`` in order, else the file stem (tracks), ``Channel 1/2``
    (channels), or ``Unassigned`` (one file, speakers split at pauses)."""
    given = [s for s in (speakers or []) if s is not None]
    expected = {"tracks": len(files), "channels": 2, "pauses": 1}[mode]
    if given and len(given) != expected:
        what = {"tracks": f"one per file ({len(files)})", "channels": "two (left channel, then right)",
                "pauses": "at most one (the only speaker); give one file per speaker, or --channels, to name "
                          "several"}[mode]
        raise InputError(f"{len(given)} name{'s' if len(given) != 1 else ''} given; expected {what}",
                         source="--speaker")
    if mode == "tracks":
        defaults = [path.stem for path in files]
    elif mode == "channels":
        defaults = ["Channel 1", "Channel 2"]
    else:
        defaults = [UNASSIGNED]
    labels = [speaker_label(name, speaker_label(default, f"Speaker {i}"))
              for i, (name, default) in enumerate(zip(given or defaults, defaults), start=1)]
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label.casefold() in seen:
            raise InputError(f"two tracks have the same speaker label {label!r}: name them with --speaker "
                             "(one per file, in order)", source="--speaker")
        seen[label.casefold()] = i
    return labels


def read_tracks(files: Sequence[str | Path], *, speakers: Sequence[str] | None = None, channels: bool = False,
                max_seconds: float = MAX_AUDIO_SECONDS, max_bytes: int = MAX_FILE_BYTES,
                ) -> tuple[str, list[AudioTrack]]:
    """Probe, then decode, every file into speaker tracks: ``(mode, tracks)``; see the module docstring."""
    paths = [Path(f) for f in files]
    mode = choose_mode(paths, channels)
    labels = speaker_labels(paths, mode, speakers)
    probes = [probe_audio(path, max_seconds, max_bytes) for path in paths]
    if mode == "channels" and probes[0].channels != 2:
        raise InputError(f"the file has {probes[0].channels} channel{'s' if probes[0].channels != 1 else ''}; "
                         "--channels needs a two-channel (stereo) file with one speaker on each side",
                         source=str(paths[0]))
    if mode == "channels":
        left, right = decode(paths[0], split_stereo=True, max_seconds=max_seconds)
        return mode, [AudioTrack(labels[0], left, f"{paths[0]} (left channel)"),
                      AudioTrack(labels[1], right, f"{paths[0]} (right channel)")]
    tracks = [AudioTrack(label, decode(path, max_seconds=max_seconds)[0], str(path))
              for label, path in zip(labels, paths)]
    return mode, tracks


def timeline_seconds(tracks: Sequence[AudioTrack]) -> float:
    """The length of the recording: the longest track."""
    return max((track.duration for track in tracks), default=0.0)

