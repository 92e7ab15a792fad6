"""The published profile of Marks et al. (2022): importing its Table 2 reproduces the paper's figures."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from bctcoder.analysis.reference import reference_path, reference_profile
from bctcoder.cli.main import app
from bctcoder.project import Project

runner = CliRunner()


@pytest.fixture
def published(tmp_path):
    with Project.create(tmp_path / "m.bctcoder", taxonomy="bcttv1") as p:
        p.import_presence(reference_path("marks2022"), by="role")
        yield p


def test_summary_reproduces_the_published_figures(published):
    s = published.summary(by="role")
    assert s["techniques_total"] == 93
    assert s["supported"] == 47
    assert s["by_value"] == {"PW": {"yes": 20, "only": 10}, "SP": {"yes": 37, "only": 27}}
    assert s["both"] == 10
    assert s["neither"] == 46
    assert (s["groups_covered"], s["groups_total"]) == (16, 16)
    # groups 3 (social support) and 6 (comparison of behaviour): every technique supported
    shares = {g["id"]: g["share"] for g in s["groups"]}
    assert shares["3"] == 1.0 and shares["6"] == 1.0


def test_cli_summary_json_has_the_promised_keys(published):
    result = runner.invoke(app, ["report", "summary", published.url.removeprefix("sqlite:///"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key, kind in {"taxonomy": str, "techniques_total": int, "supported": int, "neither": int, "both": int,
                      "by_value": dict, "groups_total": int, "groups_covered": int, "groups": list}.items():
        assert isinstance(data[key], kind), key
    assert {"id", "label", "supported", "total", "share"} <= set(data["groups"][0])
    assert data["supported"] == 47


def test_in_a_project_with_the_extension_group_17_counts_as_neither(tmp_path):
    with Project.create(tmp_path / "m.bctcoder") as p:
        p.import_presence(reference_path("marks2022"), by="role")
        s = p.summary()
        assert (s["techniques_total"], s["supported"], s["neither"]) == (98, 47, 51)
        assert p.summary(taxonomy="bcttv1")["neither"] == 46


def test_table2_categories(published):
    t2 = published.table2().set_index("id")
    assert t2.loc["1.1", "category"] == "Both"
    assert t2.loc["1.2", "category"] == "SP only"
    assert t2.loc["4.4", "category"] == "PW only"
    assert t2.loc["1.3", "category"] == "Neither"
    assert t2["category"].value_counts().to_dict() == {"Neither": 46, "SP only": 27, "PW only": 10, "Both": 10}


def test_compare_with_itself_finds_no_differences(published):
    c = published.compare("marks2022")
    assert (c["both"], c["project_only"], c["reference_only"], c["neither"]) == (47, 0, 0, 46)


def test_shipped_profile_matches_an_independent_reading_of_the_paper(shared):
    """Re-read Table 2 from the paper's text and compare it with the shipped profile, row by row."""
    text = (shared / "seed" / "000_2b51a645f57a8a3f.txt").read_text(encoding="utf-8")
    cells_to_pair = {("Both",): (True, True), ("Neither",): (False, False), ("No", "Yes"): (False, True),
                     ("Yes", "No"): (True, False)}
    paper = {}
    for line in text.splitlines():
        m = re.match(r"^(\d{1,2})\.(\d{1,2})\t[^\t]+\t?(.*)$", line)
        if m and m.group(2) != "0":
            cells = tuple(c.strip() for c in m.group(3).split("\t") if c.strip())
            paper[f"{m.group(1)}.{m.group(2)}"] = cells_to_pair[cells]
    shipped = reference_profile("marks2022")
    ours = {r.bct: (bool(r.PW), bool(r.SP)) for r in shipped.itertuples()}
    assert ours == paper
    assert "Total: Yes\t20\t37" in text  # the paper's own column totals
