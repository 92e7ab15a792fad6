"""The Word report a researcher keeps: A4 (or Letter) pages, columns as wide as their content, wide tables on
landscape pages, the figures as images, long tables cut with a pointer to the full data. Opened back with
python-docx; no LibreOffice needed."""

from __future__ import annotations

import importlib.util
import io

import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from bctcoder.errors import InputError
from bctcoder.report import figures
from bctcoder.report.model import Report, ReportTable
from bctcoder.report.render import render, to_docx

EMU_PER_MM = 36000
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def _mm(length: int | None) -> float:
    assert length is not None
    return length / EMU_PER_MM


def _doc(content: bytes | str):
    assert isinstance(content, bytes)
    return Document(io.BytesIO(content))


def _grid_widths(table) -> list[int]:
    """Column widths (twips) as the table's grid declares them."""
    return [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def _labels(n: int) -> list[str]:
    words = ["Monitoring", "behaviour", "without", "feedback", "Discrepancy", "between", "current", "goal"]
    return [" ".join(words[(i + k) % len(words)] for k in range(6)) for i in range(n)]


def _small_report() -> Report:
    frame = pd.DataFrame({"id": [f"{i}.1" for i in range(5)], "label": _labels(5), "n": range(5)})
    return Report("small", "Small", [ReportTable("small", "A small table", frame)])


def _wide_report() -> Report:
    narrow = pd.DataFrame({"id": ["1.1", "1.2"], "label": ["Goal setting", "Problem solving"]})
    wide = pd.DataFrame({f"percent_agreement_{k}": [f"value {k} for case Demo_PW{k}"] * 3 for k in range(12)})
    return Report("wide", "Wide", [ReportTable("narrow", "A narrow table", narrow),
                                   ReportTable("wide", "A wide table", wide)])


def test_a4_by_default():
    doc = _doc(render(_small_report(), "docx"))
    for section in doc.sections:
        assert abs(_mm(section.page_width) - 210) < 1 and abs(_mm(section.page_height) - 297) < 1


def test_letter_when_asked():
    for content in (to_docx(_small_report(), paper="letter"), render(_small_report(), "docx", paper="letter")):
        section = _doc(content).sections[0]
        assert abs(_mm(section.page_width) - 215.9) < 1 and abs(_mm(section.page_height) - 279.4) < 1


def test_unknown_paper_is_an_input_error():
    with pytest.raises(InputError, match="paper"):
        to_docx(_small_report(), paper="a5")


def test_wide_table_gets_a_landscape_section():
    doc = _doc(render(_wide_report(), "docx"))
    first, last = doc.sections[0], doc.sections[-1]
    assert first.orientation == WD_ORIENT.PORTRAIT and first.page_width < first.page_height
    assert len(doc.sections) == 2
    assert last.orientation == WD_ORIENT.LANDSCAPE and last.page_width > last.page_height
    assert abs(_mm(last.page_width) - 297) < 1            # A4 turned sideways
    body = list(doc.element.body.iterchildren())
    wide_tbl, narrow_tbl = doc.tables[1]._tbl, doc.tables[0]._tbl
    section_break = next(i for i, el in enumerate(body) if el.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None)
    assert body.index(narrow_tbl) < section_break < body.index(wide_tbl)   # the wide table is after the break


def test_column_widths_follow_content():
    doc = _doc(render(_small_report(), "docx"))
    widths = dict(zip(["id", "label", "n"], _grid_widths(doc.tables[0])))
    assert widths["n"] < widths["id"] < widths["label"]
    assert widths["label"] > 3 * widths["n"]
    assert doc.tables[0]._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_no_short_word_is_broken_in_a_crowded_table():
    from bctcoder.report.docx_layout import CELL_PADDING, text_width

    words = ["Discrepancy", "Self-monitoring", "Demonstration", "consequences", "Restructuring", "Commitment"]
    frame = pd.DataFrame({f"col{k}": [" ".join(words[(k + i) % len(words)] for i in range(8))] * 4
                          for k in range(6)})
    frame.insert(0, "n", range(4))
    table = _doc(render(Report("t", "T", [ReportTable("t", "Crowded", frame)]), "docx")).tables[0]
    grid = _grid_widths(table)
    assert grid[0] < min(grid[1:])
    for k, width in enumerate(grid[1:]):
        longest = max(text_width(w, 8) for w in frame[f"col{k}"].iloc[0].split())
        assert width / 20 >= longest + CELL_PADDING - 0.5      # twips to points


def test_header_row_repeats_and_rows_do_not_split():
    table = _doc(render(_small_report(), "docx")).tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)


def _figure_report() -> Report:
    groups = pd.DataFrame({"id": ["1", "2"], "label": ["Goals and planning", "Feedback and monitoring"],
                           "total": [9, 7], "PW": [3, 1], "SP": [2, 0]})
    matrix = pd.DataFrame({"id": ["1.1", "1.2"], "label": ["Goal setting", "Problem solving"],
                           "A1": [1, 0], "A2": [2, 1], "B1": [0, 3]})
    figs = [("Share of each group's techniques evidenced", figures.group_bars(groups, ["PW", "SP"])),
            ("Techniques by case", figures.heatmap(matrix, {"A1": "PW", "A2": "PW", "B1": "SP"}))]
    return Report("fig", "Figures", [ReportTable("t", "T", groups)], figures=figs)


def test_figures_keep_their_svg_and_data():
    report = _figure_report()
    bars, heat = (svg for _, svg in report.figures)
    assert bars.startswith("<svg") and isinstance(bars, str) and bars.kind == "group_bars"
    assert heat.data["cases"] == ["A1", "A2", "B1"] and heat.data["rows"][1] == ("1.2 Problem solving", [0, 1, 3])


@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="figures in Word are drawn with matplotlib (not installed)")
def test_figures_are_embedded_as_images():
    doc = _doc(render(_figure_report(), "docx"))
    assert len(doc.inline_shapes) == 2
    assert all(shape.width <= doc.sections[0].page_width for shape in doc.inline_shapes)
    captions = [p.text for p in doc.paragraphs if p.text.startswith("Figure ")]
    assert captions == ["Figure 1. Share of each group's techniques evidenced", "Figure 2. Techniques by case"]


def test_without_matplotlib_the_report_says_where_the_figures_are(monkeypatch):
    from bctcoder.report import docx_writer

    monkeypatch.setattr(docx_writer, "figure_png", lambda svg: None)
    doc = _doc(render(_figure_report(), "docx"))
    assert len(doc.inline_shapes) == 0
    assert any("report.html" in p.text and "matplotlib" in p.text for p in doc.paragraphs)


def test_long_table_is_cut_with_a_pointer_to_the_full_data():
    from bctcoder.report.bundle import DOCX_KEEP_ROWS, word_report

    long = pd.DataFrame({"id": [f"{i}" for i in range(100)], "label": _labels(100)})
    short = pd.DataFrame({"id": ["1"], "label": ["one"]})
    report = Report("report", "Report", [ReportTable("matrix", "Techniques by case", long),
                                         ReportTable("short", "Short", short)])
    doc = _doc(word_report(report))
    assert len(doc.tables) == 2
    assert len(doc.tables[0].rows) == 1 + DOCX_KEEP_ROWS and len(doc.tables[1].rows) == 2
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "The full table (100 rows) is in report.xlsx (sheet 'matrix') and csv/matrix.csv." in text


def test_a_single_report_in_word_keeps_every_row():
    long = pd.DataFrame({"id": [f"{i}" for i in range(100)], "label": _labels(100)})
    doc = _doc(render(Report("t", "T", [ReportTable("t", "T", long)]), "docx"))
    assert len(doc.tables[0].rows) == 101


def test_group_heading_rows_span_the_table():
    frame = pd.DataFrame({"group_id": ["1", "1", "2"], "group_label": ["Goals", "Goals", "Feedback"],
                          "id": ["1.1", "1.2", "2.1"], "label": ["Goal setting", "Problem solving", "Feedback"]})
    table = _doc(render(Report("t", "T", [ReportTable("t", "T", frame, ("group_id", "group_label"))]),
                        "docx")).tables[0]
    assert [row.cells[0].text for row in table.rows] == ["id", "1 Goals", "1.1", "1.2", "2 Feedback", "2.1"]
    assert table.rows[1].cells[0].text == table.rows[1].cells[1].text      # one merged cell
