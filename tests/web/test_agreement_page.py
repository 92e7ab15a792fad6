"""The web Agreement page: choose the coders, see every pair, never a command-line message (#12)."""

from __future__ import annotations

from tests.web.conftest import TOKEN, signed_in

from bctcoder.project import Project
from bctcoder.web.app import create_app


def _third_coder(path):
    with Project.open(path, user="owner") as p:
        text = p.document_text("Demo_SP2")
        start = text.index("\n", 10) + 1
        p.add_coding("Demo_SP2", start, start + 40, "3.1", coder="cy")


def test_picker_chooses_coders_and_shows_every_pair(web_project):
    _third_coder(web_project)
    client = signed_in(create_app(web_project, token=TOKEN))
    page = client.get("/results/agreement")
    assert page.status_code == 200
    for coder in ("coder_a", "coder_b", "cy"):
        assert f'name="coders" value="{coder}" checked' in page.text
    assert "Agreement for every pair of coders" in page.text
    assert "transcripts all compared coders coded" in page.text or "listwise" in page.text
    two = client.get("/results/agreement", params=[("coders", "coder_a"), ("coders", "coder_b")])
    assert 'value="cy">' in two.text and "Agreement for every pair" not in two.text
    assert "Pooled agreement" in two.text
    csv = client.get("/download/agreement.csv", params=[("coders", "coder_a"), ("coders", "cy")])
    assert csv.status_code == 200 and "cohen_kappa" in csv.text


def test_too_few_coders_is_a_sentence_not_an_error(web_project):
    client = signed_in(create_app(web_project, token=TOKEN))
    one = client.get("/results/agreement", params={"coders": "coder_a"})
    assert one.status_code == 200
    assert "Choose at least two coders to compare." in one.text
    assert "--coders" not in one.text and "/download/agreement" not in one.text
    bad = client.get("/results/agreement", params={"missing": "sometimes"})
    assert bad.status_code == 200 and "Missing must be listwise or all" in bad.text
