"""The privacy pages in a real browser: an owner reviews proposed replacements, a coder settles who speaks the
turns of a mixed recording, and the Transcriptions page. Screenshots go to docs/screenshots when
BCTCODER_SCREENSHOTS is set."""

from __future__ import annotations

import pytest
from tests.web.test_browser import CHROMIUM, FLAGS, playwright_api, server, shot  # noqa: F401

pytestmark = pytest.mark.slow

MIXED = ("[00:00:01] Unassigned: So how did the first few weeks with your peer worker go?\n"
         "[00:00:07] Unassigned: Honestly? Better than I'd feared. She'd been in hospital herself, so she "
         "\"got it\" without me explaining.\n"
         "[00:00:16] Unassigned: What did you do together?\n"
         "[00:00:19] Unassigned: We planned one small thing a week [laughs], like the café on Fridays.\n")


def _sign_in(page, url):
    page.goto(url + "/?token=tok")
    page.fill("input[name=name]", "owner")
    page.click("button[type=submit]")
    page.wait_for_selector("#documents")


def test_owner_reviews_replacements_and_assigns_speakers(server, tmp_path):  # noqa: F811 (the fixture)
    from tests.pseudonymise.test_project_workflow import TEXT, _proposals

    from bctcoder.project import Project
    from bctcoder.pseudonymise import proposal_store

    url, path = server
    with Project.open(path, user="owner") as p:
        (tmp_path / "Demo_SP4x.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / "Recording_SP9.txt").write_text(MIXED, encoding="utf-8")
        p.import_transcripts([tmp_path / "Demo_SP4x.txt", tmp_path / "Recording_SP9.txt"], allow_unlinked=True)
        with p.transaction() as s:
            proposal_store.replace_proposals(s, _proposals("Demo_SP4x", p.document_text("Demo_SP4x")), user="owner")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _sign_in(page, url)
        page.click("text=Pseudonymise")
        page.wait_for_selector("#proposals")
        assert page.locator("#proposals tbody tr").count() == 6
        shot(page, "pseudonymise")
        row = page.locator("#proposals tbody tr", has=page.get_by_label("Replacement for Roundhay Park"))
        row.locator("input[name=replacement]").fill("[Park A]")
        row.locator("button[value=edit]").click()
        page.wait_for_selector("#proposals")
        assert page.locator("#proposals tbody tr").count() == 5          # decided: off the pending list
        page.goto(url + "/documents/Recording_SP9")
        page.wait_for_selector("form.assign")
        shot(page, "assign-speakers")
        page.locator("form.assign").first.locator("button[value=interviewer]").click()
        page.wait_for_selector("#transcript")
        second = page.locator("form.assign").first
        second.locator("input[name=following]").check()
        second.locator("button[value=participant]").click()
        page.wait_for_selector("#transcript")
        assert page.locator("form.assign").count() == 0                    # "and later" settled the rest
        browser.close()
    with Project.open(path) as p:
        assert [t["speaker"] for t in p.turns("Recording_SP9")][:2] == ["Interviewer", "Participant"]
        rows = p.pseudonym_proposals(decision="accepted")["rows"]
        assert [(r["original"], r["replacement"]) for r in rows] == [("Roundhay Park", "[Park A]")]


def test_owner_transcribes_two_tracks_in_the_browser(server, tmp_path):  # noqa: F811 (the fixture)
    from tests.transcribe.spoken_dialogue import require_tools, synthesise

    require_tools()
    tracks, _ = synthesise(tmp_path / "speech")
    url, path = server
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _sign_in(page, url)
        page.click("text=Transcribe a recording")
        page.set_input_files("input[name=audio]", [str(p) for p in tracks.values()])
        page.fill("input[name=speakers]", ", ".join(tracks))
        page.fill("input[name=name]", "Walking_P04")
        page.check("input[name=unlinked]")
        shot(page, "transcribe-upload")
        page.click("button:text('Transcribe')")
        page.wait_for_selector("#transcriptions")
        page.wait_for_selector("#transcriptions tr.done", timeout=240_000)   # the page refreshes itself
        shot(page, "transcriptions")
        page.click("#transcriptions a:text('Walking_P04')")
        page.wait_for_selector("#transcript")
        assert page.locator(".turn").count() == 4 and "neighbo" in page.inner_text("#transcript")
        browser.close()
