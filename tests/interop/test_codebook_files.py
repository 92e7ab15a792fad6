"""Codebook tables (CSV, XLSX) in and out, and the name matching every codebook import shares."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bctcoder.errors import InputError
from bctcoder.interop.codebook_files import (
    TABLE_COLUMNS,
    export_codebook_table,
    import_codebook_table,
    inductive_label,
    leading_technique_number,
    match_group,
    match_technique,
    read_codebook_table,
)
from bctcoder.project import Project
from bctcoder.store.models import Code
from bctcoder.taxonomy.service import add_inductive_code, find_code


def _inductive(project: Project) -> dict[str, tuple]:
    """Inductive codes by label: (description, parent label)."""
    with project.reading() as s:
        by_id = {c.id: c for c in s.scalars(select(Code))}
        return {c.label: (c.description, by_id[c.parent_id].label if c.parent_id else None)
                for c in by_id.values() if c.kind == "inductive"}


def _seed(project: Project) -> None:
    with project.transaction() as s:
        add_inductive_code(s, "Hope", "Looking forward")
        add_inductive_code(s, "Hope for recovery", "Getting better", parent="Hope")
        add_inductive_code(s, "Peer contact", "Meeting others").parent_id = find_code(s, "3.1").id
        find_code(s, "1.1").official_definition = "Set or agree on a goal"


@pytest.mark.parametrize("name, number", [
    ("3.1", "3.1"), ("3.1 Social support (unspecified)", "3.1"), ("BCT 3.1: social support", "3.1"),
    ("bct3.1", "3.1"), ("03.01 x", "3.1"), ("10.11 Future punishment", "10.11"), ("1.1.", "1.1"),
    ("1.1x", None), ("1.1.2 sub", None), ("Hope", None), ("31", None), ("", None), (None, None),
])
def test_leading_technique_number(name, number):
    assert leading_technique_number(name) == number


def test_matching_names(project):
    with project.reading() as s:
        def match(name):
            code, how = match_technique(s, name)
            return (code.number, how) if code is not None else None

        assert match("Goal setting (behavior)") == ("1.1", "label")
        assert match("  goal   SETTING behaviour ") == ("1.1", "label")
        assert match("3.2") == ("3.2", "number")
        assert match("99.1 Social support (practical)") == ("3.2", "label")
        assert match("Restructuring the phsyical environment") == ("12.1", "label")
        assert match("Restructuring the environment") is None
        assert match("Hope") is None and match("") is None
        assert match_group(s, "3 Social support").number == "3"
        assert match_group(s, "Group 17: Relational aspects").number == "17"
        assert match_group(s, "social SUPPORT").number == "3"
        assert match_group(s, "3").number == "3"
        assert match_group(s, "3 Something else") is None and match_group(s, "Hope") is None
    assert inductive_label(" Hope  now ") == ("Hope  now", None)
    assert inductive_label("21.4 Other") == ("Other (21.4)", None)
    assert inductive_label("21.4") == ("code 21.4", None)
    assert inductive_label("  ")[0] is None and "no name" in inductive_label("  ")[1]
    assert inductive_label("21.4 21.5")[0] is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_table_round_trip(project, tmp_path, fmt):
    _seed(project)
    path = tmp_path / f"codebook.{fmt}"
    result = export_codebook_table_in(project, path)
    assert result == {"path": str(path), "format": fmt, "techniques": 98, "inductive": 3}
    rows = _rows(path, fmt)
    assert tuple(rows[0]) == TABLE_COLUMNS
    by_id = {r["id"]: r for r in rows}
    assert by_id["1.1"]["group"] == "1 Goals and planning" and by_id["1.1"]["kind"] == "technique"
    assert by_id["1.1"]["official_definition"] == "Set or agree on a goal"
    assert "; " in by_id["1.1"]["cues"]
    assert by_id["Hope for recovery"]["group"] == "Hope" and by_id["Hope"]["kind"] == "inductive"
    assert by_id["Peer contact"]["group"] == "3.1 Social support (unspecified)"
    assert [r["id"] for r in rows][-3:] == ["Hope", "Hope for recovery", "Peer contact"]

    other = Project.create(tmp_path / "other.bctcoder", user="tester")
    try:
        before = other.techniques()
        with other.transaction() as s:
            report = import_codebook_table(s, path, user="tester")
        assert report["created_inductive"] == 3 and report["skipped"] == []
        hows = [m["how"] for m in report["mapped"]]
        assert hows == ["number"] * 98 + ["inductive"] * 3
        assert other.techniques() == before  # official definitions etc. are not imported
        assert _inductive(other) == {"Hope": ("Looking forward", None),
                                     "Hope for recovery": ("Getting better", "Hope"),
                                     "Peer contact": ("Meeting others", "Social support (unspecified)")}
        assert other.events(action="codebook.import")[0]["payload"]["format"] == fmt
    finally:
        other.close()


def export_codebook_table_in(project: Project, path, fmt=None) -> dict:
    with project.reading() as s:
        return export_codebook_table(s, path, fmt)


def _rows(path, fmt) -> list[dict]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    sheet = load_workbook(path, read_only=True).worksheets[0]
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_hand_made_csv_maps_by_number_and_label_and_groups_inductive_codes(project, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("code,name,group,description\n"
                    "G1,Goal setting (behavior),,\n"
                    "3.1,Something,,\n"
                    "HOPE,Hope,Emotions,Looking forward\n"
                    "FEAR,Fear,Emotions,\n"
                    "EMO,Emotions,,Feelings\n"
                    "PEER,Peers,17 Relational aspects,\n"
                    "X,21.4 Other,,\n", encoding="utf-8")
    with project.transaction() as s:
        report = import_codebook_table(s, path, user="tester")
    assert report["mapped"] == [
        {"name": "Goal setting (behavior)", "code": "1.1", "how": "label"},
        {"name": "Something", "code": "3.1", "how": "number"},
        {"name": "Emotions", "code": "Emotions", "how": "inductive"},
        {"name": "Hope", "code": "Hope", "how": "inductive"},
        {"name": "Fear", "code": "Fear", "how": "inductive"},
        {"name": "Emotions", "code": "Emotions", "how": "inductive"},
        {"name": "Peers", "code": "Peers", "how": "inductive"},
        {"name": "21.4 Other", "code": "Other (21.4)", "how": "inductive"},
    ]
    assert report["created_inductive"] == 5 and report["skipped"] == []
    assert _inductive(project) == {"Emotions": ("Feelings", None), "Hope": ("Looking forward", "Emotions"),
                                   "Fear": (None, "Emotions"), "Peers": (None, None), "Other (21.4)": (None, None)}


def _xlsx(path, rows) -> None:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_xlsx_reading_and_errors(tmp_path):
    good = tmp_path / "good.xlsx"
    _xlsx(good, [[], ["ID", "Label", "Notes"], ["A", "Alpha", "x"], [None, None, None], [1.5, "Beta"]])
    entries = read_codebook_table(good)
    assert [(e.id, e.label, e.line) for e in entries] == [("A", "Alpha", 3), ("1.5", "Beta", 5)]
    cases = {
        "nolabel.xlsx": ([["id", "group"], ["A", "g"]], "row 1: header has no label column"),
        "noid.xlsx": ([["label"], ["A"]], "row 1: header has no id column"),
        "dup.xlsx": ([["id", "label"], ["A", "x"], ["B", "y"], ["A", "z"]], "row 4: duplicate id 'A'"),
        "blank.xlsx": ([["id", "label"], ["A", None]], "row 2: code 'A' has no label"),
        "header.xlsx": ([["id", "label"]], "no codes below the header"),
        "empty.xlsx": ([], "the first sheet is empty"),
    }
    for name, (rows, message) in cases.items():
        _xlsx(tmp_path / name, rows)
        with pytest.raises(InputError) as info:
            read_codebook_table(tmp_path / name)
        assert info.value.source == str(tmp_path / name) and message in str(info.value), name
    numeric = tmp_path / "numeric.xlsx"
    book = Workbook()
    book.active.append(["id", "label"])
    book.active.append([10.1, "Future punishment"])
    book.active["A2"].number_format = "0.00"
    book.save(numeric)
    assert read_codebook_table(numeric)[0].id == "10.10"
    (tmp_path / "fake.xlsx").write_text("not a workbook")
    with pytest.raises(InputError, match="cannot read as an XLSX workbook"):
        read_codebook_table(tmp_path / "fake.xlsx")


def test_xlsx_export_keeps_formula_like_labels_as_text(project, tmp_path):
    with project.transaction() as s:
        add_inductive_code(s, "=HYPERLINK(\"x\")", "=1+1")
    export_codebook_table_in(project, tmp_path / "book.xlsx")
    cells = {c.value: c.data_type for row in load_workbook(tmp_path / "book.xlsx").worksheets[0] for c in row}
    assert cells['=HYPERLINK("x")'] == "s" and cells["=1+1"] == "s"
    other = Project.create(tmp_path / "other.bctcoder", user="tester")
    try:
        with other.transaction() as s:
            import_codebook_table(s, tmp_path / "book.xlsx", user="tester")
        assert _inductive(other) == {'=HYPERLINK("x")': ("=1+1", None)}
    finally:
        other.close()


def test_bad_table_import_changes_nothing(project, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("label\nHope\n", encoding="utf-8")
    with pytest.raises(InputError, match="no id column"):
        with project.transaction() as s:
            import_codebook_table(s, path, user="tester")
    assert _inductive(project) == {} and project.events(action="codebook.import") == []


def test_export_format_choice(project, tmp_path):
    assert export_codebook_table_in(project, tmp_path / "a.xlsx")["format"] == "xlsx"
    assert export_codebook_table_in(project, tmp_path / "a.txt")["format"] == "csv"
    assert export_codebook_table_in(project, tmp_path / "b.dat", "XLSX")["format"] == "xlsx"
    with pytest.raises(InputError, match="unknown codebook table format"):
        export_codebook_table_in(project, tmp_path / "a.csv", "ods")
    assert not list(tmp_path.glob("*.part"))


def test_create_inductive_off(project, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("id,label\n1.2,x\nH,Hope\n", encoding="utf-8")
    with project.transaction() as s:
        report = import_codebook_table(s, path, user="tester", create_inductive=False)
    assert report["mapped"] == [{"name": "x", "code": "1.2", "how": "number"}]
    assert report["skipped"][0]["item"] == "Hope" and _inductive(project) == {}
