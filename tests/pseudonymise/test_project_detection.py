"""Real detection through the CLI and the Project on synthetic interviews: detect → review CSV → apply, with
codings on the names; Table 2 and every quote survive; no socket is opened. Needs the [pseudonymise] extra."""

from __future__ import annotations

import csv
import json
import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.project import Project
from tests.pseudonymise.conftest import require_extra

SET = Path(__file__).resolve().parents[2] / "benchmarks" / "pseudonymisation_set"
MARK = re.compile(r"\{\{([A-Z_]+)\|(.*?)\}\}")
pytestmark = pytest.mark.slow


def _plain(name: str) -> str:
    return MARK.sub(lambda m: m.group(2), (SET / name).read_text(encoding="utf-8"))


def run(*args, ok: bool = True):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert (result.exit_code == 0) == ok, result.output
    return result


@pytest.fixture
def study(tmp_path) -> Path:
    require_extra()
    path = tmp_path / "study.bctcoder"
    with Project.create(path, user="olga") as p:
        for name in ("01_pw_liz_first_year.txt", "02_sp_sarah_swimming.txt"):
            (tmp_path / name).write_text(_plain(name), encoding="utf-8")
        p.import_transcripts([tmp_path / n for n in ("01_pw_liz_first_year.txt", "02_sp_sarah_swimming.txt")],
                             allow_unlinked=True)
        text = p.document_text("01_pw_liz_first_year")
        start = text.index("I'm Liz")
        p.add_coding("01_pw_liz_first_year", start, text.index("\n", start), "3.1", memo="Liz on her own story")
        grace = text.index("Grace Okafor")
        p.add_coding("01_pw_liz_first_year", grace, grace + 5, "9.1")                 # part of a name
        other = p.document_text("02_sp_sarah_swimming")
        p.add_coding("02_sp_sarah_swimming", 0, other.index("\n", 200), "1.1")
    return path


def test_detect_review_apply_from_the_cli_keeps_table2_and_quotes(study, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    out = run("pseudonymise", study, "--names", SET / "study_list.yaml", "--csv", tmp_path / "review.csv",
              "--format", "json").output
    found = json.loads(out[out.index("{"):])
    assert found["found"] >= 20 and found["categories"]["PERSON"] >= 8 and found["decisions"]["pending"] >= 20
    with open(tmp_path / "review.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["decision"] = "accept"
        if row["original"] == "Mindful Steps":
            row["decision"], row["replacement"] = "edit", "[Peer support charity]"
    with open(tmp_path / "review.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run("pseudonymise", study, "--review", tmp_path / "review.csv")
    with Project.open(study) as p:
        table2 = p.report("table2").tables[0].records()
        quotes = {q["code"]: q["quote"] for q in p.report("quotes", limit=None).tables[0].records()}
        assert p.pseudonym_proposals(decision="pending")["total"] == 0
    monkeypatch.undo()
    run("pseudonymise", study, "--apply", "--out", tmp_path / "shared.bctcoder", "--key", tmp_path / "key.csv")
    run("report", "table2", study, "--pseudonymised", ok=False)
    with Project.open(tmp_path / "shared.bctcoder", pseudonymised=True) as copy:
        assert copy.report("table2").tables[0].records() == table2
        after = {q["code"]: q["quote"] for q in copy.report("quotes", limit=None).tables[0].records()}
        assert after.keys() == quotes.keys() == {"1.1", "3.1", "9.1"}
        assert "[Peer worker 1]" in after["3.1"] and "Liz" in quotes["3.1"] and "Liz" not in after["3.1"]
        assert after["9.1"] == "[Peer worker 3]"
        everything = " ".join(copy.document_text(d) for d in ("01_pw_liz_first_year", "02_sp_sarah_swimming"))
        for name in ("Elizabeth Harper", "Grace Okafor", "Sarah", "Mindful Steps", "Leeds"):
            assert name not in everything, name
        assert "[Peer support charity]" in everything
    key = list(csv.DictReader(open(tmp_path / "key.csv", encoding="utf-8", newline="")))
    assert len(key) == len(rows) and all(r["replacement"].startswith("[") for r in key)


def test_a_participants_name_from_the_cases_becomes_their_case_key(tmp_path):
    require_extra()
    path = tmp_path / "cases.bctcoder"
    (tmp_path / "cases.csv").write_text("case,role,name,site\nSP2,SP,Mary Lennox,Gipton\nPW9,PW,Dawn Ridley,\n",
                                        encoding="utf-8")
    (tmp_path / "SP2.txt").write_text(_plain("02_sp_sarah_swimming.txt"), encoding="utf-8")
    with Project.create(path, user="olga") as p:
        p.import_cases(tmp_path / "cases.csv")
        p.import_transcripts([tmp_path / "SP2.txt"])
        p.detect_identifiers(nlp=False)
        rows = p.pseudonym_proposals(limit=None)["rows"]
    dawn = [r for r in rows if r["original"].startswith("Dawn")]
    assert dawn and {r["replacement"] for r in dawn} == {"[PW9]"}        # staff named in a case: its key
    assert {r["replacement"] for r in rows if r["original"] == "Gipton"} == {"[Town A]"}
