"""Transcribing from the browser: upload a recording, watch the job, find the transcript.

The quick test stands in a scripted transcriber for Whisper (the queue, progress, refusals and clean-up are
what is tested); the slow one uploads two real spoken tracks (espeak-ng) and waits for Whisper.
"""

from __future__ import annotations

import glob
import tempfile

import pytest
from tests.web.conftest import csrf, signed_in

from bctcoder.project import Project
from bctcoder.transcribe import api as transcribe_api

SCRIPT = ("[00:00:01] Interviewer: How did the first session go?\n"
          "[00:00:04] Demo_SP3: Better than I thought, she listened.\n")


def _uploads_left() -> list[str]:
    return glob.glob(f"{tempfile.gettempdir()}/bctcoder-upload-*")


@pytest.fixture
def scripted(monkeypatch, tmp_path):
    """import_audio with the transcription step scripted: reports progress, then imports a fixed transcript."""
    from bctcoder.corpus import importer

    calls = []

    def fake(self, paths, *, progress=None, case=None, name=None, allow_unlinked=False, **options):
        calls.append({"paths": [p.name for p in paths], "exists": all(p.exists() for p in paths), "case": case,
                      "speakers": options.get("speakers")})
        for done in (5.0, 10.0):
            progress(done, 10.0, 10.0 - done)
        script = tmp_path / f"{name or 'Recording'}.txt"
        script.write_text(SCRIPT, encoding="utf-8")
        with self.transaction() as s:
            return importer.import_transcripts(s, [script], self.user, case=case, allow_unlinked=allow_unlinked)

    monkeypatch.setattr(transcribe_api.TranscribeMixin, "import_audio", fake)
    return calls


def test_an_owner_uploads_tracks_and_the_transcript_arrives(app, web_project, scripted):
    before = set(_uploads_left())
    owner = signed_in(app, "olga", "olga-password")
    assert "Transcribe a recording" in owner.get("/").text
    r = owner.post("/documents/audio", data={"csrf_token": csrf(owner), "case": "Demo_SP3", "name": "Demo_SP3_audio",
                                             "speakers": "Interviewer, Demo_SP3"},
                   files=[("audio", ("int.wav", b"RIFF-one")), ("audio", ("sp.wav", b"RIFF-two"))],
                   follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/transcriptions"
    assert app.state.transcriptions.wait(20)
    page = owner.get("/transcriptions").text
    assert "done" in page and 'href="/documents/Demo_SP3_audio"' in page and 'http-equiv="refresh"' not in page
    assert scripted == [{"paths": ["int.wav", "sp.wav"], "exists": True, "case": "Demo_SP3",
                         "speakers": ["Interviewer", "Demo_SP3"]}]
    with Project.open(web_project) as p:
        assert "Better than I thought" in p.document_text("Demo_SP3_audio")
    assert set(_uploads_left()) == before                       # the uploaded audio is gone


def test_refused_at_once_and_nothing_kept(app, web_project, scripted):
    before = set(_uploads_left())
    owner = signed_in(app, "olga", "olga-password")
    r = owner.post("/documents/audio", data={"csrf_token": csrf(owner), "case": "No_such_case"},
                   files=[("audio", ("x.wav", b"RIFF"))], follow_redirects=False)
    assert r.status_code == 400 and "no case 'No_such_case'" in r.text
    ann = signed_in(app, "ann", "ann-password")
    r = ann.post("/documents/audio", data={"csrf_token": csrf(ann), "unlinked": "on"},
                 files=[("audio", ("x.wav", b"RIFF"))], follow_redirects=False)
    assert r.status_code == 403 and "Transcribe a recording" not in ann.get("/").text
    assert scripted == [] and set(_uploads_left()) == before


@pytest.mark.slow
def test_real_speech_uploaded_as_two_tracks(app, web_project, tmp_path):
    from tests.transcribe.spoken_dialogue import require_tools, synthesise

    require_tools()
    tracks, _ = synthesise(tmp_path / "speech")
    owner = signed_in(app, "olga", "olga-password")
    files = [("audio", (path.name, path.read_bytes())) for path in tracks.values()]
    r = owner.post("/documents/audio", data={"csrf_token": csrf(owner), "speakers": ", ".join(tracks),
                                             "name": "Walking_P04", "unlinked": "on"}, files=files,
                   follow_redirects=False)
    assert r.status_code == 303
    assert app.state.transcriptions.wait(300)
    jobs = owner.get("/transcriptions").text
    assert "done" in jobs, jobs
    with Project.open(web_project) as p:
        turns = p.turns("Walking_P04")
    assert [t["speaker"] for t in turns] == ["Interviewer", "P04", "Interviewer", "P04"]
    assert "neighbour" in turns[1]["text"].lower() or "neighbor" in turns[1]["text"].lower()
