"""``bctcoder transcribe`` and ``bctcoder import audio``: interview recordings to transcripts, on this machine.

Registered by :mod:`bctcoder.cli.main` (``transcribe`` on the main app, ``audio`` on the ``import`` app).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from bctcoder.cli.common import ProjectArg, open_project
from bctcoder.cli.imports import show_imported
from bctcoder.cli.output import Format, emit_object, literal, make_console
from bctcoder.transcribe.audio_input import hours_minutes
from bctcoder.transcribe.model_folder import MODEL_ENV
from bctcoder.transcribe.turn_assembly import DEFAULT_PAUSE, UNASSIGNED

err_console = make_console(stderr=True)

AudioArg = typer.Argument(..., help="Audio: one file per speaker (all starting together), one stereo file with "
                                    "--channels, or one file (speakers unassigned; turns split at pauses).",
                          show_default=False)
ModelOpt = typer.Option(None, "--model", help=f"Folder of a CTranslate2 Whisper model (default: ${MODEL_ENV}, "
                                              "else the packaged tiny.en).")
SpeakerOpt = typer.Option(None, "--speaker", help="Speaker name, once per file (or per channel), in order.")
ChannelsOpt = typer.Option(False, "--channels", help="One stereo file: the left and right channels are two "
                                                     "speakers.")
PauseOpt = typer.Option(DEFAULT_PAUSE, "--pause", help="A silence this long (seconds) or longer starts a new turn.")
LanguageOpt = typer.Option(None, "--language", help="Language code for a multilingual model, e.g. de "
                                                    "(default: detected).")
ForceOpt = typer.Option(False, "--force", help="Replace transcript files that already exist.")


def time_left(eta: float | None) -> str:
    """``about 3 min 05 s left``, or ``estimating time left`` before the first words."""
    if eta is None:
        return "estimating time left"
    return "less than 1 s left" if eta < 1 else f"about {hours_minutes(eta)} left"


@contextmanager
def progress_bar() -> Iterator[Callable[[float, float, float | None], None]]:
    """A Rich progress bar on stderr (seconds of audio done, time left; none when stderr is not a terminal);
    yields the progress callback."""
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[left]}"), console=err_console, transient=True,
                  disable=not err_console.is_terminal) as bar:
        task = bar.add_task("Loading the model", total=None, left="")

        def update(done: float, total: float, eta: float | None) -> None:
            bar.update(task, description="Transcribing", completed=done, total=total or None, left=time_left(eta))

        yield update


def summary_line(result: dict[str, Any]) -> str:
    """What was transcribed, how fast, and by whom."""
    who = ", ".join(f"{s['speaker']} ({s['turns']} turn{'s' if s['turns'] != 1 else ''})" for s in result["speakers"])
    rtf = result.get("real_time_factor")
    speed = f" ({rtf:.2f}× real time, about {result['minutes_per_audio_hour']:.0f} min per hour of audio)" \
        if rtf is not None else ""
    return (f"{result['turns']} turns, {result['words']} words from {hours_minutes(result['duration'])} of audio; "
            f"speakers {who}; took {hours_minutes(result['seconds'])}{speed}.")


def unassigned_note(result: dict[str, Any]) -> str | None:
    """A reminder when the speakers were not told apart."""
    if result["mode"] == "pauses" and any(s["speaker"] == UNASSIGNED for s in result["speakers"]):
        return (f"Speakers were not told apart (one file): turns are split at pauses and labelled {UNASSIGNED}. "
                "Give one file per speaker, or --channels for a stereo file with one speaker on each side.")
    return None


def transcribe(audio: list[Path] = AudioArg,
               out: Path = typer.Option(..., "--out", "-o", help="Folder for NAME.txt and NAME.vtt."),
               model: Optional[Path] = ModelOpt, speaker: Optional[list[str]] = SpeakerOpt,
               channels: bool = ChannelsOpt, pause: float = PauseOpt, language: Optional[str] = LanguageOpt,
               name: Optional[str] = typer.Option(None, "--name", help="File name for the transcript (default: "
                                                                       "from the audio files' names)."),
               force: bool = ForceOpt, json_out: bool = typer.Option(False, "--json", help="Print the result "
                                                                                            "as JSON.")) -> None:
    """Transcribe a recording on this machine into a transcript (.txt, importable) and captions (.vtt).

    Nothing leaves the computer: the model is a local folder and no network connection is made.
    """
    from bctcoder.transcribe.recording import transcribe_recording

    with progress_bar() as update:
        result = transcribe_recording(audio, out_dir=out, model=model, speakers=speaker, channels=channels,
                                      pause=pause, language=language, name=name, overwrite=force, progress=update)
    if json_out:
        emit_object(result, Format.json)
        return
    console = make_console()
    console.print(literal(f"Wrote {result['transcript']} and {result['captions']}: {summary_line(result)}"),
                  soft_wrap=True)
    note = unassigned_note(result)
    if note:
        err_console.print(literal(note, "yellow"), soft_wrap=True)


def import_audio(project: str = ProjectArg, audio: list[Path] = AudioArg,
                 case: Optional[str] = typer.Option(None, help="Case key the transcript belongs to."),
                 name: Optional[str] = typer.Option(None, "--name", help="Document name (default: from the audio "
                                                                         "files' names; also matches the case)."),
                 unlinked: bool = typer.Option(False, "--unlinked", help="Allow a document with no matching case."),
                 interviewer: Optional[list[str]] = typer.Option(
                     None, help="Speaker label(s) of the interviewer (default: Interviewer, I, Q, ...)."),
                 model: Optional[Path] = ModelOpt, speaker: Optional[list[str]] = SpeakerOpt,
                 channels: bool = ChannelsOpt, pause: float = PauseOpt, language: Optional[str] = LanguageOpt,
                 keep: Optional[Path] = typer.Option(None, "--keep", help="Also keep NAME.txt and NAME.vtt in this "
                                                                          "folder."),
                 force: bool = ForceOpt,
                 format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Transcribe a recording on this machine and import it as a transcript of a case."""
    with open_project(project) as p, progress_bar() as update:
        result = p.import_audio(audio, case=case, name=name, allow_unlinked=unlinked, model=model,
                                speakers=speaker, channels=channels, pause=pause, language=language,
                                interviewer_labels=interviewer, keep=keep, overwrite=force, progress=update)
    show_imported(result, format, err_console)
    if format == Format.json:
        return
    transcription = result["transcription"]
    err_console.print(literal(f"Transcribed: {summary_line(transcription)}"), soft_wrap=True)
    if transcription["files"]:
        err_console.print(literal(f"Kept {' and '.join(transcription['files'])}"), soft_wrap=True)
    note = unassigned_note(transcription)
    if note:
        err_console.print(literal(note, "yellow"), soft_wrap=True)
