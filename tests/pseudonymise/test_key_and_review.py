"""The key rows of applied replacements, and the review CSV: round trip, formula guard, strict reading."""

from __future__ import annotations

import csv

import pytest

from bctcoder.errors import InputError
from bctcoder.pseudonymise import (
    Finding,
    key_rows,
    number_proposals,
    propose_replacements,
    pseudonymise_document,
    read_review_csv,
    write_key_csv,
    write_review_csv,
)

TEXT = "Interviewer: Did Sarah ring?\nSP1: Yes, Sarah rang 0113 496 0732 on 3 March 2019. =HYPERLINK Bob"


def proposals():
    spans = [("Sarah", "PERSON"), ("Sarah", "PERSON"), ("0113 496 0732", "PHONE"), ("3 March 2019", "DATE"),
             ("=HYPERLINK", "ORGANISATION"), ("Bob", "PERSON")]
    findings, at = [], 0
    for words, category in spans:
        start = TEXT.index(words, at)
        findings.append(Finding("t1", start, start + len(words), words, category, 0.9, "test"))
        at = start + len(words)
    return number_proposals(propose_replacements(findings), first=11)


def test_pseudonymise_document_and_key_rows():
    new_text, offsets, rows = pseudonymise_document(TEXT, proposals())
    assert new_text == ("Interviewer: Did [Person 1] ring?\nSP1: Yes, [Person 1] rang [phone number] on [March 2019]. "
                        "[Organisation A] [Person 2]")
    for row in rows:
        assert TEXT[row.start:row.end] == row.original
        assert new_text[row.new_start:row.new_end] == row.replacement
        assert offsets.span(row.start, row.end) == (row.new_start, row.new_end)
    assert rows == key_rows(proposals())
    assert [r.category for r in rows] == ["PERSON", "PERSON", "PHONE", "DATE", "ORGANISATION", "PERSON"]


def test_a_changed_document_or_overlapping_proposals_are_refused():
    with pytest.raises(ValueError, match="changed since detection"):
        pseudonymise_document(TEXT.replace("Sarah", "Sally"), proposals())
    overlapping = proposals()
    overlapping[1] = overlapping[0]
    with pytest.raises(ValueError):
        key_rows(overlapping)


def test_key_csv(tmp_path):
    _new, _offsets, rows = pseudonymise_document(TEXT, proposals())
    path = tmp_path / "key.csv"
    write_key_csv(path, rows)
    with path.open(encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read[0] == ["document", "start", "end", "original", "replacement", "category", "new_start", "new_end"]
    assert read[5][3] == "'=HYPERLINK"        # guarded against spreadsheet formulas


def test_review_round_trip_with_formula_guard_and_context(tmp_path):
    path = tmp_path / "review.csv"
    items = proposals()
    assert write_review_csv(path, items, texts={"t1": TEXT}) == 6
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "document", "start", "end", "category", "original", "replacement", "decision",
                             "context"]
    assert rows[0]["id"] == "11" and rows[0]["decision"] == ""
    assert "[[Sarah]]" in rows[0]["context"] and "\n" not in rows[0]["context"]
    assert rows[4]["original"] == "'=HYPERLINK"
    assert read_review_csv(path, items) == []   # nothing decided yet
    rows[0]["decision"], rows[1]["decision"] = "accept", "Reject"
    rows[2]["decision"], rows[2]["replacement"] = "edit", "[telephone]"
    rows[4]["decision"] = "ACCEPT"
    rows[5]["decision"] = "pending"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) + ["notes"])
        writer.writeheader()
        writer.writerows(rows)
    decisions = read_review_csv(path, items)
    assert [(d.id, d.decision, d.replacement, d.line) for d in decisions] == [
        (11, "accept", "[Person 1]", 2), (12, "reject", "[Person 1]", 3), (13, "edit", "[telephone]", 4),
        (15, "accept", "[Organisation A]", 6), (16, "pending", "[Person 2]", 7)]
    assert read_review_csv(path) == decisions   # without the proposals: the same, fewer checks


def test_review_accepts_rows_as_mappings(tmp_path):
    path = tmp_path / "review.csv"
    write_review_csv(path, [{"id": 1, "document": "t1", "start": 0, "end": 5, "category": "PERSON", "original": "Sarah",
                             "replacement": "[Person 1]", "decision": "accepted", "before": "x\n", "after": " rang"}])
    with path.open(encoding="utf-8-sig") as handle:
        row = next(csv.DictReader(handle))
    assert row["decision"] == "accept" and row["context"] == "…x [[Sarah]] rang…"


def test_unnumbered_proposals_cannot_be_written(tmp_path):
    with pytest.raises(ValueError, match="id"):
        write_review_csv(tmp_path / "r.csv", propose_replacements([Finding("d", 0, 3, "Bob", "PERSON", 1, "t")]))


def write_rows(path, header, *rows):
    path.write_text("\n".join([",".join(header), *[",".join(r) for r in rows]]) + "\n", encoding="utf-8")


HEADER = ["id", "document", "start", "end", "category", "original", "replacement", "decision"]


@pytest.mark.parametrize("row, message", [
    (["11", "t1", "17", "22", "PERSON", "Sarah", "[Person 1]", "maybe"], "line 2: decision 'maybe' is not one of"),
    (["x", "t1", "17", "22", "PERSON", "Sarah", "[Person 1]", "accept"], "line 2: id must be a whole number"),
    (["99", "t1", "17", "22", "PERSON", "Sarah", "[Person 1]", "accept"], "line 2: id 99 is not a proposal"),
    (["11", "t1", "17", "x", "PERSON", "Sarah", "[Person 1]", "accept"], "line 2: end must be a whole number"),
    (["11", "t1", "17", "22", "PERSON", "Sarah", "", "edit"], "line 2: decision 'edit' needs a replacement"),
    (["11", "t1", "17", "22", "PERSON", "Sally", "[Person 1]", "accept"], "does not match proposal 11"),
    (["11", "t1", "17", "22", "PERSON", "Sarah", "[Mum]", "accept"], "write 'edit'"),
    (["11", "t1", "17", "22", "PERSN", "Sarah", "[Person 1]", "accept"], "category 'PERSN' is not one of"),
])
def test_review_errors_name_file_and_line(tmp_path, row, message):
    path = tmp_path / "review.csv"
    write_rows(path, HEADER, row)
    with pytest.raises(InputError) as caught:
        read_review_csv(path, proposals())
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_review_duplicate_ids_and_missing_columns(tmp_path):
    path = tmp_path / "review.csv"
    row = ["11", "t1", "17", "22", "PERSON", "Sarah", "[Person 1]", "accept"]
    write_rows(path, HEADER, row, row)
    with pytest.raises(InputError, match="line 3: id 11 appears twice"):
        read_review_csv(path)
    write_rows(path, ["id", "original"], ["11", "Sarah"])
    with pytest.raises(InputError, match="line 1: the review file needs column"):
        read_review_csv(path)
