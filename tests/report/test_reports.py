"""Reports rendered in every format, opened back with the libraries that read them; the CLI commands."""

from __future__ import annotations

import io
import json
import re

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.report.builders import BUILDERS
from bctcoder.report.render import render

runner = CliRunner()


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html", "xlsx", "docx"])
def test_every_report_renders_in_every_format(demo, name, fmt):
    report = demo.report(name)
    content = render(report, fmt)
    assert content
    if fmt == "json":
        json.loads(content)
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(content))
        assert [ws.title for ws in wb.worksheets] == [t.name[:31] for t in report.tables]
    elif fmt == "docx":
        from docx import Document

        doc = Document(io.BytesIO(content))
        assert len(doc.tables) == len(report.tables)


def test_docx_table2_has_group_heading_rows(demo):
    from docx import Document

    doc = Document(io.BytesIO(render(demo.report("table2"), "docx")))
    table = doc.tables[0]
    first_cells = [row.cells[0].text for row in table.rows]
    assert first_cells[0] == "id"
    assert first_cells[1] == "1 Goals and planning"          # a merged group heading row
    assert first_cells[2] == "1.1"
    assert "17 Relational aspects" in first_cells


def test_html_report_is_self_contained(demo, tmp_path):
    result = demo.write_all_reports(tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and html.count("<table>") >= 10
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"?https?:", html)
    assert "Relational aspects" in html
    assert (tmp_path / "out" / "report.xlsx").exists() and (tmp_path / "out" / "report.docx").exists()
    assert (tmp_path / "out" / "csv" / "table2.csv").exists()
    assert not list((tmp_path / "out").rglob("*.part"))
    assert len(result["files"]) > 10


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
def test_cli_reports(demo, tmp_path):
    path = demo.url.removeprefix("sqlite:///")
    for name in ["table1", "table2", "summary", "groups", "fit", "coverage", "matrix", "dyads", "quotes"]:
        result = runner.invoke(app, ["report", name, path])
        assert result.exit_code == 0, (name, result.output)
    out = tmp_path / "t2.docx"
    assert runner.invoke(app, ["report", "table2", path, "--format", "docx", "--out", str(out)]).exit_code == 0
    assert out.stat().st_size > 1000
    bad = runner.invoke(app, ["report", "table2", path, "--format", "xlsx"])
    assert bad.exit_code == 1 and "give --out FILE" in bad.output
    csv_out = runner.invoke(app, ["report", "table2", path, "--by", "setting", "--format", "csv"]).output
    assert csv_out.splitlines()[0].startswith("id,label,group_id,group_label,Presence of Site_A quote")
    cmp = runner.invoke(app, ["compare", path, "--reference", "marks2022", "--format", "json"])
    assert json.loads(cmp.output)["techniques"] == 93
    unknown = runner.invoke(app, ["compare", path, "--reference", "nobody2020"])
    assert unknown.exit_code == 1 and "no reference profile 'nobody2020'" in unknown.output
    sel = runner.invoke(app, ["select", path, "--name", "rich", "--top", "2", "--group", "17", "--format", "json"])
    assert sel.exit_code == 0, sel.output
    limited = runner.invoke(app, ["report", "summary", path, "--set", "rich", "--format", "json"])
    assert json.loads(limited.output)["case_set"] == "rich"
    sets = json.loads(runner.invoke(app, ["sets", path, "--format", "json"]).output)
    assert sets[0]["name"] == "rich" and len(sets[0]["cases"]) == 4
    everything = runner.invoke(app, ["report", "all", path, "--out", str(tmp_path / "all")])
    assert everything.exit_code == 0 and "report.html" in everything.output
