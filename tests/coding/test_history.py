"""Each coding's history (#14): created, changed, accepted, adjudicated, undone, with who and when."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from bctcoder.access.roles import Actor, Role
from bctcoder.cli.main import app
from tests.conftest import write

runner = CliRunner()


def test_history_of_a_coding_from_creation_to_adjudication(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\nP1,SP\n")
    project.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "P1.txt", "Interviewer: How was it?\nP1: We made a plan together [with Sam] and kept it.\n")
    project.import_transcripts([tmp_path / "P1.txt"])
    start = project.document_text("P1").index("We made")
    ann = project.acting_as(Actor("ann", Role.CODER))
    mine = ann.add_coding("P1", start, start + 20, "1.4")
    ann.update_coding(mine["id"], memo="a plan [draft]")
    ann.update_coding(mine["id"], memo="a plan")
    ann.undo()
    project.add_coding("P1", start, start + 20, "1.1", coder="bob")
    decided = project.decide("ann", "bob", "P1", "1.4", "ann", memo="kept")
    assert decided["consensus_codings"] == 1
    steps = [(h["user"], h["what"]) for h in project.history(mine["id"])]
    assert steps == [("ann", "created"), ("ann", "changed"), ("ann", "changed"), ("ann", "undone")]
    assert "a plan [draft]" in project.history(mine["id"])[2]["details"]
    everything = project.history()
    consensus = [h for h in everything if h["what"] == "adjudicated (consensus)"]
    assert len(consensus) == 1 and consensus[0]["user"] == project.user
    # a blind coder sees only their own actions
    project.set_blind(True)
    assert {h["user"] for h in project.acting_as(Actor("bob", Role.CODER)).history()} <= {"bob"}


def test_cli_history_csv_and_unknown_coding(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\nP1,SP\n")
    project.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "P1.txt", "Interviewer: How was it?\nP1: We made a plan together and kept it.\n")
    project.import_transcripts([tmp_path / "P1.txt"])
    coding = project.add_coding("P1", 30, 40, "1.1", coder="ann")
    out = runner.invoke(app, ["history", project.url, "--coding", str(coding["id"]), "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert rows[0]["what"] == "created" and rows[0]["coding"] == str(coding["id"])
    missing = runner.invoke(app, ["history", project.url, "--coding", "424242"])
    assert missing.exit_code == 1 and "no coding 424242" in missing.output
