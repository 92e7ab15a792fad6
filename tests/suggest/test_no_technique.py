"""'No technique' is learned from documents the coders mark fully coded (#15)."""

from __future__ import annotations

from tests.conftest import write
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.suggest.service import NONE_LABEL, training_examples, uncoded_passages

runner = CliRunner()


def test_fully_coded_documents_teach_no_technique_and_get_no_suggestions(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\nP1,SP\nP2,SP\n")
    project.import_cases(tmp_path / "cases.csv")
    for key in ("P1", "P2"):
        write(tmp_path / f"{key}.txt", f"Interviewer: How was it?\n{key}: We set a goal to walk every day. "
                                       "The weather was grey. My sister came to visit.\n")
    project.import_transcripts([tmp_path / "P1.txt", tmp_path / "P2.txt"])
    text = project.document_text("P1")
    start = text.index("We set")
    project.add_coding("P1", start, start + len("We set a goal to walk every day."), "1.1", coder="ann")
    with project.reading() as s:
        before = training_examples(s)
    assert NONE_LABEL not in before[1]
    out = runner.invoke(app, ["fully-coded", project.url, "P1"])
    assert out.exit_code == 0 and "P1 is marked fully coded." in out.output
    with project.reading() as s:
        texts, labels, groups = training_examples(s)
        left = {p.document for p in uncoded_passages(s)}
    negatives = [t for t, lab in zip(texts, labels) if lab == NONE_LABEL]
    assert negatives == ["The weather was grey.", "My sister came to visit."]
    assert set(groups) == {"P1"}                       # grouped by document name, like the codings
    assert left == {"P2"}                              # no more suggestions in a fully coded transcript
    assert project.documents().set_index("document").loc["P1", "fully_coded"]
    assert project.events(limit=1)[0]["action"] == "document.fully_coded"
    assert runner.invoke(app, ["fully-coded", project.url, "P1", "--off"]).exit_code == 0
    with project.reading() as s:
        assert NONE_LABEL not in training_examples(s)[1]
    missing = runner.invoke(app, ["fully-coded", project.url, "P9"])
    assert missing.exit_code == 1 and "P9" in missing.output

