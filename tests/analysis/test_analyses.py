"""Analyses on small hand-made projects whose answers are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from bctcoder.errors import InputError, NotFoundError
from bctcoder.project import Project
from tests.conftest import write


@pytest.fixture
def small(tmp_path):
    """Two PW and two SP cases, one transcript each (100 characters of text after the label), one dyad."""
    p = Project.create(tmp_path / "s.bctcoder", user="t")
    write(tmp_path / "cases.csv", "case,role,sex,setting\nPW1,PW,Woman,A\nPW2,PW,Man,declined\n"
                                  "SP1,SP,Woman,A\nSP2,SP,,B\n")
    p.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "dyads.csv", "pw,sp\nPW1,SP1\n")
    p.import_partnerships(tmp_path / "dyads.csv")
    for key in ("PW1", "PW2", "SP1", "SP2"):
        write(tmp_path / f"{key}.txt", f"{key}: " + "x" * 100 + "\n")
        p.import_transcripts([tmp_path / f"{key}.txt"])
    yield p
    p.close()


def span(p, doc, a, b):
    base = p.document_text(doc).index("x")
    return base + a, base + b


def test_coverage_counts_overlaps_once(small):
    s = small
    s.add_coding("PW1", *span(s, "PW1", 0, 20), "3.1", coder="a")
    s.add_coding("PW1", *span(s, "PW1", 10, 30), "3.1", coder="b")   # overlaps: union is 0-30
    s.add_coding("PW1", *span(s, "PW1", 50, 60), "3.1", coder="a")
    s.add_coding("PW1", *span(s, "PW1", 0, 5), "3.3", coder="a", origin="suggested")  # never counts
    cov = s.coverage("document")
    row = cov[(cov["document"] == "PW1") & (cov["code"] == "3.1")].iloc[0]
    total = len(s.document_text("PW1"))
    assert (row["references"], row["covered"], row["characters"]) == (3, 40, total)
    assert row["coverage"] == round(100 * 40 / total, 2)
    assert "3.3" not in set(cov["code"])
    docs = s.report("coverage").tables[1].frame.set_index("document")
    assert docs.loc["PW1", "covered"] == 40 and docs.loc["PW2", "covered"] == 0


def test_coverage_per_case_and_role_keep_documents_apart(small):
    s = small
    s.add_coding("PW1", *span(s, "PW1", 90, 100), "3.1", coder="a")
    s.add_coding("PW2", *span(s, "PW2", 0, 10), "3.1", coder="a")
    by_role = s.coverage("role").set_index(["role", "code"])
    total = len(s.document_text("PW1")) + len(s.document_text("PW2"))
    assert by_role.loc[("PW", "3.1"), "covered"] == 20
    assert by_role.loc[("PW", "3.1"), "characters"] == total
    by_case = s.coverage("case").set_index(["case", "code"])
    assert by_case.loc[("PW2", "3.1"), "references"] == 1
    with pytest.raises(InputError, match="level must be"):
        s.coverage("planet")


def test_table2_by_attribute_and_declined_cases_left_out(small):
    s = small
    s.add_coding("PW1", *span(s, "PW1", 0, 10), "1.1", coder="a")
    s.add_coding("PW2", *span(s, "PW2", 0, 10), "1.2", coder="a")   # setting declined: not in any column
    s.add_coding("SP2", *span(s, "SP2", 0, 10), "1.1", coder="a")
    t2 = s.table2(by="setting").set_index("id")
    assert list(t2.columns[4:6]) == ["A", "B"]
    assert t2.loc["1.1", "category"] == "Both"
    assert t2.loc["1.2", "category"] == "Neither"
    by_sex = s.summary(by="sex")
    assert by_sex["values"] == ["Woman", "Man"]
    with pytest.raises(InputError, match="no attribute 'planet'"):
        s.table2(by="planet")


def test_summary_three_values_and_coder_filter(small):
    s = small
    s.add_role("Carer")
    s.add_coding("PW1", *span(s, "PW1", 0, 10), "1.1", coder="a")
    s.add_coding("SP1", *span(s, "SP1", 0, 10), "1.1", coder="b")
    assert s.summary()["both"] == 1
    only_a = s.summary(coders=["a"])
    assert only_a["both"] == 0 and only_a["by_value"]["PW"] == {"yes": 1, "only": 1}
    with pytest.raises(NotFoundError, match="no coder 'zed'"):
        s.summary(coders=["zed"])


def test_table1_counts_and_percentages(small):
    t = small.table1()
    cases = t["cases"].set_index("case")
    assert cases.loc["PW2", "setting"] == "N/A (declined)" and cases.loc["SP2", "sex"] == "missing"
    totals = t["totals"]
    women_pw = totals[(totals["attribute"] == "sex") & (totals["role"] == "PW") & (totals["value"] == "Woman")]
    assert women_pw[["n", "role_n", "percent", "percent_of_answered"]].values.tolist() == [[1, 2, 50.0, 50.0]]
    women_sp = totals[(totals["attribute"] == "sex") & (totals["role"] == "SP") & (totals["value"] == "Woman")]
    assert women_sp["percent"].item() == 50.0 and women_sp["percent_of_answered"].item() == 100.0
    only_sex = small.table1(["sex"])
    assert list(only_sex["cases"].columns) == ["case", "role", "sex"]


def test_matrix_dyads_similarity(small):
    s = small
    for doc, code, a in [("PW1", "1.1", 0), ("PW1", "3.1", 0), ("SP1", "3.1", 0), ("SP1", "17.1", 0),
                         ("SP1", "17.1", 5)]:
        s.add_coding(doc, *span(s, doc, a, a + 3), code, coder="a")
    m = s.matrix(counts=True).set_index("id")
    assert m.loc["17.1", "SP1"] == 2 and m.loc["1.1", "PW1"] == 1 and m.loc["1.1", "SP1"] == 0
    assert list(m.columns[3:]) == ["PW1", "PW2", "SP1", "SP2"]
    dy = s.dyads()
    assert dy == [{"first": "PW1", "second": "SP1", "label": None, "both": ["3.1"], "first_only": ["1.1"],
                   "second_only": ["17.1"], "jaccard": round(1 / 3, 4)}]
    sim = s.similarity()
    assert sim["matrix"].loc["PW1", "SP1"] == round(1 / 3, 4)
    assert sim["means"] == {"PW–SP": {"mean": round(1 / 3, 4), "pairs": 1}}


def test_quotes_exemplars_first_and_deduplicated(small):
    s = small
    s.add_coding("PW1", *span(s, "PW1", 0, 10), "3.1", coder="a")
    s.add_coding("PW1", *span(s, "PW1", 0, 10), "3.1", coder="b")  # same words, second coder: one quote
    s.add_coding("SP1", *span(s, "SP1", 0, 4), "3.1", coder="a", exemplar=True)
    q = s.quotes(["3.1"])
    assert list(q["case"]) == ["SP1", "PW1"]
    assert list(q["quote"]) == ["xxxx", "x" * 10]
    assert len(s.quotes(["3.1"], limit=1)) == 1


def test_fit_lists_inductive_codes_and_candidates(small):
    s = small
    s.add_coding("PW1", *span(s, "PW1", 0, 10), "3.1", coder="a")
    s.add_inductive_code("Hope")
    s.add_coding("PW1", *span(s, "PW1", 20, 30), "Hope", coder="a")
    s.add_coding("SP1", *span(s, "SP1", 20, 30), "Hope", coder="a")
    f = s.fit()
    assert len(f["never_evidenced"]) == 97
    ind = f["inductive"].set_index("code")
    assert ind.loc["Hope", ["quotes", "cases", "roles"]].tolist() == [2, 2, 2]
    assert f["proposed_extension"][0]["code"] == "Hope"
    assert len(f["proposed_extension"][0]["examples"]) == 2


def test_selection_and_case_sets_restrict_reports(small):
    s = small
    s.add_coding("PW1", *span(s, "PW1", 0, 50), "3.1", coder="a")
    s.add_coding("PW2", *span(s, "PW2", 0, 10), "3.2", coder="a")
    s.add_coding("SP2", *span(s, "SP2", 0, 30), "3.3", coder="a")
    ranked = s.rank_documents(group="3")
    assert list(ranked[ranked["role"] == "PW"]["document"]) == ["PW1", "PW2"]
    result = s.select_cases("rich", top=1, group="3")
    assert result["cases"] == ["PW1", "SP2"]
    assert s.case_sets()[0]["cases"] == ["PW1", "SP2"]
    limited = s.summary(case_set="rich")
    assert limited["supported"] == 2  # 3.1 (PW1) and 3.3 (SP2); PW2's 3.2 is outside the set
    with pytest.raises(InputError, match="already exists"):
        s.select_cases("rich", top=2, group="3")
    # only PW2 has any 3.2: zero-coverage cases never pad the set (issue #12)
    assert s.select_cases("rich", top=2, codes=["3.2"], replace=True)["cases"] == ["PW2"]
    with pytest.raises(NotFoundError, match="no case set 'nope'"):
        s.summary(case_set="nope")
    with pytest.raises(InputError, match="choose codes"):
        s.rank_documents()


def test_reports_are_pure_functions_of_the_store(demo):
    first = demo.report("table2").tables[0].frame
    second = demo.report("table2").tables[0].frame
    pd.testing.assert_frame_equal(first, second)
