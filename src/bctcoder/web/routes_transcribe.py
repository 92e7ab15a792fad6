"""Transcribing a recording from the browser: upload (one file, or one track per speaker), then watch it go.

The handler saves the upload to a private temporary folder and makes one library call,
:meth:`TranscriptionJobs.submit`, for the signed-in actor; the library refuses at once what the import would
refuse, and the server's one transcription thread does the rest (the folder is deleted when it ends).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from bctcoder.web import security
from bctcoder.web.app import open_project

router = APIRouter()
csrf_checked = [Depends(security.check_csrf)]
MAX_TRACKS = 8


def _safe_name(upload: UploadFile, index: int) -> str:
    name = Path(upload.filename or "").name.strip()
    if not name or name.startswith(".") or any(not ch.isprintable() for ch in name):
        name = f"track{index}.audio"
    return name[:200]


@router.post("/documents/audio", dependencies=csrf_checked)
def upload_audio(request: Request, audio: list[UploadFile] = File(...), case: str = Form(""), name: str = Form(""),
                 speakers: str = Form(""), channels: str = Form(""), unlinked: str = Form("")) -> Response:
    folder = Path(tempfile.mkdtemp(prefix="bctcoder-upload-"))
    try:
        paths = []
        for i, upload in enumerate(audio[:MAX_TRACKS], start=1):
            target = folder / f"{i}"
            target.mkdir()
            target = target / _safe_name(upload, i)
            with open(target, "wb") as out:
                shutil.copyfileobj(upload.file, out, length=1 << 20)
            paths.append(target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    voices = [s.strip() for s in speakers.split(",") if s.strip()] or None
    try:
        with open_project(request) as p:
            p.queue_audio_import(request.app.state.transcriptions, paths, cleanup=folder, case=case.strip() or None,
                                 name=name.strip() or None, speakers=voices, channels=channels == "on",
                                 allow_unlinked=unlinked == "on")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)      # refused before it was queued: nothing is kept
        raise
    return RedirectResponse("/transcriptions", status_code=303)


@router.get("/transcriptions")
def transcriptions(request: Request) -> Response:
    with open_project(request) as p:
        jobs = p.transcription_jobs(request.app.state.transcriptions)
    busy = any(j["state"] in ("queued", "running") for j in jobs)
    return request.app.state.page(request, "transcriptions.html", {"title": "Transcriptions", "jobs": jobs,
                                                                  "refresh": busy})
