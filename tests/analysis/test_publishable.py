"""Issue #12: numbers fit to publish. Each test is a small project whose answer is worked out by hand.

A. Table 2's quotes are distinct passages (overlapping spans of one technique in one document are one).
B. ``select --top N`` never pads with cases that have no coverage, and says how many qualified.
C. Table 1 is a journal table: n (%) per column, Declined and Missing rows, numeric mean (SD) etc.
D. The document list shows "—" for a document without a case and keeps pending suggestions apart.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bctcoder.analysis import tables
from bctcoder.errors import InputError
from bctcoder.project import Project
from bctcoder.report.render import render
from tests.conftest import write


@pytest.fixture
def study(tmp_path):
    """Three PW and three SP cases, one 100-character transcript each; sex (text) and age (integer)."""
    p = Project.create(tmp_path / "p.bctcoder", user="t")
    write(tmp_path / "cases.csv", "case,role,sex,age:integer\n"
                                  "PW1,PW,Woman,30\nPW2,PW,Man,declined\nPW3,PW,Woman,40\n"
                                  "SP1,SP,Woman,20\nSP2,SP,,30\nSP3,SP,Man,70\n")
    p.import_cases(tmp_path / "cases.csv")
    for key in ("PW1", "PW2", "PW3", "SP1", "SP2", "SP3"):
        write(tmp_path / f"{key}.txt", f"{key}: " + "x" * 100 + "\n")
    p.import_transcripts([tmp_path / f"{k}.txt" for k in ("PW1", "PW2", "PW3", "SP1", "SP2", "SP3")])
    yield p
    p.close()


def code(p, doc, a, b, technique, coder="a", **kw):
    base = p.document_text(doc).index("x")
    return p.add_coding(doc, base + a, base + b, technique, coder=coder, **kw)


# A. quotes are distinct passages ----------------------------------------------------------------------------

def test_table2_summary_and_groups_count_distinct_passages(study):
    p = study
    code(p, "PW1", 0, 20, "1.1", "a")
    code(p, "PW1", 10, 30, "1.1", "b")          # overlaps a's: the same passage
    code(p, "PW1", 25, 40, "1.1", "c", origin="accepted")   # chains on: still one passage
    code(p, "PW1", 40, 50, "1.1", "a")          # touches 25-40 but shares no character: a second passage
    code(p, "PW1", 0, 20, "1.2", "a")           # same words, another technique: counts for 1.2
    code(p, "SP1", 0, 20, "1.1", "a")
    code(p, "SP1", 0, 20, "1.1", "b")           # both coders, identical span: one passage
    code(p, "SP1", 60, 70, "1.1", "b", origin="suggested")   # a suggestion never counts
    t2 = p.table2().set_index("id")
    assert t2.loc["1.1", "quotes"] == 3 and t2.loc["1.1", "cases"] == 2
    assert t2.loc["1.2", "quotes"] == 1
    s = p.summary()
    assert s["quotes"] == 4
    assert next(g for g in s["groups"] if g["id"] == "1")["quotes"] == 4
    assert p.groups().set_index("id").loc["1", "quotes"] == 4
    assert p.summary(coders=["a"])["quotes"] == 4   # a alone: 0-20 and 40-50 (1.1 PW1), 1.2, SP1
    assert p.summary(coders=["b"])["quotes"] == 2


def test_inductive_codes_count_distinct_passages_too(study):
    p = study
    p.add_inductive_code("Hope")
    code(p, "PW1", 0, 20, "Hope", "a")
    code(p, "PW1", 5, 25, "Hope", "b")          # the same passage, double coded
    code(p, "SP1", 0, 10, "Hope", "a")
    inductive = p.fit()["inductive"].set_index("code")
    assert inductive.loc["Hope", "quotes"] == 2 and inductive.loc["Hope", "cases"] == 2


def test_passage_count_rule_on_plain_spans():
    spans = pd.DataFrame({"document_id": [1, 1, 1, 1, 2, 1], "code_id": [7, 7, 7, 7, 7, 8],
                          "start": [0, 5, 9, 10, 0, 0], "end": [10, 8, 10, 12, 10, 10]})
    # document 1, code 7: 0-10 (with 5-8 and 9-10 inside) and 10-12 (touching, not overlapping) = 2
    assert tables.passage_counts(spans).to_dict() == {7: 3, 8: 1}
    assert tables.passage_counts(spans.iloc[0:0]).empty


# B. select --top N ------------------------------------------------------------------------------------------

def test_select_top_never_pads_with_zero_coverage_cases(study):
    p = study
    code(p, "PW2", 0, 10, "3.2")
    code(p, "PW3", 0, 5, "3.2")
    code(p, "SP1", 0, 30, "3.1")               # another technique: SP1 has no coverage of 3.2
    result = p.select_cases("rich", top=2, codes=["3.2"])
    assert result["cases"] == ["PW2", "PW3"]
    assert result["qualified"] == {"PW": 2, "SP": 0}
    assert "SP" in result["note"] and "0" in result["note"]
    assert set(result["ranking"]["case"]) == {"PW2", "PW3"}
    assert (result["ranking"]["coverage"] > 0).all()
    assert p.case_sets()[0]["cases"] == ["PW2", "PW3"]
    enough = p.select_cases("one", top=1, group="3")
    assert enough["cases"] == ["PW2", "SP1"] and enough["qualified"] == {"PW": 2, "SP": 1}
    assert enough["note"] is None


def test_select_with_no_coverage_at_all_stores_nothing(study):
    p = study
    code(p, "PW1", 0, 10, "3.1")
    with pytest.raises(InputError, match="no transcript"):
        p.select_cases("empty", top=3, codes=["3.2"])
    assert p.case_sets() == []


# C. Table 1 as a journal prints it --------------------------------------------------------------------------

def test_table1_journal_by_role(study):
    t = study.table1()
    assert list(t["cases"]["case"]) == ["PW1", "PW2", "PW3", "SP1", "SP2", "SP3"]   # still there
    j = t["journal"]
    assert list(j.columns) == ["Characteristic", "Category", "PW (n = 3)", "SP (n = 3)", "Total (n = 6)"]
    assert j.values.tolist() == [
        # of those who answered: PW 2/3 and 1/3; SP 1/2 each (SP2 missing); total 3/5 and 2/5
        ["sex", "Woman", "2 (67)", "1 (50)", "3 (60)"],
        ["", "Man", "1 (33)", "1 (50)", "2 (40)"],
        ["", "Missing", "0", "1", "1"],
        # PW 30, 40: SD √50; quartiles by linear interpolation. SP 20, 30, 70: SD √700. All: SD √370
        ["age", "Mean (SD); median [IQR]; range", "35.0 (7.1); 35.0 [32.5–37.5]; 30–40",
         "40.0 (26.5); 30.0 [25.0–50.0]; 20–70", "38.0 (19.2); 30.0 [30.0–40.0]; 20–70"],
        ["", "Declined", "1", "0", "1"],
    ]


def test_table1_journal_by_any_attribute_and_one_value(study):
    j = study.report("table1", by="sex").data["journal"]   # Project.table1 has no ``by`` yet (api.py)
    # SP2's sex is missing: counted in Total only; sex itself is the columns, not a row
    assert list(j.columns) == ["Characteristic", "Category", "Woman (n = 3)", "Man (n = 2)", "Total (n = 6)"]
    assert j.values.tolist() == [
        ["age", "Mean (SD); median [IQR]; range", "30.0 (10.0); 30.0 [25.0–35.0]; 20–40",
         "70.0 (—); 70.0 [70.0–70.0]; 70–70", "38.0 (19.2); 30.0 [30.0–40.0]; 20–70"],
        ["", "Declined", "0", "1", "1"],
    ]


def test_percentages_round_half_up_to_whole_numbers():
    assert tables.n_percent(1, 8) == "1 (13)"     # 12.5 → 13, not banker's 12
    assert tables.n_percent(5, 8) == "5 (63)"     # 62.5 → 63
    assert tables.n_percent(0, 0) == "0"
    assert tables.n_percent(1, 300) == "1 (<1)" and tables.n_percent(299, 300) == "299 (>99)"
    assert tables.n_percent(0, 3) == "0 (0)" and tables.n_percent(3, 3) == "3 (100)"
    assert tables.one_decimal(38.25) == "38.3"


def test_table1_report_puts_the_journal_table_first(study):
    report = study.report("table1")
    first = report.tables[0]
    assert list(first.frame.columns)[2:] == ["PW (n = 3)", "SP (n = 3)", "Total (n = 6)"]
    assert any("denominator" in n for n in first.notes)
    md = render(report, "md")
    assert "| sex | Woman | 2 (67) | 1 (50) | 3 (60) |" in md
    assert render(report, "csv").splitlines()[0] == "Characteristic,Category,PW (n = 3),SP (n = 3),Total (n = 6)"
    by_sex = study.report("table1", by="sex").tables[0]
    assert "Woman (n = 3)" in by_sex.frame.columns


# D. the document list ---------------------------------------------------------------------------------------

def test_documents_page_dash_for_no_case_and_pending_apart(study, tmp_path):
    jinja2 = pytest.importorskip("jinja2", reason="the [web] extra is not installed")
    from pathlib import Path

    import bctcoder.web

    p = study
    write(tmp_path / "Loose.txt", "Int: hello\nSomeone: hi there\n")
    p.import_transcripts([tmp_path / "Loose.txt"], allow_unlinked=True)
    code(p, "PW1", 0, 10, "1.1")
    code(p, "PW1", 20, 30, "1.2")
    code(p, "PW1", 40, 50, "1.3", "bctcoder-suggest", origin="suggested")
    loose = next(d for d in p.document_list() if d["document"] == "Loose")
    assert loose["case"] is None and loose["role"] is None
    pw1 = next(d for d in p.document_list() if d["document"] == "PW1")
    assert (pw1["codings"], pw1["pending"]) == (2, 1)   # the Codings column counts what counts
    # the page as routes_pages.documents renders it (the template and the library's data, no sign-in needed)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(bctcoder.web.__file__).parent / "templates"),
                             autoescape=True)
    page = env.get_template("documents.html").render(title="Documents", documents=p.document_list(),
                                                     info=p.info())
    row = page[page.index('href="/documents/Loose"'):]
    row = row[:row.index("</tr>")]
    assert row.count("<td>—</td>") == 2 and "nan" not in row
    meta = page[page.index('<p class="meta">'):]
    meta = meta[:meta.index("</p>")]
    assert "2 codings" in meta and "1 pending suggestions" in meta and "3 codings" not in meta
