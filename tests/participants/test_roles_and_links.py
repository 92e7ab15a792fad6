"""Roles beyond PW/SP and linking transcripts to cases, from the CLI, the API and the web (#13)."""

from __future__ import annotations

import shutil

import pandas as pd

from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.project import Project
from tests.conftest import write

runner = CliRunner()


def test_roles_add_then_cases_csv_with_the_new_role(tmp_path):
    path = str(tmp_path / "p.bctcoder")
    Project.create(path, user="t").close()
    write(tmp_path / "cases.csv", "case,role\nB1,BSR\n")
    refused = runner.invoke(app, ["import", "cases", path, str(tmp_path / "cases.csv")])
    assert refused.exit_code == 1 and "unknown role 'BSR'" in refused.output
    assert "bctcoder roles add PROJECT BSR" in refused.output and "Traceback" not in refused.output
    added = runner.invoke(app, ["roles", "add", path, "BSR", "--description", "Bank support worker [BSW]"])
    assert added.exit_code == 0 and "Role BSR (Bank support worker [BSW]) is available." in added.output
    listed = runner.invoke(app, ["roles", "list", path, "--format", "csv"])
    assert "BSR,Bank support worker [BSW]" in listed.output and "PW,Peer worker" in listed.output
    assert runner.invoke(app, ["import", "cases", path, str(tmp_path / "cases.csv")]).exit_code == 0
    bad = runner.invoke(app, ["roles", "add", path, "two words"])
    assert bad.exit_code == 1 and "one word" in bad.output


def test_cases_link_and_unlink_a_transcript(tmp_path):
    path = str(tmp_path / "p.bctcoder")
    with Project.create(path, user="t") as p:
        write(tmp_path / "cases.csv", "case,role\nP04,SP\n")
        p.import_cases(tmp_path / "cases.csv")
        write(tmp_path / "interview7.txt", "Interviewer: Hello?\nP: Hello.\n")
        p.import_transcripts([tmp_path / "interview7.txt"], allow_unlinked=True)
        assert pd.isna(p.documents().set_index("document").loc["interview7", "case"])
    out = runner.invoke(app, ["cases", "link", path, "interview7", "P04", "--format", "json"])
    assert out.exit_code == 0, out.output
    with Project.open(path, user="t") as p:
        assert p.documents().set_index("document").loc["interview7", "role"] == "SP"
        assert p.events(limit=1)[0]["action"] == "document.link"
    assert runner.invoke(app, ["cases", "link", path, "interview7", "--unlink"]).exit_code == 0
    missing = runner.invoke(app, ["cases", "link", path, "interview7", "P99"])
    assert missing.exit_code == 1 and "no case 'P99'" in missing.output
    both = runner.invoke(app, ["cases", "link", path, "interview7", "P04", "--unlink"])
    assert both.exit_code == 1 and "not both" in both.output
    # the old form still lists the cases
    listed = runner.invoke(app, ["cases", path, "--format", "csv"])
    assert listed.exit_code == 0 and "P04,SP" in listed.output


def test_web_participants_page_links_a_transcript(tmp_path, demo_template):
    from tests.web.conftest import TOKEN, csrf, signed_in

    from bctcoder.web.app import create_app

    path = tmp_path / "w.bctcoder"
    shutil.copy(demo_template, path)
    client = signed_in(create_app(path, token=TOKEN))
    page = client.get("/cases")
    assert 'id="documents"' in page.text and 'aria-label="Case of Demo_SP2"' in page.text
    r = client.post("/documents/Demo_SP2/case", data={"case": "", "csrf_token": csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 303
    with Project.open(path, user="owner") as p:
        assert pd.isna(p.documents().set_index("document").loc["Demo_SP2", "case"])
    client.post("/documents/Demo_SP2/case", data={"case": "Demo_SP2", "csrf_token": csrf(client)})
    with Project.open(path, user="owner") as p:
        assert p.documents().set_index("document").loc["Demo_SP2", "case"] == "Demo_SP2"
