"""Exports never hand a spreadsheet a formula (issue #13): CSV cells starting with = + - @ tab or CR get a
leading ', xlsx text cells are string cells (no <f> element), numbers stay numbers, --raw writes exact text,
and bctcoder's own CSV files read back exactly."""

from __future__ import annotations

import csv
import inspect
import io
import zipfile

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.interop.codebook_files import read_codebook_table
from bctcoder.project import Project
from bctcoder.report.model import Report, ReportTable
from bctcoder.report.render import render, to_xlsx
from bctcoder.spreadsheet_safety import SafeCsvWriter, csv_cell, csv_text, starts_like_formula
from tests.conftest import write

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)",
           "\tTAB", "\rCR", "'=already quoted"]
TEXT = "Interviewer: Go on.\nPW1: -2+3 is what the nurse wrote, =SUM(A1) she said.\n"
runner = CliRunner()


@pytest.mark.parametrize("text", HOSTILE)
def test_text_starting_like_a_formula_gets_a_leading_apostrophe(text):
    assert starts_like_formula(text)
    assert csv_cell(text) == "'" + text
    assert csv_cell(text, raw=True) == text
    assert csv_text(csv_cell(text)) == text


@pytest.mark.parametrize("value", [-3, -0.5, 0, 2.5, None, True, "-3", "+1.5", "-1e5", "plain", "", "a=b", "'quoted"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert csv_cell(value) is value
    if isinstance(value, str):
        assert csv_text(value) == value


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab1. "), max_size=8))
def test_guarding_is_undone_exactly_and_leaves_no_formula(text):
    guarded = csv_cell(text)
    assert csv_text(guarded) == text
    assert guarded == text or guarded.startswith("'")
    assert not (guarded[:1] in ("=", "+", "-", "@", "\t", "\r") and starts_like_formula(guarded))


def test_a_carriage_return_inside_a_cell_never_splits_the_row():
    buf = io.StringIO()
    writer = SafeCsvWriter(buf, raw=True)
    writer.writerow(["a\rb", -3, None])
    writer.writerow(["plain", 1.5, "x"])
    assert buf.getvalue() == '"a\rb","-3",""\nplain,1.5,x\n'
    assert list(csv.reader(io.StringIO(buf.getvalue(), newline=""))) == [["a\rb", "-3", ""], ["plain", "1.5", "x"]]


def _report() -> Report:
    frame = pd.DataFrame({"label": HOSTILE + ["ok"], "n": [-3, 1, 2, 3, 4, 5, 6, 7],
                          "share": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]})
    table = ReportTable("hostile", "Hostile", frame, None, ["-note starting with a dash"])
    return Report("hostile", "Hostile", [table])


def test_report_csv_guards_text_and_keeps_numbers():
    rows = list(csv.reader(io.StringIO(str(render(_report(), "csv")))))
    assert rows[0] == ["label", "n", "share"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE] + ["ok"]
    assert rows[1][1:] == ["-3", "-0.5"]            # numbers are never touched
    raw = list(csv.reader(io.StringIO(str(render(_report(), "csv", raw=True)))))
    assert [r[0] for r in raw[1:]] == HOSTILE + ["ok"]


def test_report_xlsx_holds_exact_text_in_string_cells_and_no_formula(tmp_path):
    data = to_xlsx(_report())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    path = tmp_path / "r.xlsx"
    path.write_bytes(data)
    ws = load_workbook(path).active
    cells = [ws.cell(row=i, column=1) for i in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in cells] == HOSTILE
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells[:-1])     # edited in Excel, they still stay text
    assert ws.cell(row=2, column=2).value == -3 and ws.cell(row=2, column=2).data_type == "n"


@pytest.fixture
def hostile_project(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\nPW1,PW\n")
    project.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "PW1.txt", TEXT)
    project.import_transcripts([tmp_path / "PW1.txt"])
    text = project.document_text("PW1")
    start = text.index("-2+3")
    project.add_coding("PW1", start, start + 4, "3.1", coder="ann", memo="=cmd|' /C calc'!A0")
    project.add_inductive_code("@risky label")
    start = text.index("=SUM")
    project.add_coding("PW1", start, start + 8, "@risky label", coder="ann")
    return project


def test_codings_export_is_guarded_and_reimports_exactly(hostile_project, tmp_path):
    exported = hostile_project.export_codings()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {r["quote"] for r in rows} == {"'-2+3", "'=SUM(A1)"}
    assert {r["memo"] for r in rows} == {"'=cmd|' /C calc'!A0", ""}
    assert "'@risky label" in {r["code"] for r in rows}
    raw_rows = list(csv.DictReader(io.StringIO(hostile_project.export_codings(raw=True))))
    assert {r["quote"] for r in raw_rows} == {"-2+3", "=SUM(A1)"}

    with Project.create(tmp_path / "copy.bctcoder", user="tester") as copy:
        copy.import_cases(tmp_path / "cases.csv")
        copy.import_transcripts([tmp_path / "PW1.txt"])
        result = copy.import_codings(write(tmp_path / "exported.csv", exported))
        assert result["added"] == 2 and result["inductive_codes"] == ["@risky label"]
        assert sorted(copy.codings()["quote"]) == ["-2+3", "=SUM(A1)"]
        assert set(copy.codings()["memo"].dropna()) == {"=cmd|' /C calc'!A0"}


def test_codebook_exports_guard_csv_and_keep_xlsx_text(hostile_project, tmp_path):
    hostile_project.export_codebook(tmp_path / "codebook.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "codebook.csv").read_text(encoding="utf-8"))))
    assert "'@risky label" in {r["label"] for r in rows}
    assert "@risky label" in {e.label for e in read_codebook_table(tmp_path / "codebook.csv")}
    hostile_project.export_codebook(tmp_path / "codebook.xlsx")
    with zipfile.ZipFile(tmp_path / "codebook.xlsx") as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode()
    assert "@risky label" in {e.label for e in read_codebook_table(tmp_path / "codebook.xlsx")}


def test_cli_report_and_export_guard_by_default_and_raw_on_request(hostile_project, tmp_path):
    path = hostile_project.url
    hostile_project.close()
    quotes = runner.invoke(app, ["report", "quotes", path, "--format", "csv"])
    assert quotes.exit_code == 0, quotes.output
    assert "'-2+3" in quotes.output and "\n-2+3" not in quotes.output
    raw = runner.invoke(app, ["report", "quotes", path, "--format", "csv", "--raw"])
    assert raw.exit_code == 0 and "'-2+3" not in raw.output and "-2+3" in raw.output
    out = tmp_path / "codings.csv"
    assert runner.invoke(app, ["export", "codings", path, str(out)]).exit_code == 0
    assert "'=SUM(A1)" in out.read_text(encoding="utf-8")
    assert runner.invoke(app, ["export", "codings", path, str(out), "--raw"]).exit_code == 0
    assert "'=SUM(A1)" not in out.read_text(encoding="utf-8")
    listing = runner.invoke(app, ["codings", "list", path, "--format", "csv"])
    assert listing.exit_code == 0 and "'=SUM(A1)" in listing.output


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
def test_report_all_writes_guarded_csv_files(hostile_project, tmp_path):
    result = hostile_project.write_all_reports(tmp_path / "out")
    quotes = (tmp_path / "out" / "csv" / "quotes.csv").read_text(encoding="utf-8")
    assert "'-2+3" in quotes and len(result["files"]) > 5
    assert not list((tmp_path / "out").rglob("*.part"))


@pytest.mark.skipif("raw" not in inspect.signature(Project.write_all_reports).parameters,
                    reason="needs Project.write_all_reports(raw=...) passing raw to write_bundle")
def test_report_all_raw_writes_exact_text(hostile_project, tmp_path):
    path = hostile_project.url
    hostile_project.close()
    result = runner.invoke(app, ["report", "all", path, "--out", str(tmp_path / "raw"), "--raw"])
    assert result.exit_code == 0, result.output
    quotes = (tmp_path / "raw" / "csv" / "quotes.csv").read_text(encoding="utf-8")
    assert "'-2+3" not in quotes and "-2+3" in quotes


def test_write_bundle_raw_writes_exact_text(hostile_project, tmp_path):
    from bctcoder.report.bundle import write_bundle

    with hostile_project.reading() as s:
        write_bundle(s, tmp_path / "raw", raw=True)
        write_bundle(s, tmp_path / "safe")
    assert "'-2+3" not in (tmp_path / "raw" / "csv" / "quotes.csv").read_text(encoding="utf-8")
    assert "'-2+3" in (tmp_path / "safe" / "csv" / "quotes.csv").read_text(encoding="utf-8")


def test_xlsx_drops_control_characters_no_cell_can_hold():
    frame = pd.DataFrame({"quote": ["a\x0bb\x00c", "=x\x01"]})
    data = to_xlsx(Report("c", "C", [ReportTable("c", "C", frame)]))
    ws = load_workbook(io.BytesIO(data)).active
    assert [ws.cell(row=i, column=1).value for i in (2, 3)] == ["abc", "=x"]
