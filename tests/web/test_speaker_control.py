"""The reading view's "this turn is the interviewer / participant" control for transcribed recordings."""

from __future__ import annotations

from tests.web.conftest import csrf, signed_in

from bctcoder.project import Project

MIXED = ("[00:00:01] Unassigned: How have the sessions with your peer worker gone?\n"
         "[00:00:06] Unassigned: Really well [laughs], she set me a goal for each week.\n"
         "[00:00:14] Unassigned: And did you keep to them?\n"
         "[00:00:17] Unassigned: Mostly, yes.\n")


def test_a_coder_assigns_unassigned_turns_from_the_reading_view(app, web_project, tmp_path):
    path = tmp_path / "Recording_SP9.txt"
    path.write_text(MIXED, encoding="utf-8")
    with Project.open(web_project, user="owner") as p:
        p.import_transcripts([path], allow_unlinked=True)
        starts = [t["start"] for t in p.turns("Recording_SP9")]
    ann = signed_in(app, "ann", "ann-password")
    page = ann.get("/documents/Recording_SP9").text
    assert page.count('class="assign"') == 4 and "[laughs]" in page
    token = csrf(ann)
    r = ann.post(f"/documents/Recording_SP9/turns/{starts[0]}/speaker",
                 data={"role": "interviewer", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/documents/Recording_SP9#turn-{starts[0]}"
    ann.post(f"/documents/Recording_SP9/turns/{starts[1]}/speaker",
             data={"role": "participant", "following": "on", "csrf_token": token})
    ann.post(f"/documents/Recording_SP9/turns/{starts[2]}/speaker",
             data={"role": "interviewer", "csrf_token": token})
    page = ann.get("/documents/Recording_SP9").text
    assert 'class="assign"' not in page
    assert "[00:00:01] Interviewer:" in page and "[00:00:06] Participant:" in page
    with Project.open(web_project) as p:
        assert [t["is_interviewee"] for t in p.turns("Recording_SP9")] == [False, True, False, True]


def test_a_viewer_sees_no_control_and_cannot_assign(app, web_project, tmp_path):
    path = tmp_path / "Recording_SP8.txt"
    path.write_text(MIXED, encoding="utf-8")
    with Project.open(web_project, user="owner") as p:
        p.import_transcripts([path], allow_unlinked=True)
        start = p.turns("Recording_SP8")[0]["start"]
    vic = signed_in(app, "vic", "vic-password")
    assert 'class="assign"' not in vic.get("/documents/Recording_SP8").text
    r = vic.post(f"/documents/Recording_SP8/turns/{start}/speaker",
                 data={"role": "interviewer", "csrf_token": csrf(vic)}, follow_redirects=False)
    assert r.status_code == 403
