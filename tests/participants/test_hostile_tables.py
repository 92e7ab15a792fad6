"""Hostile and malformed tables: cases, partnerships, codings, presence and codebook CSV/XLSX files are refused
with one line naming the file, quickly, leaving the project (counts and event log) as it was (#13)."""

from __future__ import annotations

import csv
import io
import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.errors import BctcoderError, InputError, LimitError
from bctcoder.participants import csvfile
from bctcoder.participants.csvfile import read_csv_rows
from bctcoder.project import Project
from tests.corpus.hostile_files import ZIP_CASES, assert_refused, external_entity, hostile_zip, project_state, write_zip
from tests.corpus.hostile_tables import CODEBOOK_CASES, CSV_CASES, FORMULAS, SHEET, hostile_csv, xlsx_members

runner = CliRunner()
TRANSCRIPT = "Interviewer: How was it?\nP01: I set a goal to walk daily.\n"

# importer → (valid header, valid row, call, CLI words before PROJECT FILE)
IMPORTERS = {
    "cases": ("case,role,age:integer", "P03,PW,34", lambda p, f: p.import_cases(f), ["import", "cases"]),
    "partnerships": ("pw,sp", "P01,P02", lambda p, f: p.import_partnerships(f), ["import", "partnerships"]),
    "codings": ("document,code,coder,quote", "P01,1.1,ana,set a goal",
                lambda p, f: p.import_codings(f), ["import", "codings"]),
    "presence": ("code,scope,target,present", "1.1,document,P01,yes",
                 lambda p, f: p.import_presence(f), ["import", "presence"]),
    "codebook table": ("id,label,group,description", "HOPE,Hope,Affect,Looking forward",
                       lambda p, f: p.import_codebook_table(f), ["import", "codebook"]),
    "taxonomy codebook": ("id,label,group,description", "HOPE,Hope,Affect,Looking forward",
                          lambda p, f: p.import_codebook(f), ["taxonomy", "import-codebook"]),
}
CODEBOOKS = {"codebook table", "taxonomy codebook"}
LIMIT_CASES = {"100,000 columns"}
XLSX_LIMIT_CASES = {"bomb declaring its size", "compression ratio over the limit", "too many members"}
# openpyxl's sheet has no XML declaration for that case to change: it stays a valid workbook
XLSX_CASES = sorted(set(ZIP_CASES) - {"XML declared UTF-8 but cp1252"})


def prepared(path) -> Project:
    """A project with cases P01 (PW) and P02 (SP) and the transcript P01, as the valid files need."""
    p = Project.create(path, user="tester")
    folder = path.parent
    (folder / "cases.csv").write_text("case,role\nP01,PW\nP02,SP\n", encoding="utf-8")
    (folder / "P01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    p.import_cases(folder / "cases.csv")
    p.import_transcripts([folder / "P01.txt"])
    return p


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One prepared project for the module: every test checks a refused import leaves it as it was."""
    p = prepared(tmp_path_factory.mktemp("hostile-tables") / "study.bctcoder")
    yield p
    p.close()



def fresh_copy(blank, folder) -> Project:
    shutil.copyfile(blank, folder / "fresh.bctcoder")
    return Project.open(folder / "fresh.bctcoder", user="tester")


def refused(project, path, call, error=InputError):
    """``call(project, path)`` must fail with one line naming ``path``, quickly, changing nothing."""
    return assert_refused(project, path, lambda: call(project, path), error)


def test_the_valid_files_import(tmp_path):
    """The hostile files are made from these: each imports, so every refusal below is the hostility's doing."""
    fresh = prepared(tmp_path / "fresh.bctcoder")
    try:
        for name, (header, row, call, _cli) in IMPORTERS.items():
            path = tmp_path / f"{name.replace(' ', '_')}.csv"
            path.write_text(f"{header}\n{row}\n", encoding="utf-8")
            call(fresh, path)
        info = fresh.info()
        assert (info["cases"], info["partnerships"], info["codings"], info["presence_records"]) == (3, 1, 1, 1)
    finally:
        fresh.close()


@pytest.mark.parametrize("case", sorted(CSV_CASES))
@pytest.mark.parametrize("importer", sorted(set(IMPORTERS) - CODEBOOKS))
def test_hostile_csv_is_refused(project, tmp_path, importer, case):
    header, row, call, _cli = IMPORTERS[importer]
    path = hostile_csv(tmp_path / f"{importer}.csv", case, header, row)
    error = refused(project, path, call)
    if case in LIMIT_CASES:
        assert isinstance(error, LimitError) and "columns" in str(error)


@pytest.mark.parametrize("case", CODEBOOK_CASES)
@pytest.mark.parametrize("importer", sorted(CODEBOOKS))
def test_hostile_codebook_csv_is_refused(project, tmp_path, importer, case):
    header, row, call, _cli = IMPORTERS[importer]
    refused(project, hostile_csv(tmp_path / "book.csv", case, header, row), call)


@pytest.mark.parametrize("importer", sorted(CODEBOOKS))
def test_codebook_reads_only_its_columns_of_a_very_wide_table(blank, tmp_path, importer):
    """100,000 columns cost no more than reading them: a codebook takes id, label, group and description."""
    header, row, call, _cli = IMPORTERS[importer]
    fresh = fresh_copy(blank, tmp_path)
    try:
        path = hostile_csv(tmp_path / "wide.csv", "100,000 columns", header, row)
        started = time.perf_counter()
        call(fresh, path)
        assert time.perf_counter() - started < 5
    finally:
        fresh.close()


def test_a_csv_past_the_size_bound_is_refused_before_it_is_decoded(project, tmp_path, monkeypatch):
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 1000)
    path = tmp_path / "cases.csv"
    path.write_text("case,role,note\n" + "".join(f"P{i},PW,x\n" for i in range(200)), encoding="utf-8")
    assert "larger than" in str(refused(project, path, IMPORTERS["cases"][2], LimitError))


def test_formula_cells_are_kept_as_plain_text_and_guarded_again_on_export(blank, tmp_path):
    """A cell a spreadsheet would run ("=cmd|...") is only text to us: stored as written, guarded on export."""
    fresh = fresh_copy(blank, tmp_path)
    try:
        rows = "".join(f'P{i},PW,"{f.replace(chr(34), chr(34) * 2)}"\n' for i, f in enumerate(FORMULAS))
        (tmp_path / "cases.csv").write_text("case,role,note\n" + rows, encoding="utf-8")
        fresh.import_cases(tmp_path / "cases.csv")
        assert list(fresh.cases()["note"]) == FORMULAS
        book = "".join(f'F{i},"{f.replace(chr(34), chr(34) * 2)}"\n' for i, f in enumerate(FORMULAS))
        (tmp_path / "book.csv").write_text("id,label\n" + book, encoding="utf-8")
        fresh.import_codebook_table(tmp_path / "book.csv")
        fresh.export_codebook(tmp_path / "out.csv")
        exported = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
        labels = {r["label"] for r in exported if r["kind"] == "inductive"}
        assert labels == {"'" + f for f in FORMULAS}
    finally:
        fresh.close()


# -- xlsx codebooks ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", XLSX_CASES)
def test_hostile_xlsx_codebook_is_refused(project, tmp_path, case):
    path = hostile_zip(tmp_path / "book.xlsx", case, xlsx_members(), SHEET)
    error = refused(project, path, IMPORTERS["codebook table"][2])
    if case in XLSX_LIMIT_CASES:
        assert isinstance(error, LimitError)


@pytest.mark.parametrize("case, members", [
    ("external entity", lambda secret: xlsx_members({SHEET: external_entity(secret, "worksheet")})),
    ("sheet cut short", lambda secret: xlsx_members(
        {SHEET: b"<worksheet><sheetData><row><c t='s'><v>0</v></c></row>"})),
    ("shared string index out of range", lambda secret: xlsx_members({SHEET: xlsx_members()[SHEET].replace(
        b'<c r="A1" t="inlineStr"><is><t>id</t></is></c>', b'<c r="A1" t="s"><v>999999</v></c>')})),
    ("no worksheet", lambda secret: xlsx_members({SHEET: None})),
    ("a CSV named .xlsx", None),
])
def test_damaged_xlsx_parts_are_refused(project, tmp_path, case, members):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    path = tmp_path / "book.xlsx"
    if members is None:
        path.write_text("id,label\nHOPE,Hope\n", encoding="utf-8")
    else:
        write_zip(path, members(secret))
    error = refused(project, path, IMPORTERS["codebook table"][2])
    assert "TOP SECRET" not in str(error)


# -- the command line --------------------------------------------------------------------------------------

@pytest.mark.parametrize("importer", sorted(IMPORTERS))
def test_cli_reports_one_line_and_no_traceback(project, tmp_path, importer):
    header, row, _call, words = IMPORTERS[importer]
    path = hostile_csv(tmp_path / "table.csv", "NUL byte in a cell", header, row)
    before = project_state(project)
    result = runner.invoke(app, [*words, project.url.removeprefix("sqlite:///"), str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and str(path) in result.output
    assert result.output.strip().count("\n") == 0
    assert project_state(project) == before


def test_cli_refuses_a_zip_bomb_xlsx(project, tmp_path):
    path = hostile_zip(tmp_path / "book.xlsx", "bomb declaring its size", xlsx_members(), SHEET)
    result = runner.invoke(app, ["import", "codebook", project.url.removeprefix("sqlite:///"), str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output and "MB" in result.output


# -- fuzzing the reader ------------------------------------------------------------------------------------

_CELLS = st.text(st.sampled_from(list('ab,;\t"\'\r\n =é😀\x00\u2028') + ["\ufeff"]), max_size=60)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200), _CELLS.map(lambda t: t.encode("utf-8")),
                      _CELLS.map(lambda t: t.encode("utf-16-le")), _CELLS.map(lambda t: t.encode("utf-16"))))
def test_read_csv_rows_never_escapes_as_a_traceback(tmp_path, data):
    """Any bytes: rows with line numbers inside the file and cells from the header, or our error naming it."""
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        header, rows = read_csv_rows(path)
    except BctcoderError as exc:
        assert str(path) in str(exc)
        return
    assert any(header) and len(header) <= csvfile.MAX_COLUMNS
    lines = [line for line, _row in rows]
    assert lines == sorted(lines) and all(line >= 2 for line in lines)
    for _line, row in rows:
        assert set(row) <= set(header) and all("\x00" not in value for value in row.values())
