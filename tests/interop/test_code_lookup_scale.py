"""Imports that create thousands of codes look codes up in an index, not with a query and a scan per code
(issue #13): the SQL statements an import sends grow with the codes it creates (one INSERT each), never with
codes × codes. The index answers exactly as the scans do."""

from __future__ import annotations

import difflib
from contextlib import contextmanager

from sqlalchemy import event, select

from bctcoder.project import Project
from bctcoder.store.models import Code
from bctcoder.taxonomy.code_index import FUZZY_CUTOFF, FUZZY_MARGIN, CodeIndex, code_index
from bctcoder.taxonomy.service import add_inductive_code, find_code, normalise_label

TEXT = "Interviewer: How was it?\nPW1: We walked together every morning and felt better.\n"


@contextmanager
def counting(project: Project):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(project.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(project.engine, "before_cursor_execute", record)


def _qdc(n: int) -> str:
    codes = []
    for i in range(n):
        name = "3.1 Social support (unspecified)" if i == 7 else f"Theme idea {i}"
        child = f'<Code guid="00000000-0000-4000-9000-{i:012d}" name="Detail {i}"/>' if i % 10 == 0 else ""
        codes.append(f'<Code guid="00000000-0000-4000-8000-{i:012d}" name="{name}" isCodable="true">'
                     f"<Description>About {i}</Description>{child}</Code>")
    return ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
            + "".join(codes) + "</Codes></CodeBook>")


def test_qdc_import_of_2000_codes_sends_one_insert_per_new_code(project, tmp_path):
    path = tmp_path / "big.qdc"
    path.write_text(_qdc(1800), encoding="utf-8")   # 1,800 codes + 180 children
    with counting(project) as statements:
        result = project.import_qdc(path)
    assert result["created_inductive"] == 1979
    assert {"name": "3.1 Social support (unspecified)", "code": "3.1", "how": "number"} in result["mapped"]
    inserts = sum(1 for s in statements if s.lstrip().upper().startswith("INSERT INTO CODE "))
    assert inserts == 1979
    assert len(statements) <= inserts + 30, len(statements)


def test_codings_csv_creating_1000_codes_sends_bounded_statements(project, tmp_path):
    (tmp_path / "cases.csv").write_text("case,role\nPW1,PW\n", encoding="utf-8")
    (tmp_path / "PW1.txt").write_text(TEXT, encoding="utf-8")
    project.import_cases(tmp_path / "cases.csv")
    project.import_transcripts([tmp_path / "PW1.txt"])
    start = TEXT.index("We walked")
    rows = ["document,code,coder,start,end"] + [f"PW1,Reason {i},ann,{start},{start + 9}" for i in range(1000)]
    rows += [f"PW1,3.1,bob,{start},{start + 9}", f"PW1,Reason 5,ann,{start},{start + 9}"]   # last: a duplicate
    path = tmp_path / "codings.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with counting(project) as statements:
        result = project.import_codings(path)
    assert result["added"] == 1001 and result["duplicates"] == 1
    assert len(result["inductive_codes"]) == 1000
    assert len(statements) <= 1000 + 30, len(statements)


def test_skipped_rows_create_no_codes_and_later_rows_still_find_theirs(project, tmp_path):
    (tmp_path / "cases.csv").write_text("case,role\nPW1,PW\n", encoding="utf-8")
    (tmp_path / "PW1.txt").write_text(TEXT, encoding="utf-8")
    project.import_cases(tmp_path / "cases.csv")
    project.import_transcripts([tmp_path / "PW1.txt"])
    path = tmp_path / "codings.csv"
    path.write_text("document,code,coder,quote\nPW1,Brand new,ann,not in the text\n"
                    "PW1,Other new,ann,felt better\nPW1,other NEW,bob,felt better\n", encoding="utf-8")
    result = project.import_codings(path, skip_invalid=True)
    assert [r["line"] for r in result["rejected"]] == [2]
    assert result["added"] == 2 and result["inductive_codes"] == ["Other new"]
    with project.reading() as s:
        labels = set(s.scalars(select(Code.label).where(Code.kind == "inductive")))
    assert labels == {"Other new"}


def test_index_answers_as_find_code_scans(project):
    refs = ["3.1", "03.01", "3.1 Social support (unspecified)", "social support (UNSPECIFIED)", "Goal setting "
            "(behavior)", "1.1x", "99.9", "Hope", "hope", " hope ", "Pain", "Problem solving", "16.3 anything",
            "", "Hope (imported)"]
    with project.transaction() as s:
        add_inductive_code(s, "Hope")
        add_inductive_code(s, "Pain", parent="Body")
        scanned = {(ref, kinds): find_code(s, ref, kinds=kinds)
                   for ref in refs for kinds in (("technique", "inductive"), ("technique",), ("inductive",))}
        index = code_index(s)
        indexed = {(ref, kinds): index.find(ref, kinds) for ref, kinds in scanned}
        assert indexed == scanned
        added = add_inductive_code(s, "Fresh code")   # added to the index as it is created
        assert find_code(s, "fresh CODE") is added


def test_index_forgets_codes_whose_savepoint_rolled_back(project):
    with project.transaction() as s:
        index = code_index(s)
        try:
            with s.begin_nested():
                add_inductive_code(s, "Ephemeral")
                assert index.find("Ephemeral") is not None
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert index.find("Ephemeral") is None
        assert add_inductive_code(s, "Ephemeral").id is not None


def _fuzzy_by_scan(techniques: list[Code], label: str) -> Code | None:
    key = normalise_label(label)
    if len(key) < 8:
        return None
    scored = sorted(((difflib.SequenceMatcher(None, key, normalise_label(c.label)).ratio(), c.id, c)
                     for c in techniques), key=lambda item: (-item[0], item[1]))
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if scored[0][0] < FUZZY_CUTOFF or scored[0][0] - runner_up < FUZZY_MARGIN:
        return None
    return scored[0][2]


def test_fuzzy_matching_from_the_index_agrees_with_comparing_every_label(project):
    with project.reading() as s:
        techniques = list(s.scalars(select(Code).where(Code.kind == "technique")))
        index = CodeIndex(s)
        names = []
        for code in techniques[::3]:
            label = code.label
            names += [label, label[:-1], label[1:], label.replace("e", "a", 1), label.upper() + "s",
                      label[: len(label) // 2], "x" + label + "x"]
        names += ["Restructuring the social environment", "Restructuring the physcal environment", "short"]
        found = [index.fuzzy_technique(name) for name in names]
        assert found == [_fuzzy_by_scan(techniques, name) for name in names]
        assert 20 < sum(code is not None for code in found) < len(names)
