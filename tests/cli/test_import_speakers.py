"""Every transcript import says which speakers it found and who counts as the interviewer (#13)."""

from __future__ import annotations

from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.project import Project
from tests.conftest import write

runner = CliRunner()

OTTER = ("SUMMARY KEYWORDS\npeer support, walking\n\nSarah Jones  0:02\nHow have the sessions been [for you]?\n\n"
         "P04  0:09\nGood. I go every week now.\n\nSarah Jones  0:15\nWhat made the difference?\n\n"
         "P04  0:20\nKnowing she had been through it.\n")


def test_import_lists_speakers_and_the_guessed_interviewer(tmp_path):
    path = str(tmp_path / "p.bctcoder")
    Project.create(path, user="t").close()
    write(tmp_path / "c.csv", "case,role\nP04,SP\nP05,SP\n")
    assert runner.invoke(app, ["import", "cases", path, str(tmp_path / "c.csv")]).exit_code == 0
    write(tmp_path / "P04.txt", OTTER)
    out = runner.invoke(app, ["import", "transcripts", path, str(tmp_path / "P04.txt")])
    assert out.exit_code == 0, out.output
    assert "P04: speakers Sarah Jones (2 turns, interviewer (guessed: most questions" in out.output
    assert "P04 (2 turns)" in out.output
    with Project.open(path, user="t") as p:
        turns = p.turns("P04")
        assert [t["speaker"] for t in turns] == ["Sarah Jones", "P04"] * 2   # the header block is not a turn
        assert [t["is_interviewee"] for t in turns] == [False, True] * 2
    # told otherwise, the named speaker is the interviewer and nothing is guessed
    write(tmp_path / "P05.txt", OTTER.replace("P04", "P05").replace("walking", "running"))
    told = runner.invoke(app, ["import", "transcripts", path, str(tmp_path / "P05.txt"), "--interviewer", "P05"])
    assert "P05 (2 turns, interviewer)" in told.output and "guessed" not in told.output
