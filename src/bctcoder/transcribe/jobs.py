"""Recordings transcribed in the background, one at a time, for a server (the web workspace).

Transcribing an hour of audio takes minutes, longer than a browser request should wait. A server keeps one
:class:`TranscriptionJobs`: :meth:`submit` checks at once what the import would refuse (the right to import,
the document name, the case) and queues the recording; one worker thread transcribes and imports each in
turn through :meth:`Project.import_audio` for the person who submitted it (so the library still decides what
they may do), recording progress and the time left. Uploaded files are deleted when their job ends. Each
person sees their own jobs; owners see everyone's.
"""

from __future__ import annotations

import itertools
import queue
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bctcoder.access.roles import Actor
from bctcoder.errors import BctcoderError

MAX_KEPT = 200   # finished jobs remembered per server


@dataclass
class TranscriptionJob:
    """One recording's way through the queue."""

    id: int
    user: str
    name: str
    files: list[str]
    state: str = "queued"            # queued, running, done, failed
    done_seconds: float = 0.0
    total_seconds: float = 0.0
    eta_seconds: float | None = None
    error: str | None = None
    document: str | None = None
    turns: int | None = None
    submitted: float = field(default_factory=time.time)
    finished: float | None = None

    def as_dict(self) -> dict[str, Any]:
        share = self.done_seconds / self.total_seconds if self.total_seconds else 0.0
        return {"id": self.id, "user": self.user, "name": self.name, "files": list(self.files), "state": self.state,
                "percent": round(100 * min(1.0, share)) if self.state != "done" else 100,
                "done_seconds": round(self.done_seconds, 1), "total_seconds": round(self.total_seconds, 1),
                "eta_seconds": None if self.eta_seconds is None else round(self.eta_seconds),
                "error": self.error, "document": self.document, "turns": self.turns}


class TranscriptionJobs:
    """A queue of recordings and the one thread that transcribes them."""

    def __init__(self) -> None:
        self._jobs: dict[int, TranscriptionJob] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[TranscriptionJob, Any, dict[str, Any], Path | None] | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    def submit(self, project: Any, files: Sequence[str | Path], *, cleanup: str | Path | None = None,
               **options: Any) -> dict[str, Any]:
        """Queue ``files`` (one recording: one file, or one track per speaker) for ``project`` (a Project acting
        for the person submitting); ``options`` are :meth:`Project.import_audio`'s. Refused at once, with the
        library's error, when the import would be (no right, the name taken, no such case). ``cleanup`` is a
        folder deleted when the job ends (the uploaded files)."""
        paths = [Path(f) for f in files]
        try:
            name = project.check_audio_import(paths, case=options.get("case"), name=options.get("name"),
                                              allow_unlinked=options.get("allow_unlinked", False))
        except BaseException:
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)
            raise
        job = TranscriptionJob(next(self._ids), project.user, name, [p.name for p in paths])
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="bctcoder-transcription", daemon=True)
                self._worker.start()
        self._queue.put((job, project, {**options, "paths": paths}, Path(cleanup) if cleanup else None))
        return job.as_dict()

    def visible_to(self, actor: Actor) -> list[dict[str, Any]]:
        """The jobs this person may see (their own; an owner sees all), newest first."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if actor.is_owner or j.user == actor.name]
        return [j.as_dict() for j in sorted(jobs, key=lambda j: -j.id)]

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait until no job is queued or running (tests, shutdown); whether that happened in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if all(j.state in ("done", "failed") for j in self._jobs.values()):
                    return True
            time.sleep(0.05)
        return False

    def _forget_old(self) -> None:
        finished = sorted((j for j in self._jobs.values() if j.finished is not None), key=lambda j: j.finished or 0)
        for job in finished[:max(0, len(finished) - MAX_KEPT)]:
            self._jobs.pop(job.id, None)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, project, options, cleanup = item
            self._run(job, project, options, cleanup)

    def _run(self, job: TranscriptionJob, project: Any, options: dict[str, Any], cleanup: Path | None) -> None:
        def progress(done: float, total: float, eta: float | None) -> None:
            job.done_seconds, job.total_seconds, job.eta_seconds = done, total, eta

        job.state = "running"
        paths = options.pop("paths")
        try:
            result = project.import_audio(paths, progress=progress, **options)
            imported = result.get("imported") or [{}]
            job.document = imported[0].get("document") or job.name
            job.turns = imported[0].get("turns")
            job.state = "done"
        except BctcoderError as exc:
            job.state, job.error = "failed", str(exc).splitlines()[0]
        except Exception as exc:   # a job never takes the server down; the reason is shown on one line
            job.state, job.error = "failed", f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        finally:
            job.finished = time.time()
            job.eta_seconds = 0.0 if job.state == "done" else None
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)
