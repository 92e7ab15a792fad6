"""Suggestions skip the interviewer's turns unless asked (#13)."""

from __future__ import annotations

from tests.conftest import write

from bctcoder.suggest.service import uncoded_passages


def test_interviewer_turns_only_when_asked(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\nP04,SP\n")
    project.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "P04.txt", "Sarah: Did you set yourself a goal each week?\nP04: We set a goal together.\n"
                                "Sarah: How did that feel?\nP04: Good, I kept to it.\n")
    result = project.import_transcripts([tmp_path / "P04.txt"])
    assert result
    with project.reading() as s:
        default = [p.text for p in uncoded_passages(s)]
        everything = [p.text for p in uncoded_passages(s, include_interviewer=True)]
    # Sarah asks every question and is not named like the case: guessed as the interviewer
    assert not any("Did you set" in t for t in default)
    assert any("Did you set" in t for t in everything)
    assert any("We set a goal together." in t for t in default)
