"""Storing transcripts in a project: case linking, duplicates, transactional imports, a killed import."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from bctcoder.errors import InputError, TranscriptError
from bctcoder.project import Project


def _cases(project, tmp_path, keys=("PW1", "SP1")):
    body = "case,role\n" + "".join(f"{k},{k[:2]}\n" for k in keys)
    (tmp_path / "cases.csv").write_text(body, encoding="utf-8")
    project.import_cases(tmp_path / "cases.csv")


def test_import_links_case_by_file_name_and_stores_turns(project, tmp_path):
    _cases(project, tmp_path)
    f = tmp_path / "PW1.txt"
    f.write_text("Interviewer: How did it start?\r\nPW1: We met at a café. 😊\r\n", encoding="utf-8")
    result = project.import_transcripts([f])
    assert result["imported"][0]["case"] == "PW1"
    text = project.document_text("PW1")
    assert "\r" not in text
    turns = project.turns("PW1")
    assert [t["speaker"] for t in turns] == ["Interviewer", "PW1"]
    assert [t["is_interviewee"] for t in turns] == [False, True]
    assert turns[1]["text"] == "We met at a café. 😊"
    assert text[turns[1]["start"]:turns[1]["end"]] == "We met at a café. 😊"
    assert project.events(limit=1)[0]["action"] == "document.import"


def test_reimport_is_detected_by_content_hash(project, tmp_path):
    _cases(project, tmp_path)
    f = tmp_path / "PW1.txt"
    f.write_text("Interviewer: Hello?\nPW1: Hi.\n", encoding="utf-8")
    project.import_transcripts([f])
    copy = tmp_path / "SP1.txt"
    copy.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))  # same canonical text
    result = project.import_transcripts([copy])
    assert result["imported"] == []
    assert result["duplicates"] == [{"file": str(copy), "document": "PW1"}]
    assert project.info()["documents"] == 1


def test_unknown_case_and_explicit_case(project, tmp_path):
    _cases(project, tmp_path)
    f = tmp_path / "interview 3.txt"
    f.write_text("Interviewer: Hello?\nPW: Hi.\n", encoding="utf-8")
    with pytest.raises(InputError, match="no case named 'interview 3'"):
        project.import_transcripts([f])
    assert project.import_transcripts([f], case="SP1")["imported"][0]["case"] == "SP1"


def test_bad_file_in_a_batch_leaves_nothing(project, tmp_path):
    _cases(project, tmp_path)
    good = tmp_path / "PW1.txt"
    good.write_text("Interviewer: Hello?\nPW1: Hi.\n", encoding="utf-8")
    bad = tmp_path / "SP1.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00")
    before = project.info()
    with pytest.raises(TranscriptError, match="SP1.txt"):
        project.import_transcripts([good, bad])
    after = project.info()
    assert after == before
    assert project.events(limit=1)[0]["action"] == "cases.import"


def test_empty_file_and_missing_file(project, tmp_path):
    _cases(project, tmp_path)
    empty = tmp_path / "PW1.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="empty"):
        project.import_transcripts([empty])
    with pytest.raises(InputError, match="no such file"):
        project.import_transcripts([tmp_path / "gone.txt"])


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from bctcoder.project import Project
    project = Project.open(sys.argv[1])
    files = sys.argv[2:]
    def progress(done, total, name):
        if done == 2:   # two files written into the open transaction: die without cleanup
            os.kill(os.getpid(), signal.SIGKILL)
    project.import_transcripts(files, progress=progress)
""")


@pytest.mark.slow
def test_killed_import_leaves_the_project_as_it_was(tmp_path):
    path = tmp_path / "kill.bctcoder"
    keys = [f"PW{i}" for i in range(1, 5)]
    with Project.create(path) as project:
        _cases(project, tmp_path, keys)
        before = project.info()
        events_before = project.events()
    files = []
    for k in keys:
        f = tmp_path / f"{k}.txt"
        f.write_text(f"Interviewer: Hello {k}?\n{k}: Hi there, this is {k}.\n", encoding="utf-8")
        files.append(str(f))
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(path), *files], capture_output=True, text=True,
                          env={**os.environ}, timeout=120)
    assert proc.returncode == -9, proc.stderr
    with Project.open(path) as project:
        assert project.info() == before
        assert project.events() == events_before
        # and the project still works afterwards
        assert len(project.import_transcripts(files)["imported"]) == 4
