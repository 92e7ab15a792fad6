"""Saying who speaks a turn after transcription: the library call, its rights and the event log."""

from __future__ import annotations

import pytest

from bctcoder.access.roles import Role
from bctcoder.errors import InputError, NotFoundError, PermissionDenied
from bctcoder.project import Project

MIXED = ("[00:00:01] Unassigned: How has the peer support been for you?\n"
         "[00:00:05] Unassigned: Honestly it has been a lifeline, she gets it.\n"
         "[00:00:12] Unassigned: What did she do that helped?\n"
         "[00:00:15] Unassigned: She set me little goals each week.\n")


@pytest.fixture
def recorded(project: Project, tmp_path) -> Project:
    path = tmp_path / "SP7.txt"
    path.write_text(MIXED, encoding="utf-8")
    project.import_transcripts([path], allow_unlinked=True)
    return project


def test_turns_of_a_mixed_recording_can_be_assigned_one_by_one_or_onwards(recorded: Project):
    turns = recorded.turns("SP7")
    assert [t["speaker"] for t in turns] == ["Unassigned"] * 4
    first = recorded.assign_speaker("SP7", turns[0]["start"], "interviewer")
    assert first["speaker"] == "Interviewer" and first["turns"] == 1
    rest = recorded.assign_speaker("SP7", turns[1]["start"], "participant", speaker="SP7", following=True)
    assert rest["turns"] == 3
    recorded.assign_speaker("SP7", turns[2]["start"], "interviewer")
    after = recorded.turns("SP7")
    assert [(t["speaker"], t["is_interviewee"]) for t in after] == [
        ("Interviewer", False), ("SP7", True), ("Interviewer", False), ("SP7", True)]
    assert [t["text"] for t in after] == [t["text"] for t in turns]      # offsets and words untouched
    events = recorded.events(action="turn.speaker")
    assert len(events) == 3


def test_bad_role_unknown_turn_and_viewers_are_refused(recorded: Project):
    start = recorded.turns("SP7")[0]["start"]
    with pytest.raises(InputError, match="role must be one of interviewer, participant"):
        recorded.assign_speaker("SP7", start, "therapist")
    with pytest.raises(NotFoundError, match="no turn starts at 3"):
        recorded.assign_speaker("SP7", 3, "interviewer")
    viewer = recorded.acting_as(type(recorded.actor)("vera", Role.VIEWER))
    with pytest.raises(PermissionDenied):
        viewer.assign_speaker("SP7", start, "interviewer")
    coder = recorded.acting_as(type(recorded.actor)("cora", Role.CODER))
    assert coder.assign_speaker("SP7", start, "interviewer")["speaker"] == "Interviewer"
