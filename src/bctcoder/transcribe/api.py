"""The transcription half of the Project API: import a recording as a transcript (mixed into
:class:`bctcoder.project.Project`)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bctcoder.access.context import ProjectContext, requires
from bctcoder.access.roles import Action
from bctcoder.corpus import importer
from bctcoder.errors import InputError
from bctcoder.store.models import Case, Document
from bctcoder.transcribe.jobs import TranscriptionJobs
from bctcoder.transcribe.progress_eta import TranscribeProgress
from bctcoder.transcribe.recording import check_name, recording_name, transcribe_recording
from bctcoder.transcribe.turn_assembly import DEFAULT_PAUSE


class TranscribeMixin(ProjectContext):
    """Transcribe interview recordings on this machine and import them as transcripts."""

    @requires(Action.IMPORT)
    def import_audio(self, paths: str | Path | Sequence[str | Path], *, case: str | None = None,
                     name: str | None = None, allow_unlinked: bool = False, model: str | Path | None = None,
                     speakers: Sequence[str] | None = None, channels: bool = False, pause: float = DEFAULT_PAUSE,
                     language: str | None = None, interviewer_labels: Iterable[str] | None = None,
                     keep: str | Path | None = None, overwrite: bool = False,
                     progress: TranscribeProgress | None = None) -> dict[str, Any]:
        """Transcribe one recording locally (see :func:`bctcoder.transcribe.transcribe_recording` for
        ``paths``, ``speakers``, ``channels``, ``pause``, ``model``, ``language`` and ``progress``) and import
        the transcript in one transaction, as :meth:`import_transcripts` imports a ``.txt``.

        The document is named ``name`` (default: from the audio files' names) and linked to ``case``, else
        to the case named like the document (``allow_unlinked`` to import it without one). The case and
        the name are checked before the (slow) transcription starts. The transcript and captions are
        written to a temporary folder, or kept in the folder ``keep``. The document's source path records
        the audio files. Returns the import report with the transcription's under ``"transcription"``.
        """
        files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
        doc_name = check_name(name) if name is not None else recording_name(files) if files else ""
        if files:
            self._check_audio_target(doc_name, case, allow_unlinked)
        with tempfile.TemporaryDirectory(prefix="bctcoder-transcribe-") as tmp:
            out_dir = Path(keep) if keep is not None else Path(tmp)
            transcription = transcribe_recording(
                files, out_dir=out_dir, model=model, speakers=speakers, channels=channels, pause=pause,
                language=language, name=doc_name or None, overwrite=overwrite or keep is None, progress=progress)
            with self.transaction() as s:
                result = importer.import_transcripts(s, [transcription["transcript"]], self.user, case=case,
                                                     allow_unlinked=allow_unlinked,
                                                     interviewer_labels=interviewer_labels,
                                                     source="; ".join(str(f) for f in files))
                for row in result["imported"]:
                    doc = s.scalar(select(Document).where(Document.name == row["document"]))
                    if doc is not None:
                        doc.source_path = "; ".join(str(f) for f in files)
                        doc.source_format = row["format"] = "audio"
                for row in result["duplicates"]:
                    row["file"] = "; ".join(str(f) for f in files)
        if keep is None:
            transcription.update(transcript=None, captions=None, files=[])
        result["transcription"] = transcription
        return result

    @requires(Action.IMPORT)
    def queue_audio_import(self, jobs: TranscriptionJobs, paths: Sequence[str | Path], *,
                           cleanup: str | Path | None = None, **options: Any) -> dict[str, Any]:
        """Queue a recording on a server's background transcriber (``jobs``) for :meth:`import_audio` with
        ``options``, after checking now what the import would refuse; ``cleanup`` (the uploaded files'
        folder) is deleted when the job ends."""
        return jobs.submit(self, paths, cleanup=cleanup, **options)

    @requires(Action.IMPORT)
    def transcription_jobs(self, jobs: TranscriptionJobs) -> list[dict[str, Any]]:
        """The recordings queued, being transcribed, done or failed on a server that this person may see
        (their own; owners see everyone's), with progress and the time left."""
        return jobs.visible_to(self.actor)

    @requires(Action.IMPORT)
    def check_audio_import(self, paths: Sequence[str | Path], *, case: str | None = None, name: str | None = None,
                           allow_unlinked: bool = False) -> str:
        """What :meth:`import_audio` would refuse before transcribing (the right to import, a document name
        already taken, no such case), checked now; returns the document's name. A server calls it before
        queueing a recording for the background."""
        files = [Path(p) for p in paths]
        if not files:
            raise InputError("no audio files given", source="audio")
        doc_name = check_name(name) if name is not None else recording_name(files)
        self._check_audio_target(doc_name, case, allow_unlinked)
        return doc_name

    def _check_audio_target(self, name: str, case: str | None, allow_unlinked: bool) -> None:
        """Refuse, before transcribing, what the import would refuse after: a name taken, no such case."""
        source = name
        with self.reading() as s:
            if s.scalar(select(Document.id).where(Document.name == name)) is not None:
                raise InputError(f"a document named {name!r} is already in the project: give another name "
                                 "(--name)", source=source)
            if case is not None:
                if s.scalar(select(Case.id).where(Case.key == case)) is None:
                    raise InputError(f"no case {case!r} in the project (import cases first)", source=source)
            elif importer.match_case(s, name) is None and not allow_unlinked:
                raise InputError(f"no case named {name!r}: pass --case KEY, --name CASE, or --unlinked",
                                 source=source)
